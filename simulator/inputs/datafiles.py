"""Statistical datafiles as frames: CSV, SAS (``.sas7bdat``, transport ``.xpt``), SPSS ``.sav``.

The Sentencing Commission publishes each fiscal year's datafile in these formats. Only the
variables asked for are kept (names compared in capitals, as SAS and SPSS treat them), so a
file of thousands of variables costs the memory of the few that are read. SAS files are read by
pandas, or by pyreadstat when it is installed (which reads only the variables asked for); SPSS
files need pyreadstat (the ``ussc`` extra: ``pip install 'sentence-reduction-simulator[ussc]'``).

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     p = Path(d) / "fy.csv"
...     _ = p.write_text(chr(10).join(["sentmon,SENTYR,OTHER", "3,2014,x", ""]))
...     read_datafile(p, {"SENTMON", "SENTYR"}).to_dict("records")
[{'SENTMON': 3, 'SENTYR': 2014}]
"""

from __future__ import annotations

import importlib.util
from collections.abc import Collection
from pathlib import Path

from simulator import lazy
from simulator.errors import PopulationError

pd = lazy.module("pandas")
pyreadstat = lazy.module("pyreadstat")

#: File suffixes read, and the format each names.
FORMATS = {
    ".csv": "csv",
    ".gz": "csv",
    ".txt": "csv",
    ".sas7bdat": "sas7bdat",
    ".xpt": "xport",
    ".sav": "sav",
    ".zsav": "sav",
}

#: What to install for a format pandas alone does not read.
NEEDS_PYREADSTAT = (
    "reading SPSS files needs pyreadstat: pip install 'sentence-reduction-simulator[ussc]' "
    "(or save the file as CSV)"
)


def has_pyreadstat() -> bool:
    """Whether pyreadstat is installed (it reads SPSS files, and SAS files variable by variable)."""
    return importlib.util.find_spec("pyreadstat") is not None


def read_datafile(path: str | Path, columns: Collection[str]) -> pd.DataFrame:
    """The ``columns`` of a datafile that has them, named in capitals, one row per case.

    Numbers come as numbers (a CSV column with any cell that is no number stays text), a
    missing value as NaN. Columns the file lacks are not in the frame.

    Raises
    ------
    PopulationError
        For a missing file, an unknown format, a file that cannot be read, or an SPSS file
        without pyreadstat installed.
    """
    path = Path(path)
    wanted = {c.upper() for c in columns}
    if not path.is_file():
        raise PopulationError(f"{path}: no such file")
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise PopulationError(f"{path}: expected a datafile ending in one of {known}")
    if kind == "sav" and not has_pyreadstat():
        raise PopulationError(f"{path}: {NEEDS_PYREADSTAT}")
    try:
        if kind == "csv":
            # numbers parsed by the C parser (a column with any other text stays text);
            # empty cells and SAS's "." are missing, "NA" is not a code the files use
            frame = pd.read_csv(
                path, keep_default_na=False, na_values=["", "."], skipinitialspace=True,
                usecols=lambda c: str(c).strip().upper() in wanted,
            )  # fmt: skip
        elif has_pyreadstat():
            frame = _read_with_pyreadstat(path, kind, wanted)
        else:
            frame = pd.read_sas(path, format=kind, encoding="latin-1")
    except PopulationError:
        raise
    except Exception as exc:  # each reader raises its own error types
        raise PopulationError(f"{path}: cannot read: {type(exc).__name__}: {exc}") from None
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    frame = frame.loc[:, [c for c in frame.columns if c in wanted]]
    if frame.columns.duplicated().any():
        twice = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise PopulationError(f"{path}: column(s) named twice: {', '.join(twice)}")
    return frame


def _read_with_pyreadstat(path: Path, kind: str, wanted: set[str]) -> pd.DataFrame:
    read = {
        "sas7bdat": pyreadstat.read_sas7bdat,
        "xport": pyreadstat.read_xport,
        "sav": pyreadstat.read_sav,
    }[kind]
    _, meta = read(str(path), metadataonly=True)
    names = [n for n in meta.column_names if n.strip().upper() in wanted]
    frame, _ = read(str(path), usecols=names or None)  # codes, not their value labels
    return frame if names else frame.iloc[:, :0]
