"""Time to read stacked Sentencing Commission datafiles into a stock, and to run a scenario on it.

The files are made-up fiscal-year datafiles in the codebook's variables
(``tests/ussc_fixture.py``, its cases repeated to ``ROWS`` a year), with ``FILLER`` columns
more that the reader must skip, as a real file has thousands. The benchmark is
``simulate run scenarios/2014_guidelines.yaml --mapping ussc --population FY1 ... --json`` in a
fresh process, which reports its own time and peak resident memory.

By default (CI) two years of 5,000 cases, a quick smoke test; ``SIMULATOR_BENCH_FULL=1``
makes it FY1999-FY2014 at 70,000 cases a year (about the Commission's yearly caseload, 1.1
million rows), each with 500 filler columns::

    SIMULATOR_BENCH_FULL=1 uv run pytest benchmarks/test_bench_ussc.py --benchmark-enable -s
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the fixture generator of the tests

from ussc_fixture import fixture_frame  # noqa: E402 (after the path it is found on)

SCENARIO = ROOT / "scenarios" / "2014_guidelines.yaml"
FULL = os.environ.get("SIMULATOR_BENCH_FULL") == "1"
YEARS = range(1999, 2015) if FULL else range(2013, 2015)
ROWS = 70_000 if FULL else 5_000
FILLER = 500 if FULL else 20

CHILD = """
import json, resource, sys, time
t = time.perf_counter()
from click.testing import CliRunner
from simulator.cli import main
args = ["run", sys.argv[1], "--mapping", "ussc", "--on-bad-rows", "skip", "--json"]
for path in sys.argv[2:]:
    args += ["--population", path]
r = CliRunner().invoke(main, args)
assert r.exit_code == 0, r.output
print(json.dumps({"seconds": time.perf_counter() - t,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "summary": json.loads(r.stdout)}))
"""


@pytest.fixture(scope="module")
def datafiles(tmp_path_factory) -> list[Path]:
    """One CSV a fiscal year: the fixture's cases repeated to ``ROWS``, with filler columns."""
    folder = tmp_path_factory.mktemp("ussc_bench")
    paths = []
    rng = np.random.default_rng(0)
    filler = pd.DataFrame(
        rng.integers(0, 99, size=(ROWS, FILLER)), columns=[f"V{i:04d}" for i in range(FILLER)]
    )
    for fy in YEARS:
        cases = fixture_frame(fy, 200, seed=fy, awkward=False)
        frame = cases.iloc[np.arange(ROWS) % len(cases)].reset_index(drop=True)
        path = folder / f"opafy{fy % 100:02d}nid.csv"
        pd.concat([frame.convert_dtypes(), filler], axis=1).to_csv(path, index=False)
        paths.append(path)
    return paths


def test_run_on_stacked_datafiles(benchmark, datafiles):
    def run() -> dict:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(SCENARIO), *map(str, datafiles)],
            check=True, capture_output=True, text=True,
        )  # fmt: skip
        return json.loads(out.stdout)

    result = benchmark.pedantic(run, rounds=1, iterations=1)
    s = result["summary"]
    rows = len(datafiles) * ROWS
    assert s["agreement"]["rows"]["rows_read"] == rows
    assert s["population"] == s["agreement"]["rows"]["in_custody"] > 0
    benchmark.extra_info.update(
        rows=rows, files=len(datafiles), filler_columns=FILLER,
        seconds_in_process=round(result["seconds"], 1),
        peak_rss_mb=round(result["peak_rss_mb"]), stock=s["population"],
    )  # fmt: skip
    print(f"\n{rows:,} rows in {len(datafiles)} files ({FILLER} filler columns): "
          f"{result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:.0f} MB, "
          f"stock {s['population']:,}")  # fmt: skip
