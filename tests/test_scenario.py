"""Scenario files: loading, validation messages, overrides and the content hash."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from simulator.scenario import ScenarioError, load_scenario, with_overrides

MINIMAL = """\
title: test scenario
reference: none
changes:
  - type: drug_table
    edition: "2014"
    drugs: [heroin]
retroactivity:
  effective: 2014-11-01
  earliest_release: 2015-11-01
grant:
  rate: 0.5
costs:
  per_bed_year: 30000
"""


def write(tmp_path: Path, text: str, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def position(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of ``needle`` in ``text``."""
    for i, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return i, line.index(needle) + 1
    raise AssertionError(f"{needle!r} not in text")


def error_of(path: Path) -> str:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    return str(exc.value)


# ------------------------------------------------------------------------ the 2014 scenario
def test_2014_scenario_loads(scenario_2014):
    s = scenario_2014
    assert s.retroactivity.effective == dt.date(2014, 11, 1)
    assert s.retroactivity.earliest_release == dt.date(2015, 11, 1)
    assert 0 < s.grant.rate < 1
    assert s.costs.per_bed_year > 0
    assert s.population.snapshot == dt.date(2014, 11, 1)
    assert len(s.changes) >= 1
    assert s.changes[0].type == "drug_table"
    assert s.changes[0].edition == "2014"
    assert set(s.grant.modifiers) <= {"weapon", "infractions", "violent", "career"}
    assert s.title and s.reference


def test_minimal_scenario_loads_with_defaults(tmp_path):
    s = load_scenario(write(tmp_path, MINIMAL))
    assert s.grant.rate == 0.5
    assert s.grant.modifiers == {}
    assert s.seed == 0
    assert s.outputs.wave_years == 10
    assert s.population.size == 1.0


# ------------------------------------------------------------------------ error messages
def test_unknown_key_names_file_line_key_and_suggestion(tmp_path):
    text = MINIMAL.replace("grant:\n  rate: 0.5", "grant: {rat: 0.5}")
    path = write(tmp_path, text, "typo.yaml")
    msg = error_of(path)
    line, col = position(text, "rat:")
    assert f"{path}:{line}:{col}: grant.rat: unknown key" in msg
    assert "did you mean 'rate'" in msg
    assert "typo.yaml" in msg
    assert "Traceback" not in msg


def test_unknown_key_block_style(tmp_path):
    text = MINIMAL.replace("  rate: 0.5", "  rate: 0.5\n  modifers: {weapon: -1}")
    path = write(tmp_path, text)
    line, col = position(text, "modifers")
    msg = error_of(path)
    assert f":{line}:{col}: grant.modifers: unknown key" in msg
    assert "did you mean 'modifiers'" in msg


def test_out_of_range_value_names_key_and_line(tmp_path):
    text = MINIMAL.replace("rate: 0.5", "rate: 2")
    path = write(tmp_path, text)
    msg = error_of(path)
    line, _ = position(text, "rate: 2")
    assert re.search(rf"{re.escape(str(path))}:{line}:\d+: grant\.rate: ", msg), msg
    assert "less than or equal to 1" in msg


def test_wrong_type_names_key_and_line(tmp_path):
    text = MINIMAL.replace("per_bed_year: 30000", "per_bed_year: lots")
    path = write(tmp_path, text)
    line, _ = position(text, "per_bed_year")
    msg = error_of(path)
    assert re.search(rf":{line}:\d+: costs\.per_bed_year: ", msg), msg


def test_bad_date_names_key(tmp_path):
    text = MINIMAL.replace("effective: 2014-11-01", "effective: someday")
    msg = error_of(write(tmp_path, text))
    line, _ = position(text, "effective")
    assert re.search(rf":{line}:\d+: retroactivity\.effective: ", msg), msg


def test_unknown_drug_and_edition(tmp_path):
    text = MINIMAL.replace('edition: "2014"', 'edition: "2099"').replace("[heroin]", "[crack]")
    msg = error_of(write(tmp_path, text))
    assert "changes.0.edition" in msg
    assert "unknown edition '2099'" in msg
    assert "changes.0.drugs.0" in msg


def test_missing_required_key(tmp_path):
    text = MINIMAL.replace("costs:\n  per_bed_year: 30000\n", "")
    msg = error_of(write(tmp_path, text))
    assert "costs: Field required" in msg


def test_duplicate_keys_are_an_error(tmp_path):
    text = MINIMAL.replace("  rate: 0.5", "  rate: 0.5\n  rate: 0.6")
    path = write(tmp_path, text)
    msg = error_of(path)
    line, _ = position(text, "rate: 0.6")
    assert f"{path}:{line}:" in msg
    assert "duplicate key 'rate'" in msg


def test_duplicate_top_level_keys_are_an_error(tmp_path):
    msg = error_of(write(tmp_path, MINIMAL + "title: again\n"))
    assert "duplicate key 'title'" in msg


def test_several_errors_reported_at_once(tmp_path):
    text = (
        MINIMAL.replace("rate: 0.5", "rate: 2")
        .replace("per_bed_year: 30000", "per_bed_year: -1")
        .replace("title: test scenario", "titel: test scenario")
    )
    text += "outputs:\n  wave_years: 0\n"
    path = write(tmp_path, text)
    msg = error_of(path)
    lines = msg.splitlines()
    assert len(lines) >= 4
    assert all(line.startswith(str(path)) for line in lines)
    for key, needle in (
        ("grant.rate", "rate: 2"),
        ("costs.per_bed_year", "per_bed_year"),
        ("outputs.wave_years", "wave_years"),
        ("titel", "titel"),
    ):
        line, _ = position(text, needle)
        assert any(f":{line}:" in m and f" {key}: " in m for m in lines), (key, msg)
    assert "did you mean 'title'" in msg


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("title: [unclosed\n", "(yaml)"),
        ("- a list\n", "must be a mapping"),
        ("", "must be a mapping"),
    ],
    ids=["bad-yaml", "list", "empty"],
)
def test_malformed_files(tmp_path, text, fragment):
    path = write(tmp_path, text)
    msg = error_of(path)
    assert fragment in msg
    assert re.match(rf"{re.escape(str(path))}:\d+:\d+: ", msg), msg


def test_missing_file(tmp_path):
    msg = error_of(tmp_path / "nope.yaml")
    assert "nope.yaml" in msg
    assert "no such file" in msg


def test_yaml_is_loaded_safely(tmp_path):
    text = MINIMAL.replace("title: test scenario", "title: !!python/object/apply:os.getcwd []")
    with pytest.raises(ScenarioError):
        load_scenario(write(tmp_path, text))


def test_edition_without_table_for_drug_is_rejected(tmp_path):
    text = MINIMAL.replace('edition: "2014"', 'edition: "2007"')
    with pytest.raises(ScenarioError, match="heroin"):
        load_scenario(write(tmp_path, text))


# ------------------------------------------------------------------------ overrides
def test_override_sets_values(scenario_2014):
    s = with_overrides(
        scenario_2014,
        {
            "grant.rate": "0.5",
            "seed": "3",
            "grant.modifiers.violent": "-1",
            "retroactivity.earliest_release": "2016-01-01",
        },
    )
    assert s.grant.rate == 0.5
    assert s.seed == 3
    assert s.grant.modifiers["violent"] == -1
    assert s.grant.modifiers["weapon"] == scenario_2014.grant.modifiers["weapon"]
    assert s.retroactivity.earliest_release == dt.date(2016, 1, 1)
    assert s.source_path == scenario_2014.source_path
    # the original is untouched
    assert scenario_2014.grant.rate == 0.68


def test_override_changes_list(scenario_2014):
    s = with_overrides(
        scenario_2014,
        {"changes": "[{type: level_shift, levels: -2, drugs: [heroin], from_level: 14}]"},
    )
    assert len(s.changes) == 1
    assert s.changes[0].type == "level_shift"
    assert (s.changes[0].levels, s.changes[0].from_level, s.changes[0].to_level) == (-2, 14, 43)


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"grant.rate": "2"}, ["--set grant.rate", "less than or equal to 1"]),
        ({"grant.rate": "-0.1"}, ["grant.rate"]),
        ({"grant.rat": "0.5"}, ["grant.rat", "did you mean 'rate'"]),
        ({"grant.rate": "[x"}, ["grant.rate", "not valid YAML"]),
        ({"costs.per_bed_year": "cheap"}, ["costs.per_bed_year"]),
        ({"population.parameters.x": "1"}, ["population.parameters", "not a mapping"]),
        ({"grant.modifiers.height": "1"}, ["grant.modifiers.height"]),
        (
            {"changes": "[{type: drug_table, edition: '2099', drugs: [heroin]}]"},
            ["changes.0.edition", "2099"],
        ),
    ],
)
def test_overrides_are_validated(scenario_2014, overrides, fragments):
    with pytest.raises(ScenarioError) as exc:
        with_overrides(scenario_2014, overrides)
    for fragment in fragments:
        assert fragment in str(exc.value)


def test_override_with_unknown_intermediate_key_is_rejected(scenario_2014):
    with pytest.raises(ScenarioError, match=r"costs\.x"):
        with_overrides(scenario_2014, {"costs.x.per_bed_year": "0"})


# ------------------------------------------------------------------------ content hash
def test_sha256_is_stable(scenario_path, scenario_2014, tmp_path):
    again = load_scenario(scenario_path)
    assert again.sha256() == scenario_2014.sha256()
    assert re.fullmatch(r"[0-9a-f]{64}", scenario_2014.sha256())
    copy = tmp_path / "elsewhere.yaml"
    shutil.copy(scenario_path, copy)
    assert load_scenario(copy).sha256() == scenario_2014.sha256()
    # an override to the value already there changes nothing
    assert with_overrides(scenario_2014, {"grant.rate": "0.68"}).sha256() == (
        scenario_2014.sha256()
    )


@pytest.mark.parametrize(
    "overrides",
    [
        {"grant.rate": "0.5"},
        {"seed": "1"},
        {"costs.per_bed_year": "1"},
        {"retroactivity.earliest_release": "null"},
        {"grant.modifiers.weapon": "0"},
    ],
)
def test_sha256_changes_with_any_value(scenario_2014, overrides):
    assert with_overrides(scenario_2014, overrides).sha256() != scenario_2014.sha256()


def test_sha256_changes_when_file_value_changes(tmp_path):
    a = load_scenario(write(tmp_path, MINIMAL, "a.yaml"))
    b = load_scenario(write(tmp_path, MINIMAL.replace("rate: 0.5", "rate: 0.51"), "b.yaml"))
    assert a.sha256() != b.sha256()
