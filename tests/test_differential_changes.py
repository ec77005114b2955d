"""Differential test of every change type: the engine against the per-person reference.

The reference (``reference_changes.py``) reads the changes as plain dicts and scores one person at
a time; the engine resolves the validated scenario models and scores arrays. Both must agree on
every person's old and new range, floor, eligibility, reduced term and release day, for the
changes of every shipped scenario and for generated change lists of every type (edges included:
ratios that make crack like powder or harsher, thresholds at the quantity, floors of zero, life
terms, prospective changes and covered-offense dates).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from reference_calculator import DRUG_NAMES, case_counting_life, edition_scores, law_data
from reference_calculator import life_counted_as as life_in_reference
from reference_changes import reference_reduce_changes
from strategies import person_row as one
from strategies import populations, to_population
from test_reference_calculator import cases_of

import simulator as sim
from simulator.calendar import day
from simulator.law import load_law, retroactive_amendments
from simulator.model.apply import life_counted_as
from simulator.model.changes import amendment_for
from simulator.model.reduction import reduce
from simulator.scenario import validate

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
EDITIONS = sorted(law_data().dqt)
LAST_SENTENCED = day("2025-06-30")  # past Amendment 821 (2023-11-01)


def raw_changes(path: Path) -> tuple[list[dict], dict]:
    """A scenario file's non-clemency changes and its retroactivity block, as plain YAML."""
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [c for c in doc["changes"] if c["type"] != "clemency"], doc["retroactivity"]


def scenario_of(changes: list[dict], effective: dt.date) -> sim.Scenario:
    """A minimal valid scenario around a change list (the engine's side of the comparison)."""
    return validate(
        {
            "title": "differential",
            "reference": "tests",
            "changes": copy.deepcopy(changes),
            "retroactivity": {"effective": effective},
            "grant": {"rate": 1.0},
            "costs": {"per_bed_year": 1.0},
        }
    )


def disagreements(
    pop, changes: list[dict], effective: int, earliest: int | None, life: int | None = None
) -> list[str]:
    """Every field on which engine and reference differ, person by person.

    ``life`` counts life as that many months (a scenario's ``conventions.life_months``) on
    both sides: the engine through :func:`simulator.model.apply.life_counted_as`, the
    reference by reading "life" in the law files as ``life``.
    """
    original = pop
    law, pop = life_counted_as(load_law(), pop, life)
    scenario = scenario_of(changes, dt.date(1970, 1, 1) + dt.timedelta(days=effective))
    red = reduce(
        law,
        pop,
        amendment_for(law, scenario.changes, effective=effective),
        effective=effective,
        earliest_release=earliest,
        grant_prob=np.ones(len(pop)),
        uniforms=pop.u_grant,
    )
    out = []
    with life_in_reference(life):
        cases = [case_counting_life(c, life) for c in cases_of(original)]
        refs = [
            reference_reduce_changes(c, changes, effective=effective, earliest_release=earliest)
            for c in cases
        ]
    for i, (case, ref) in enumerate(zip(cases, refs, strict=True)):
        pairs = {
            "old.range": (
                (int(red.old.level[i]), int(red.old.range_min[i]), int(red.old.range_max[i])),
                (ref.old.level, ref.old.range_min, ref.old.range_max),
            ),
            "new.level": (int(red.new.level[i]), ref.new.level),
            "new.category": (int(red.new.category[i]), "I II III IV V VI".split().index(
                ref.new.category
            )),
            "new.range": (
                (int(red.new.range_min[i]), int(red.new.range_max[i])),
                (ref.new.range_min, ref.new.range_max),
            ),
            "new.table": (
                (int(red.new.table_min[i]), int(red.new.table_max[i])),
                (ref.new.table_min, ref.new.table_max),
            ),
            "new.tier": (int(red.new.tier[i]), ref.new.tier),
            "new.floor": (int(red.new.floor[i]), ref.new.floor),
            "lowered": (bool(red.lowered[i]), ref.lowered),
            "eligible": (bool(red.eligible[i]), ref.eligible),
            "reduced_term": (int(red.reduced_term[i]), ref.reduced_term),
            "term": (int(red.term[i]), ref.term),
            "release": (int(red.release[i]), ref.release),
        }  # fmt: skip
        for name, (eng, exp) in pairs.items():
            if eng != exp:
                out.append(f"person {i} {case}: {name} engine={eng} reference={exp}")
    return out


def check(
    pop, changes: list[dict], effective: int, earliest: int | None = None, life: int | None = None
) -> None:
    bad = disagreements(pop, changes, effective, earliest, life)
    assert not bad, "\n".join(bad[:10])


# ------------------------------------------------------------------------ generated changes
dates = st.sampled_from(["2007-11-01", "2010-08-03", "2014-11-01", "2018-12-21", "2023-11-01"])
drug_lists = st.lists(st.sampled_from(DRUG_NAMES), min_size=1, max_size=4, unique=True)


@st.composite
def scope_keys(draw) -> dict:
    """The keys every change may carry: prospective (or applies), own effective day, offenses."""
    out: dict = {}
    if draw(st.integers(0, 3)) == 0:
        out["retroactive"] = False
    if draw(st.integers(0, 3)) == 0:
        out["effective"] = dt.date.fromisoformat(draw(dates))
    if draw(st.integers(0, 3)) == 0:
        out["offenses_before"] = dt.date.fromisoformat(draw(dates))
    if draw(st.integers(0, 3)) == 0:
        out["sentenced_before"] = dt.date.fromisoformat(draw(dates))
    if draw(st.integers(0, 3)) == 0:
        out["statutory_tiers"] = draw(
            st.lists(st.sampled_from([0, 5, 10]), min_size=1, unique=True)
        )
    if draw(st.integers(0, 3)) == 0:
        out["denied_before"] = draw(st.sampled_from([am.name for am in retroactive_amendments()]))
    if draw(st.integers(0, 3)) == 0:  # supersedes retroactive
        out["applies"] = draw(st.sampled_from(["retroactive", "prospective", "both"]))
    return out


@st.composite
def drug_table(draw) -> dict:
    name = draw(st.sampled_from(EDITIONS))
    valid = [d for d in DRUG_NAMES if edition_scores(name, d)]
    drugs = draw(st.lists(st.sampled_from(valid), min_size=1, unique=True))
    return {"type": "drug_table", "edition": name, "drugs": drugs}


@st.composite
def level_shift(draw) -> dict:
    lo = draw(st.integers(1, 43))
    return {
        "type": "level_shift",
        "levels": draw(st.integers(-6, 2)),
        "drugs": draw(drug_lists),
        "from_level": lo,
        "to_level": draw(st.integers(lo, 43)),
    }


@st.composite
def crack_powder_ratio(draw) -> dict:
    guideline = draw(st.booleans())
    powder = [e for e in EDITIONS if edition_scores(e, "cocaine")]
    return {
        "type": "crack_powder_ratio",
        "ratio": draw(st.sampled_from([1, 2.5, 10, 18, 100, 0.5, 1000])),
        "powder_edition": draw(st.sampled_from(powder)),
        "guideline": guideline,
        "statutory": draw(st.booleans()) if guideline else True,
    }


@st.composite
def mandatory_minimum(draw) -> dict:
    out = {"type": "mandatory_minimum", "drugs": draw(drug_lists)}
    source = draw(st.sampled_from(["thresholds_on", "thresholds", "floors", "both"]))
    if source == "thresholds_on":
        out["thresholds_on"] = dt.date.fromisoformat(draw(dates))
    if source in ("thresholds", "both"):
        five = draw(st.sampled_from([None, 0.0, 5.0, 28.0, 100.0, 500.0, 1e5]))
        ten = draw(st.sampled_from([None, 50.0, 280.0, 1000.0, 5000.0, 1e6]))
        if five is not None and ten is not None and five > ten:
            five, ten = ten, five
        out["thresholds"] = {"five_year": five, "ten_year": ten}
    if source in ("floors", "both"):
        out["floors"] = {
            "five_year": draw(st.sampled_from([None, 0, 24, 60, 84])),
            "ten_year": draw(st.sampled_from([None, 0, 60, 120, 180])),
        }
    return out


@st.composite
def enhancement_851(draw) -> dict:
    if draw(st.booleans()):
        return {"type": "enhancement_851", "terms_on": draw(st.sampled_from(
            [dt.date(2018, 12, 21), dt.date(2000, 1, 1)]
        ))}  # fmt: skip
    terms = st.sampled_from([None, 0, 120, 180, 240, 300, "life"])
    out = {"type": "enhancement_851"}
    for tier in draw(st.lists(st.sampled_from(["five_year", "ten_year"]), min_size=1, unique=True)):
        out[tier] = {"one_prior": draw(terms), "two_or_more": draw(terms)}
    return out


@st.composite
def criminal_history(draw) -> dict:
    out = {"type": "criminal_history"}
    parts = draw(
        st.sampled_from([("status_points",), ("zero_point",), ("status_points", "zero_point")])
    )
    if "status_points" in parts:
        out["status_points"] = {
            "points": draw(st.integers(0, 2)),
            "min_other_points": draw(st.integers(0, 10)),
        }
    if "zero_point" in parts:
        out["zero_point"] = {"levels": draw(st.integers(-4, 0))}
    return out


@st.composite
def safety_valve(draw) -> dict:
    """The safety valve's rules of a day: before the statute, the 1994 and 2018 statutes, the
    guidelines of 1995 (level 26), 2001 (level floor) and 2023 (Amendment 817)."""
    statutory = draw(st.booleans())
    on = draw(st.sampled_from(["1990-01-01", "1995-01-01", "1998-06-01", "2005-01-01",
                               "2018-12-21", "2020-06-01", "2023-11-01"]))  # fmt: skip
    return {
        "type": "safety_valve",
        "rules_on": dt.date.fromisoformat(on),
        "statutory": statutory,
        "guideline": draw(st.booleans()) if statutory else True,
    }


ANY_CHANGE = st.one_of(
    drug_table(),
    level_shift(),
    crack_powder_ratio(),
    mandatory_minimum(),
    enhancement_851(),
    criminal_history(),
    safety_valve(),
)


@st.composite
def change_lists(draw) -> list[dict]:
    """One to three changes of any types, each possibly prospective or limited to offense dates."""
    return [{**draw(ANY_CHANGE), **draw(scope_keys())} for _ in range(draw(st.integers(1, 3)))]


effective_days = st.one_of(
    st.sampled_from([day(d) for d in ("2011-11-01", "2014-11-01", "2018-12-21", "2023-11-01")]),
    st.integers(day("2005-01-01"), day("2025-12-31")),
)
earliest_offsets = st.one_of(st.none(), st.integers(0, 400))
wide = populations(last=LAST_SENTENCED)


# ------------------------------------------------------------------------ the tests
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
@given(pop=wide)
def test_shipped_scenario_changes_agree_with_reference(path, pop):
    changes, retro = raw_changes(path)
    effective = day(str(retro["effective"]))
    earliest = retro.get("earliest_release")
    check(pop, changes, effective, day(str(earliest)) if earliest else None)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_changes_agree_on_a_synthetic_stock(path):
    scenario = sim.load_scenario(path)
    changes, retro = raw_changes(path)
    pop = sim.synthesize(scenario.population, seed=5, size=0.01)
    effective = day(str(retro["effective"]))
    earliest = retro.get("earliest_release")
    check(pop, changes, effective, day(str(earliest)) if earliest else None)


@given(pop=wide, changes=change_lists(), effective=effective_days, offset=earliest_offsets)
def test_any_change_list_agrees_with_reference(pop, changes, effective, offset):
    check(pop, changes, effective, None if offset is None else effective + offset)


#: Months a scenario may count life for (None: the Commission's 470 of data/law).
life_counts = st.sampled_from([None, 470, 471, 600, 1200])


@given(pop=wide, changes=change_lists(), effective=effective_days, life=life_counts)
def test_any_change_list_agrees_with_reference_however_life_is_counted(
    pop, changes, effective, life
):
    """Life counted otherwise (a scenario's conventions.life_months) on both sides."""
    check(pop, changes, effective, None, life)


# ------------------------------------------------------------------------ edges, by hand
def crack(grams: float, **facts) -> dict:
    return one(drug="cocaine_base", grams=grams, **facts)


def meth(**facts) -> dict:
    """60 g of methamphetamine on the five-year tier, meeting the safety valve's other
    conditions (no weapon, no aggravating role, truthful disclosure)."""
    return one(**{"drug": "methamphetamine", "grams": 60.0, "mm_charged": 5,
                  "sv_conditions": True, **facts})  # fmt: skip


EDGES = {
    # exactly at the 1986 thresholds and at the FSA ones, charged with the tier
    "crack at 50 g, ten-year tier": crack(50.0, mm_charged=10, sentencing_date="2009-06-01"),
    "crack at 28 g, five-year tier": crack(28.0, mm_charged=5, sentencing_date="2009-06-01"),
    "crack at 280 g after the FSA": crack(280.0, mm_charged=10, sentencing_date="2012-06-01"),
    # two §851 priors on the ten-year tier before 2018: life
    "life under §851": crack(
        500.0, mm_charged=10, priors_851=2, chp=9, sentencing_date="2005-06-01",
        custody_start="2004-06-01",
    ),
    # status points with exactly 7 other points, and zero points
    "status points, 7 others": one(chp=9, status_points=2, sentencing_date="2020-06-01"),
    "status points, 6 others": one(chp=8, status_points=2, sentencing_date="2020-06-01"),
    # sentenced under Amendment 821 itself
    "status points, sentenced 2024": one(chp=8, status_points=2, sentencing_date="2024-03-01"),
    "zero-point, sentenced 2024": one(chp=0, sentencing_date="2024-03-01", grams=3000.0),
    "zero-point offender": one(chp=0, sentencing_date="2021-06-01", grams=3000.0),
    "zero points but a weapon": one(chp=0, weapon=True, sentencing_date="2021-06-01"),
    # substantial assistance below a mandatory life term (two §851 priors before 2018), and a
    # term inside a range whose top is life: both are counted with the life convention
    "substantial assistance below life": crack(
        500.0, mm_charged=10, priors_851=2, chp=9, sub_assist=True, departure=0.5,
        sentencing_date="2005-06-01", custody_start="2004-06-01",
    ),
    "in a range up to life": crack(
        5000.0, mm_charged=10, chp=13, weapon=True, role=4, position=0.6,
        sentencing_date="2005-06-01",
        custody_start="2004-06-01",
    ),
    # substantial assistance below a floor; a career offender
    "substantial assistance": crack(
        60.0, mm_charged=10, sub_assist=True, departure=0.5, sentencing_date="2008-06-01"
    ),
    "career offender": crack(60.0, career=True, chp=12, sentencing_date="2008-06-01"),
    # the safety valve (18 U.S.C. §3553(f), USSG §5C1.2, §2D1.1(b)): 60 g of methamphetamine
    # reaches the five-year tier; each meets the other conditions, (f)(2)-(5)
    "four 1-point offenses, 2010": meth(chp=4, one_point=4, sentencing_date="2010-06-01"),
    "four 1-point offenses, 2020": meth(chp=4, one_point=4, safety_valve=True,
                                        sentencing_date="2020-06-01"),
    "a prior 3-point offense, 2020": meth(chp=3, one_point=0, prior_3pt=True,
                                          sentencing_date="2020-06-01"),
    "three 2-point offenses, 2020": meth(chp=6, one_point=0, sentencing_date="2020-06-01"),
    "a 2-point violent offense, 2020": meth(chp=2, one_point=0, prior_2pt_violent=True,
                                            violent=True, sentencing_date="2020-06-01"),
    "level floor of 17, 2016": meth(role=-4, safety_valve=True, sentencing_date="2016-06-01"),
    "no level floor, 2024": meth(role=-4, chp=1, one_point=1, safety_valve=True,
                                 sentencing_date="2024-06-01"),
    "before level 26 was dropped, 1998": one(grams=20.0, safety_valve=True,
                                             sentencing_date="1998-06-01", sv_conditions=True),
    "before the reduction, 1995": meth(safety_valve=True, sentencing_date="1995-03-01",
                                       drug="methamphetamine"),
    "before the statute, 1993": meth(sentencing_date="1993-06-01"),
}  # fmt: skip

EDGE_CHANGES = {
    "equal act": [{"type": "crack_powder_ratio", "ratio": 1}],
    "harsher ratio": [{"type": "crack_powder_ratio", "ratio": 1000, "guideline": True}],
    "fsa thresholds for covered offenses": [
        {"type": "mandatory_minimum", "drugs": ["cocaine_base"], "thresholds_on": "2010-08-03",
         "offenses_before": "2010-08-03"},
    ],
    "no floors": [
        {"type": "mandatory_minimum", "drugs": list(DRUG_NAMES),
         "floors": {"five_year": 0, "ten_year": 0}},
    ],
    "first step act §851": [{"type": "enhancement_851", "terms_on": "2018-12-21"}],
    "851 to life and back": [
        {"type": "enhancement_851", "ten_year": {"one_prior": "life", "two_or_more": 300}},
    ],
    "amendment 821": [
        {"type": "criminal_history", "status_points": {"points": 1, "min_other_points": 7}},
        {"type": "criminal_history", "zero_point": {"levels": -2}},
    ],
    "status points kept from 6 others": [
        {"type": "criminal_history", "status_points": {"points": 1, "min_other_points": 6}},
    ],
    # regression: with two penalty changes the amended periods were out of order, so a person
    # reached by the second change only got the first change's floors
    "heroin floors, then §851 terms": [
        {"type": "mandatory_minimum", "drugs": ["heroin"], "floors": {"ten_year": 0}},
        {"type": "enhancement_851", "terms_on": "2018-12-21"},
    ],
    "prospective only": [{"type": "crack_powder_ratio", "ratio": 1, "retroactive": False}],
    "first step act §402": [
        {"type": "safety_valve", "rules_on": "2018-12-21", "guideline": False,
         "sentenced_before": "2018-12-21"},
        {"type": "safety_valve", "rules_on": "2023-11-01", "statutory": False,
         "sentenced_before": "2023-11-01"},
    ],
    "the safety valve of 1995": [{"type": "safety_valve", "rules_on": "1995-01-01"}],
    "821 and the wider safety valve": [
        {"type": "criminal_history", "status_points": {"points": 1, "min_other_points": 7}},
        {"type": "safety_valve", "rules_on": "2023-11-01"},
    ],
}  # fmt: skip


@pytest.mark.parametrize("life", [None, 600])
@pytest.mark.parametrize("label", list(EDGE_CHANGES))
@pytest.mark.parametrize("effective", ["2011-11-01", "2018-12-21", "2023-11-01", "2025-01-01"])
def test_edge_cases_agree_with_reference(label, effective, life):
    changes = [
        {k: (dt.date.fromisoformat(v) if k.endswith(("_on", "_before")) else v)
         for k, v in ch.items()}
        for ch in EDGE_CHANGES[label]
    ]  # fmt: skip
    check(to_population(list(EDGES.values())), changes, day(effective), life=life)


def test_edge_population_is_what_the_names_say():
    pop = to_population(list(EDGES.values()))
    names = list(EDGES)
    life = load_law().life_months
    assert int(pop.term[names.index("life under §851")]) == life
    assert int(pop.chp[names.index("zero-point offender")]) == 0
    assert bool(pop.sub_assist[names.index("substantial assistance")])


def test_equal_act_lowers_a_crack_range_and_the_reference_sees_it():
    """A case the differential test must not pass vacuously: 1:1 lowers a 2009 crack range."""
    pop = to_population([crack(60.0, mm_charged=10, sentencing_date="2009-06-01")])
    case = cases_of(pop)[0]
    ref = reference_reduce_changes(
        case, EDGE_CHANGES["equal act"], effective=day("2012-01-01"), earliest_release=None
    )
    assert ref.eligible and ref.new.tier == 0 and ref.reduced_term < case.term
    check(pop, EDGE_CHANGES["equal act"], day("2012-01-01"))


def test_amended_penalty_periods_are_in_order():
    """Lookups count the period starts a day reaches, which needs them sorted (regression)."""
    from simulator.model.changes import resolve_changes

    changes = EDGE_CHANGES["heroin floors, then §851 terms"]
    scenario = scenario_of(changes, dt.date(2011, 11, 1))
    law = resolve_changes(load_law(), scenario.changes, effective=day("2011-11-01")).law
    assert (np.diff(law.penalty_from) > 0).all()
    pop = to_population([EDGES["crack at 50 g, ten-year tier"]])
    new = amendment_for(load_law(), scenario.changes, effective=day("2011-11-01")).rescore(
        load_law(), pop, None
    )
    assert int(new.floor[0]) == 120  # the heroin floors do not reach a crack offender


# ------------------------------------------------------------------------ clemency
#: Every shipped clemency scenario: filters or a selection score, petitions at the start or
#: arriving over time, decided in a random order or first come first served, in batches.
CLEMENCY_SCENARIOS = [p for p in SHIPPED if "clemency" in p.read_text(encoding="utf-8")]


def clemency_disagreements(pop, doc: dict) -> list[str]:
    """Engine against reference for a clemency scenario document, every petition granted."""
    from reference_changes import reference_commute

    from simulator.numeric import person_uniform

    doc = {**copy.deepcopy(doc), "grant": {"rate": 1.0}}
    scenario = validate(doc)
    red = sim.apply(pop, scenario).reduction
    clem = next(c for c in doc["changes"] if c["type"] == "clemency")
    others = [c for c in doc["changes"] if c["type"] != "clemency"]
    seed = int(pop.meta.get("seed") or 0)
    ref = reference_commute(
        cases_of(pop),
        clem,
        others,
        start=day(str(doc["retroactivity"]["effective"])),
        u_petition=person_uniform(pop.id, seed, "petition").tolist(),
        u_order=person_uniform(pop.id, seed, "review_order").tolist(),
        scale=float(pop.meta.get("size") or 1.0),
        u_arrival=person_uniform(pop.id, seed, "petition_arrival").tolist(),
        u_grant=pop.u_grant.tolist(),
        u_act=person_uniform(pop.id, seed, "batch_act").tolist(),
    )
    out = []
    for i, r in enumerate(ref):
        pairs = {
            "today's term": (int(red.reduced_term[i]), r.new_term),
            "granted": (bool(red.granted[i]), r.granted),
            "release": (int(red.release[i]), r.release),
        }
        for name, (eng, exp) in pairs.items():
            if eng != exp:
                out.append(f"person {i}: {name} engine={eng} reference={exp}")
    details = red.details["clemency"]
    totals = {
        "met_all": sum(r.met_all_at_start for r in ref),
        "petitions": sum(r.petition for r in ref),
        "decided": sum(r.decided for r in ref),
    }
    for name, expected in totals.items():
        if details[name] != expected:
            out.append(f"{name}: engine={details[name]} reference={expected}")
    return out


@pytest.mark.parametrize("path", CLEMENCY_SCENARIOS, ids=[p.stem for p in CLEMENCY_SCENARIOS])
def test_shipped_clemency_agrees_with_reference(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    pop = sim.synthesize(sim.load_scenario(path).population, seed=9, size=0.03)
    bad = clemency_disagreements(pop, doc)
    assert not bad, "\n".join(bad[:10])
    granted = sim.apply(pop, validate({**doc, "grant": {"rate": 1.0}})).reduction.granted
    assert granted.sum() > 0  # the comparison is not vacuous


#: The 2014 initiative with other review schedules, shares and a life weight (change 3).
SCHEDULE_VARIANTS = {
    "three capacities": {"capacity_per_month": [
        {"from": dt.date(2014, 1, 1), "per_month": 150}, {"from": dt.date(2015, 1, 1),
        "per_month": 900.5}, {"from": dt.date(2016, 6, 1), "per_month": 60}]},
    "one share": {"batch_share": 0.35},
    "no share": {"batch_share": None},
    "all at the start": {"arrival_months": None, "batch_share": [
        {"from": dt.date(2014, 4, 23), "share": 0.5}, {"from": dt.date(2015, 7, 1), "share": 0.0},
        {"from": dt.date(2016, 4, 1), "share": 1.0}]},
}  # fmt: skip


@pytest.mark.parametrize("variant", list(SCHEDULE_VARIANTS))
@pytest.mark.parametrize("life", [0.0, 3.0])
def test_clemency_schedules_agree_with_reference(variant, life):
    path = ROOT / "scenarios" / "2014_clemency_initiative.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    clem = doc["changes"][3]
    clem["review"].update(SCHEDULE_VARIANTS[variant])
    clem["selection"]["life_sentence"] = life
    pop = sim.synthesize(sim.load_scenario(path).population, seed=11, size=0.03)
    bad = clemency_disagreements(pop, doc)
    assert not bad, "\n".join(bad[:10])
    granted = sim.apply(pop, validate({**doc, "grant": {"rate": 1.0}})).reduction.granted
    assert granted.sum() > 10  # the comparison is not vacuous


def test_a_batch_share_of_zero_grants_nobody_in_engine_and_reference():
    # 0 is a share (no batch ever acts on a favourable petition), not an unset share: the
    # reference once read it as "every batch acts on all" (found by the property test below)
    path = ROOT / "scenarios" / "2014_clemency_initiative.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["changes"][3]["review"]["batch_share"] = 0.0
    pop = sim.synthesize(sim.load_scenario(path).population, seed=11, size=0.03)
    bad = clemency_disagreements(pop, doc)
    assert not bad, "\n".join(bad[:10])
    assert sim.apply(pop, validate({**doc, "grant": {"rate": 1.0}})).reduction.granted.sum() == 0


@st.composite
def clemency_docs(draw) -> dict:
    """A clemency scenario: random criteria, review flow and lag, and random other changes."""
    maybe = st.none() | st.just(True)
    criteria = {
        "lower_sentence_today": draw(st.none() | st.sampled_from([0.0, 0.1, 0.25, 0.5])),
        "non_violent_offense": draw(maybe),
        "min_years_served": draw(st.none() | st.sampled_from([0, 2, 5, 10])),
        "max_category": draw(st.none() | st.sampled_from(["I", "II", "IV", "VI"])),
        "max_infractions": draw(st.none() | st.integers(0, 3)),
        "no_violence_history": draw(maybe),
        "drugs": draw(st.none() | st.sampled_from([["cocaine_base"], ["heroin", "cocaine"]])),
    }
    rate = draw(st.sampled_from([0.3, 1.0]))
    review = {
        "petition_rate": rate,
        "petition_rate_met_all": draw(st.none() | st.just(1.0)),
        "capacity_per_month": draw(st.sampled_from([1, 3, 1000])),
        "until": draw(st.none() | st.sampled_from([dt.date(2016, 1, 1), dt.date(2030, 1, 1)])),
    }
    lag = {"months": draw(st.sampled_from([0, 4])), "life_months": draw(st.none() | st.just(12))}
    clem = {"type": "clemency", "criteria": criteria, "review": review, "release_lag": lag}
    others = draw(st.lists(ANY_CHANGE, max_size=2))
    start = draw(st.sampled_from([dt.date(2014, 4, 23), dt.date(2016, 1, 1), dt.date(2020, 6, 1)]))
    # the process: a petition score, arrivals over time, batches, a selection score, a cut's bounds
    used = [k for k, v in criteria.items() if v is not None and k != "drugs"]
    weight = st.sampled_from([-1.0, 0.5, 2.0])
    if draw(st.booleans()):
        for k in ("petition_rate", "petition_rate_met_all"):
            review.pop(k)
        review["petition"] = {
            "intercept": draw(st.sampled_from([-2.0, 0.0, 1.0])),
            "per_decade_term": draw(st.sampled_from([0.0, 0.3])),
            "per_decade_served": draw(st.sampled_from([0.0, 0.5])),
            "weights": {k: draw(weight) for k in used if draw(st.booleans())},
        }
    if draw(st.booleans()):
        review["arrival_months"] = draw(st.sampled_from([3, 12]))
    if draw(st.booleans()):  # a schedule of capacities: from the start (or before), then others
        first = start - dt.timedelta(days=draw(st.sampled_from([0, 30])))
        later = draw(st.lists(st.sampled_from([45, 200, 500, 1000]), max_size=2, unique=True))
        review["capacity_per_month"] = [
            {"from": first, "per_month": review["capacity_per_month"]},
            *({"from": start + dt.timedelta(days=d), "per_month": draw(st.sampled_from(
                [1, 2.5, 7, 1000]))} for d in sorted(later)),
        ]  # fmt: skip
    if draw(st.booleans()):
        review["batches"] = [start + dt.timedelta(days=d) for d in (100, 400, 900)]
        if draw(st.booleans()):
            review["batch_share"] = draw(
                st.sampled_from([0.0, 0.3, 1.0])
                | st.just([{"from": start, "share": 0.2},
                           {"from": start + dt.timedelta(days=300), "share": 0.7}])
            )  # fmt: skip
    if draw(st.booleans()):
        clem["selection"] = {
            "intercept": draw(st.sampled_from([-1.0, 0.0, 2.0])),
            "weights": {k: draw(weight) for k in used if draw(st.booleans())},
            "required": [k for k in used if draw(st.booleans())],
            "life_sentence": draw(st.sampled_from([0.0, 3.0])),
        }
    if draw(st.booleans()):
        clem["commutation"] = {"min_cut": draw(st.sampled_from([0.0, 0.1])),
                               "max_cut": draw(st.sampled_from([0.5, 0.9]))}  # fmt: skip
    return {
        "title": "differential clemency",
        "reference": "tests",
        "changes": [*others, clem],
        "retroactivity": {"effective": start},
        "grant": {"rate": 1.0},
        "costs": {"per_bed_year": 1.0},
    }


@given(pop=wide, doc=clemency_docs())
def test_any_clemency_agrees_with_reference(pop, doc):
    bad = clemency_disagreements(pop, doc)
    assert not bad, "\n".join(bad[:10])


def test_sentences_from_amendment_821_are_scored_under_it():
    """Status points and the zero-point decrease apply to sentences imposed from 2023-11-01."""
    from simulator.model.reduction import current_guideline

    rows = [EDGES["status points, sentenced 2024"], EDGES["zero-point, sentenced 2024"]]
    before = [{**r, "sentencing_date": day("2023-10-31"), "table_date": day("2023-10-31")}
              for r in rows]  # fmt: skip
    after, old = (
        current_guideline(load_law(), to_population(rows)),
        current_guideline(load_law(), to_population(before)),
    )
    # 6 other points and 2 status points: 8 points (IV) before, 6 (III) under §4A1.1(e)
    assert (int(old.category[0]), int(after.category[0])) == (3, 2)
    # no points, no weapon or role: two levels off under §4C1.1
    assert int(after.level[1]) == int(old.level[1]) - 2


def test_amended_thresholds_replace_those_of_todays_law():
    """Regression: a change's thresholds replace the law's, even when harsher than today's.

    Crack 10 g with a 5-year tier charged in 2007; re-sentenced under 2014 law (28 g) plus a
    100:1 statutory ratio (5 g), the tier stays: the engine used to cap it by today's thresholds.
    """
    doc = {
        "title": "t",
        "reference": "t",
        "changes": [
            {"type": "crack_powder_ratio", "ratio": 100, "guideline": False, "statutory": True},
            {"type": "clemency", "criteria": {}, "review": {"capacity_per_month": 1000}},
        ],
        "retroactivity": {"effective": dt.date(2014, 4, 23)},
        "grant": {"rate": 1.0},
        "costs": {"per_bed_year": 1.0},
    }
    row = crack(10.0, mm_charged=5, role=-4, acceptance=False, position=0.0,
                sentencing_date="2007-01-01", custody_start="2007-01-01")  # fmt: skip
    pop = to_population([row])
    assert int(pop.term[0]) == 60
    assert not clemency_disagreements(pop, doc)
    red = sim.apply(pop, validate(doc)).reduction
    assert int(red.new.tier[0]) == 5 and int(red.reduced_term[0]) == 60
