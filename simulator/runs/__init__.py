"""Runs: what users do with the model, each a function research code can call.

``chunked``
    a scenario applied chunk by chunk to populations larger than memory, results exact;
``population_file``
    a scenario applied to the people of a population file;
``replicates``
    many runs, each on its own population and assumptions, with executors;
``sensitivity``
    Sobol indices of the figures over the uncertain assumptions;
``projection``
    the population month by month, baseline against reform, with new admissions;
``worksheet``
    one person's worksheet, read from the engine's arrays;
``published``
    the model against published figures (``simulate validate``);
``compare``
    scenarios side by side with common random numbers;
``result``
    :func:`run` a scenario into a :class:`Result` (summary, people, monthly waves, Parquet,
    a notebook table) and :func:`compare` scenarios or results into a DataFrame.
"""
