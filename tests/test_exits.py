"""Ways out of custody besides the term: RDAP early release and deaths (simulator.inputs.exits)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.calendar import NEVER, day
from simulator.inputs.exits import compassionate_days, completes_rdap, custody_ends, death_days
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import generate
from simulator.law import DRUGS, load_law


def _cases(n: int, **flags) -> dict:
    base = {k: np.zeros(n, bool) for k in ("noncitizen", "violent", "weapon")}
    return {**base, **{k: np.asarray(v, bool) for k, v in flags.items()}}


@pytest.mark.parametrize("flag", ["noncitizen", "violent", "weapon"])
def test_each_exclusion_of_28_cfr_550_55_b_keeps_a_person_out(flag):
    law = load_law()
    cases = _cases(2, **{flag: [False, True]})
    out = completes_rdap(law, cases, np.array([60, 60]), np.ones(2, bool), min_term=24)
    assert out.tolist() == [True, False]


def test_life_and_short_terms_and_those_not_chosen_do_not_complete_rdap():
    law = load_law()
    term = np.array([law.life_months, 23, 24, 60])
    out = completes_rdap(law, _cases(4), term, np.array([True, True, True, False]), min_term=24)
    assert out.tolist() == [False, False, True, False]


@given(
    u=st.lists(st.floats(0, 1, exclude_max=True), min_size=2, max_size=2).map(sorted),
    age=st.floats(18, 90),
    rate=st.floats(1e-4, 0.05),
)
def test_a_larger_draw_dies_no_sooner_and_never_before_custody(u, age, rate):
    start = np.array([day("2001-01-01")] * 2)
    d = death_days(start, np.array([age] * 2), np.array(u), rate_at_40=rate, doubling_years=8)
    assert start[0] <= d[0] <= d[1] <= NEVER


def test_death_hazard_doubles_every_doubling_years():
    # the share dying within a year is about the yearly hazard: twice as high 8 years older
    u = (np.arange(200_000) + 0.5) / 200_000
    start = np.zeros(len(u), np.int64)
    year = 365.25
    young = (death_days(start, np.full(len(u), 40.0), u, rate_at_40=0.002, doubling_years=8)
             < year).mean()  # fmt: skip
    old = (death_days(start, np.full(len(u), 48.0), u, rate_at_40=0.002, doubling_years=8)
           < year).mean()  # fmt: skip
    assert young == pytest.approx(0.002, rel=0.05)
    assert old / young == pytest.approx(2.0, rel=0.05)


def test_custody_ends_at_the_earlier_of_release_and_death():
    law = load_law()
    start = day("2010-01-01")
    cases = {
        **_cases(3), "custody_start": np.array([start] * 3), "infractions": np.zeros(3),
        "rdap": np.array([False, True, False]),
        "death_date": np.array([NEVER, NEVER, start + 100], np.int32),
    }  # fmt: skip
    flags, release = custody_ends(law, cases, np.array([120, 120, 120]), rdap_min_term=24)
    plain = law.release_day(np.array([start]), np.array([120]), np.zeros(1))[0]
    assert flags["rdap"].tolist() == [False, True, False]
    assert release.tolist() == [plain, plain - 365, start + 100]


def test_a_file_without_draws_gets_the_release_only():
    law = load_law()
    cases = {"custody_start": np.array([day("2010-01-01")]), "infractions": np.zeros(1)}
    flags, release = custody_ends(law, cases, np.array([120]), rdap_min_term=24)
    assert flags == {}
    assert release[0] == law.release_day(cases["custody_start"], np.array([120]), np.zeros(1))[0]


def test_the_synthetic_stock_holds_rdap_completers_who_qualify_only():
    pop = generate(load_parameters(), seed=11, size=0.05)
    law = load_law()
    assert pop.rdap.any()
    assert not (pop.rdap & (pop.noncitizen | pop.violent | pop.weapon)).any()
    assert not (pop.rdap & (pop.term >= law.life_months)).any()
    # a completer's custody ends earlier than the term with good-conduct time alone
    plain = law.release_day(pop.custody_start, pop.term, pop.infractions)
    assert (pop.release_date[pop.rdap] < plain[pop.rdap]).all()
    assert (pop.release_date <= plain).all()  # deaths, RDAP and credits only shorten custody


def test_time_credits_reach_only_those_the_law_lets_apply_them():
    pop = generate(load_parameters(), seed=11, size=0.05, snapshot=day("2023-11-01"))
    law = load_law()
    assert pop.ftc.any()
    assert not (pop.ftc & pop.noncitizen).any()
    assert not (pop.ftc & (pop.term >= law.life_months)).any()
    fentanyl_leader = (pop.drug == DRUGS.index("fentanyl")) & (pop.role > 0)
    assert not (pop.ftc & fentanyl_leader).any()
    # nobody in the 2023 stock who earns credits is past the release they advance to
    moved = law.release_day(pop.custody_start, pop.term, pop.infractions, pop.rdap, pop.ftc)
    assert (np.minimum(moved, pop.release_date) == pop.release_date).all()


def test_compassionate_release_follows_the_yearly_rates():
    # a constant 2% a year from FY2020: about 2% of people in custody all year leave that year
    start = np.full(100_000, day("2015-01-01"))
    u = (np.arange(len(start)) + 0.5) / len(start)
    since = day("2018-12-21")
    d = compassionate_days(start, u, {2020: 0.02}, since=since)
    in_fy2020 = (d >= day("2019-10-01")) & (d < day("2020-10-01"))
    assert in_fy2020.mean() == pytest.approx(1 - np.exp(-0.02 * 366 / 365.25), rel=0.01)
    assert not (d < day("2019-10-01")).any()  # nobody before the first listed year


def test_no_compassionate_release_before_defendants_could_move_for_it():
    # 18 U.S.C. §3582(c)(1)(A) as amended by the First Step Act §603(b), 2018-12-21
    start = np.full(1000, day("2000-01-01"))
    u = np.linspace(0, 0.999, 1000)
    d = compassionate_days(start, u, {2015: 0.5}, since=day("2018-12-21"))
    assert (d >= day("2018-12-21")).all()


def test_a_later_custody_start_is_never_released_sooner():
    u = np.full(2, 0.01)
    d = compassionate_days(np.array([day("2015-01-01"), day("2020-06-01")]), u,
                           {2020: 0.02, 2021: 0.02}, since=day("2018-12-21"))  # fmt: skip
    assert d[0] <= d[1]
    assert d[1] > day("2020-06-01")


# ----------------------------------------------------------- release rules as a projection saw them
def test_a_projection_keeps_only_the_release_rules_enacted_by_its_day():
    law = load_law()
    then = law.release_rules_as_of(day("2014-07-18"))
    assert then.gct_days_per_year.tolist() == law.gct_days_per_year[:1].tolist()
    assert then.rdap_from.tolist() == law.rdap_from[law.rdap_from <= day("2014-07-18")].tolist()
    assert then.ftc["applied_from"] == NEVER
    now = law.release_rules_as_of(day("2026-01-01"))
    assert now.gct_from.tolist() == law.gct_from.tolist() and now.ftc == law.ftc


@given(
    start=st.integers(day("1995-01-01"), day("2014-10-01")),
    term=st.integers(13, 469),  # life earns no good-conduct time: a cut from it saves more
    cut=st.lists(st.integers(0, 200), min_size=2, max_size=2).map(sorted),
    rdap=st.booleans(),
    ftc=st.booleans(),
    on=st.sampled_from([day("2008-03-03"), day("2014-11-01"), day("2019-08-01")]),
)
def test_a_deeper_cut_saves_no_fewer_projected_days_and_never_more_than_the_cut(
    start, term, cut, rdap, ftc, on
):
    from types import SimpleNamespace as NS

    from simulator.model.reduction import saved_as_projected

    law = load_law()
    three = np.ones(3, dtype=np.int64)
    pop = NS(custody_start=start * three, infractions=0 * three, term=term * three,
             rdap=(three * rdap).astype(bool), ftc=(three * ftc).astype(bool))  # fmt: skip
    terms = np.array([max(term - cut[0], 0), max(term - cut[1], 0), 0])
    granted = np.array([True, True, False])
    saved = saved_as_projected(law, pop, granted, terms, on, on=on)
    assert 0 <= saved[0] <= saved[1]
    assert saved[1] <= np.ceil(min(cut[1], term) * law.conventions.days_per_month)
    assert saved[2] == 0
