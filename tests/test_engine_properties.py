"""Properties of the retroactivity engine, on hypothesis populations and a synthetic stock."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    EFFECTIVE,
    amendments,
    effective_days,
    level_shift,
    person,
    person_row,
    populations,
    to_population,
)

import simulator as sim
from simulator.calendar import day
from simulator.law import DRUGS
from simulator.model.reduction import Amendment, grant_probability, reduce, resolve
from simulator.scenario import with_overrides

ALL_DRUGS = list(range(len(DRUGS)))
MODIFIERS = ("weapon", "infractions", "violent", "career")

earliest_offsets = st.one_of(st.none(), st.integers(0, 500))
rates = st.floats(0.0, 1.0)


def run(law, pop, change, *, effective=EFFECTIVE, earliest=None, prob=None):
    prob = np.full(len(pop), 0.7) if prob is None else prob
    return reduce(
        law,
        pop,
        change,
        effective=effective,
        earliest_release=earliest,
        grant_prob=prob,
        uniforms=pop.u_grant,
    )


def a782(law) -> Amendment:
    return Amendment({d: law.edition_index("2014") for d in ALL_DRUGS}, {})


def covariates(pop) -> dict[str, np.ndarray]:
    return {name: getattr(pop, name).astype(np.float64) for name in MODIFIERS}


def subset(a: np.ndarray, b: np.ndarray) -> bool:
    return bool((~a | b).all())


# ------------------------------------------------------------------------ per-person bounds
@given(
    pop=populations(),
    change=amendments(),
    effective=effective_days,
    offset=earliest_offsets,
    rate=rates,
)
def test_reduction_never_lengthens_a_term_or_delays_a_release(
    law, pop, change, effective, offset, rate
):
    earliest = None if offset is None else effective + offset
    red = run(
        law, pop, change, effective=effective, earliest=earliest, prob=np.full(len(pop), rate)
    )
    assert (red.term <= pop.term).all()
    assert (red.release <= pop.release_date).all()
    assert (red.reduced_term[red.eligible] < pop.term[red.eligible]).all()
    # people whose motion is not granted keep their sentence and release
    kept = ~red.granted
    assert (red.term[kept] == pop.term[kept]).all()
    assert (red.release[kept] == pop.release_date[kept]).all()


@given(pop=populations(), change=amendments(), effective=effective_days, rate=rates)
def test_granted_within_eligible_within_lowered(law, pop, change, effective, rate):
    red = run(law, pop, change, effective=effective, prob=np.full(len(pop), rate))
    assert subset(red.granted, red.eligible)
    assert subset(red.eligible, red.lowered)
    cut = (red.new.range_min < red.old.range_min) | (red.new.range_max < red.old.range_max)
    # USSG §1B1.10(c): substantial-assistance cases compare the ranges before §5G1.1
    uncut = (red.new.table_min < red.old.table_min) | (red.new.table_max < red.old.table_max)
    assert (red.lowered[~pop.sub_assist] == cut[~pop.sub_assist]).all()
    assert (red.lowered[pop.sub_assist] == uncut[pop.sub_assist]).all()


@given(pop=populations(), change=amendments(), effective=effective_days)
def test_eligible_were_sentenced_before_and_in_custody_on_effective_date(
    law, pop, change, effective
):
    red = run(law, pop, change, effective=effective)
    e = red.eligible
    assert (pop.sentencing_date[e] < effective).all()
    assert (pop.custody_start[e] <= effective).all()
    assert (pop.release_date[e] > effective).all()


@given(pop=populations(), change=amendments(), effective=effective_days)
def test_floors_hold(law, pop, change, effective):
    red = run(law, pop, change, effective=effective, prob=np.ones(len(pop)))
    g = red.granted & ~pop.sub_assist
    assert (red.term[g] >= red.new.range_min[g]).all()
    assert (red.term[g] >= red.new.floor[g]).all()
    # a guideline change never changes the statute: the floor is the one that bound before
    assert (red.new.floor == red.old.floor).all()
    assert (red.new.statutory_max == red.old.statutory_max).all()
    # a substantial-assistance term below the old range gets at most the comparable reduction,
    # measured against the amended range before the mandatory minimum cuts it (§1B1.10(c))
    s = red.granted & pop.sub_assist & (pop.term < red.old.range_min)
    comparable = pop.term[s] * red.new.table_min[s] / red.old.range_min[s].astype(float)
    assert (red.term[s] >= np.floor(comparable)).all()


@given(pop=populations(), change=amendments(), effective=effective_days, offset=earliest_offsets)
def test_no_release_moves_before_earliest_release_or_time_served(
    law, pop, change, effective, offset
):
    earliest = None if offset is None else effective + offset
    red = run(law, pop, change, effective=effective, earliest=earliest, prob=np.ones(len(pop)))
    moved = red.release < pop.release_date
    first = effective if earliest is None else max(effective, earliest)
    assert (red.release[moved] >= first).all()
    assert subset(moved, red.granted)


@given(pop=populations(), change=amendments(), effective=effective_days)
def test_release_moves_with_the_term(law, pop, change, effective):
    red = run(law, pop, change, effective=effective, prob=np.ones(len(pop)))
    g = red.granted
    expected = pop.take(g).release_for(law, red.term[g])
    expected = np.minimum(np.maximum(expected, effective), pop.release_date[g])
    assert (red.release[g] == expected).all()


# ------------------------------------------------------------------ changes that change nothing
@given(pop=populations(), effective=effective_days)
def test_no_change_makes_nobody_eligible(law, pop, effective):
    for change in (Amendment.none(), level_shift(ALL_DRUGS, 0)):
        red = run(law, pop, change, effective=effective, prob=np.ones(len(pop)))
        assert not red.lowered.any()
        assert not red.eligible.any()
        assert (red.release == pop.release_date).all()


@given(pop=populations(), drug=st.integers(0, len(DRUGS) - 1), effective=effective_days)
def test_switching_to_the_edition_already_in_force_lowers_nothing(law, pop, drug, effective):
    for e, _name in enumerate(law.editions):
        if not np.isfinite(law.dqt_thresholds[e, law.table_drug[drug], 0]):
            continue  # the edition has no table for this drug
        red = run(law, pop, Amendment({drug: e}, {}), effective=effective)
        current = law.edition_on(pop.drug, pop.table_date)
        unaffected = (pop.drug != drug) | (current == e)
        assert not (red.lowered & unaffected).any()
        assert not (red.eligible & unaffected).any()


def test_switching_heroin_to_pre2014_changes_nobody_sentenced_before_2014(law, small_population):
    pop = small_population
    change = Amendment({DRUGS.index("heroin"): law.edition_index("pre2014")}, {})
    red = run(law, pop, change)
    assert not red.eligible.any()


# ------------------------------------------------------------------------ monotonicity
@given(
    pop=populations(),
    a=st.integers(-6, 2),
    b=st.integers(-6, 2),
    lo=st.integers(1, 43),
    span=st.integers(0, 42),
    drugs=st.sets(st.sampled_from(ALL_DRUGS), min_size=1),
    effective=effective_days,
)
def test_more_generous_level_shift_reaches_everyone_the_lesser_one_does(
    law, pop, a, b, lo, span, drugs, effective
):
    # Holds under the engine's semantics: the offense level after adjustments is non-decreasing
    # in the base level (the acceptance step at 16 can only merge levels, 16-3 == 15-2), the
    # sentencing table, floor and cap are non-decreasing in the level, and the full reduction is
    # non-decreasing in both ends of the amended range while its position in the old range does
    # not depend on the change. The set of people shifted (base level in lo..hi) is the same.
    stingy, generous = max(a, b), min(a, b)
    hi = min(43, lo + span)
    r1 = run(law, pop, level_shift(sorted(drugs), stingy, lo, hi), effective=effective)
    r2 = run(law, pop, level_shift(sorted(drugs), generous, lo, hi), effective=effective)
    assert (r2.new.range_min <= r1.new.range_min).all()
    assert (r2.new.range_max <= r1.new.range_max).all()
    assert subset(r1.lowered, r2.lowered)
    assert (r2.reduced_term <= r1.reduced_term).all()
    assert subset(r1.eligible, r2.eligible)
    assert subset(r1.granted, r2.granted)
    assert (r2.release <= r1.release).all()


@given(
    pop=populations(),
    a=rates,
    b=rates,
    betas=st.lists(st.floats(-2, 2), min_size=len(MODIFIERS), max_size=len(MODIFIERS)),
    effective=effective_days,
)
def test_grant_rate_is_monotone_with_common_random_numbers(law, pop, a, b, betas, effective):
    low, high = min(a, b), max(a, b)
    mods = dict(zip(MODIFIERS, betas, strict=True))
    change = a782(law)
    p_low = grant_probability(low, mods, covariates(pop), len(pop))
    p_high = grant_probability(high, mods, covariates(pop), len(pop))
    assert (p_low <= p_high).all()
    r1 = run(law, pop, change, effective=effective, prob=p_low)
    r2 = run(law, pop, change, effective=effective, prob=p_high)
    assert (r1.eligible == r2.eligible).all()
    assert subset(r1.granted, r2.granted)


@given(
    pop=populations(),
    betas=st.lists(st.floats(-3, 3), min_size=len(MODIFIERS), max_size=len(MODIFIERS)),
)
def test_rate_one_grants_every_eligible_person_and_zero_none(law, pop, betas):
    mods = dict(zip(MODIFIERS, betas, strict=True))
    change = a782(law)
    r1 = run(law, pop, change, prob=grant_probability(1.0, mods, covariates(pop), len(pop)))
    r0 = run(law, pop, change, prob=grant_probability(0.0, mods, covariates(pop), len(pop)))
    assert (r1.granted == r1.eligible).all()
    assert not r0.granted.any()


@given(pop=populations())
def test_career_offenders_governed_by_4b1_1_are_not_eligible(law, pop):
    red = run(law, pop, a782(law), prob=np.ones(len(pop)))
    co_level = law.career_level(red.old.statutory_max).astype(int) - 3 * pop.acceptance
    co_governed = pop.career & (red.old.level <= co_level)
    assert not (red.eligible & co_governed).any()


@given(pop=populations())
def test_engine_does_not_mutate_the_population(law, pop):
    before = {k: v.copy() for k, v in pop.arrays().items()}
    run(law, pop, a782(law), prob=np.ones(len(pop)))
    for k, v in pop.arrays().items():
        assert np.array_equal(v, before[k]), k


# ------------------------------------------------------------------------ outcome accounting
@given(pop=populations(min_size=0))
def test_counts_are_conserved(pop, scenario_2014):
    out = sim.apply(pop, scenario_2014)
    s = out.summary
    assert s["population"] == len(pop)
    assert 0 <= s["granted"] <= s["eligible"] <= s["population"]
    assert sum(w["releases"] for w in s["waves"]) <= s["granted"]
    assert s["released_first_day"] + s["released_first_year"] <= s["granted"]
    assert s["bed_years_saved"] >= 0
    for by, rows in s["breakdowns"].items():
        assert sum(r["population"] for r in rows) == len(pop), by
        assert sum(r["eligible"] for r in rows) == s["eligible"], by
        assert sum(r["granted"] for r in rows) == s["granted"], by


def test_counts_on_synthetic_stock(small_population, small_outcome):
    s = small_outcome.summary
    assert s["population"] == len(small_population)
    assert 0 < s["granted"] < s["eligible"] < s["population"]
    assert 0 < sum(w["releases"] for w in s["waves"]) <= s["granted"]
    waves = small_outcome.waves
    assert waves["baseline"].sum() <= len(small_population)
    assert waves["scenario"].sum() <= len(small_population)
    for by, rows in s["breakdowns"].items():
        assert sum(r["population"] for r in rows) == s["population"], by
        assert sum(r["eligible"] for r in rows) == s["eligible"], by
    people = small_outcome.people
    assert len(people) == len(small_population)
    assert people["eligible"].sum() == s["eligible"]
    assert (people["days_earlier"] >= 0).all()


def test_synthetic_stock_satisfies_engine_invariants(law, small_population, small_outcome):
    pop, red = small_population, small_outcome.reduction
    eff, first = day("2014-11-01"), day("2015-11-01")
    assert (red.term <= pop.term).all()
    assert (red.release <= pop.release_date).all()
    assert subset(red.granted, red.eligible)
    assert (pop.sentencing_date[red.eligible] < eff).all()
    moved = red.release < pop.release_date
    assert (red.release[moved] >= first).all()
    g = red.granted & ~pop.sub_assist
    assert (red.term[g] >= red.new.range_min[g]).all()
    assert (red.term[g] >= red.new.floor[g]).all()
    # the stock's sentences agree with the law: release dates follow from terms, except for
    # the few people who die in custody or get a compassionate release first
    lawful = pop.release_for(law, pop.term)
    assert (pop.release_date <= lawful).all()
    assert (pop.release_date == lawful).mean() > 0.95  # about 3.5% of the 2014 stock


# ------------------------------------------------------------------------ scenario variants
def test_grant_rate_variants_nest(small_population, scenario_2014):
    granted = []
    for rate in ("0", "0.25", "0.5", "0.9", "1"):
        sc = with_overrides(scenario_2014, {"grant.rate": rate})
        granted.append(sim.apply(small_population, sc).reduction)
    assert not granted[0].granted.any()
    for lo, hi in itertools.pairwise(granted):
        assert (lo.eligible == hi.eligible).all()
        assert subset(lo.granted, hi.granted)
    assert (granted[-1].granted == granted[-1].eligible).all()
    assert granted[1].granted.sum() < granted[3].granted.sum()


def test_level_shift_zero_scenario_makes_nobody_eligible(small_population, scenario_2014):
    sc = with_overrides(
        scenario_2014,
        {"changes": "[{type: level_shift, levels: 0, drugs: [heroin, cocaine, cocaine_base]}]"},
    )
    out = sim.apply(small_population, sc)
    assert out.summary["eligible"] == 0
    assert out.summary["granted"] == 0
    assert out.summary["bed_years_saved"] == 0


def test_level_shift_scenarios_nest(small_population, scenario_2014):
    drugs = "[heroin, cocaine, cocaine_base, methamphetamine, marijuana]"
    reductions = []
    for levels in (-1, -2, -4):
        sc = with_overrides(
            scenario_2014, {"changes": f"[{{type: level_shift, levels: {levels}, drugs: {drugs}}}]"}
        )
        reductions.append(sim.apply(small_population, sc).reduction)
    for lesser, more in itertools.pairwise(reductions):
        assert subset(lesser.eligible, more.eligible)
        assert subset(lesser.granted, more.granted)
        assert (more.release <= lesser.release).all()
    assert reductions[0].eligible.sum() < reductions[-1].eligible.sum()


def test_scenario_changes_resolve_to_amendment(law, scenario_2014):
    change = resolve(law, scenario_2014.changes)
    assert change.edition == {d: law.edition_index("2014") for d in ALL_DRUGS}
    assert change.level_shift == {}


def test_no_earliest_release_lets_people_go_on_the_effective_date(small_population, scenario_2014):
    with_delay = sim.apply(small_population, scenario_2014)
    sc = with_overrides(scenario_2014, {"retroactivity.earliest_release": "null"})
    without = sim.apply(small_population, sc)
    # a release delay can only shrink who benefits, never add anyone
    assert subset(with_delay.reduction.eligible, without.reduction.eligible)
    assert (without.reduction.release <= with_delay.reduction.release).all()
    moved = without.reduction.release < small_population.release_date
    assert (without.reduction.release[moved] >= day("2014-11-01")).all()
    assert without.summary["bed_years_saved"] > with_delay.summary["bed_years_saved"]


# ------------------------------------------------------------------------ reproducibility
def test_same_seed_same_population_and_summary(small_population, small_outcome, scenario_2014):
    again = sim.synthesize(scenario_2014.population, seed=11, size=0.05)
    assert len(again) == len(small_population)
    for name, col in small_population.arrays().items():
        assert np.array_equal(col, getattr(again, name)), name
        assert col.dtype == getattr(again, name).dtype, name
    assert sim.apply(again, scenario_2014).summary == small_outcome.summary


def test_different_seed_different_population(small_population, scenario_2014):
    other = sim.synthesize(scenario_2014.population, seed=12, size=0.05)
    same_len = len(other) == len(small_population)
    assert not same_len or not np.array_equal(other.grams, small_population.grams)
    assert not np.array_equal(other.u_grant[:100], small_population.u_grant[:100])
    assert other.meta["seed"] == 12


# ------------------------------------------------------------------------ worked examples
def one(**facts):
    """A one-person population (see ``strategies.person_row`` for the defaults)."""
    return to_population([person_row(**facts)])


def test_full_reduction_keeps_the_position_in_the_range(law):
    pop = one()
    red = run(law, pop, a782(law), earliest=day("2015-11-01"), prob=np.ones(1))
    # 32 - 3 = 29: 87-108, mid-range 97.5 -> 98; amended 30 - 3 = 27: 70-87 at 11/21 -> 79
    assert int(pop.term[0]) == 98
    assert (int(red.old.range_min[0]), int(red.old.range_max[0])) == (87, 108)
    assert (int(red.new.range_min[0]), int(red.new.range_max[0])) == (70, 87)
    assert bool(red.eligible[0]) and bool(red.granted[0])
    assert int(red.term[0]) == 79
    expected = law.release_day(pop.custody_start, np.array([79]), pop.infractions)
    assert int(red.release[0]) == int(expected[0])


def test_variance_below_range_is_reduced_to_the_amended_minimum(law):
    pop = one(departure=0.2)  # 98 * 0.8 = 78 (below 87)
    assert int(pop.term[0]) == 78
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert int(red.term[0]) == 70


def test_variance_already_under_the_amended_minimum_is_not_eligible(law):
    pop = one(departure=0.4)  # 98 * 0.6 = 59 < 70
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert not red.eligible[0]
    assert int(red.term[0]) == int(pop.term[0])


def test_substantial_assistance_gets_a_comparable_reduction(law):
    pop = one(sub_assist=True, departure=0.4)  # 59 = 67.8% of 87
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert int(red.term[0]) == round(59 * 70 / 87)


def test_term_above_the_range_keeps_its_ratio_to_the_top(law):
    pop = one().replace(term=np.array([120], np.int16))
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert int(red.term[0]) == round(120 * 87 / 108)


def test_mandatory_minimum_still_binds(law):
    pop = one(grams=1500.0, mm_charged=10)  # 32 - 3 = 29: 87-108 -> 120 floor
    assert int(pop.term[0]) == 120
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert not red.lowered[0]
    assert not red.eligible[0]


def test_reduced_release_never_before_time_served(law):
    # custody from 2008: old release early 2015; the reduced term would have ended in 2013
    pop = one(
        custody_start=day("2008-01-01"),
        sentencing_date=day("2008-06-01"),
        table_date=day("2008-06-01"),
    )
    assert day("2014-11-01") < int(pop.release_date[0]) < day("2015-11-01")
    red = run(law, pop, a782(law), earliest=None, prob=np.ones(1))
    assert int(red.release[0]) == day("2014-11-01")
    delayed = run(law, pop, a782(law), earliest=day("2015-11-01"), prob=np.ones(1))
    # the first possible release is after the old release: nothing moves
    assert int(delayed.release[0]) == int(pop.release_date[0])
    assert int(delayed.term[0]) <= int(pop.term[0])


def test_sentenced_on_or_after_effective_date_not_eligible(law):
    pop = one(
        sentencing_date=day("2014-11-01"),
        table_date=day("2014-11-01"),
        custody_start=day("2014-01-01"),
    )
    red = run(law, pop, level_shift(ALL_DRUGS, -2), prob=np.ones(1))
    assert bool(red.lowered[0])
    assert not red.eligible[0]


def test_substantial_assistance_below_a_mandatory_minimum_is_eligible(law):
    # 5 kg cocaine, 10-year tier: 29 -> 87-108, clipped to 120; sentenced to 80 on a §3553(e)
    # motion. A782: 27 -> 70-87. Eligible for a comparable reduction below 80.
    pop = one(
        drug=DRUGS.index("cocaine"), grams=5000.0, mm_charged=10, sub_assist=True, departure=1 / 3
    )
    assert int(pop.term[0]) == 80
    red = run(law, pop, a782(law), prob=np.ones(1))
    assert bool(red.eligible[0])
    assert int(red.term[0]) < 80


def test_rate_one_grants_even_the_largest_uniform_draw(law):
    pop = one(u_grant=1.0 - 2.0**-30)  # a value numpy's Generator.random() can return
    red = run(law, pop, a782(law), prob=grant_probability(1.0, {}, covariates(pop), 1))
    assert bool(red.eligible[0])
    assert bool(red.granted[0])


@given(st.data())
def test_person_strategy_yields_consistent_sentences(law, data):
    pop = to_population([data.draw(person())])
    assert (pop.term >= 1).all() and (pop.term <= 470).all()
    assert (pop.release_date > pop.custody_start).all()
    assert (pop.custody_start <= pop.sentencing_date).all()
    assert (pop.offense_date <= pop.sentencing_date).all()
