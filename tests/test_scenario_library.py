"""The scenario library, validation of the new change types, `simulate list` and `validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT
from test_scenario import position, write

import simulator as sim
from simulator.cli import main
from simulator.runs.published import lookup, target_files
from simulator.scenario import ScenarioError, load_scenario

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
EXPECTED = {
    "2007_crack_amendment",
    "2011_fair_sentencing_act",
    "2014_guidelines",
    "2018_first_step_act_404",
    "2023_amendment_821",
    "2014_clemency_initiative",
    "2025_crack_powder_commutations",
    "equal_act",
}

HEAD = """\
title: t
reference: r
retroactivity: {effective: 2014-11-01}
grant: {rate: 0.5}
costs: {per_bed_year: 1}
changes:
"""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_the_library_holds_every_scenario_of_the_issue():
    assert {p.stem for p in SCENARIOS} >= EXPECTED


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_documents_itself_and_runs(path):
    s = load_scenario(path)
    assert s.title and s.reference and s.description.strip() and s.assumptions
    pop = sim.synthesize(s.population, seed=s.seed, size=0.03)
    out = sim.apply(pop, s).summary
    assert out["snapshot"] == s.population.snapshot.isoformat()
    if all(ch.reaches == "prospective" for ch in s.changes):
        # new cases only (simulate project follows them): nobody in the stock is eligible
        assert out["eligible"] == out["granted"] == 0
        return
    assert 0 < out["eligible"] < out["population"]
    assert 0 < out["granted"] <= out["eligible"]
    assert out["mean_reduction_months"] > 0


def test_amendment_821_reports_parts_separately(small_population):
    s = load_scenario(ROOT / "scenarios" / "2023_amendment_821.yaml")
    pop = sim.synthesize(s.population, seed=1, size=0.05)
    out = sim.apply(pop, s).summary
    parts = {row["change"]: row["eligible"] for row in out["by_change"]}
    assert set(parts) == {"Part A: status points", "Part B: zero-point offenders"}
    # status points need 3+ points, zero-point offenders have none: nobody is in both
    assert sum(parts.values()) == out["eligible"]


CR = "  - {type: crack_powder_ratio, ratio: 1"
MM = "  - {type: mandatory_minimum, drugs: [heroin]"
CL = "  - {type: clemency, review: {capacity_per_month: 5"
INVALID = [
    ("  - {type: crack_powder_ratio, ratio: 0}", "ratio", "greater than 0"),
    (CR + ", guideline: false, statutory: false}", "type", "guideline, statutory or both"),
    (CR + ", powder_edition: 2099}", "powder_edition", "unknown edition"),
    (MM + "}", "type", "thresholds_on, thresholds or floors"),
    (MM + ", thresholds: {five_year: 9, ten_year: 1}}", "type", "five_year is above"),
    (
        "  - {type: enhancement_851, terms_on: 2018-12-21, ten_year: {one_prior: 180}}",
        "type",
        "one of them",
    ),
    ("  - {type: enhancement_851, ten_year: {one_prior: lif}}", "one_prior", "'life'"),
    ("  - {type: criminal_history}", "type", "status_points, zero_point or both"),
    ("  - {type: criminal_history, zero_point: {levels: 2}}", "levels", "less than or equal"),
    (
        "  - {type: level_shift, levels: -2, drugs: [heroin], from_level: 30, to_level: 20}",
        "type",
        "above to_level",
    ),
    (CL + "}, criteria: {min_years_servd: 10}}", "min_years_servd", "did you mean"),
    (
        CL + ", petition_rate: 0.5, petition_rate_met_all: 0.1}, criteria: {}}",
        "review",
        "below petition_rate",
    ),
    (CL + "}, criteria: {max_category: VII}}", "max_category", "'I'"),
]


@pytest.mark.parametrize(("change", "needle", "message"), INVALID)
def test_new_change_types_are_validated_with_file_line_and_key(tmp_path, change, needle, message):
    text = HEAD + change + "\n"
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    first = str(exc.value).splitlines()[0]
    line, _ = position(text, needle)
    assert first.startswith(f"{path}:{line}:"), first
    assert "changes.0" in first
    assert message in first, first


def test_two_clemency_changes_are_refused(tmp_path):
    c = "  - {type: clemency, criteria: {}, review: {capacity_per_month: 5}}\n"
    with pytest.raises(ScenarioError, match="at most one clemency change"):
        load_scenario(write(tmp_path, HEAD + c + c))


# ------------------------------------------------------------------------------ CLI
def test_list_shows_every_scenario_with_its_title():
    result = invoke("list")
    assert result.exit_code == 0, result.output
    for path in SCENARIOS:
        assert path.name in result.output
    assert "Clemency Initiative" in result.output


def test_list_marks_an_invalid_file_without_failing(tmp_path):
    write(tmp_path, "title: [unclosed\n", "broken.yaml")
    result = invoke("list", "--dir", str(tmp_path))
    assert result.exit_code == 0
    assert "broken.yaml" in result.output and "invalid" in result.output


def test_validate_passes_on_the_committed_model():
    """`simulate validate` over every scenario with published figures (size 1, the real check)."""
    result = invoke("validate")
    assert result.exit_code == 0, result.output
    for name in target_files():
        assert name in result.output
    assert "FAIL" not in result.output and "GAP MOVED" not in result.output


def test_validate_fails_on_a_missed_figure(tmp_path, monkeypatch):
    doc = {
        "scenario": str(ROOT / "scenarios" / "2014_guidelines.yaml"),
        "figures": [
            {
                "key": "eligible",
                "role": "check",
                "published": 10,
                "tolerance": 0.05,
                "source": "a wrong figure",
            }
        ],
    }
    (tmp_path / "wrong.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr("simulator.runs.published.targets_dir", lambda: tmp_path)
    result = invoke("validate", "--size", "0.03")
    assert result.exit_code == 1
    assert "FAIL" in result.output
    assert "1 of 1 figures failed" in result.stderr


def test_validate_names_an_unknown_scenario():
    result = invoke("validate", "no_such_scenario")
    assert result.exit_code == 2
    assert "no published figures for no_such_scenario" in result.stderr


def test_lookup_reads_by_index_and_label():
    summary = json.loads(json.dumps({"by_change": [{"change": "Part A", "eligible": 4}]}))
    assert lookup(summary, "by_change.0.eligible") == lookup(summary, "by_change.Part A.eligible")


def test_every_target_file_names_an_existing_scenario_and_sources():
    for path in target_files().values():
        doc = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        assert (ROOT / doc["scenario"]).exists()
        for fig in doc.get("figures", []) + doc.get("known_differences", []):
            assert fig["source"].strip()
            if "expected_range" in fig:
                assert fig["explanation"].strip()


def test_run_prints_each_change_and_the_clemency_flow():
    a821 = invoke("run", str(ROOT / "scenarios" / "2023_amendment_821.yaml"), "--size", "0.03")
    assert a821.exit_code == 0, a821.output
    assert "Part A: status points" in a821.output and "Part B" in a821.output
    clem = invoke(
        "run", str(ROOT / "scenarios" / "2014_clemency_initiative.yaml"), "--size", "0.03"
    )
    assert clem.exit_code == 0, clem.output
    assert "min years served" in clem.output and "Clemency over time" in clem.output


def test_a_figure_without_a_role_is_refused(tmp_path, monkeypatch):
    doc = {
        "scenario": str(ROOT / "scenarios" / "2014_guidelines.yaml"),
        "figures": [{"key": "eligible", "published": 10, "tolerance": 0.05, "source": "x"}],
    }
    (tmp_path / "norole.yaml").write_text(yaml.safe_dump(doc), encoding="utf-8")
    monkeypatch.setattr("simulator.runs.published.targets_dir", lambda: tmp_path)
    result = invoke("validate", "--size", "0.03")
    assert result.exit_code == 2
    assert "norole.yaml: figure eligible: role must be one of fitted, check" in result.stderr
