"""The explorer: a web page and its JSON API over the engine (``simulate serve``).

A layer under :mod:`simulator.cli` and over :mod:`simulator.report`: ``queries`` reads a
request (a shipped scenario's name or an uploaded file, ``--set`` overrides, seed and size)
with the command line's messages; ``catalog`` describes the scenario library for the page;
``jobs`` does the work in a worker process (a run's summary, its files, its published
figures); ``workers`` holds the worker processes, their queue and their time limit; ``app``
is the Starlette application; ``static/`` the page, its script and its style sheet, all
shipped in the package (no network at run time).
"""
