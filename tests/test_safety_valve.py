"""The safety valve as the law changed: hand-worked cases, synthesis, and a retroactive change.

18 U.S.C. §3553(f)(1) allowed at most 1 criminal history point from 1994-09-23; the First Step
Act §402 (convictions from 2018-12-21) allows a defendant who does not have (A) more than 4
points besides those of 1-point offenses, (B) a prior 3-point offense, and (C) a prior 2-point
violent offense; Pulsifer v. United States, 601 U.S. 124 (2024): failing any one disqualifies.
The guidelines: the two-level reduction of USSG §2D1.1(b) (from 1995-11-01, Amendment 515; at
first only from level 26), the criteria of §5C1.2(a) (the one-point wording until Amendment 817,
2023-11-01) and the level floor of 17 of §5C1.2(b) (until 2023-11-01).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import ROOT
from reference_changes import reference_reduce_changes
from strategies import person_row, to_population
from test_differential_changes import check
from test_reference_calculator import cases_of

import simulator as sim
from simulator.calendar import day
from simulator.cli import main
from simulator.inputs.calibration import cohort_figures
from simulator.inputs.cohorts import criminal_history_composition
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import admissions
from simulator.model.clemency import today_term
from simulator.model.reduction import current_guideline
from simulator.scenario import validate


def allows(law, when: str, *, chp: int, one_point: int = 0, prior_3pt: bool = False,
           prior_2pt_violent: bool = False, part: str = "statute") -> bool:  # fmt: skip
    """Whether the criminal history allows the safety valve on ``when`` (the engine's lookup)."""
    rule = getattr(law.safety_valve, part)
    return bool(
        rule.met(
            chp=np.array([chp]), one_point=np.array([one_point]),
            prior_3pt=np.array([prior_3pt]), prior_2pt_violent=np.array([prior_2pt_violent]),
            when=np.array([day(when)]),
        )[0]
    )  # fmt: skip


def meth(**facts) -> dict:
    """60 g of methamphetamine mixture (the five-year tier), acceptance, the safety valve's other
    conditions met (no weapon, no aggravating role, truthful disclosure)."""
    return person_row(**{"drug": "methamphetamine", "grams": 60.0, "mm_charged": 5,
                         "sv_conditions": True, **facts})  # fmt: skip


def scored(law, **facts) -> tuple[int, int, int, int]:
    """Level, range and binding floor of one person, as sentenced."""
    g = current_guideline(law, to_population([meth(**facts)]))
    return int(g.level[0]), int(g.range_min[0]), int(g.range_max[0]), int(g.floor[0])


# ------------------------------------------------------------- 18 U.S.C. §3553(f)(1), by date
def test_before_the_first_step_act_one_point_at_most(law):
    # §3553(f)(1) (Pub. L. 103-322, §80001): "not more than 1 criminal history point"
    assert allows(law, "2010-06-01", chp=1, one_point=1)
    assert not allows(law, "2010-06-01", chp=2, one_point=2)
    # and no safety valve at all for sentences imposed before 1994-09-23 (§80001(c))
    assert not allows(law, "1994-09-22", chp=0)
    assert allows(law, "1994-09-23", chp=0)


def test_four_one_point_offenses_qualify_from_2018_12_21(law):
    # First Step Act §402: (A) leaves out the points of 1-point offenses (USSG §4A1.1(c)), so
    # four of them (4 points) leave 0 points; no 3-point or 2-point violent prior
    assert allows(law, "2018-12-21", chp=4, one_point=4)
    assert not allows(law, "2018-12-20", chp=4, one_point=4)


def test_a_prior_three_point_offense_disqualifies(law):
    # §3553(f)(1)(B): a prior 3-point offense (a sentence over 13 months, USSG §4A1.1(a)),
    # though 3 points are within (A)'s 4
    assert not allows(law, "2020-06-01", chp=3, prior_3pt=True)


def test_a_prior_two_point_violent_offense_disqualifies(law):
    # §3553(f)(1)(C): 2 points, within (A), but from a violent offense
    assert not allows(law, "2020-06-01", chp=2, prior_2pt_violent=True)
    assert allows(law, "2020-06-01", chp=2)


def test_pulsifer_more_than_four_points_alone_disqualifies(law):
    # Pulsifer v. United States (2024): each condition is required. Three 2-point offenses
    # (6 points, none from 1-point offenses) fail (A) alone, without a 3-point or violent prior
    assert not allows(law, "2020-06-01", chp=6, one_point=0)
    # 5 points from two 2-point offenses and one 1-point offense: 4 without it, allowed
    assert allows(law, "2020-06-01", chp=5, one_point=1)


def test_the_guideline_kept_the_one_point_wording_until_amendment_817(law):
    # USSG §5C1.2(a)(1): 1 point in the 2018 and 2021 Manuals; the First Step Act's three
    # conditions from the 2023 Manual (Amendment 817)
    assert not allows(law, "2020-06-01", chp=4, one_point=4, part="guideline")
    assert allows(law, "2023-11-01", chp=4, one_point=4, part="guideline")


# ------------------------------------------------------------- the guidelines, hand-worked
def test_relieved_under_the_wider_statute_without_the_two_levels_until_2023(law):
    # 60 g of methamphetamine in 2020: base 24 (2014 table), -3 acceptance = 21; 3 points from
    # 1-point offenses: category II, 41-51 months. The statute relieves the five-year minimum
    # (§3553(f)(1) as amended), but §2D1.1(b)(18) reads §5C1.2(a), still at 1 point: no -2
    assert scored(law, chp=3, one_point=3, safety_valve=True, sentencing_date="2020-06-01") == (
        21, 41, 51, 0)  # fmt: skip
    # sentenced on 2024-06-01 (Amendment 817): 24 - 2 = 22, -3 = 19, category II: 33-41
    assert scored(law, chp=3, one_point=3, safety_valve=True, sentencing_date="2024-06-01") == (
        19, 33, 41, 0)  # fmt: skip


def test_level_floor_of_17_until_2023(law):
    # USSG §5C1.2(b) (from Amendment 624 to Amendment 817): five-year minimum, safety valve:
    # 24 - 4 (minimal role) - 2 (safety valve) = 18, -3 (acceptance) = 15, raised to 17:
    # category I, 24-30 months
    assert scored(law, role=-4, safety_valve=True, sentencing_date="2016-06-01") == (17, 24, 30, 0)
    # without a five-year minimum (the tier not charged) no floor: 15, 18-24
    no_tier = dict(role=-4, safety_valve=True, mm_charged=0, sentencing_date="2016-06-01")
    assert scored(law, **no_tier) == (15, 18, 24, 0)
    # deleted on 2023-11-01 (1 point, so no zero-point decrease under §4C1.1): 15, 18-24
    assert scored(law, role=-4, chp=1, one_point=1, safety_valve=True,
                  sentencing_date="2024-06-01") == (15, 18, 24, 0)  # fmt: skip


def test_the_two_levels_from_level_26_before_2001(law):
    # §2D1.1(b) as Amendment 515 added it (1995-11-01): -2 only if "the offense level
    # determined above is level 26 or greater". 20 g of heroin, no tier: base 18, so in 1998
    # no reduction: 18 - 3 (acceptance) = 15, category I 18-24
    row = dict(drug="heroin", grams=20.0, mm_charged=0, sv_conditions=True, safety_valve=True)
    assert scored(law, **row, sentencing_date="1998-06-01")[:3] == (15, 18, 24)
    # in 2005 at any level: 18 - 2 = 16, -3 = 13, 12-18
    assert scored(law, **row, sentencing_date="2005-06-01")[:3] == (13, 12, 18)


def test_relief_but_no_reduction_before_1995_11_01(law):
    # the statute from 1994-09-23, the guideline's -2 from 1995-11-01: in March 1995 the
    # minimum (60 months) no longer binds, the level stays 26 - 3 = 23 (category I, 46-57)
    assert scored(law, safety_valve=True, sentencing_date="1995-03-01") == (23, 46, 57, 0)
    assert scored(law, safety_valve=True, sentencing_date="1995-11-01") == (21, 37, 46, 0)


# ------------------------------------------------------------- synthesis
@pytest.fixture(scope="module")
def everyone():
    return admissions(load_parameters(), seed=7, size=0.05, until=day("2024-09-30"))


def test_synthesis_decides_the_safety_valve_by_the_statute_of_the_day(everyone, law):
    p = everyone
    points = law.criminal_history_points(p.chp, p.status_points, p.sentencing_date)
    allowed = law.safety_valve.statute.met(
        chp=points, one_point=p.one_point, prior_3pt=p.prior_3pt,
        prior_2pt_violent=p.prior_2pt_violent, when=p.sentencing_date,
    )  # fmt: skip
    assert np.array_equal(p.safety_valve, p.sv_conditions & allowed)
    assert not p.safety_valve[p.sentencing_date < day("1994-09-23")].any()
    # the wider statute reaches people with more than 1 point only from 2018-12-21
    wide = p.safety_valve & (points > 1)
    assert wide.any() and (p.sentencing_date[wide] >= day("2018-12-21")).all()
    # the other conditions: no weapon, no aggravating role, not a career offender
    assert not (p.sv_conditions & (p.weapon | (p.role > 0) | p.career)).any()
    # more safety-valve cases in FY2023 than in FY2016
    assert (cohort_figures(p, 2023)["flow.safety_valve"]
            > cohort_figures(p, 2016)["flow.safety_valve"] + 0.04)  # fmt: skip


def test_the_composition_adds_up_to_the_points(everyone):
    p = everyone
    other = p.chp.astype(int) - p.status_points
    assert ((p.one_point >= 0) & (p.one_point <= np.minimum(other, 4))).all()
    assert (other[p.prior_3pt] >= 3).all() and (other[p.prior_2pt_violent] >= 2).all()
    assert (p.violent[p.prior_2pt_violent]).all()
    # what is left after the 1-point offenses is made of 2- and 3-point sentences: never 1
    rest = other - p.one_point
    assert not (rest == 1).any()
    assert ((rest >= 3) | ~p.prior_3pt).all()


def test_the_composition_splits_a_total_in_every_way_it_can():
    rule = {"one_point": 1.2, "two_point": 0.8, "three_point": 0.9, "violent_two_point": 1.0}
    u = np.linspace(0.0, 0.999, 1000).astype(np.float32)
    one, three, _ = criminal_history_composition(
        rule, np.full(1000, 3), np.zeros(1000, bool), u, u, 40, 4
    )
    # 3 points: three 1-point sentences, a 2-point and a 1-point one, or one 3-point sentence
    assert {(int(o), bool(t)) for o, t in zip(one, three, strict=True)} == {
        (3, False), (1, False), (0, True)}  # fmt: skip


# ------------------------------------------------------------- a retroactive change
FSA_402 = [
    {"type": "safety_valve", "rules_on": dt.date(2018, 12, 21), "guideline": False,
     "sentenced_before": dt.date(2018, 12, 21)},
    {"type": "safety_valve", "rules_on": dt.date(2023, 11, 1), "statutory": False,
     "sentenced_before": dt.date(2023, 11, 1)},
]  # fmt: skip


def test_the_wider_safety_valve_made_retroactive_lowers_a_2010_range():
    # 600 g of methamphetamine in 2010: base 32, -3 = 29, 3 points (three 1-point offenses,
    # category II) 97-121, the ten-year minimum makes it 120-121. Under §3553(f)(1) as amended
    # and the 2023 §5C1.2: relieved, 32 - 2 = 30, -3 = 27, category II 78-97
    row = meth(grams=600.0, mm_charged=10, chp=3, one_point=3, position=0.0,
               sentencing_date="2010-06-01")  # fmt: skip
    pop = to_population([row])
    effective = day("2015-01-01")
    ref = reference_reduce_changes(cases_of(pop)[0], FSA_402, effective=effective,
                                   earliest_release=None)  # fmt: skip
    assert (ref.old.range_min, ref.old.range_max, ref.old.floor) == (120, 121, 120)
    assert (ref.new.level, ref.new.range_min, ref.new.range_max, ref.new.floor) == (27, 78, 97, 0)
    assert ref.eligible and ref.reduced_term == 78
    check(pop, FSA_402, effective)  # the engine agrees
    # with a prior 3-point offense instead (3 points all the same), the statute still bars it
    barred = to_population([{**row, "one_point": 0, "prior_3pt": True}])
    ref = reference_reduce_changes(cases_of(barred)[0], FSA_402, effective=effective,
                                   earliest_release=None)  # fmt: skip
    assert not ref.eligible and ref.new.floor == 120
    check(barred, FSA_402, effective)


def test_a_safety_valve_change_must_change_something():
    doc = {"title": "t", "reference": "r", "retroactivity": {"effective": "2020-01-01"},
           "grant": {"rate": 1}, "costs": {"per_bed_year": 1},
           "changes": [{"type": "safety_valve", "rules_on": "2018-12-21", "statutory": False,
                        "guideline": False}]}  # fmt: skip
    with pytest.raises(sim.ScenarioError, match="set guideline, statutory or both to true"):
        validate(doc)


def test_the_scenario_reaches_only_earlier_sentences():
    sc = sim.load_scenario(ROOT / "scenarios" / "first_step_act_402_retroactive.yaml")
    pop = sim.synthesize(sc.population, seed=3, size=0.05)
    out = sim.apply(pop, sc)
    red = out.reduction
    assert red.eligible.sum() > 0
    assert (pop.sentencing_date[red.eligible] < day("2023-11-01")).all()
    # relief newly given only to people sentenced before 2018-12-21 who meet the other
    # conditions, and never taken away
    newly = red.new.relief & ~red.old.relief
    assert newly.any() and (pop.sentencing_date[newly] < day("2018-12-21")).all()
    assert pop.sv_conditions[newly].all() and not (red.old.relief & ~red.new.relief).any()
    assert (red.new.range_max <= red.old.range_max).all()


def test_today_s_law_of_clemency_has_the_wider_safety_valve():
    """Re-sentenced "today" (2025), a 2010 case with three 1-point offenses gets the safety
    valve the First Step Act gives (18 U.S.C. §3553(f)(1) as amended; USSG §5C1.2, 2023)."""
    row = meth(grams=600.0, mm_charged=10, chp=3, one_point=3, position=0.0,
               sentencing_date="2010-06-01")  # fmt: skip
    pop = to_population([row])
    term, g = today_term(sim.load_law(), pop, [], as_of=day("2025-01-17"))
    # 2014 table: base 30, -2, -3 = 25, category II 63-78; the minimum lifted
    assert bool(g.relief[0]) and int(g.level[0]) == 25 and int(term[0]) == 63


# ------------------------------------------------------------- the worksheet
def test_screen_shows_the_safety_valve_rule_with_its_source():
    args = ["screen", "--drug", "meth", "--grams", "60", "--points", "4", "--one-point", "4",
            "--safety-valve", "--sentenced", "2020-05-01", "--term", "46", "--json"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    sv = json.loads(result.stdout)["safety_valve"]
    assert sv["history_allows"] == {"old": True, "new": True}
    assert "First Step Act, §402" in sv["source"]["old"] and "Pulsifer" in sv["source"]["old"]
    assert sv["relief"]["old"] is True
    assert "§2D1.1(b)(18)" in sv["reduction_note"]
    # in 2010 the same history bars it: at most 1 point
    args[args.index("2020-05-01")] = "2010-05-01"
    args.remove("--safety-valve")
    sv = json.loads(CliRunner().invoke(main, args).stdout)["safety_valve"]
    assert sv["history_allows"]["old"] is False
    assert sv["rule"]["old"] == "not more than 1 criminal history point"
