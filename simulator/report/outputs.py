"""The files of a run: ``summary.json``, ``waves.csv``, ``people.csv.gz`` and the breakdowns.

A clemency scenario adds ``clemency_by_month.csv``: petitions pending and grants so far at the
end of each month (:func:`clemency_by_month`).

They are written as one output folder (:mod:`simulator.outputs_folder`: a temporary folder
swapped in whole, with ``manifest.json`` last), each CSV with ``#`` lines naming the scenario,
its hash, the seed and the version.

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
from pathlib import Path
from typing import IO, Any

from simulator import lazy
from simulator.files import Writer, to_json
from simulator.model.outcomes import BREAKDOWNS
from simulator.outputs_folder import write_folder

pd = lazy.module("pandas")


def write_outputs(outcome: Any, directory: Path, *, force: bool = False) -> list[Path]:
    """Write the files of :func:`output_files` as one output folder; returns their paths.

    Raises :class:`~simulator.errors.OutputExistsError` (before writing anything) if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    return write_folder(directory, output_files(outcome), outcome.summary, force=force)


def output_files(outcome: Any) -> dict[str, Writer]:
    """``summary.json``, ``waves.csv``, ``people.csv.gz`` and the breakdown CSVs: name -> writer.

    ``outcome`` is an :class:`~simulator.model.outcomes.Outcome` or a chunked one (which has
    no per-person rows, so no ``people.csv.gz``); ``rejected_rows.csv`` holds the rows of a
    population file left out, if any.
    """
    summary = outcome.summary
    provenance = (
        f"# scenario: {outcome.scenario.title}\n# scenario_sha256: "
        f"{summary['scenario_sha256']}\n# seed: {summary['seed']}\n"
        f"# version: {summary['version']}\n"
    )
    files: dict[str, Writer] = {
        "summary.json": lambda fh: fh.write((to_json(summary) + "\n").encode()),
        "waves.csv": lambda fh: fh.write((provenance + outcome.waves.to_csv(index=False)).encode()),
        "people.csv.gz": lambda fh: _write_people(outcome.people, fh, provenance),
    }
    if not getattr(outcome, "has_people", True):  # a chunked run keeps no per-person rows
        del files["people.csv.gz"]
    rejected = getattr(outcome, "rejected_rows", None)  # rows of a population file left out
    if rejected is not None and len(rejected):
        files["rejected_rows.csv"] = lambda fh: fh.write(
            # a cell may hold a line break as the file quoted it: \r\n line ends make the
            # writer quote it too, so every row reads back as one
            (provenance + rejected.to_csv(index=False, lineterminator="\r\n")).encode()
        )
    by_month = clemency_by_month(summary)
    if by_month is not None:
        files["clemency_by_month.csv"] = lambda fh: fh.write(
            (provenance + by_month.to_csv(index=False)).encode()
        )
    for by in BREAKDOWNS:
        frame = outcome.breakdown(by)
        files[f"by_{by}.csv"] = lambda fh, f=frame: fh.write((provenance + f.to_csv()).encode())
    return files


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


def _write_people(people: pd.DataFrame, fh: IO[bytes], provenance: str) -> None:
    with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(provenance.encode())
        gz.write(people.to_csv(index=False).encode())
