"""The wheel carries the data and the scenarios, and the package finds them once installed.

``pyproject.toml`` maps ``data/`` and ``scenarios/`` into the wheel under
``simulator/_shipped/``; :mod:`simulator.resources` looks there first and falls back to the
checkout. The test builds the wheel, unpacks it (an installed wheel is its unpacked files) and
runs a scenario from an empty folder, with the checkout out of reach; another installs it with
``uv pip`` into a fresh virtual environment (the versions of ``uv.lock``, so the cache serves
them) and runs the ``simulate`` command it installs, by scenario name, from an empty folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest
from conftest import ROOT

import simulator
from simulator import resources
from simulator.version import DISTRIBUTION

sys.path.insert(0, str(ROOT / "benchmarks"))
from web_load import get, serving


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
    (path,) = out.glob(f"{DISTRIBUTION.replace('-', '_')}-*.whl")
    return path


def test_the_wheel_holds_every_data_and_scenario_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("data", "scenarios"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                rel = path.relative_to(ROOT).as_posix()
                assert f"simulator/{resources.SHIPPED}/{rel}" in names, rel


def test_the_wheel_carries_the_explorers_page(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (ROOT / "simulator" / "web" / "static").iterdir():
        assert f"simulator/web/static/{path.name}" in names, path.name


def test_the_wheel_carries_citation_cff_for_the_reports_how_to_cite(wheel):
    """One source of truth: the report's "how to cite" reads the file the wheel carries."""
    shipped = zipfile.ZipFile(wheel).read(f"simulator/{resources.SHIPPED}/CITATION.cff")
    assert shipped == (ROOT / "CITATION.cff").read_bytes()
    assert resources.citation_file().read_bytes() == shipped


def test_the_wheel_names_the_distribution_its_version_and_licence(wheel):
    archive = zipfile.ZipFile(wheel)
    info = f"{DISTRIBUTION.replace('-', '_')}-{simulator.__version__}.dist-info"
    metadata = archive.read(f"{info}/METADATA").decode()
    assert f"Name: {DISTRIBUTION}\n" in metadata
    assert f"Version: {simulator.__version__}\n" in metadata
    assert "License-Expression: MIT\n" in metadata
    assert archive.read(f"{info}/licenses/LICENSE").decode().startswith("MIT License")
    assert "simulate = simulator.cli:main" in archive.read(f"{info}/entry_points.txt").decode()


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


def test_an_installed_wheel_finds_the_ussc_mapping_by_name(wheel, tmp_path):
    """``--mapping ussc`` names the codebook the wheel carries, from any folder."""
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    code = (
        "from simulator.inputs.mapping import load_mapping, mapping_file\n"
        "print(mapping_file('ussc'), load_mapping('ussc').format)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "SIMULATOR_DATA"}
    env["PYTHONPATH"] = str(site)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=empty, env=env
    )
    assert done.returncode == 0, done.stderr
    path, kind = done.stdout.split()
    assert path == str(site / "simulator" / resources.SHIPPED / "data" / "mappings" / "ussc.yaml")
    assert kind == "ussc"


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


def _run(cmd, **kwargs):
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, f"{cmd}: {done.stderr}"
    return done


@pytest.mark.slow
def test_the_wheel_installed_in_a_fresh_environment_runs_scenarios_by_name(wheel, tmp_path):
    """CI's install check: ``uv venv`` + ``uv pip install`` the wheel, then ``simulate``."""
    uv = _uv()
    env = {k: v for k, v in os.environ.items() if k not in ("SIMULATOR_DATA", "VIRTUAL_ENV")}
    pins = tmp_path / "constraints.txt"  # the locked versions: served from uv's cache
    lock = _run([uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project",
                 "--no-header", "--project", str(ROOT)], env=env)  # fmt: skip
    pins.write_text(lock.stdout)
    venv = tmp_path / "venv"
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], env=env)
    python = venv / "bin" / "python"
    _run([uv, "pip", "install", "--quiet", "--python", str(python), "-c", str(pins), str(wheel)],
         env=env)  # fmt: skip
    simulate = venv / "bin" / "simulate"
    empty = tmp_path / "empty"
    empty.mkdir()

    run = _run([str(simulate), "run", "2014_guidelines", "--json"], cwd=empty, env=env)
    summary = json.loads(run.stdout)
    assert summary["population"] > 90_000 and 0 < summary["eligible"] < summary["population"]
    assert summary["version"] == simulator.__version__

    listed = _run([str(simulate), "list"], cwd=empty, env=env).stdout
    assert "_shipped" in listed  # the scenarios inside the installed package, not the checkout
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        assert path.name in listed

    version = _run([str(simulate), "--version"], cwd=empty, env=env).stdout
    assert simulator.__version__ in version

    # every shipped scenario by name, in one process of the fresh environment (small size)
    names = sorted(path.stem for path in (ROOT / "scenarios").glob("*.yaml"))
    code = (
        "import json, sys\n"
        "from click.testing import CliRunner\n"
        "from simulator.cli import main\n"
        "for name in sys.argv[1:]:\n"
        "    res = CliRunner().invoke(main, ['run', name, '--size', '0.02', '--json'])\n"
        "    assert res.exit_code == 0, (name, res.output)\n"
        "    print(name, json.loads(res.stdout)['population'])\n"
    )
    ran = _run([str(python), "-c", code, *names], cwd=empty, env=env).stdout.split("\n")
    assert [line.split()[0] for line in ran if line] == names

    # the explorer serves its page, its assets and runs from the installed package
    with serving(command=[str(simulate), "serve"], cwd=empty, env=env) as base:
        for path in ("/", "/static/explorer.js", "/static/explorer.css"):
            assert get(base + path)[0] == 200, path
        status, body, _ = get(f"{base}/api/run?scenario=equal_act&size=0.02")
        assert status == 200 and json.loads(body)["size"] == 0.02
    assert list(empty.iterdir()) == []  # nothing written where it ran


def test_one_version_everywhere():
    """pyproject's version is the one the package, the command and CITATION.cff state."""
    from click.testing import CliRunner

    from simulator.cli import main

    with (ROOT / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    assert project["name"] == DISTRIBUTION
    assert simulator.__version__ == project["version"]
    shown = CliRunner().invoke(main, ["--version"]).output
    assert shown.split()[-1] == simulator.__version__
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(r'^version: "?([^"\n]+)"?$', cff, re.M)[1] == project["version"]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## [{project['version']}]" in changelog


def test_the_version_falls_back_to_pyproject_in_an_uninstalled_checkout():
    from simulator import version

    assert version._from_pyproject() == simulator.__version__


def test_the_release_files_are_there():
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    with (ROOT / "pyproject.toml").open("rb") as fh:
        project = tomllib.load(fh)["project"]
    assert licence.startswith("MIT License") and project["license"] == "MIT"
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert cff.startswith("cff-version: 1.2.0") and "license: MIT" in cff
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
