"""The work a request asks for, done in a worker process: a run's summary, its files, its checks.

Each job is a plain function of picklable arguments that returns bytes (or a JSON-able
value), so a worker process (:mod:`simulator.web.workers`) can run it and be killed if it
takes too long. Nothing is shared between jobs but read-only law tables and cached shipped
populations: two requests never see each other's results.

Examples
--------
>>> import json
>>> from simulator.web.queries import RunRequest
>>> body = summary_json(RunRequest("2014_guidelines", ("grant.rate=1",), seed=3, size=0.02),
...                     max_size=1.0)
>>> s = json.loads(body)
>>> s["seed"], s["size"], s["granted"] == s["eligible"]
(3, 0.02, True)
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from simulator.files import to_json
from simulator.model.outcomes import Outcome
from simulator.report.outputs import output_files
from simulator.resources import find_scenario
from simulator.runs.blocks import run_synthetic
from simulator.runs.chunked import ChunkedOutcome
from simulator.runs.published import calibration_rows
from simulator.scenario import load_scenario
from simulator.web.queries import FieldError, RunRequest, build_scenario

#: The files a run can be downloaded as: name -> media type.
DOWNLOADS = {
    "summary.json": "application/json",
    "waves.csv": "text/csv",
    "outputs-csv.zip": "application/zip",
    "outputs-parquet.zip": "application/zip",
}
#: The largest population the published figures are checked on (size 1: the calibrated stock).
CHECK_SIZE = 1.0


def outcome_of(request: RunRequest, *, max_size: float) -> Outcome | ChunkedOutcome:
    """Run what a request asks for, as ``simulate run`` runs it."""
    scenario = build_scenario(request, max_size=max_size)
    seed = scenario.seed if request.seed is None else request.seed
    return run_synthetic(scenario, seed=seed, size=request.size)


def summary_json(request: RunRequest, *, max_size: float) -> bytes:
    """The summary as ``simulate run --json`` prints it (the same bytes, without the newline)."""
    return to_json(outcome_of(request, max_size=max_size).summary).encode()


def download(request: RunRequest, name: str, *, max_size: float) -> bytes:
    """One of :data:`DOWNLOADS` for a run: the summary, the waves, or the outputs as a zip.

    A zip holds what ``simulate run --out DIR`` writes (``--format csv`` or ``parquet``):
    ``summary.json``, ``meta.json`` (the provenance and the command that makes the same
    files), the waves, the people and the breakdowns.

    Examples
    --------
    >>> import io, zipfile
    >>> from simulator.web.queries import RunRequest
    >>> z = download(RunRequest("equal_act", size=0.02), "outputs-csv.zip", max_size=1.0)
    >>> names = zipfile.ZipFile(io.BytesIO(z)).namelist()
    >>> "meta.json" in names and "waves.csv" in names
    True
    """
    if name not in DOWNLOADS:
        raise FieldError(f"file: {name!r} is not one of {', '.join(DOWNLOADS)}", "file")
    outcome = outcome_of(request, max_size=max_size)
    if name == "summary.json":
        return (to_json(outcome.summary, indent=1) + "\n").encode()
    fmt = "parquet" if name == "outputs-parquet.zip" else "csv"
    files = output_files(outcome, fmt=fmt, command=request.command().replace(" --json", ""))
    if name == "waves.csv":
        return _written(files["waves.csv"])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for file, write in files.items():
            z.writestr(file, _written(write))
    return buf.getvalue()


def _written(write: Any) -> bytes:
    buf = io.BytesIO()
    write(buf)
    return buf.getvalue()


def published_checks(scenario: str, *, max_size: float) -> list[dict[str, Any]]:
    """The published figures a shipped scenario is checked against, as ``simulate validate``.

    Each row: ``figure``, ``model``, ``published``, ``tolerance``, ``status``, ``role``
    (``fitted`` or ``check``, out of sample), ``source``, ``note``. The scenario runs as
    shipped, at its own seed, on the calibrated stock (size 1, or the server's cap if lower).

    Examples
    --------
    >>> rows = published_checks("2014_guidelines", max_size=0.05)
    >>> {r["role"] for r in rows} == {"fitted", "check"}
    True
    """
    sc = load_scenario(find_scenario(scenario))
    rows = calibration_rows(sc, min(CHECK_SIZE, max_size))
    keys = ("figure", "model", "published", "tolerance", "status", "role", "source", "note")
    return [{k: getattr(r, k) for k in keys} for r in rows]


__all__ = [
    "DOWNLOADS",
    "download",
    "outcome_of",
    "published_checks",
    "summary_json",
]
