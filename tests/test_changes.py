"""The change types of the scenario language: invariants (hypothesis) and hand-worked cases."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st
from strategies import effective_days, person_row, populations, to_population

import simulator as sim
from simulator.calendar import day, iso
from simulator.law import DRUGS, amendment_bit, load_law
from simulator.model.changes import amendment_for, ratio_thresholds, resolve_changes, scope
from simulator.model.reduction import current_guideline, reduce
from simulator.runs.worksheet import case_population
from simulator.scenario.changes import (
    CrackPowderRatioChange,
    CriminalHistoryChange,
    DrugTableChange,
    Enhancement851Change,
    LevelShiftChange,
    MandatoryMinimumChange,
)

CRACK = DRUGS.index("cocaine_base")
crack_people = populations(drugs=("cocaine_base",), max_size=25)
anyone = populations(max_size=25)


def run(law, pop, changes, effective):
    """Reduce with every motion granted; returns the engine's Reduction."""
    n = len(pop)
    return reduce(
        law,
        pop,
        amendment_for(law, changes, effective=effective),
        effective=effective,
        earliest_release=None,
        grant_prob=np.ones(n),
        uniforms=np.zeros(n),
    )


def subset(a: np.ndarray, b: np.ndarray) -> bool:
    return bool((~a | b).all())


def ratio(r: float, **kw) -> CrackPowderRatioChange:
    return CrackPowderRatioChange(type="crack_powder_ratio", ratio=r, **kw)


# ------------------------------------------------------------------------------ invariants
@given(
    pop=crack_people,
    pair=st.tuples(st.floats(1, 100), st.floats(1, 100)).map(sorted),
    effective=effective_days,
    parts=st.sampled_from([(True, True), (True, False), (False, True)]),
)
def test_ratio_closer_to_one_never_makes_fewer_crack_offenders_eligible(
    law, pop, pair, effective, parts
):
    lenient, strict = pair
    kw = dict(guideline=parts[0], statutory=parts[1])
    a = run(law, pop, [ratio(lenient, **kw)], effective)
    b = run(law, pop, [ratio(strict, **kw)], effective)
    assert subset(b.eligible, a.eligible)
    assert (a.reduced_term[b.eligible] <= b.reduced_term[b.eligible]).all()


@given(pop=anyone, effective=effective_days, r=st.floats(0.5, 200))
def test_ratio_touches_nobody_but_crack_offenders(law, pop, effective, r):
    red = run(law, pop, [ratio(r)], effective)
    assert not red.lowered[pop.drug != CRACK].any()


@given(
    pop=anyone,
    effective=effective_days,
    change=st.sampled_from(
        [
            ratio(1),
            MandatoryMinimumChange(
                type="mandatory_minimum",
                drugs=list(DRUGS),
                thresholds={"five_year": 1e9, "ten_year": 1e9},
            ),
            Enhancement851Change(type="enhancement_851", terms_on=dt.date(2018, 12, 21)),
            CriminalHistoryChange(
                type="criminal_history", status_points={}, zero_point={"levels": -2}
            ),
            LevelShiftChange(type="level_shift", levels=-4, drugs=list(DRUGS)),
            DrugTableChange(type="drug_table", edition="2014", drugs=list(DRUGS)),
        ]
    ),
    change_day=effective_days,
)
def test_non_retroactive_change_never_touches_anyone_sentenced_before_it(
    law, pop, effective, change, change_day
):
    prospective = change.model_copy(
        update={"retroactive": False, "effective": dt.date.fromisoformat(iso(change_day))}
    )
    res = resolve_changes(law, [prospective], effective=effective)
    new = res(law, pop, None)
    old = current_guideline(law, pop)
    before = pop.sentencing_date < change_day
    for field in ("level", "category", "range_min", "range_max", "floor", "statutory_max"):
        assert (getattr(new, field)[before] == getattr(old, field)[before]).all(), field


@given(pop=crack_people, effective=effective_days, cut=effective_days)
def test_offenses_before_limits_the_change_to_earlier_offenses(law, pop, effective, cut):
    change = MandatoryMinimumChange(
        type="mandatory_minimum",
        drugs=["cocaine_base"],
        thresholds_on=dt.date(2010, 8, 3),
        offenses_before=dt.date.fromisoformat(iso(cut)),
    )
    red = run(law, pop, [change], effective)
    assert not red.lowered[pop.offense_date >= cut].any()
    assert (scope(change, pop, effective) == (pop.offense_date < cut)).all()


@given(
    pop=anyone,
    effective=effective_days,
    pair=st.tuples(st.floats(0, 1e7), st.floats(0, 1e7)).map(sorted),
)
def test_higher_statutory_thresholds_never_make_fewer_eligible(law, pop, effective, pair):
    def change(five: float) -> MandatoryMinimumChange:
        return MandatoryMinimumChange(
            type="mandatory_minimum",
            drugs=list(DRUGS),
            thresholds={"five_year": five, "ten_year": 10 * five},
        )

    low, high = pair
    stricter, lenient = (
        run(law, pop, [change(low)], effective),
        run(law, pop, [change(high)], effective),
    )
    assert subset(stricter.eligible, lenient.eligible)


@given(
    pop=anyone,
    effective=effective_days,
    pair=st.tuples(st.integers(0, 470), st.integers(0, 470)).map(sorted),
)
def test_lower_851_terms_never_make_fewer_eligible_nor_raise_a_floor(law, pop, effective, pair):
    def change(months: int) -> Enhancement851Change:
        t = {"one_prior": months, "two_or_more": months}
        return Enhancement851Change(type="enhancement_851", ten_year=t, five_year=t)

    low, high = pair
    a, b = run(law, pop, [change(low)], effective), run(law, pop, [change(high)], effective)
    assert subset(b.eligible, a.eligible)
    assert (a.new.floor <= b.new.floor).all()
    untouched = pop.priors_851 == 0
    assert (a.new.floor[untouched] == a.old.floor[untouched]).all()


@given(pop=anyone, effective=effective_days, pair=st.tuples(*[st.integers(0, 15)] * 2).map(sorted))
def test_status_point_rule_never_raises_a_category_and_a_higher_bar_helps_more(
    law, pop, effective, pair
):
    def change(bar: int) -> CriminalHistoryChange:
        return CriminalHistoryChange(
            type="criminal_history", status_points={"points": 1, "min_other_points": bar}
        )

    low, high = pair
    a, b = run(law, pop, [change(low)], effective), run(law, pop, [change(high)], effective)
    assert (a.new.category <= a.old.category).all()
    assert (b.new.category <= a.new.category).all()
    assert subset(a.eligible, b.eligible)
    assert not a.lowered[pop.status_points == 0].any()


@given(pop=anyone, effective=effective_days, levels=st.integers(-10, 0))
def test_zero_point_rule_reaches_only_zero_point_offenders_without_exclusions(
    law, pop, effective, levels
):
    change = CriminalHistoryChange(type="criminal_history", zero_point={"levels": levels})
    red = run(law, pop, [change], effective)
    qualifies = (pop.chp == 0) & ~pop.weapon & (pop.role <= 0) & ~pop.zp_excluded
    assert not red.lowered[~qualifies].any()
    assert (red.new.level <= red.old.level).all()
    assert (red.new.level >= red.old.level + levels).all()


@given(pop=anyone, effective=effective_days)
def test_plain_changes_give_the_same_result_on_either_path(law, pop, effective):
    """A table edition reaching everyone takes the engine's own path; scoping it (to a day
    before anyone's offense) takes the change module's; both must agree."""
    table = DrugTableChange(type="drug_table", edition="2014", drugs=list(DRUGS))
    scoped = table.model_copy(update={"offenses_before": dt.date(2100, 1, 1)})
    a, b = run(law, pop, [table], effective), run(law, pop, [scoped], effective)
    assert (a.eligible == b.eligible).all()
    assert (a.reduced_term == b.reduced_term).all()


# ------------------------------------------------------------------------------ law cells
@pytest.mark.parametrize(
    ("ratio_", "edition", "official"),
    [(18, "2014", "2014"), (100, "pre2014", "1987")],
)
def test_derived_crack_table_matches_the_official_one_at_its_thresholds(
    law, ratio_, edition, official
):
    """18:1 from the 2014 powder table is the 2014 crack table (the Commission's thresholds are
    powder's / 18 rounded up to the tenth of a gram); 100:1 from the pre-2014 powder table is
    the 1987 crack table."""
    res = resolve_changes(law, [ratio(ratio_, powder_edition=edition)], effective=day("2020-01-01"))
    e_new, e_off = res.law.edition_index(res.law.editions[-1]), law.edition_index(official)
    grams = law.dqt_thresholds[e_off, CRACK]
    grams = grams[np.isfinite(grams) & (grams > 0)]
    drug = np.full(len(grams), CRACK)
    derived = res.law.base_offense_level(drug, grams, np.full(len(grams), e_new))
    published = law.base_offense_level(drug, grams, np.full(len(grams), e_off))
    assert derived.tolist() == published.tolist()


def test_ratio_thresholds_of_18_to_1_are_the_fair_sentencing_acts(law):
    five, ten = ratio_thresholds(law, 18, day("2020-01-01"))
    fsa5, fsa10 = law.mandatory_thresholds(np.array([CRACK]), np.array([day("2010-08-03")]))
    assert five == pytest.approx(float(fsa5[0]), rel=0.01)
    assert ten == pytest.approx(float(fsa10[0]), rel=0.01)
    assert ratio_thresholds(law, 1, day("2020-01-01")) == (500.0, 5000.0)


def test_first_step_act_851_terms(law):
    """One prior on the 10-year tier: 20 years became 15; two or more: life became 25 years."""
    pop = to_population(
        [
            person_row(drug="heroin", grams=2000.0, mm_charged=10, priors_851=p, chp=6,
                       sentencing_date="2012-01-01")
            for p in (1, 2)
        ]
    )  # fmt: skip
    change = Enhancement851Change(type="enhancement_851", terms_on=dt.date(2018, 12, 21))
    new = resolve_changes(law, [change], effective=day("2020-01-01"))(law, pop, None)
    old = current_guideline(law, pop)
    assert old.floor.tolist() == [240, law.life_months]
    assert new.floor.tolist() == [180, 300]


def test_amendment_821_part_a_hand_worked(law):
    """8 points with 2 status points: 6 others, under 7, so no status point: IV becomes III.
    9 points with 2 status points: 7 others, 1 status point: 8 points, IV stays IV."""
    rows = [person_row(chp=8, status_points=2), person_row(chp=9, status_points=2)]
    pop = to_population(rows)
    change = CriminalHistoryChange(type="criminal_history", status_points={})
    new = resolve_changes(law, [change], effective=day("2023-11-01"))(law, pop, None)
    assert current_guideline(law, pop).category.tolist() == [3, 3]
    assert new.category.tolist() == [2, 3]


def test_amendment_821_part_b_hand_worked(law):
    """Zero points and no exclusion: two levels off; a weapon or an aggravating role bars it."""
    pop = to_population(
        [person_row(), person_row(weapon=True), person_row(role=2), person_row(chp=1)]
    )
    change = CriminalHistoryChange(type="criminal_history", zero_point={})
    new = resolve_changes(law, [change], effective=day("2023-11-01"))(law, pop, None)
    old = current_guideline(law, pop)
    assert (old.level - new.level).tolist() == [2, 0, 0, 0]


# ------------------------------------------------------------------ First Step Act §404 coverage
def _fsa404_case(**facts):
    base = dict(drug="crack", grams=60, chp=0, sentenced="2009-06-01", term=240,
                custody_start="2009-01-01", offense_date="2008-10-01", mm_tier=10)  # fmt: skip
    return case_population(load_law(), **{**base, **facts})


@pytest.mark.parametrize(
    ("facts", "eligible"),
    [
        # 60 g of crack in 2009, 20 years: the 10-year tier of §841(b)(1)(A); the Fair
        # Sentencing Act thresholds (28 g / 280 g) put it in (b)(1)(B): a covered offense
        ({}, True),
        # convicted under §841(b)(1)(C) (no tier charged): not a covered offense, Terry v.
        # United States, 593 U.S. 486 (2021): neither the thresholds nor the current table
        ({"mm_tier": 0, "term": 200}, False),
        # offense before 2010-08-03 but sentenced after it: the sentence was imposed under the
        # Fair Sentencing Act (Dorsey v. United States, 2012), so §404(c) bars a motion
        (
            {"sentenced": "2010-09-01", "custody_start": "2010-03-01", "term": 60, "mm_tier": 5},
            False,
        ),
    ],
)
def test_first_step_act_404_reaches_covered_offenses_only(facts, eligible):
    """First Step Act of 2018, §404(a) (covered offense) and §404(c) (limitations)."""
    pop = _fsa404_case(**facts)
    scenario = sim.load_scenario(ROOT / "scenarios" / "2018_first_step_act_404.yaml")
    assert bool(sim.apply(pop, scenario).reduction.eligible[0]) is eligible


def test_a_first_step_act_404_motion_denied_on_the_merits_bars_another():
    """First Step Act of 2018, §404(c): no motion "if a previous motion made under this section
    ... was ... denied after a complete review of the motion on the merits"."""
    scenario = sim.load_scenario(ROOT / "scenarios" / "2018_first_step_act_404.yaml")
    pop = _fsa404_case()
    assert bool(sim.apply(pop, scenario).reduction.eligible[0])
    denied = pop.replace(denied_by=np.array([amendment_bit("FSA404")], dtype=np.int8))
    assert not bool(sim.apply(denied, scenario).reduction.eligible[0])
    # a denial under another change (Amendment 782, say) does not bar a §404 motion
    other = pop.replace(denied_by=np.array([amendment_bit("A782")], dtype=np.int8))
    assert bool(sim.apply(other, scenario).reduction.eligible[0])


@pytest.mark.parametrize(
    ("facts", "floor", "eligible"),
    [
        # 10-year tier with one prior felony drug conviction in a §851 information, sentenced
        # in 2012: 20 years then (21 U.S.C. §841(b)(1)(A) before 2018); 15 under §401
        ({"priors_851": 1}, 180, True),
        # two or more priors: life then, 25 years under §401
        ({"priors_851": 2, "term": 470}, 300, True),
        # sentenced after 2018-12-21: already under §401 (15 years), nothing to change
        ({"priors_851": 1, "sentenced": "2019-06-01", "custody_start": "2019-01-01",
          "offense_date": "2018-06-01", "term": 180}, 180, False),
    ],
)  # fmt: skip
def test_first_step_act_401_made_retroactive(facts, floor, eligible):
    """First Step Act of 2018, §401(a): 15 and 25 years for the 10-year tier with §851 priors."""
    base = dict(drug="heroin", grams=2000, chp=4, sentenced="2012-06-01", term=240,
                custody_start="2012-01-01", offense_date="2011-10-01", mm_tier=10)  # fmt: skip
    pop = case_population(load_law(), **{**base, **facts})
    scenario = sim.load_scenario(ROOT / "scenarios" / "first_step_act_401_retroactive.yaml")
    red = sim.apply(pop, scenario).reduction
    assert int(red.new.floor[0]) == floor
    assert bool(red.eligible[0]) is eligible


def test_a_table_change_limited_to_a_tier_leaves_the_other_tiers_alone():
    """Regression: plain table changes took a fast path that ignored statutory_tiers."""
    import json

    pop = case_population(load_law(), drug="heroin", grams=100, chp=2, sentenced="2007-01-01",
                          term=70, mm_tier=5)  # fmt: skip
    base = sim.load_scenario(ROOT / "scenarios" / "2014_guidelines.yaml")
    shift = {"type": "level_shift", "levels": -2, "drugs": ["heroin"]}
    for tiers, lowered in (([0], False), ([5], True)):
        changes = json.dumps([{**shift, "statutory_tiers": tiers}])
        red = sim.apply(pop, sim.with_overrides(base, {"changes": changes})).reduction
        assert bool(red.lowered[0]) is lowered, tiers
