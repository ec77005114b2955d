"""Every class of scenario error, with its exact message: all at once, in file order, exit 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from test_scenario import MINIMAL, write

from simulator.cli import main
from simulator.scenario import ScenarioError, load_scenario, with_overrides


def errors(tmp_path: Path, text: str) -> list[str]:
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    prefix = f"{path}:"
    lines = str(exc.value).splitlines()
    assert all(line.startswith(prefix) for line in lines)
    return [line.removeprefix(prefix) for line in lines]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  rate: 0.5", "  rat: 0.5",
         "10:1: grant.rate: Field required\n11:3: grant.rat: unknown key; did you mean 'rate'?"),
        ("  rate: 0.5", "  rate: lots",
         "11:3: grant.rate: Input should be a valid number, unable to parse string as a number"),
        ("  rate: 0.5", "  rate: 1.5", "11:3: grant.rate: Input should be less than or equal to 1"),
        ("  rate: 0.5", "  rate: 0.5\n  rate: 0.6",
         "12:3: grant.rate: duplicate key 'rate' (first at line 11)"),
        ("title: test scenario", "title: no",
         "1:8: title: no is read as false (YAML 1.1); write false, or 'no' in quotes for text"),
        ("  rate: 0.5", "  rate: 0.5\n  modifiers: {weapon: off}",
         "12:23: grant.modifiers.weapon: off is read as false (YAML 1.1); write false, or 'off' "
         "in quotes for text"),
        ("title: test scenario", "title: test scenario\nseed: 1e5",
         "2:7: seed: 1e5 is read as text, not a number (YAML 1.1 wants a dot, as in 1.0e+5); "
         "write 100000"),
        ("  per_bed_year: 30000", "  per_bed_year: 030000",
         "13:17: costs.per_bed_year: 030000 is the octal number 12288 (YAML 1.1); write 30000 "
         "without the leading zero, or quote it"),
        ("title: test scenario", "title: test scenario\nseed: 1:30",
         "2:7: seed: 1:30 is the base-60 number 90 (YAML 1.1); quote it"),
        ("  effective: 2014-11-01", "  effective: 2014-13-01",
         "8:3: retroactivity.effective: Input should be a valid date or datetime, month value is "
         "outside expected range of 1-12"),
        ("    drugs: [heroin]", "    drugs: [tea]",
         "6:13: changes.0.drugs.0: Input should be 'heroin', 'cocaine', 'cocaine_base', "
         "'methamphetamine', 'methamphetamine_actual', 'marijuana', 'oxycodone' or 'fentanyl'"),
        ("costs:\n  per_bed_year: 30000\n", "", "1:1: costs: Field required"),
    ],
    ids=["unknown-key", "wrong-type", "out-of-range", "duplicate", "no-as-text", "off-as-number",
         "1e5", "octal", "base-60", "bad-date", "unknown-drug", "missing"],
)  # fmt: skip
def test_each_error_class_has_its_exact_message(tmp_path, old, new, expected):
    assert old in MINIMAL
    assert errors(tmp_path, MINIMAL.replace(old, new)) == expected.splitlines()


def test_yes_where_true_or_false_is_wanted_is_accepted(tmp_path):
    text = MINIMAL.replace("  rate: 0.5", "  rate: 0.5").replace(
        'edition: "2014"', 'edition: "2014"\n    retroactive: yes'
    )
    assert load_scenario(write(tmp_path, text)).changes[0].retroactive is True


def test_exponent_where_a_number_parses_is_accepted(tmp_path):
    sc = load_scenario(write(tmp_path, MINIMAL.replace("rate: 0.5", "rate: 5e-1")))
    assert sc.grant.rate == 0.5


def test_all_errors_at_once_in_file_order(tmp_path):
    text = (
        MINIMAL.replace("title: test scenario", "title: test scenario\ntitle: again")
        .replace("  rate: 0.5", "  rate: on")
        .replace("  per_bed_year: 30000", "  per_bed_yaer: 30000")
    )
    assert errors(tmp_path, text) == [
        "2:1: title: duplicate key 'title' (first at line 1)",
        "12:9: grant.rate: on is read as true (YAML 1.1); write true, or 'on' in quotes for text",
        "13:1: costs.per_bed_year: Field required",
        "14:3: costs.per_bed_yaer: unknown key; did you mean 'per_bed_year'?",
    ]


@pytest.mark.parametrize(
    ("sets", "expected"),
    [
        ({"grant.rate": "2"}, ["--set grant.rate: Input should be less than or equal to 1"]),
        ({"grant.rat": "1"}, ["--set grant.rat: unknown key; did you mean 'rate'?"]),
        ({"changes.0.label": "no", "seed": "1e5"}, [
            "--set changes.0.label: no is read as false (YAML 1.1); write false, or 'no' in "
            "quotes for text",
            "--set seed: 1e5 is read as text, not a number (YAML 1.1 wants a dot, as in 1.0e+5); "
            "write 100000"]),
        ({"population.size": "010"}, [
            "--set population.size: 010 is the octal number 8 (YAML 1.1); write 10 without the "
            "leading zero, or quote it"]),
    ],
)  # fmt: skip
def test_overrides_are_validated_the_same_way(scenario_2014, sets, expected):
    with pytest.raises(ScenarioError) as exc:
        with_overrides(scenario_2014, sets)
    assert str(exc.value).splitlines() == expected


def test_cli_exits_2_with_every_error_and_no_traceback(tmp_path):
    text = MINIMAL.replace("  rate: 0.5", "  rate: 0.5\n  rate: yes").replace("title:", "titel:")
    path = write(tmp_path, text)
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 4  # duplicate, yes, titel, title missing
    assert "Traceback" not in result.output
    result = CliRunner().invoke(main, ["run", str(path), "--set", "grant.rate=off"])
    assert result.exit_code == 2


def test_parameters_path_is_read_from_the_scenario_directory(tmp_path, monkeypatch):
    d = tmp_path / "study"
    d.mkdir()
    shutil.copy(ROOT / "data" / "calibration" / "population_2014.yaml", d / "params.yaml")
    text = MINIMAL + "population:\n  parameters: params.yaml\n"
    path = write(d, text)
    monkeypatch.chdir(tmp_path)  # not the scenario's directory
    sc = load_scenario(path)
    assert sc.population.parameters_path() == d / "params.yaml"
    assert with_overrides(sc, {"grant.rate": "1"}).population.parameters_path() == d / "params.yaml"
    result = CliRunner().invoke(main, ["run", str(path), "--size", "0.01", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["population"] > 0


def test_missing_parameters_file_is_reported_where_it_is_named(tmp_path):
    text = MINIMAL + "population:\n  parameters: nothere.yaml\n"
    assert errors(tmp_path, text) == [
        f"15:3: population.parameters: no such file: {tmp_path / 'nothere.yaml'} (relative "
        "paths are read from the scenario file's directory)"
    ]


#: A clemency scenario whose review capacity is the text between the markers.
CLEMENCY = """title: t
reference: r
changes:
  - type: clemency
    criteria: {}
    review:
      capacity_per_month: CAPACITY
      batches: [2014-12-17, 2016-05-05]
      batch_share: SHARE
retroactivity: {effective: 2014-04-23}
grant: {rate: 1}
costs: {per_bed_year: 1}
"""


@pytest.mark.parametrize(
    ("capacity", "share", "expected"),
    [
        ("lots", "1", "7:7: changes.0.review.capacity_per_month: expected petitions reviewed a "
         "month (a number), or a schedule: a list of {from: YYYY-MM-DD, per_month: N}"),
        ("[{from: 2014-04-23, per_month: 0}]", "1",
         "7:47: changes.0.review.capacity_per_month.0.per_month: Input should be greater than or "
         "equal to 1"),
        ("[{from: 2014-04-23, per_mont: 5}]", "1",
         "7:28: changes.0.review.capacity_per_month.0.per_month: Field required\n"
         "7:47: changes.0.review.capacity_per_month.0.per_mont: unknown key; did you mean "
         "'per_month'?"),
        ("[{form: 2014-04-23, per_month: 5}]", "1",
         "7:28: changes.0.review.capacity_per_month.0.from: Field required\n"
         "7:29: changes.0.review.capacity_per_month.0.form: unknown key; did you mean 'from'?"),
        ("[]", "1", "7:7: changes.0.review.capacity_per_month: List should have at least 1 item "
         "after validation, not 0"),
        ("[{from: 2014-06-01, per_month: 5}]", "1",
         "7:29: changes.0.review.capacity_per_month.0.from: 2014-06-01 is after the day the "
         "review starts (retroactivity.effective: 2014-04-23); the first period must cover it"),
        ("[{from: 2014-04-23, per_month: 5}, {from: 2014-01-01, per_month: 9}]", "1",
         "6:5: changes.0.review: capacity_per_month: the periods' from days must increase, "
         "without repeats"),
        ("5", "1.5", "9:7: changes.0.review.batch_share: Input should be less than or equal to 1"),
        ("5", "[{from: 2014-04-23, shares: 0.5}]",
         "9:21: changes.0.review.batch_share.0.share: Field required\n"
         "9:40: changes.0.review.batch_share.0.shares: unknown key; did you mean 'share'?"),
    ],
    ids=["not-a-number", "zero", "misspelt", "from-misspelt", "empty", "first-too-late",
         "decreasing", "share-above-1", "share-misspelt"],
)  # fmt: skip
def test_review_schedules_name_the_period_and_key(tmp_path, capacity, share, expected):
    text = CLEMENCY.replace("CAPACITY", capacity).replace("SHARE", share)
    assert errors(tmp_path, text) == expected.splitlines()


def test_a_batch_share_needs_batches(tmp_path):
    text = CLEMENCY.replace("CAPACITY", "5").replace("SHARE", "0.5")
    text = text.replace("      batches: [2014-12-17, 2016-05-05]\n", "")
    assert errors(tmp_path, text) == [
        "6:5: changes.0.review: batch_share: the share of each batch needs batches"
    ]
