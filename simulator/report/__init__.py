"""Reports: what people read. Terminal tables, output files, plots, the HTML report.

``tables``
    figures formatted for reading, headline and breakdown tables;
``terminal``
    what ``simulate run``, ``calibrate``, ``validate`` and ``compare`` show;
``outputs``
    the files of a run (summary, waves, people, breakdowns);
``replicates``, ``projection``, ``sensitivity``, ``worksheet``
    the tables and files of those runs;
``plots``
    the plots (matplotlib's object API, no pyplot state);
``html``
    the self-contained HTML report.

Nothing here prints: functions return what to show, and the command line shows it.
"""
