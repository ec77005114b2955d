"""The wheel carries the data and the scenarios, and the package finds them once installed.

``pyproject.toml`` maps ``data/`` and ``scenarios/`` into the wheel under
``simulator/_shipped/``; :mod:`simulator.resources` looks there first and falls back to the
checkout. The test builds the wheel, unpacks it (an installed wheel is its unpacked files) and
runs a scenario from an empty folder, with the checkout out of reach.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import ROOT

from simulator import resources


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("uv is needed to build the wheel (the README's set-up installs it)")
        pytest.skip("uv is not installed")
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [_uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("simulator-*.whl")
    return path


def test_the_wheel_holds_every_data_and_scenario_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("data", "scenarios"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                rel = path.relative_to(ROOT).as_posix()
                assert f"simulator/{resources.SHIPPED}/{rel}" in names, rel


def test_an_installed_wheel_runs_a_shipped_scenario_from_an_empty_folder(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    scenario = site / "simulator" / resources.SHIPPED / "scenarios" / "2014_guidelines.yaml"
    code = (
        "import json, sys\n"
        "import simulator.resources as r\n"
        "from click.testing import CliRunner\n"
        "from simulator.cli import main\n"
        f"res = CliRunner().invoke(main, ['run', {str(scenario)!r}, '--size', '0.02', '--json'])\n"
        "assert res.exit_code == 0, res.output\n"
        "print(json.dumps({'root': str(r.root()), 'module': __import__('simulator').__file__,"
        " 'eligible': json.loads(res.output)['eligible']}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SIMULATOR_DATA"}
    env["PYTHONPATH"] = str(site)  # ahead of the checkout the development install points at
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=empty, env=env
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["module"].startswith(str(site))
    assert found["root"] == str(site / "simulator" / resources.SHIPPED)
    assert found["eligible"] > 0


def test_a_checkout_reads_its_own_folders():
    assert resources.root() == ROOT
    assert resources.data_dir() == ROOT / "data"
    assert resources.scenarios_dir() == ROOT / "scenarios"
    assert resources.project_file("data/law/conventions.yaml").is_file()


def test_simulator_data_points_the_data_elsewhere(monkeypatch, tmp_path):
    monkeypatch.setenv("SIMULATOR_DATA", str(tmp_path))
    assert resources.data_dir() == tmp_path
    assert resources.project_file("data/law/x.yaml") == tmp_path / "law" / "x.yaml"
    assert resources.scenarios_dir() == ROOT / "scenarios"
