"""Worksheets (explain, screen): every figure equals the engine's for the same person."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

import simulator as sim
from simulator.cli import main
from simulator.law import load_law
from simulator.model.apply import apply
from simulator.runs.worksheet import case_population, person_index, worksheet

GUIDELINE_KEYS = ("level", "category", "range_min", "range_max", "floor", "statutory_max", "tier",
                  "table_min", "table_max")  # fmt: skip


def picks(outcome) -> dict[str, int]:
    """An eligible, an ineligible, a mandatory-minimum-bound and a career-offender person."""
    pop, red = outcome.population, outcome.reduction
    at_floor = red.eligible & ~pop.sub_assist & (red.new.floor > 0)
    at_floor &= red.reduced_term == red.new.floor
    out = {
        "eligible": np.flatnonzero(red.eligible)[0],
        "ineligible": np.flatnonzero(~red.eligible)[0],
        "mandatory minimum binds": np.flatnonzero(at_floor)[0],
        "floor above the range, not lowered": np.flatnonzero(
            ~red.lowered & (red.old.floor > red.old.table_max)
        )[0],
        "career offender": np.flatnonzero(pop.career & red.eligible)[0],
        "substantial assistance": np.flatnonzero(pop.sub_assist & red.eligible)[0],
    }
    return {k: int(v) for k, v in out.items()}


def check_against_engine(outcome, i: int) -> None:
    pop, red, law = outcome.population, outcome.reduction, outcome.law
    ws = worksheet(outcome, i)
    v = ws.values
    for key in GUIDELINE_KEYS:
        assert v["old"][key] == int(getattr(red.old, key)[i]), key
        assert v["new"][key] == int(getattr(red.new, key)[i]), key
    assert v["eligible"] == bool(red.eligible[i])
    assert v["granted"] == bool(red.granted[i])
    assert v["term"] == int(pop.term[i])
    assert v["reduced_term"] == int(red.reduced_term[i])
    assert v["term_after"] == int(red.term[i])
    assert v["release_before"] == int(pop.release_date[i])
    assert v["release_after"] == int(red.release[i])
    # the rules explain the decision: all met exactly when the engine finds the person eligible
    # (clemency criteria are judged on the person's decision day, as the engine judges them)
    assert all(v["rules"].values()) == v["eligible"]
    assert (ws.decided_by == "every rule is met") == v["eligible"]
    # the steps add up to the engine's level (career offenders: at least the steps)
    for side in ("old", "new"):
        steps = v[f"steps_{side}"]
        total = sum(steps[k] for k in ("base", "weapon", "role", "obstruction", "safety_valve",
                                       "acceptance", "safety_valve_floor"))  # fmt: skip
        assert total == steps["chapter_two_three"]
        adj = law.adjustments
        level = int(np.clip(total, adj["min_level"], adj["max_level"])) + steps["chapter_four"]
        if pop.career[i]:
            assert v[side]["level"] >= level
        else:
            assert v[side]["level"] == level
    # the base offense level at sentencing is the Drug Quantity Table's, looked up directly
    d, g = pop.drug[i : i + 1], pop.grams[i : i + 1]
    ed = law.edition_on(d, pop.table_date[i : i + 1])
    assert v["steps_old"]["base"] == int(law.base_offense_level(d, g, ed)[0])


@pytest.mark.parametrize(
    "kind",
    ["eligible", "ineligible", "mandatory minimum binds", "floor above the range, not lowered",
     "career offender", "substantial assistance"],
)  # fmt: skip
def test_worksheet_equals_engine_2014(small_outcome, kind):
    check_against_engine(small_outcome, picks(small_outcome)[kind])


def test_mandatory_minimum_bound_person_keeps_the_floor(small_outcome):
    i = picks(small_outcome)["mandatory minimum binds"]
    v = worksheet(small_outcome, i).values
    assert v["reduced_term"] == v["new"]["floor"] > 0
    assert v["eligible"]


@pytest.mark.parametrize(
    "name", ["equal_act", "2023_amendment_821", "2018_first_step_act_404",
             "2014_clemency_initiative", "first_step_act_402_retroactive"],
)  # fmt: skip
def test_worksheet_equals_engine_other_change_types(name):
    sc = sim.load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    out = apply(sim.synthesize(sc.population, seed=5, size=0.03), sc)
    red = out.reduction
    rows = list(np.flatnonzero(red.eligible)[:4]) + list(np.flatnonzero(~red.eligible)[:2])
    if name == "2023_amendment_821":  # a zero-point offender, with the Chapter Four decrease
        zero = np.flatnonzero(red.eligible & (out.population.chp == 0))
        rows.append(zero[0])
    for i in rows:
        check_against_engine(out, int(i))
    if name == "2023_amendment_821":
        assert worksheet(out, int(rows[-1])).values["steps_new"]["chapter_four"] < 0


def test_one_row_population_gives_the_same_results(small_population, small_outcome):
    """The engine on one person alone decides as it does for that person among everyone."""
    for i in picks(small_outcome).values():
        one = apply(small_population.take(np.array([i])), small_outcome.scenario)
        a, b = worksheet(one, 0).values, worksheet(small_outcome, i).values
        assert a == b


def test_person_index_errors(small_population):
    assert person_index(small_population, int(small_population.id[3])) == 3
    with pytest.raises(KeyError, match="no person"):
        person_index(small_population, -5)


def test_screen_matches_the_engine_on_the_same_case():
    args = ["screen", "--drug", "crack", "--grams", "50", "--chc", "III", "--sentenced",
            "2010-05-01", "--term", "120", "--custody-start", "2009-11-01"]  # fmt: skip
    fsa = str(ROOT / "scenarios" / "2011_fair_sentencing_act.yaml")
    res = CliRunner().invoke(main, [*args, "--scenario", fsa, "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    law = load_law()
    pop = case_population(law, drug="crack", grams=50, chp=4, sentenced="2010-05-01",
                          term=120, custody_start="2009-11-01")  # fmt: skip
    out = apply(pop, sim.load_scenario(fsa))
    red = out.reduction
    assert got["eligible"] == bool(red.eligible[0])
    assert got["reduced_term"] == int(red.reduced_term[0])
    assert got["old"]["range_min"] == int(red.old.range_min[0])
    assert got["new"]["level"] == int(red.new.level[0])
    assert got["old"]["floor"] == 120  # 50 g of crack reached the 10-year tier before the FSA
    text = CliRunner().invoke(main, [*args, "--scenario", fsa], catch_exceptions=False)
    assert "Guideline calculation" in text.stdout and "Eligibility" in text.stdout


def test_screen_bad_input_is_one_line():
    base = ["screen", "--grams", "5", "--sentenced", "2010-01-01", "--term", "60"]
    for extra, needle in (
        (["--drug", "caffeine"], "unknown"),
        (["--drug", "crack", "--chc", "II", "--points", "3"], "not both"),
        (["--drug", "crack", "--term", "x"], "--term: not a number (got x)"),
        (["--drug", "crack", "--custody-start", "yesterday"], "YYYY-MM-DD"),
    ):
        res = CliRunner().invoke(main, [*base, *extra])
        assert res.exit_code == 2, (extra, res.output)
        assert needle in res.output and "Traceback" not in res.output


def test_explain_cli(small_outcome):
    res = CliRunner().invoke(
        main, ["explain", str(SCENARIO_2014), "--size", "0.05", "--seed", "11", "--person",
               str(int(small_outcome.population.id[picks(small_outcome)["eligible"]])),
               "--json"], catch_exceptions=False,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["eligible"] is True
    missing = CliRunner().invoke(
        main, ["explain", str(SCENARIO_2014), "--size", "0.05", "--person", "99999999"]
    )
    assert missing.exit_code == 2 and "no person 99999999" in missing.output


def test_screen_categories_are_the_laws():
    from simulator.law import CATEGORIES
    from simulator.law import CATEGORIES as LAW

    assert CATEGORIES == LAW


SCREEN = ["screen", "--drug", "crack", "--grams", "5", "--sentenced", "2010-01-01",
          "--term", "60"]  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--grams", "nan"], "--grams: missing"),
        (["--grams", "inf"], "--grams: not a finite number (got inf)"),
        (["--grams", "0"], "--grams: must be above 0 (got 0)"),
        (["--sentenced", "1800-01-01"], "--sentenced: outside 1950-01-01..2100-12-31 "
         "(got 1800-01-01)"),
        (["--offense-date", "2012-01-01"], "--offense-date: after --sentenced"),
        (["--term", "0"], "--term: must be at least 1 (got 0)"),
        (["--term", "12.5"], "--term: not a whole number (got 12.5)"),
        (["--points", "3", "--status-points", "5"], "--status-points: must be at most 2 (got 5)"),
        (["--chc", "I", "--status-points", "2"], "--status-points: more than --chc I"),
        (["--role", "9", "--infractions", "-1"], "--role: must be at most 4 (got 9)\n"
         "--infractions: must be at least 0 (got -1)"),
        (["--sentenced", "2010-02-30", "--custody-start", "x"],
         "--sentenced: expected a date YYYY-MM-DD (got 2010-02-30)\n"
         "--custody-start: expected a date YYYY-MM-DD (got x)"),
    ],
)  # fmt: skip
def test_screen_refuses_what_a_population_row_refuses(extra, message):
    """The same checks and bounds as a row of a population file, naming the option."""
    res = CliRunner().invoke(main, [*SCREEN, *extra])
    assert res.exit_code == 2, res.output
    assert res.stderr.strip() == message


def test_screen_case_is_the_row_a_population_file_would_give(tmp_path):
    """case_population reads the case as a file row: the same people either way."""
    law = load_law()
    pop = case_population(law, drug="crack", grams=50, chp=4, sentenced="2010-05-01",
                          term=400, custody_start="2009-11-01")  # fmt: skip
    path = sim.write_population(pop, tmp_path / "case.csv")
    back = sim.read_population(path)
    pairs = zip(pop.arrays().values(), back.arrays().values(), strict=True)
    assert all(np.array_equal(a, b) for a, b in pairs)
    # a term above the range departs upward, as a file's term does: impose gives it back
    assert pop.departure[0] < 0


def test_screen_defaults_the_offense_date_to_the_earlier_of_custody_and_sentencing():
    res = CliRunner().invoke(main, [*SCREEN, "--custody-start", "2010-03-01", "--json"])
    assert res.exit_code == 0, res.output
    pop = case_population(load_law(), drug="crack", grams=5, chp=0, sentenced="2010-01-01",
                          term=60, custody_start="2010-03-01")  # fmt: skip
    assert pop.offense_date[0] == pop.sentencing_date[0] < pop.custody_start[0]


def test_screen_tiny_quantity_is_shown_and_scored_as_a_quantity():
    res = CliRunner().invoke(main, [*SCREEN, "--grams", "1e-50"])
    assert res.exit_code == 0, res.output
    assert "1.2e-38 g" in res.stdout and "0.0 g" not in res.stdout


def test_a_forty_year_maximum_prints_as_forty_years_not_life():
    """21 U.S.C. §841(b)(1)(B): 5 to 40 years; 480 months is not the life code (470)."""
    args = ["screen", "--drug", "heroin", "--grams", "150", "--chc", "I", "--sentenced",
            "2012-05-01", "--term", "63", "--custody-start", "2011-11-01"]  # fmt: skip
    scenario = str(ROOT / "scenarios" / "2014_guidelines.yaml")
    res = CliRunner(env={"COLUMNS": "200"}).invoke(
        main, [*args, "--scenario", scenario], catch_exceptions=False
    )
    assert res.exit_code == 0, res.output
    line = next(x for x in res.stdout.splitlines() if x.startswith("│ statutory maximum"))
    assert "480 months (40 years)" in line and "life" not in line
