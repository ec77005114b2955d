"""Scenarios by name or path in every command (:func:`simulator.resources.find_scenario`)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

from simulator import resources
from simulator.cli import main
from simulator.errors import ScenarioError

SCREEN = ["--sentenced", "2010-01-01", "--term", "120"]


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("name", ["2014_guidelines", "2014_guidelines.yaml"])
def test_a_shipped_name_with_or_without_yaml_finds_the_file(name):
    assert resources.find_scenario(name) == resources.scenarios_dir() / "2014_guidelines.yaml"


def test_an_existing_path_wins_over_a_shipped_name(tmp_path, monkeypatch):
    own = tmp_path / "2014_guidelines.yaml"
    own.write_text(SCENARIO_2014.read_text())
    monkeypatch.chdir(tmp_path)
    assert resources.find_scenario("2014_guidelines.yaml") == own.relative_to(tmp_path)
    assert resources.find_scenario(str(own)) == own


def test_an_unknown_name_names_the_closest_shipped_scenarios():
    with pytest.raises(ScenarioError) as err:
        resources.find_scenario("equal_akt")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("equal_akt: no such file")
    assert "did you mean equal_act" in message


def test_a_path_in_another_folder_is_not_taken_for_a_name():
    with pytest.raises(ScenarioError, match="no such file"):
        resources.find_scenario("elsewhere/2014_guidelines.yaml")


def test_nothing_close_says_where_to_look():
    with pytest.raises(ScenarioError, match=r"\(simulate list shows them all\)$") as err:
        resources.find_scenario("zzzzzzzz")
    assert "did you mean" not in str(err.value)


def test_shipped_scenarios_are_the_files_of_the_folder():
    names = resources.shipped_scenarios()
    assert names == sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


# ------------------------------------------------------------------------------ CLI
def test_run_takes_a_name_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    by_name = invoke("run", "2014_guidelines", "--size", "0.02", "--json")
    by_path = invoke("run", str(SCENARIO_2014), "--size", "0.02", "--json")
    assert by_name.exit_code == 0, by_name.output
    assert json.loads(by_name.stdout) == json.loads(by_path.stdout)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "2014_guideline"],
        ["compare", "2014_guidelines", "2014_guideline"],
        ["report", "2014_guideline"],
        ["explain", "2014_guideline", "--person", "1"],
        ["project", "2014_guideline"],
        ["sensitivity", "2014_guideline"],
        ["screen", "--scenario", "2014_guideline", "--drug", "crack", "--grams", "50", *SCREEN],
    ],
    ids=lambda a: a[0],
)
def test_every_command_refuses_an_unknown_name_in_one_line(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    (line,) = result.stderr.strip().splitlines()
    assert "did you mean 2014_guidelines" in line
    assert list(tmp_path.iterdir()) == []  # refused before any output is reserved


def test_compare_and_explain_take_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("compare", "2014_guidelines", "2007_crack_amendment", "--size", "0.02")
    assert result.exit_code == 0, result.output
    result = invoke("explain", "2014_guidelines", "--person", "1", "--size", "0.02", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["person"] == 1


def test_list_fails_in_one_line_when_there_are_no_scenarios(tmp_path):
    result = invoke("list", "--dir", str(tmp_path))
    assert result.exit_code == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("no scenario files") and str(tmp_path) in line


def test_list_without_shipped_scenarios_exits_1(tmp_path, monkeypatch):
    monkeypatch.setattr(resources, "root", lambda: tmp_path)
    result = invoke("list")
    assert result.exit_code == 1
    assert "no scenario files" in result.stderr
