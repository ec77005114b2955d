"""Inputs: the people a scenario runs on, synthesized or read from files, and the generator's fit.

``parameters``
    the generator's fitted and assumed parameters, and their file;
``cohorts``
    the admission cohorts of each fiscal year, drawn from the parameters;
``synthesis``
    :func:`synthesize`: cohorts sentenced under their own law, earlier amendments replayed,
    the stock in custody on the snapshot day;
``forward``
    the cohorts after the snapshot, for projections;
``calibration``
    the fit of the generator to published figures (``simulate calibrate``);
``population_files``, ``mapping``, ``rows``, ``cells``
    population files: reading and writing, a user's column mapping, row checks and derived
    columns, cell parsing.
"""
