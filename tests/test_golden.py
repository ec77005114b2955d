"""Golden outputs: every shipped scenario's results, pinned by digest.

For each file in ``scenarios/`` the run at the scenario's own seed and size ``SIZE`` is written
with the same writer ``simulate run --out`` uses, and three digests are taken: the summary JSON
without the version, the body of ``waves.csv`` and the body of ``people.csv`` (without the
``#`` provenance lines, which name the version). Scenarios with a ``projection`` block also pin
the projection's summary. A refactor leaves every digest unchanged; a change that moves results
on purpose rewrites ``tests/golden/digests.json`` in the same commit and says why::

    uv run python tests/test_golden.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import pytest

import simulator as sim
from simulator.files import to_json
from simulator.report.outputs import write_outputs
from simulator.runs.projection import project

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = Path(__file__).resolve().parent / "golden" / "digests.json"
SIZE = 0.1


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _body(data: bytes) -> bytes:
    """A CSV without its ``#`` provenance lines."""
    return b"".join(line for line in data.splitlines(keepends=True) if not line.startswith(b"#"))


def digests(path: Path) -> dict[str, str]:
    """The digests of one scenario's results (see the module docstring)."""
    scenario = sim.load_scenario(path)
    population = sim.synthesize(scenario.population, seed=scenario.seed, size=SIZE)
    outcome = sim.apply(population, scenario)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_outputs(outcome, out)
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        summary.pop("version")
        found = {
            "summary": _sha(json.dumps(summary, sort_keys=True).encode()),
            "waves": _sha(_body((out / "waves.csv").read_bytes())),
            "people": _sha(_body(gzip.decompress((out / "people.csv.gz").read_bytes()))),
        }
    if scenario.projection is not None:
        proj = json.loads(to_json(project(scenario, size=SIZE, population=population).summary))
        proj.pop("version")
        found["projection"] = _sha(json.dumps(proj, sort_keys=True).encode())
    return found


def test_every_scenario_has_golden_digests():
    pinned = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(pinned) == [p.name for p in SCENARIOS]


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_results_equal_the_golden_digests(path):
    pinned = json.loads(GOLDEN.read_text(encoding="utf-8"))[path.name]
    assert digests(path) == pinned


if __name__ == "__main__":  # rewrite the digests (a change that moves results on purpose)
    doc = {p.name: digests(p) for p in SCENARIOS}
    GOLDEN.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN} ({len(doc)} scenarios)", file=sys.stderr)
