"""Hypothesis strategies: small populations built directly, sentenced under the law of their date.

Every person's facts are drawn column by column within the ranges real cases take; the term and
projected release come from :func:`simulator.inputs.synthesis.sentence`, so each person's
sentence is the one the law of the sentencing date gives for the drawn facts (no replayed
earlier amendments).
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from simulator.calendar import day
from simulator.inputs.synthesis import sentence
from simulator.law import DRUGS, SECOND_DRUGS, load_law
from simulator.model.population import SCHEMA, Population
from simulator.model.reduction import Amendment

EFFECTIVE = day("2014-11-01")
FIRST_SENTENCED = day("1996-01-01")
LAST_SENTENCED = day("2016-12-31")
RECENT = day("2007-01-01")

# log10 grams ranges, by drug: from well under the smallest bound to past the table's top
_LOG10_GRAMS = {
    "heroin": (-1.0, 5.5),
    "cocaine": (-1.0, 6.0),
    "cocaine_base": (-1.5, 4.5),
    "methamphetamine": (-1.0, 5.0),
    "methamphetamine_actual": (-1.5, 4.0),
    "marijuana": (1.0, 8.5),
    "oxycodone": (-1.0, 4.0),
    "fentanyl": (-1.0, 4.0),
}
ROLES = (-4, -3, -2, 0, 0, 0, 2, 3, 4)


@st.composite
def person(
    draw,
    *,
    drugs: tuple[str, ...] = DRUGS,
    first: int = FIRST_SENTENCED,
    last: int = LAST_SENTENCED,
) -> dict:
    """One person's facts (everything but ``id``, ``term`` and ``release_date``)."""
    law = load_law()
    drug = draw(st.sampled_from(drugs))
    lo, hi = _LOG10_GRAMS[drug]
    grams = 10.0 ** draw(st.floats(lo, hi, allow_nan=False, allow_infinity=False))
    # a second drug for some: drug counts grouped under USSG §3D1.2(d)
    drug2 = draw(st.sampled_from(("none",) * 3 + DRUGS))
    drug2 = "none" if drug2 == drug else drug2
    grams2 = 0.0
    if drug2 != "none":
        lo2, hi2 = _LOG10_GRAMS[drug2]
        grams2 = 10.0 ** draw(st.floats(lo2, hi2, allow_nan=False, allow_infinity=False))
    # half the people are sentenced in the years before 2014-11-01, so that many are still in
    # custody on the effective dates the tests use
    recent = st.integers(max(first, RECENT), max(first, min(last, EFFECTIVE - 1)))
    sent = draw(st.one_of(recent, st.integers(first, last)))
    weapon = draw(st.booleans())
    role = draw(st.sampled_from(ROLES))
    chp = draw(st.integers(0, 25))
    career = chp >= 4 and draw(st.booleans())
    status = 2 if chp >= 3 and draw(st.booleans()) else 0
    violent = draw(st.booleans())
    # the points besides status points as prior sentences (USSG §4A1.1): 3-point, 2-point, and
    # 1-point ones (at most 4 points counted)
    rest = chp - status
    threes = draw(st.integers(0, rest // 3))
    left = rest - 3 * threes
    cap = law.one_point_max  # USSG §4A1.1(c)
    twos = draw(st.integers(max(0, -(-(left - cap) // 2)), left // 2))
    one_point = left - 2 * twos
    prior_2pt_violent = violent and twos > 0 and draw(st.booleans())
    # the safety valve: its other conditions drawn, the criminal history the law's of the day
    sv_conditions = not weapon and role <= 0 and not career and draw(st.booleans())
    safety_valve = sv_conditions and bool(
        law.safety_valve.statute.met(
            chp=law.criminal_history_points(np.array([chp]), np.array([status]),
                                            np.array([sent])),
            one_point=np.array([one_point]), prior_3pt=np.array([threes > 0]),
            prior_2pt_violent=np.array([prior_2pt_violent]), when=np.array([sent]),
        )[0]
    )  # fmt: skip
    # a §924(c) count for some of the people with a weapon: a first conviction's 5, 7 or 10
    # years, or a stacked 25 (18 U.S.C. §924(c)(1)(A), (C)); it runs after the drug term
    firearm = draw(st.sampled_from((0, 0, 60, 84, 120, 300))) if weapon else 0
    sub_assist = draw(st.booleans())
    supported = int(
        law.grouped_tier(
            np.array([DRUGS.index(drug)]), np.array([grams]),
            np.array([SECOND_DRUGS.index(drug2) - 1]), np.array([grams2]), np.array([sent]),
        )[0]
    )  # fmt: skip
    mm = supported if draw(st.booleans()) else 0
    priors = draw(st.integers(0, 2)) if mm > 0 else 0
    if sub_assist:
        departure = draw(st.floats(0.05, 0.7))
    else:
        departure = draw(st.one_of(st.just(0.0), st.floats(0.0, 0.5)))
    return dict(
        drug=DRUGS.index(drug), grams=grams, weapon=weapon, role=role,
        obstruction=draw(st.booleans()), acceptance=draw(st.booleans()),
        safety_valve=safety_valve, sub_assist=sub_assist, career=career, chp=chp,
        mm_charged=mm, priors_851=priors, position=draw(st.floats(0.0, 1.0)),
        departure=departure, offense_date=sent - draw(st.integers(0, 900)), sentencing_date=sent,
        custody_start=sent - draw(st.integers(0, 500)), table_date=sent,
        age=draw(st.integers(18, 80)), female=draw(st.booleans()), race=draw(st.integers(0, 3)),
        noncitizen=draw(st.booleans()), infractions=draw(st.integers(0, 6)),
        violent=violent,
        u_grant=draw(st.floats(0.0, 1.0, exclude_max=True, width=32)),
        status_points=status,
        zp_excluded=draw(st.booleans()), rdap=draw(st.booleans()), ftc=draw(st.booleans()),
        denied_by=draw(st.sampled_from([0, 0, 0, 1, 2, 4, 8, 24])),
        sv_conditions=sv_conditions, one_point=one_point, prior_3pt=threes > 0,
        prior_2pt_violent=prior_2pt_violent, firearm_924c_months=firearm,
        drug2=SECOND_DRUGS.index(drug2), grams2=grams2,
    )  # fmt: skip


def to_population(rows: list[dict]) -> Population:
    """Sentence the drawn people under the law of their date and build a :class:`Population`."""
    cases = {
        name: np.array([r[name] for r in rows], dtype=SCHEMA[name].dtype)
        for name in SCHEMA
        if name not in ("id", "term", "release_date", "reduced_by")
    }
    out = sentence(load_law(), cases)
    out["id"] = np.arange(len(rows), dtype=np.int32)
    return Population.from_arrays(out, meta={"seed": None, "source": "hypothesis"})


@st.composite
def populations(draw, *, min_size: int = 1, max_size: int = 30, **person_kwargs) -> Population:
    """A small population of people with consistent sentences."""
    rows = draw(st.lists(person(**person_kwargs), min_size=min_size, max_size=max_size))
    return to_population(rows)


def level_shift(drugs: list[int], levels: int, lo: int = 1, hi: int = 43) -> Amendment:
    """An amendment adding ``levels`` to the base level of ``drugs`` (base level in lo..hi)."""
    return Amendment({}, {d: (levels, lo, hi) for d in drugs})


@st.composite
def amendments(draw) -> Amendment:
    """A guideline change: a Drug Quantity Table edition and/or a level shift for some drugs."""
    law = load_law()
    codes = st.lists(st.integers(0, len(DRUGS) - 1), min_size=1, max_size=len(DRUGS), unique=True)
    edition = {}
    if draw(st.booleans()):
        ed = draw(st.sampled_from(law.editions))
        edition = {d: law.edition_index(ed) for d in draw(codes)}
    shift = {}
    if draw(st.booleans()) or not edition:
        lo = draw(st.integers(1, 43))
        hi = draw(st.integers(lo, 43))
        levels = draw(st.integers(-6, 2))
        shift = {d: (levels, lo, hi) for d in draw(codes)}
    return Amendment(edition, shift)


effective_days = st.integers(day("2005-01-01"), day("2016-12-31"))


def person_row(**facts) -> dict:
    """One person's facts: 1 kg heroin, acceptance, CHC I, no tier, mid-range, sentenced 2012.

    Keyword arguments replace facts; a drug may be named and dates given as ISO text. A new
    sentencing date moves the table date, custody start and offense date with it.
    """
    row = {
        "drug": DRUGS.index("heroin"), "grams": 1000.0, "weapon": False, "role": 0,
        "obstruction": False, "acceptance": True, "safety_valve": False, "sub_assist": False,
        "career": False, "chp": 0, "mm_charged": 0, "priors_851": 0, "position": 0.5,
        "departure": 0.0, "offense_date": day("2011-01-01"), "sentencing_date": day("2012-01-01"),
        "custody_start": day("2011-06-01"), "table_date": day("2012-01-01"), "age": 30,
        "female": False, "race": 0, "noncitizen": False, "infractions": 0, "violent": False,
        "u_grant": 0.5, "status_points": 0, "zp_excluded": False, "rdap": False,
        "ftc": False, "denied_by": 0,
    }  # fmt: skip
    if "drug" in facts and isinstance(facts["drug"], str):
        facts["drug"] = DRUGS.index(facts["drug"])
    for key in ("sentencing_date", "custody_start"):
        if isinstance(facts.get(key), str):
            facts[key] = day(facts[key])
    if "sentencing_date" in facts:
        facts.setdefault("table_date", facts["sentencing_date"])
        facts.setdefault("custody_start", facts["sentencing_date"] - 100)
        facts.setdefault("offense_date", facts["sentencing_date"] - 300)
    row.update(facts)
    # the safety valve's other conditions and the criminal history it reads, unless given: as a
    # file without them is read (the conditions as the safety valve applied, as many 1-point
    # points as the points allow, no prior 3-point or 2-point violent offense)
    row.setdefault("sv_conditions", row["safety_valve"])
    row.setdefault("one_point", max(0, min(row["chp"] - row["status_points"], 4)))  # §4A1.1(c)
    row.setdefault("prior_3pt", False)
    row.setdefault("prior_2pt_violent", False)
    row.setdefault("firearm_924c_months", 0)
    if isinstance(row.get("drug2"), str):
        row["drug2"] = SECOND_DRUGS.index(row["drug2"])
    row.setdefault("drug2", 0)  # no second drug
    row.setdefault("grams2", 0.0)
    return row
