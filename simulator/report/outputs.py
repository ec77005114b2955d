"""The files of a run: ``summary.json``, ``meta.json``, ``waves``, ``people`` and breakdowns.

A clemency scenario adds ``clemency_by_month``: petitions pending and grants so far at the
end of each month (:func:`clemency_by_month`), which ``waves`` also holds
(:func:`waves_table`). Tables are plain CSV (one header row; ``people.csv.gz`` gzipped) or,
with ``fmt="parquet"``, Parquet files (``people.parquet``).

They are written as one output folder (:mod:`simulator.outputs_folder`: a temporary folder
swapped in whole, with ``manifest.json`` last). The provenance (scenario, its file and hash,
seed, size, version, the command line) is in ``meta.json`` beside the data files
(:func:`provenance`).

Examples
--------
>>> import tempfile, simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s)
>>> with tempfile.TemporaryDirectory() as d:
...     sorted(p.name for p in write_outputs(out, Path(d)))[:3]
['by_category.csv', 'by_drug_type.csv', 'by_race.csv']
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from simulator import lazy
from simulator.files import Writer, to_json
from simulator.model.outcomes import BREAKDOWNS
from simulator.outputs_folder import META, json_file, table_file, write_folder
from simulator.report.agreement import agreement_file

pd = lazy.module("pandas")


def write_outputs(
    outcome: Any,
    directory: Path,
    *,
    force: bool = False,
    fmt: str = "csv",
    command: str | None = None,
) -> list[Path]:
    """Write the files of :func:`output_files` as one output folder; returns their paths.

    Raises :class:`~simulator.errors.OutputExistsError` (before writing anything) if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    files = output_files(outcome, fmt=fmt, command=command)
    return write_folder(directory, files, outcome.summary, force=force)


def provenance(
    about: Mapping[str, Any], scenario: Any, *, fmt: str, command: str | None, **extra: Any
) -> dict[str, Any]:
    """What ``meta.json`` records: where the files came from and how to make them again.

    ``about`` is a run's summary (or a replicates' or projection's meta) holding ``seed``,
    ``scenario_sha256`` and ``version`` (and ``size`` and ``snapshot`` where it has them);
    ``scenario`` the scenario that ran (its title and file). ``command`` is the command line.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> m = provenance({"seed": 1, "scenario_sha256": s.sha256(), "version": "0"}, s,
    ...                fmt="csv", command="simulate run 2014_guidelines --out x")
    >>> m["seed"], m["format"], m["scenario_file"].endswith("2014_guidelines.yaml")
    (1, 'csv', True)
    """
    meta = {
        "scenario": getattr(scenario, "title", None),
        "scenario_file": getattr(scenario, "source_path", None),
        "scenario_sha256": about["scenario_sha256"],
        "seed": about["seed"],
        "size": about.get("size"),
        "snapshot": about.get("snapshot"),
        "version": about["version"],
        "format": fmt,
        "command": command,
    }
    return {**meta, **extra}


def output_files(
    outcome: Any, *, fmt: str = "csv", command: str | None = None
) -> dict[str, Writer]:
    """``summary.json``, ``meta.json``, ``waves``, ``people`` and the breakdowns: name -> writer.

    ``outcome`` is an :class:`~simulator.model.outcomes.Outcome` or a chunked one (which has
    no per-person rows, so no ``people`` file); ``rejected_rows.csv`` (always CSV, since the
    rows are text as the file held them) holds the rows of a population file left out, if any;
    ``agreement.csv`` the agreement report of a run on datafiles (``--mapping ussc``).
    ``fmt`` is ``csv`` or ``parquet``; ``command`` the command line ``meta.json`` records.
    """
    summary = outcome.summary
    ext = fmt
    meta = provenance(summary, outcome.scenario, fmt=fmt, command=command)
    if "population_file" in summary:  # the people came from a file: which, rows read, rejected
        meta["population_file"] = summary["population_file"]
    files: dict[str, Writer] = {
        "summary.json": summary_file(summary),
        META: json_file(meta),
        f"waves.{ext}": table_file(waves_table(outcome), fmt),
    }
    if getattr(outcome, "has_people", True):  # a chunked run keeps no per-person rows
        if fmt == "csv":
            files["people.csv.gz"] = lambda fh: _write_people(outcome.people, fh)
        else:
            files["people.parquet"] = lambda fh: table_file(outcome.people, fmt)(fh)
    rejected = getattr(outcome, "rejected_rows", None)  # rows of a population file left out
    if rejected is not None and len(rejected):
        # a cell may hold a line break as the file quoted it: \r\n line ends make the writer
        # quote it too, so every row reads back as one
        files["rejected_rows.csv"] = table_file(rejected, "csv", lineterminator="\r\n")
    if "agreement" in summary:  # datafiles: the engine's guideline calculation against theirs
        files["agreement.csv"] = agreement_file(summary["agreement"])
    by_month = clemency_by_month(summary)
    if by_month is not None:
        files[f"clemency_by_month.{ext}"] = table_file(by_month, fmt)
    for by in BREAKDOWNS:
        files[f"by_{by}.{ext}"] = table_file(outcome.breakdown(by), fmt, index=True)
    return files


def summary_file(summary: Mapping[str, Any]) -> Writer:
    """The writer of ``summary.json``: the summary as JSON, one object and a newline."""
    return lambda fh: fh.write((to_json(summary) + "\n").encode())


#: The files a report embeds as downloads: name -> media type.
DOWNLOADS = {"waves.csv": "text/csv", "summary.json": "application/json"}


def download_files(outcome: Any) -> dict[str, bytes]:
    """``waves.csv`` and ``summary.json`` as bytes, the same as ``--out`` writes them.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s)
    >>> files = download_files(out)
    >>> list(files), files["waves.csv"].startswith(b"month,releases,")
    (['waves.csv', 'summary.json'], True)
    """
    writers = {
        "waves.csv": table_file(waves_table(outcome), "csv"),
        "summary.json": summary_file(outcome.summary),
    }
    out = {}
    for name, write in writers.items():
        buf = io.BytesIO()
        write(buf)
        out[name] = buf.getvalue()
    return out


def waves_table(outcome: Any) -> pd.DataFrame:
    """Releases by month, with a clemency scenario's backlog and grants so far beside them.

    For a clemency scenario, ``backlog`` (petitions pending at the month's end; blank outside
    the review) and ``grants_cumulative`` (grants so far; 0 before the first batch, the final
    count after the last) join the release columns, so one table shows grants and releases.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("2014_clemency_initiative")
    >>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.05), s)
    >>> list(waves_table(out).columns)
    ['month', 'releases', 'baseline', 'scenario', 'backlog', 'grants_cumulative']
    """
    waves = outcome.waves
    by_month = clemency_by_month(outcome.summary)
    if by_month is None:
        return waves
    out = waves.merge(by_month, on="month", how="left")
    out["backlog"] = out["backlog"].astype("Int64")
    grants = out["grants_cumulative"].ffill().fillna(0)
    out["grants_cumulative"] = grants.astype("int64")
    return out


def clemency_by_month(summary: dict) -> pd.DataFrame | None:
    """Petitions pending and grants so far at each month's end, or None without clemency.

    Columns ``month`` (``YYYY-MM``), ``backlog`` and ``grants_cumulative``, from the summary's
    ``clemency.backlog_by_month`` and ``clemency.grants_by_month``.

    Examples
    --------
    >>> c = {"backlog_by_month": {"2014-04": 5, "2014-05": 3},
    ...      "grants_by_month": {"2014-04": 0, "2014-05": 2}}
    >>> clemency_by_month({"clemency": c}).to_dict("records")[1]
    {'month': '2014-05', 'backlog': 3, 'grants_cumulative': 2}
    >>> clemency_by_month({}) is None
    True
    """
    c = summary.get("clemency")
    if not c or "backlog_by_month" not in c:
        return None
    backlog, grants = c["backlog_by_month"], c["grants_by_month"]  # the same months
    return pd.DataFrame(
        {
            "month": list(backlog),
            "backlog": [int(v) for v in backlog.values()],
            "grants_cumulative": [int(grants[m]) for m in backlog],
        }
    )


def _write_people(people: pd.DataFrame, fh: IO[bytes]) -> None:
    with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(people.to_csv(index=False).encode())
