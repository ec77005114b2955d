"""The dependency floors of ``pyproject.toml`` are true: the package works at exactly them.

``uv`` resolves the project with ``--resolution lowest-direct`` (every direct dependency at its
floor) into a fresh virtual environment (``uv venv`` + ``uv pip install``, so ``uv.lock`` and the
project's own environment are untouched), with the test tools at their own floors from the
``dev`` group, and runs a representative part of the suite there: the golden digests of every
scenario (so the numbers are the same to the last bit), the engine's properties, the reference
calculator and its differential test, the command line, population files and Parquet outputs
(pyarrow), plots (matplotlib) and scenario validation (pydantic).

The first run downloads the old wheels (about 100 MB; seconds on a fast link); later runs take
them from uv's cache. The whole suite was run once at the floors too (see the CHANGELOG); this
test keeps them true in CI. About a minute on a 2-core machine; ``-m "not slow"`` leaves it out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT
from packaging.version import Version

#: Test modules run at the floors.
SUBSET = (
    "tests/test_golden.py",
    "tests/test_engine_properties.py",
    "tests/test_reference_calculator.py",
    "tests/test_differential_changes.py",
    "tests/test_cli.py",
    "tests/test_population_io.py",
    "tests/test_outputs_format.py",
    "tests/test_plots.py",
    "tests/test_scenario_validation.py",
)
#: Test tools the subset needs (their floors come from the ``dev`` group).
TOOLS = ("pytest", "hypothesis", "pytest-benchmark")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def _floor(requirement: str) -> str:
    found = re.search(r">=\s*([0-9][^,;\s]*)", requirement)
    assert found, f"{requirement}: every direct dependency has a floor (>=)"
    return found[1]


def _project() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("uv is needed for the lowest-direct run (the README's set-up installs it)")
        pytest.skip("uv is not installed")
    return found


def test_every_direct_dependency_has_a_floor():
    doc = _project()
    for req in [*doc["project"]["dependencies"], *doc["dependency-groups"]["dev"]]:
        _floor(req)


@pytest.mark.slow
def test_the_suite_passes_at_the_lowest_direct_versions(tmp_path):
    uv, doc = _uv(), _project()
    dev = {_name(r): r for r in doc["dependency-groups"]["dev"]}
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"

    def run(*cmd: str, timeout: float = 600) -> subprocess.CompletedProcess:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)  # fmt: skip
        assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-4000:]}{done.stderr[-4000:]}"
        return done

    run(uv, "venv", "--quiet", "--python", sys.executable, str(venv))
    run(uv, "pip", "install", "--quiet", "--python", str(python), "--resolution", "lowest-direct",
        "--editable", str(ROOT), *(dev[t] for t in TOOLS))  # fmt: skip

    # every project dependency is at its floor, so the floors are what the subset tests
    names = [_name(r) for r in doc["project"]["dependencies"]]
    code = "import sys, importlib.metadata as m; print(*(m.version(n) for n in sys.argv[1:]))"
    installed = dict(zip(names, run(str(python), "-c", code, *names).stdout.split(), strict=True))
    for req in doc["project"]["dependencies"]:
        assert Version(installed[_name(req)]) == Version(_floor(req)), (req, installed[_name(req)])

    tests = run(str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *SUBSET,
                timeout=900)  # fmt: skip
    assert re.search(r"\d+ passed", tests.stdout), tests.stdout[-2000:]
