"""The "Bring your own data" walkthrough (docs/how-to/own-data.md) works as written."""

from __future__ import annotations

import json
import re
import shlex
import shutil

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT

from simulator.cli import main

PAGE = ROOT / "docs" / "how-to" / "own-data.md"
SECTION = PAGE.read_text(encoding="utf-8")
COMMANDS = re.findall(r"^\$ uv run simulate (.+)$", SECTION, flags=re.M)


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    for name in ("examples", "scenarios"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def shown_after(command: str) -> list[str]:
    """The output lines the page shows after a command, up to the next prompt or fence."""
    block = SECTION.split(command, 1)[1].split("\n```", 1)[0]
    return [line for line in block.splitlines()[1:] if not line.startswith("$")]


def test_the_walkthrough_has_its_two_commands():
    assert len(COMMANDS) == 2


def test_first_command_fails_with_the_rows_shown(workdir):
    result = CliRunner().invoke(main, shlex.split(COMMANDS[0]))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == shown_after(COMMANDS[0])


def test_second_command_skips_and_writes_the_rejected_rows(workdir):
    result = CliRunner().invoke(main, shlex.split(COMMANDS[1]))
    assert result.exit_code == 0, result.output
    note = [line for line in shown_after(COMMANDS[1]) if line.startswith("examples/")]
    assert result.stderr.strip().splitlines() == note
    path = workdir / "results" / "rejected_rows.csv"
    rejected = pd.read_csv(path, dtype=str)
    assert path.read_text().startswith("row,")  # a plain CSV: provenance is in meta.json
    assert json.loads((path.parent / "meta.json").read_text())["scenario"].startswith(
        "Amendment 782"
    )
    shown = next(line for line in shown_after(COMMANDS[1]) if line.startswith("7,"))
    assert ",".join(rejected.iloc[0].tolist()).startswith(shown.removesuffix("…"))
    assert "38 valid people" in SECTION and "People in custody" in result.stdout
    assert "│         38 │" in result.stdout


def test_python_example_runs(workdir):
    code = SECTION.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, str(PAGE), "exec"), namespace)  # the page's own example
    assert len(namespace["people"]) == 38
    assert namespace["people"].meta["rejected"]["row"].tolist() == [7, 22]
    assert namespace["outcome"].summary["population"] == 38
