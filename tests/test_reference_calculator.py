"""Differential test: the vectorized engine against the per-person reference calculator."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from reference_calculator import (
    DRUG_NAMES,
    Case,
    Change,
    day_number,
    edition_scores,
    full_reduction_exact,
    law_data,
    reference_reduce,
)
from strategies import EFFECTIVE, populations, to_population
from strategies import person_row as one

from simulator.calendar import day
from simulator.law import DRUGS, SECOND_DRUGS, load_law, retroactive_amendments
from simulator.model.reduction import Amendment, reduce

EDITIONS = sorted(law_data().dqt)


# ------------------------------------------------------------------------ conversions
def cases_of(pop) -> list[Case]:
    out = []
    for i in range(len(pop)):
        out.append(
            Case(
                drug=DRUG_NAMES[int(pop.drug[i])],
                grams=float(pop.grams[i]),  # the stored float32 value, exactly
                weapon=bool(pop.weapon[i]),
                role=int(pop.role[i]),
                obstruction=bool(pop.obstruction[i]),
                acceptance=bool(pop.acceptance[i]),
                safety_valve=bool(pop.safety_valve[i]),
                sub_assist=bool(pop.sub_assist[i]),
                career=bool(pop.career[i]),
                chp=int(pop.chp[i]),
                mm_charged=int(pop.mm_charged[i]),
                priors_851=int(pop.priors_851[i]),
                sentencing_date=int(pop.sentencing_date[i]),
                custody_start=int(pop.custody_start[i]),
                table_date=int(pop.table_date[i]),
                term=int(pop.term[i]),
                release_date=int(pop.release_date[i]),
                infractions=int(pop.infractions[i]),
                offense_date=int(pop.offense_date[i]),
                status_points=int(pop.status_points[i]),
                zp_excluded=bool(pop.zp_excluded[i]),
                position=float(pop.position[i]),
                departure=float(pop.departure[i]),
                violent=bool(pop.violent[i]),
                rdap=bool(pop.rdap[i]),
                ftc=bool(pop.ftc[i]),
                denied=tuple(
                    am.name
                    for b, am in enumerate(retroactive_amendments())
                    if int(pop.denied_by[i]) >> b & 1
                ),
                sv_conditions=bool(pop.sv_conditions[i]),
                one_point=int(pop.one_point[i]),
                prior_3pt=bool(pop.prior_3pt[i]),
                prior_2pt_violent=bool(pop.prior_2pt_violent[i]),
                firearm_924c=int(pop.firearm_924c_months[i]),
                drug2=SECOND_DRUGS[int(pop.drug2[i])],
                grams2=float(pop.grams2[i]),  # the stored float32 value, exactly
            )
        )
    return out


def engine_amendment(change: Change) -> Amendment:
    law = load_law()
    return Amendment(
        {DRUGS.index(d): law.edition_index(e) for d, e in change.edition.items()},
        {DRUGS.index(d): shift for d, shift in change.level_shift.items()},
    )


def disagreements(
    pop,
    change: Change,
    effective: int,
    earliest: int | None,
) -> list[str]:
    """Every field on which engine and reference differ, person by person."""
    law = load_law()
    red = reduce(
        law,
        pop,
        engine_amendment(change),
        effective=effective,
        earliest_release=earliest,
        grant_prob=np.ones(len(pop)),
        uniforms=pop.u_grant,
    )
    out = []
    for i, case in enumerate(cases_of(pop)):
        ref = reference_reduce(case, change, effective=effective, earliest_release=earliest)
        engine_reduced = int(red.reduced_term[i])
        pairs = {
            "old.level": (int(red.old.level[i]), ref.old.level),
            "old.range": (
                (int(red.old.range_min[i]), int(red.old.range_max[i])),
                (ref.old.range_min, ref.old.range_max),
            ),
            "new.level": (int(red.new.level[i]), ref.new.level),
            "new.range": (
                (int(red.new.range_min[i]), int(red.new.range_max[i])),
                (ref.new.range_min, ref.new.range_max),
            ),
            "new.table": (
                (int(red.new.table_min[i]), int(red.new.table_max[i])),
                (ref.new.table_min, ref.new.table_max),
            ),
            "floor": (int(red.new.floor[i]), ref.new.floor),
            "lowered": (bool(red.lowered[i]), ref.lowered),
            "eligible": (bool(red.eligible[i]), ref.eligible),
            "reduced_term": (engine_reduced, ref.reduced_term),
            "term": (int(red.term[i]), ref.term),
            "release": (int(red.release[i]), ref.release),
            "saved_as_projected": (int(red.saved_as_projected[i]), ref.saved_as_projected),
        }
        for name, (eng, exp) in pairs.items():
            if eng != exp:
                out.append(f"person {i} {case}: {name} engine={eng} reference={exp}")
    return out


def check(pop, change: Change, effective: int = EFFECTIVE, earliest: int | None = None) -> None:
    bad = disagreements(pop, change, effective, earliest)
    assert not bad, "\n".join(bad[:10])


# ------------------------------------------------------------------------ strategies
A782 = Change({d: "2014" for d in DRUG_NAMES}, {})
A706 = Change({"cocaine_base": "2007"}, {})
A750 = Change({"cocaine_base": "2011"}, {})
NO_CHANGE = Change({}, {})


@st.composite
def changes(draw) -> Change:
    """An edition switch for drugs the edition can score and/or a base-level shift."""
    edition = {}
    if draw(st.booleans()):
        name = draw(st.sampled_from(EDITIONS))
        valid = [d for d in DRUG_NAMES if edition_scores(name, d)]
        drugs = draw(st.lists(st.sampled_from(valid), min_size=1, unique=True))
        edition = dict.fromkeys(drugs, name)
    shift = {}
    if draw(st.booleans()) or not edition:
        lo = draw(st.integers(1, 43))
        hi = draw(st.integers(lo, 43))
        levels = draw(st.integers(-6, 2))
        drugs = draw(st.lists(st.sampled_from(DRUG_NAMES), min_size=1, unique=True))
        shift = dict.fromkeys(drugs, (levels, lo, hi))
    return Change(edition, shift)


all_changes = st.one_of(st.sampled_from([A782, A706, A750, NO_CHANGE]), changes())
effective_days = st.one_of(
    st.sampled_from([day(d) for d in ("2008-03-03", "2011-11-01", "2014-11-01")]),
    st.integers(day("2005-01-01"), day("2016-12-31")),
)
earliest_offsets = st.one_of(st.none(), st.integers(0, 500))


# ------------------------------------------------------------------------ the differential test
@given(pop=populations(), change=all_changes, effective=effective_days, offset=earliest_offsets)
def test_engine_agrees_with_reference(pop, change, effective, offset):
    earliest = None if offset is None else effective + offset
    check(pop, change, effective, earliest)


@given(pop=populations(drugs=("cocaine_base",)), change=st.sampled_from([A706, A750, A782]))
def test_engine_agrees_with_reference_on_crack_amendments(pop, change):
    effective = {"2007": day("2008-03-03"), "2011": day("2011-11-01")}.get(
        change.edition["cocaine_base"], EFFECTIVE
    )
    check(pop, change, effective, effective)


@st.composite
def retermed(draw, pop):
    """The population with terms moved off the guideline point: above the range, far below it,
    life (470); releases recomputed (resentenced or earlier-reduced stock)."""
    law = load_law()
    shifts = draw(
        st.lists(
            st.one_of(st.integers(-60, 120), st.just(470)),
            min_size=len(pop),
            max_size=len(pop),
        )
    )
    terms = []
    # a term holds its consecutive §924(c) months and a month of drug term besides
    for t, k, fa in zip(pop.term, shifts, pop.firearm_924c_months, strict=True):
        terms.append(470 if k == 470 else min(max(int(t) + k, int(fa) + 1), 470))
    term = np.array(terms, np.int16)
    return pop.replace(term=term, release_date=pop.release_for(law, term))


@given(data=st.data(), change=all_changes, effective=effective_days, offset=earliest_offsets)
def test_engine_agrees_with_reference_on_any_term(data, change, effective, offset):
    pop = data.draw(retermed(data.draw(populations(max_size=15))))
    earliest = None if offset is None else effective + offset
    check(pop, change, effective, earliest)


@given(
    pop=populations(first=day("1988-01-01"), last=day("2024-12-31")),
    change=all_changes,
    effective=st.integers(day("2005-01-01"), day("2026-01-01")),
    offset=earliest_offsets,
)
def test_engine_agrees_with_reference_first_step_act_era(pop, change, effective, offset):
    # §851 penalties from 2018-12-21 and good conduct time of 54 days from 2019-07-19
    earliest = None if offset is None else effective + offset
    check(pop, change, effective, earliest)


# ------------------------------------------------------------------------ targeted cases
EDGE_CASES = {
    # level caps: the table's floor (12) and ceiling (38), the top of the range (43)
    "floor_12": one(grams=1.0, acceptance=False),
    "marijuana_floor_6": one(drug="marijuana", grams=50.0, acceptance=False),
    "ceiling_38": one(grams=200_000.0, acceptance=False),
    "max_43": one(grams=200_000.0, acceptance=False, weapon=True, role=4, obstruction=True),
    "over_43_career": one(
        grams=200_000.0,
        weapon=True,
        role=4,
        obstruction=True,
        career=True,
        chp=20,
        acceptance=False,
        mm_charged=10,
        priors_851=2,
    ),
    # life: mandatory life (two priors, ten-year tier, before 2018) and level 43
    "mandatory_life": one(grams=5000.0, mm_charged=10, priors_851=2, acceptance=False),
    "mandatory_life_sa": one(
        grams=5000.0, mm_charged=10, priors_851=2, sub_assist=True, departure=0.5
    ),
    # quantity exactly at a mandatory-minimum threshold
    "heroin_at_100g": one(grams=100.0, mm_charged=5),
    "heroin_at_1kg": one(grams=1000.0, mm_charged=10),
    "crack_at_28g_fsa": one(
        drug="cocaine_base", grams=28.0, mm_charged=5, sentencing_date="2012-01-01"
    ),
    "crack_at_280g_fsa": one(
        drug="cocaine_base", grams=280.0, mm_charged=10, sentencing_date="2012-01-01"
    ),
    "crack_at_5g_pre_fsa": one(
        drug="cocaine_base", grams=5.0, mm_charged=5, sentencing_date="2009-01-01"
    ),
    "crack_at_50g_pre_fsa": one(
        drug="cocaine_base", grams=50.0, mm_charged=10, sentencing_date="2009-01-01"
    ),
    "meth_actual_at_50g": one(drug="methamphetamine_actual", grams=50.0, mm_charged=10),
    "safety_valve_at_floor": one(grams=1000.0, mm_charged=10, safety_valve=True),
    # substantial assistance below the range, with and without a binding floor
    "sa_below_range": one(sub_assist=True, departure=0.5),
    "sa_below_floor": one(
        drug="cocaine", grams=5000.0, mm_charged=10, sub_assist=True, departure=0.4
    ),
    "variance_below_range": one(departure=0.3),
    # time served exceeds the new term: custody from 2006, release just after 2014-11-01
    "time_served": one(grams=3000.0, custody_start="2006-01-01", sentencing_date="2007-01-01"),
    "time_served_crack": one(
        drug="cocaine_base",
        grams=60.0,
        custody_start="2003-01-01",
        sentencing_date="2004-01-01",
        position=0.0,
    ),
    # sentencing dates exactly on the edition and statute boundaries, and the day before
    "crack_2007_11_01": one(drug="cocaine_base", grams=30.0, sentencing_date="2007-11-01"),
    "crack_2007_10_31": one(drug="cocaine_base", grams=30.0, sentencing_date="2007-10-31"),
    "crack_2010_11_01": one(drug="cocaine_base", grams=30.0, sentencing_date="2010-11-01"),
    "crack_2010_10_31": one(drug="cocaine_base", grams=30.0, sentencing_date="2010-10-31"),
    "crack_2010_08_03": one(
        drug="cocaine_base", grams=30.0, mm_charged=5, sentencing_date="2010-08-03"
    ),
    "crack_2010_08_02": one(
        drug="cocaine_base", grams=30.0, mm_charged=5, sentencing_date="2010-08-02"
    ),
    "heroin_2014_11_01": one(grams=1000.0, sentencing_date="2014-11-01"),
    "heroin_2014_10_31": one(grams=1000.0, sentencing_date="2014-10-31"),
    "crack_2014_11_01": one(drug="cocaine_base", grams=30.0, sentencing_date="2014-11-01"),
    "oxycodone": one(drug="oxycodone", grams=300.0),
    "fentanyl_at_400g": one(drug="fentanyl", grams=400.0, mm_charged=10),
    "career_wins": one(career=True, chp=6, mm_charged=10, grams=1000.0),
    "career_loses": one(career=True, chp=6, grams=30_000.0, weapon=True, role=4),
    "infractions_2019_rule": one(grams=3000.0, infractions=5, sentencing_date="2013-01-01"),
    "short_term": one(grams=6.0, acceptance=True, departure=0.4),
}

EDGE_RUNS = [
    ("A782", A782, day("2014-11-01"), day("2015-11-01")),
    ("A782-undelayed", A782, day("2014-11-01"), None),
    ("A706", A706, day("2008-03-03"), day("2008-03-03")),
    ("A750", A750, day("2011-11-01"), day("2011-11-01")),
    ("minus-two", Change({}, dict.fromkeys(DRUG_NAMES, (-2, 13, 43))), EFFECTIVE, None),
    ("minus-six", Change({}, dict.fromkeys(DRUG_NAMES, (-6, 1, 43))), EFFECTIVE, None),
    ("plus-two", Change({}, dict.fromkeys(DRUG_NAMES, (2, 1, 43))), EFFECTIVE, None),
    ("2011-crack-1987", Change({"cocaine_base": "1987"}, {}), day("2016-01-01"), None),
]


@pytest.mark.parametrize("name", list(EDGE_CASES))
@pytest.mark.parametrize(("label", "change", "effective", "earliest"), EDGE_RUNS)
def test_edge_cases(name, label, change, effective, earliest):
    check(to_population([EDGE_CASES[name]]), change, effective, earliest)


def test_edge_case_population_is_what_the_names_say():
    pop = to_population(list(EDGE_CASES.values()))
    idx = {name: i for i, name in enumerate(EDGE_CASES)}
    level = reference_levels(pop)
    assert level[idx["floor_12"]] == 12
    assert level[idx["marijuana_floor_6"]] == 6
    assert level[idx["ceiling_38"]] == 38
    assert level[idx["max_43"]] == 43
    assert int(pop.term[idx["mandatory_life"]]) == law_data().life
    assert int(pop.term[idx["sa_below_floor"]]) < 120


def reference_levels(pop) -> list[int]:
    return [
        reference_reduce(c, NO_CHANGE, effective=EFFECTIVE, earliest_release=None).old.level
        for c in cases_of(pop)
    ]


def test_day_numbers_agree_with_the_simulator_calendar():
    for iso in ("1970-01-01", "2007-11-01", "2010-08-03", "2014-11-01", "2019-07-19"):
        assert day_number(iso) == day(iso)


@given(pop=populations(max_size=5), change=all_changes, effective=effective_days)
@example(pop=to_population(list(EDGE_CASES.values())), change=A782, effective=EFFECTIVE)
def test_engine_agrees_with_reference_small(pop, change, effective):
    check(pop, change, effective, None)


# ------------------------------------------------------------------------ known engine bugs
def tie_case():
    """Heroin 700 g, acceptance, CHC IV, 5-year tier with one §851 prior (floor 120), sentenced
    2014-01-01 with a §3553(e) motion to 45 months. Old 30 - 3 = 27: 100-125, cut to 120-125; A782:
    28 - 3 = 25: 84-105. Comparable reduction 45 * 84 / 120 = 31.5 -> 32 (halves to even)."""
    facts = dict(grams=700.0, chp=7, mm_charged=5, priors_851=1, sub_assist=True)
    pop = to_population([one(**facts, sentencing_date="2014-01-01")])
    term = np.array([45], np.int16)
    return pop.replace(term=term, release_date=pop.release_for(load_law(), term))


def test_tie_case_is_a_tie():
    pop = tie_case()
    case = cases_of(pop)[0]
    ref = reference_reduce(case, A782, effective=EFFECTIVE, earliest_release=None)
    assert (ref.old.range_min, ref.old.range_max, ref.new.table_min) == (120, 125, 84)
    assert full_reduction_exact(case, ref.old, ref.new) == Fraction(63, 2)
    assert ref.eligible and ref.reduced_term == 32


def test_exact_half_month_reduction_rounds_half_to_even():
    # 45 * 84 / 120 = 31.5 exactly: rounds to 32 (half to even), not 31 via 31.499999999999996
    pop = tie_case()
    bad = disagreements(pop, A782, EFFECTIVE, None)
    assert not bad, "\n".join(bad)


def test_engine_equals_reference_on_a_synthetic_stock(small_population, scenario_2014):
    r = scenario_2014.retroactivity
    for change in (A782, A706, A750):
        bad = disagreements(small_population, change, day(r.effective), day(r.earliest_release))
        assert not bad, "\n".join(bad[:10])


def test_sentence_before_the_first_penalty_period_uses_the_earliest_penalties():
    row = one(
        grams=5000.0,
        mm_charged=10,
        priors_851=2,
        acceptance=False,
        sentencing_date="1986-06-01",
        custody_start="1986-01-01",
    )
    bad = disagreements(to_population([row]), A782, EFFECTIVE, None)
    assert not bad, "\n".join(bad)
