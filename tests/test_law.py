"""The law tables, checked cell by cell against the Guidelines Manual and the statutes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import ROOT

from simulator.calendar import day
from simulator.law import CATEGORIES, DRUGS, conventions, load_law

LIFE = 470
#: A month of a sentence: a twelfth of the mean Gregorian year.
DAYS_PER_MONTH = 365.2425 / 12
GCT_RULE_2019 = day("2019-07-19")


def _one(x) -> int:
    return int(np.asarray(x)[0])


def base_level(law, drug: str, grams: float, edition: str) -> int:
    return _one(
        law.base_offense_level(
            np.array([DRUGS.index(drug)], np.int8),
            np.array([grams]),
            np.array([law.edition_index(edition)]),
        )
    )


def edition_on(law, drug: str, when: str) -> str:
    idx = law.edition_on(np.array([DRUGS.index(drug)], np.int8), np.array([day(when)], np.int32))
    return law.editions[_one(idx)]


def tier(law, drug: str, grams: float, when: str) -> int:
    return _one(
        law.mandatory_tier(
            np.array([DRUGS.index(drug)], np.int8), np.array([grams]), np.array([day(when)])
        )
    )


def penalties(law, tier_years: int, priors: int, when: str) -> tuple[int, int]:
    floor, smax = law.penalties(np.array([tier_years]), np.array([priors]), np.array([day(when)]))
    return _one(floor), _one(smax)


def release_after(law, start: int, term: int, infractions: int = 0) -> int:
    out = law.release_day(np.array([start]), np.array([term]), np.array([infractions]))
    return _one(out) - start


# ------------------------------------------------------------------------ sentencing table
@pytest.mark.parametrize(
    ("level", "category", "lo", "hi"),
    [
        (32, "I", 121, 151),
        (30, "III", 121, 151),
        (38, "VI", 360, LIFE),
        (1, "I", 0, 6),
        (24, "IV", 77, 96),
        (34, "VI", 262, 327),
        (37, "VI", 360, LIFE),
    ]
    + [(43, c, LIFE, LIFE) for c in CATEGORIES],
)
def test_sentencing_table_cells(law, level, category, lo, hi):
    rmin, rmax = law.guideline_range(np.array([level]), np.array([CATEGORIES.index(category)]))
    assert (_one(rmin), _one(rmax)) == (lo, hi)


def test_sentencing_table_is_complete_and_monotone(law):
    levels = slice(1, 44)
    assert (law.range_min[levels] <= law.range_max[levels]).all()
    # a higher level or a higher category never lowers either end of the range
    assert (np.diff(law.range_min[levels].astype(int), axis=0) >= 0).all()
    assert (np.diff(law.range_max[levels].astype(int), axis=0) >= 0).all()
    assert (np.diff(law.range_min[levels].astype(int), axis=1) >= 0).all()
    assert (np.diff(law.range_max[levels].astype(int), axis=1) >= 0).all()
    # every cell above level 8 has a positive top
    assert (law.range_max[9:44] > 0).all()


def test_guideline_range_clips_out_of_table_levels(law):
    rmin, rmax = law.guideline_range(np.array([0, 50]), np.array([0, 0]))
    assert (int(rmin[0]), int(rmax[0])) == (0, 6)
    assert (int(rmin[1]), int(rmax[1])) == (LIFE, LIFE)


# ------------------------------------------------------------------------ criminal history
@pytest.mark.parametrize(
    ("points", "category"),
    [
        (0, "I"),
        (1, "I"),
        (2, "II"),
        (3, "II"),
        (4, "III"),
        (5, "III"),
        (6, "III"),
        (7, "IV"),
        (8, "IV"),
        (9, "IV"),
        (10, "V"),
        (11, "V"),
        (12, "V"),
        (13, "VI"),
        (14, "VI"),
        (40, "VI"),
    ],
)
def test_category_from_points(law, points, category):
    assert CATEGORIES[_one(law.category(np.array([points], np.int8)))] == category


# ------------------------------------------------------------------------ drug quantity table
@pytest.mark.parametrize(
    ("drug", "grams", "edition", "level"),
    [
        ("cocaine_base", 28, "2014", 24),
        ("cocaine_base", 28, "2011", 26),
        ("cocaine_base", 27.9, "2011", 24),
        ("cocaine_base", 5, "1987", 26),
        ("cocaine_base", 5, "2007", 24),
        ("cocaine_base", 4.99, "1987", 24),
        ("heroin", 1000, "pre2014", 32),
        ("heroin", 1000, "2014", 30),
        ("heroin", 999, "pre2014", 30),
        ("cocaine", 150_000, "pre2014", 38),
        ("cocaine", 150_000, "2014", 36),
        ("cocaine", 449_999, "2014", 36),
        ("cocaine", 450_000, "2014", 38),
        ("cocaine", 10_000_000, "2014", 38),
        ("cocaine", 0.1, "pre2014", 12),
        ("cocaine", 0.1, "2014", 12),
        ("heroin", 0.01, "2014", 12),
        ("marijuana", 100, "pre2014", 6),
        ("marijuana", 100, "2014", 6),
        ("methamphetamine_actual", 50, "pre2014", 32),
        ("methamphetamine_actual", 50, "2014", 30),
        ("methamphetamine", 500, "pre2014", 32),
        ("methamphetamine", 500, "2014", 30),
    ],
)
def test_drug_quantity_table(law, drug, grams, edition, level):
    assert base_level(law, drug, grams, edition) == level


def test_oxycodone_converts_to_marijuana(law):
    assert law.equivalency["oxycodone"] == 6700
    # 150 g oxycodone = 1,005 kg marijuana: at least 1,000 kg
    assert base_level(law, "oxycodone", 150, "pre2014") == 32
    assert base_level(law, "oxycodone", 150, "2014") == 30
    # 149 g = 998.3 kg marijuana: the level below
    assert base_level(law, "oxycodone", 149, "pre2014") == 30
    assert base_level(law, "oxycodone", 149, "2014") == 28
    # scored exactly like its marijuana equivalent
    grams = np.array([0.01, 1, 10, 100, 1e3, 1e4])
    for edition in ("pre2014", "2014"):
        e = np.full(grams.shape, law.edition_index(edition))
        oxy = law.base_offense_level(np.full(grams.shape, DRUGS.index("oxycodone")), grams, e)
        mj = law.base_offense_level(np.full(grams.shape, DRUGS.index("marijuana")), grams * 6700, e)
        assert (oxy == mj).all()


@pytest.mark.parametrize("drug", ["heroin", "cocaine", "methamphetamine", "marijuana"])
def test_amendment_782_is_minus_two_between_floor_and_ceiling(law, drug):
    grams = np.geomspace(1e-2, 1e9, 400)
    d = np.full(grams.shape, DRUGS.index(drug), np.int8)
    old = law.base_offense_level(d, grams, np.full(grams.shape, law.edition_index("pre2014")))
    new = law.base_offense_level(d, grams, np.full(grams.shape, law.edition_index("2014")))
    floor = 6 if drug == "marijuana" else 12
    assert (new <= old).all()
    assert (old - new <= 2).all()
    # strictly inside the table (old 16..36) every level falls by exactly two
    inside = (old >= floor + 2) & (old <= 36)
    assert inside.any()
    assert ((old - new)[inside] == 2).all()
    assert (new >= floor).all()
    assert new.max() == 38


def test_base_level_is_monotone_in_quantity(law):
    grams = np.geomspace(1e-3, 1e10, 300)
    for e, edition in enumerate(law.editions):
        for d, _drug in enumerate(DRUGS):
            lv = law.base_offense_level(
                np.full(grams.shape, d, np.int8), grams, np.full(grams.shape, e)
            )
            assert (np.diff(lv.astype(int)) >= 0).all(), (edition, _drug)


# ------------------------------------------------------------------------ editions by date
@pytest.mark.parametrize(
    ("drug", "when", "edition"),
    [
        ("cocaine_base", "1995-01-01", "1987"),
        ("cocaine_base", "2007-10-31", "1987"),
        ("cocaine_base", "2007-11-01", "2007"),
        ("cocaine_base", "2010-10-31", "2007"),
        ("cocaine_base", "2010-11-01", "2011"),
        ("cocaine_base", "2014-10-31", "2011"),
        ("cocaine_base", "2014-11-01", "2014"),
        ("heroin", "2014-10-31", "pre2014"),
        ("heroin", "2014-11-01", "2014"),
        ("cocaine", "2000-06-15", "pre2014"),
        ("marijuana", "2016-01-01", "2014"),
        ("oxycodone", "2014-10-31", "pre2014"),
        ("oxycodone", "2014-11-01", "2014"),
        ("fentanyl", "2020-01-01", "2014"),
    ],
)
def test_edition_on(law, drug, when, edition):
    assert edition_on(law, drug, when) == edition


# ------------------------------------------------------------------------ statutes
@pytest.mark.parametrize(
    ("drug", "grams", "when", "expected"),
    [
        ("cocaine_base", 50, "2010-08-02", 10),
        ("cocaine_base", 50, "2010-08-03", 5),
        ("cocaine_base", 5, "2010-08-02", 5),
        ("cocaine_base", 27, "2010-08-03", 0),
        ("cocaine_base", 28, "2010-08-03", 5),
        ("cocaine_base", 279, "2012-01-01", 5),
        ("cocaine_base", 280, "2010-08-03", 10),
        ("heroin", 99, "2005-01-01", 0),
        ("heroin", 100, "2005-01-01", 5),
        ("heroin", 1000, "2005-01-01", 10),
        ("cocaine", 5000, "2005-01-01", 10),
        ("methamphetamine_actual", 50, "2005-01-01", 10),
        ("marijuana", 1_000_000, "2005-01-01", 10),
        ("fentanyl", 40, "2005-01-01", 5),
        ("oxycodone", 1e9, "2005-01-01", 0),
        ("oxycodone", 1e9, "2020-01-01", 0),
    ],
)
def test_mandatory_tier(law, drug, grams, when, expected):
    assert tier(law, drug, grams, when) == expected


@pytest.mark.parametrize(
    ("tier_years", "priors", "when", "floor", "smax"),
    [
        (10, 0, "2010-01-01", 120, LIFE),
        (10, 1, "2010-01-01", 240, LIFE),
        (10, 2, "2010-01-01", LIFE, LIFE),
        (10, 1, "2018-12-20", 240, LIFE),
        (10, 2, "2018-12-20", LIFE, LIFE),
        (10, 1, "2018-12-21", 180, LIFE),
        (10, 2, "2018-12-21", 300, LIFE),
        (10, 0, "2018-12-21", 120, LIFE),
        (5, 0, "2010-01-01", 60, 480),
        (5, 1, "2010-01-01", 120, LIFE),
        (5, 0, "2020-01-01", 60, 480),
        (0, 0, "2010-01-01", 0, 240),
        (0, 1, "2010-01-01", 0, 360),
    ],
)
def test_penalties(law, tier_years, priors, when, floor, smax):
    assert penalties(law, tier_years, priors, when) == (floor, smax)


def test_priors_above_two_count_as_two(law):
    assert penalties(law, 10, 5, "2010-01-01") == penalties(law, 10, 2, "2010-01-01")


@pytest.mark.parametrize(
    ("statutory_max", "level"),
    [
        (LIFE, 37),
        (480, 34),
        (360, 34),
        (300, 34),
        (240, 32),
        (200, 29),
        (180, 29),
        (120, 24),
        (60, 17),
    ],
)
def test_career_offender_level(law, statutory_max, level):
    assert _one(law.career_level(np.array([statutory_max]))) == level


# ------------------------------------------------------------------------ good conduct time
def test_good_conduct_time_47_days(law):
    start = day("2000-01-01")
    expected = 120 * DAYS_PER_MONTH * (1 - 47 / 365)
    served = release_after(law, start, 120)
    assert abs(served - expected) <= 2
    assert 0.865 < served / (120 * DAYS_PER_MONTH) < 0.875


def test_good_conduct_time_54_days_after_first_step_act(law):
    term = 120
    served47 = release_after(law, day("2000-01-01"), term)
    served54 = term * DAYS_PER_MONTH * (1 - 54 / 365)
    # a 47-day release well after 2019-07-19 is recomputed at 54 days
    start = GCT_RULE_2019 + 400 - served47
    assert abs(release_after(law, start, term) - served54) <= 2
    # ... but never to a day before the rule began
    start = GCT_RULE_2019 + 10 - served47
    assert _one(law.release_day(np.array([start]), np.array([term]), np.array([0]))) == (
        GCT_RULE_2019
    )
    # a release before 2019-07-19 stays at 47 days
    start = GCT_RULE_2019 - 1 - served47
    assert release_after(law, start, term) == served47


def test_life_and_short_terms_earn_no_good_conduct_time(law):
    start = day("2005-03-01")
    assert abs(release_after(law, start, LIFE) - LIFE * DAYS_PER_MONTH) <= 1
    assert abs(release_after(law, start, 12) - 12 * DAYS_PER_MONTH) <= 1
    assert abs(release_after(law, start, 6) - 6 * DAYS_PER_MONTH) <= 1
    # 13 months earns credit
    assert release_after(law, start, 13) < 13 * DAYS_PER_MONTH - 40


# ------------------------------------------------------------------------ RDAP early release
def _rdap_gain(law, start, term):
    """Days earlier a person who completes RDAP leaves than one who does not."""
    args = (np.array([start] * 2), np.array([term] * 2), np.zeros(2))
    plain, early = law.release_day(*args, rdap=np.array([False, True]))
    return int(plain - early)


@pytest.mark.parametrize(
    ("term", "months"),
    [(24, 6), (30, 6), (31, 9), (36, 9), (37, 12), (120, 12), (LIFE, 0)],
)
def test_rdap_reduction_by_term_from_2009(law, term, months):
    # 28 C.F.R. §550.55(c) (74 Fed. Reg. 1892, effective 2009-03-16): 30 months or less, 6;
    # 31 to 36, 9; more, 12; a life term has no release date to advance
    on = np.array([day("2012-06-01")])
    assert _one(law.rdap_reduction(np.array([term]), on)) == months


@pytest.mark.parametrize("term", [24, 33, 120])
def test_rdap_reduction_is_one_year_before_the_2009_rule(law, term):
    # 18 U.S.C. §3621(e)(2)(B): "not more than one year"; the 1995 interim rule set no scale
    assert _one(law.rdap_reduction(np.array([term]), np.array([day("2005-06-01")]))) == 12
    # and nothing before the Bureau's first early releases (60 Fed. Reg. 27692, 1995-05-25)
    assert _one(law.rdap_reduction(np.array([term]), np.array([day("1995-05-24")]))) == 0


def test_rdap_moves_a_ten_year_release_one_year_earlier(law):
    # 120 months from 2010-01-01: 47 days a year of credit, then 12 months (365 days) of RDAP
    assert _rdap_gain(law, day("2010-01-01"), 120) == round(12 * DAYS_PER_MONTH)
    # a 33-month term released after 2009-03-16: 9 months
    assert _rdap_gain(law, day("2010-01-01"), 33) == round(9 * DAYS_PER_MONTH)


def test_rdap_steps_make_36_months_serve_longer_than_37_but_a_reduction_keeps_its_months(law):
    # 28 C.F.R. §550.55(c): 9 months off a 36-month term, 12 off a 37-month one, so as imposed
    # the shorter term ends later; a change that lowers 37 to 36 keeps the Bureau's
    # determination (12 months), so a lower term never releases anyone later
    start, rdap = np.array([day("2012-01-01")]), np.array([True])
    imposed_36 = _one(law.release_day(start, np.array([36]), np.zeros(1), rdap=rdap))
    imposed_37 = _one(law.release_day(start, np.array([37]), np.zeros(1), rdap=rdap))
    assert imposed_36 > imposed_37
    reduced = _one(
        law.release_day(start, np.array([36]), np.zeros(1), rdap=rdap, rdap_term=np.array([37]))
    )
    assert reduced < imposed_37


def test_rdap_never_releases_before_the_program_existed(law):
    # due 1995-09-01 without RDAP: 12 months earlier would be before 1995-05-25, so that day
    term = 60
    start = day("1995-09-01") - (release_after(law, 0, term))
    plain, early = law.release_day(
        np.array([start] * 2), np.array([term] * 2), np.zeros(2), rdap=np.array([False, True])
    )
    assert plain == day("1995-09-01")
    assert early == day("1995-05-25")
    # a release due before the rule began is not moved
    start = day("1995-01-01") - release_after(law, 0, term)
    assert _rdap_gain(law, start, term) == 0


def test_rdap_exclusions_are_the_regulations(law):
    # 28 C.F.R. §550.55(b)(1) detainers, (b)(4) prior violent conviction, (b)(5)(ii) firearm
    assert set(law.rdap_excluded) == {"noncitizen", "violent", "weapon", "life"}


# ------------------------------------------------------------- First Step Act time credits
def _ftc_release(law, start, due):
    return _one(law.time_credit_release(np.array([day(start)]), np.array([day(due)])))


def test_time_credits_advance_a_long_term_release_by_the_full_year(law):
    # in custody since 2015: by 2024 credits earned since 2018-12-21 at 15 days per 30 far
    # exceed 365, and 18 U.S.C. §3624(g)(3) caps the advance of supervised release at 12 months
    assert _ftc_release(law, "2015-01-01", "2025-01-01") == day("2025-01-01") - 365


def test_time_credits_earned_only_since_custody_began(law):
    # custody from 2021-01-01, due 2023-01-01: the new day d has 0.5 * (d - start) credits
    # covering the 2023-01-01 - d still to serve: d = start + 2/3 * 730 days, rounded up
    start = day("2021-01-01")
    assert _ftc_release(law, "2021-01-01", "2023-01-01") == start + math.ceil(730 * 2 / 3)


def test_time_credits_count_from_enactment_and_apply_from_january_2022(law):
    # credits count from 2018-12-21 (28 C.F.R. §523.42(b)), however early custody began
    before = _ftc_release(law, "2010-01-01", "2020-06-01")
    assert before == day("2020-06-01")  # due before the Bureau applied credits: not moved
    # due 2022-06-01: a year of credits would put it in 2021; no release before 2022-01-13
    assert _ftc_release(law, "2010-01-01", "2022-06-01") == day("2022-01-13")


def test_time_credit_exclusions_are_the_statutes(law):
    # 18 U.S.C. §3632(d)(4)(E) final orders of removal; (D)(lxvi) fentanyl organizers; life
    assert set(law.ftc["excluded"]) == {"noncitizen", "life", "fentanyl_leader"}
    assert law.ftc["rate"] == 0.5 and law.ftc["max_days"] == 365


def test_release_day_applies_rdap_then_time_credits(law):
    start = np.array([day("2015-01-01")] * 4)
    term = np.array([150] * 4)
    flags = dict(
        rdap=np.array([False, True, False, True]), ftc=np.array([False, False, True, True])
    )
    plain, rdap, ftc, both = law.release_day(start, term, np.zeros(4), **flags)
    assert plain - rdap == 365 and plain - ftc == 365 and plain - both == 730


@pytest.mark.parametrize("infractions", [1, 2, 3])
def test_infractions_delay_release_27_days_each(law, infractions):
    start = day("2003-05-05")
    clean = release_after(law, start, 120)
    assert release_after(law, start, 120, infractions) - clean == 27 * infractions


def test_infractions_never_make_release_later_than_no_credit(law):
    start = day("2003-05-05")
    assert abs(release_after(law, start, 24, 20) - 24 * DAYS_PER_MONTH) <= 1


def test_release_is_monotone_in_term(law):
    # a longer term is never released earlier (12 -> 13 months is the exception the law makes:
    # terms of a year and a day earn credit)
    terms = np.arange(13, LIFE + 1)
    for start in (day("1995-01-01"), day("2012-06-30"), day("2016-01-01")):
        rel = law.release_day(np.full(terms.shape, start), terms, np.zeros(terms.shape, int))
        assert (np.diff(rel.astype(np.int64)) >= 0).all()


# ------------------------------------------------------------------------ provenance
@pytest.mark.parametrize("path", sorted((ROOT / "data" / "law").iterdir()), ids=lambda p: p.name)
def test_every_law_file_names_its_source(path):
    text = path.read_text(encoding="utf-8")
    assert any("source:" in line for line in text.splitlines()), path.name


def test_conventions_are_read_from_the_data():
    c = conventions()
    assert (c.life_months, c.days_per_year, c.days_per_month) == (LIFE, 365.2425, DAYS_PER_MONTH)
    assert c.chc_points == (0, 2, 4, 7, 10, 13)
    assert c.fiscal_year(day("2014-09-30")) == 2014 and c.fiscal_year(day("2014-10-01")) == 2015
    assert (c.fiscal_year_start(2015), c.fiscal_year_end(2015)) == (
        day("2014-10-01"),
        day("2015-09-30"),
    )


def _marijuana_case(**facts):
    from simulator.runs.worksheet import case_population

    base = dict(drug="marijuana", grams=40_000, chp=15, sentenced="2016-06-01", term=60,
                role=4, weapon=True, mm_tier=0)  # fmt: skip
    return case_population(load_law(), **{**base, **facts})


def test_under_50_kg_of_marijuana_the_maximum_caps_the_range():
    """21 U.S.C. §841(b)(1)(D): 5 years; USSG §5G1.1(a): the range stops at the maximum.

    40 kg (2014 table: level 18) + weapon 2 + aggravating role 4 = 24, less 3 for acceptance
    = 21, category VI: 77-96 months, above the 60-month maximum, so the range is 60 months.
    """
    from simulator.model.reduction import current_guideline

    g = current_guideline(load_law(), _marijuana_case())
    assert int(g.statutory_max[0]) == 60
    assert (int(g.range_min[0]), int(g.range_max[0])) == (60, 60)
    heavier = current_guideline(load_law(), _marijuana_case(grams=60_000))
    assert int(heavier.statutory_max[0]) == 240  # (b)(1)(C) from 50 kg
    prior = current_guideline(load_law(), _marijuana_case(priors_851=1))
    assert int(prior.statutory_max[0]) == 120  # 10 years after a prior felony drug conviction


def test_a_career_offender_with_a_five_year_maximum_is_level_17():
    """USSG §4B1.1(b)(7): offense statutory maximum of 5 years or more but less than 10: 17."""
    from simulator.model.reduction import current_guideline

    # 10 kg: level 14 otherwise, below the career offender level of a 5-year maximum
    case = _marijuana_case(grams=10_000, career=True, role=0, weapon=False, acceptance=False)
    g = current_guideline(load_law(), case)
    assert int(g.statutory_max[0]) == 60
    assert int(g.level[0]) == 17  # (a 20-year maximum would give 32)


def test_base_offense_level_counts_the_thresholds_reached_at_and_beside_each_one(law):
    """The binary search of each row finds what counting every threshold finds: quantities
    exactly at each threshold, one float step on either side, none, and infinitely many."""
    n_editions, n_tables, width = law.dqt_thresholds.shape
    rows = law.dqt_thresholds.reshape(n_editions * n_tables, width)
    thresholds = np.unique(rows[np.isfinite(rows)])
    qty = np.concatenate([
        thresholds, np.nextafter(thresholds, 0), np.nextafter(thresholds, np.inf),
        [0.0, 1e-30, 1e30, np.inf],
    ])  # fmt: skip
    for drug in range(len(DRUGS)):
        factor = law.table_factor[drug]
        grams = (qty / factor).astype(np.float32)
        for edition in range(n_editions):
            row = rows[edition * n_tables + law.table_drug[drug]]
            q = grams.astype(np.float64) * factor
            count = (q[:, None] >= row[None, 1:]).sum(axis=1)
            expected = law.dqt_levels[edition, law.table_drug[drug]][count]
            got = law.base_offense_level(
                np.full(len(grams), drug, np.int8), grams, np.full(len(grams), edition)
            )
            np.testing.assert_array_equal(got, expected)
