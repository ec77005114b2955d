"""Clemency: criteria as filters, review capacity, release lag (hypothesis + worked cases)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import person_row, populations, to_population

import simulator as sim
from simulator.calendar import day
from simulator.law import CATEGORIES as CATEGORY_NAMES
from simulator.law import DRUGS
from simulator.model.clemency import CRITERIA
from simulator.model.motions import decision_days
from simulator.numeric import person_uniform
from simulator.scenario.changes import ClemencyChange, Criteria

START = dt.date(2014, 4, 23)
people = populations(max_size=30, first=day("1990-01-01"), last=day("2014-04-01"))

#: A month of a sentence: a twelfth of the mean Gregorian year (data/law/conventions.yaml).
DAYS_PER_MONTH = 365.2425 / 12


def scenario(base, criteria: dict, *, capacity=1000, petition=1.0, lag=(4, 12), rate=1.0):
    change = ClemencyChange(
        type="clemency",
        criteria=criteria,
        review={"petition_rate": petition, "capacity_per_month": capacity, "until": None},
        release_lag={"months": lag[0], "life_months": lag[1]},
    )
    return base.model_copy(
        update={
            "changes": [change],
            "retroactivity": base.retroactivity.model_copy(
                update={"effective": START, "earliest_release": None}
            ),
            "grant": base.grant.model_copy(update={"rate": rate, "modifiers": {}}),
        }
    )


criteria_values = st.fixed_dictionaries(
    {
        "lower_sentence_today": st.none() | st.floats(0, 1),
        "non_violent_offense": st.none() | st.just(True),
        "min_years_served": st.none() | st.floats(0, 30),
        "max_category": st.none() | st.sampled_from(CATEGORY_NAMES),
        "max_infractions": st.none() | st.integers(0, 6),
        "no_violence_history": st.none() | st.just(True),
        "drugs": st.none() | st.lists(st.sampled_from(DRUGS), min_size=1, unique=True),
    }
)


@st.composite
def stricter_pair(draw):
    """Criteria and a stricter version of them (one criterion tightened or added)."""
    lax = draw(criteria_values)
    name = draw(st.sampled_from(CRITERIA))
    strict = dict(lax)
    if name in ("non_violent_offense", "no_violence_history"):
        strict[name] = True
    elif name == "lower_sentence_today":
        strict[name] = draw(st.floats(lax[name] or 0.0, 1))
    elif name == "min_years_served":
        strict[name] = draw(st.floats(lax[name] or 0.0, 40))
    elif name == "drugs":  # a sub-list of the drugs listed (or of all of them)
        pool = lax[name] or list(DRUGS)
        strict[name] = draw(st.lists(st.sampled_from(pool), min_size=1, unique=True))
    elif name == "max_category":
        top = CATEGORY_NAMES.index(lax[name]) if lax[name] else 5
        strict[name] = CATEGORY_NAMES[draw(st.integers(0, top))]
    else:
        strict[name] = draw(st.integers(0, lax[name] if lax[name] is not None else 6))
    return lax, strict


@given(pop=people, pair=stricter_pair(), capacity=st.integers(1, 50), rate=st.floats(0, 1))
def test_stricter_criterion_never_admits_more(scenario_2014, pop, pair, capacity, rate):
    lax, strict = pair
    a = sim.apply(pop, scenario(scenario_2014, lax, capacity=capacity, rate=rate)).reduction
    b = sim.apply(pop, scenario(scenario_2014, strict, capacity=capacity, rate=rate)).reduction
    assert not (b.eligible & ~a.eligible).any()
    assert not (b.granted & ~a.granted).any()


@given(pop=people, criteria=criteria_values, capacity=st.integers(1, 50))
def test_commutation_never_lengthens_and_waits_for_the_lag(scenario_2014, pop, criteria, capacity):
    out = sim.apply(pop, scenario(scenario_2014, criteria, capacity=capacity))
    red = out.reduction
    assert (red.release <= pop.release_date).all()
    assert (red.term <= pop.term).all()
    assert (red.granted <= red.eligible).all()
    moved = red.release < pop.release_date
    assert (moved <= red.granted).all()
    # nobody leaves before four months after the review started (the earliest grant day)
    assert (red.release[moved] >= day(START) + 4 * DAYS_PER_MONTH - 1).all()
    c = out.summary["clemency"]
    assert c["met_all"] <= min(c["criteria"].values(), default=c["in_custody"])
    assert c["granted"] <= c["decided_met_all"] <= c["decided"] <= c["petitions"]


@given(
    n=st.integers(1, 200),
    capacity=st.integers(1, 40),
    data=st.data(),
)
def test_review_capacity_spreads_decisions(n, capacity, data):
    petition = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    order = person_uniform(np.arange(n), 3, "order")
    days = decision_days(petition, order, start=0, capacity=capacity, days_per_month=DAYS_PER_MONTH)
    months = np.floor(days[petition] / DAYS_PER_MONTH + 1e-9).astype(int)
    assert np.bincount(months).max(initial=0) <= capacity + 1
    # earlier in the order, earlier (or same-day) decision
    idx = np.flatnonzero(petition)
    ranked = idx[np.argsort(order[idx])]
    assert (np.diff(days[ranked]) >= 0).all()


def test_worked_example_release_lag_for_life_and_for_terms(scenario_2014):
    """Two people meeting every criterion: 20 years (a §851 floor) and life. Both are decided
    on the first day; release follows four months and twelve months later."""
    rows = [
        person_row(
            drug="cocaine_base", grams=60.0, mm_charged=10, priors_851=1, chp=3, weapon=False,
            sentencing_date="1998-01-01", custody_start="1997-06-01", infractions=0,
        ),
        person_row(
            drug="cocaine_base", grams=2000.0, mm_charged=10, priors_851=2, chp=3,
            sentencing_date="1998-01-01", custody_start="1997-06-01", infractions=0,
        ),
    ]  # fmt: skip
    pop = to_population(rows)
    assert pop.term.tolist() == [240, sim.load_law().life_months]
    crit = {"min_years_served": 10, "lower_sentence_today": 0.25}
    sc = scenario(scenario_2014, crit, capacity=1000)
    sc = sc.model_copy(update={"changes": [*sim.load_scenario(
        "scenarios/2014_clemency_initiative.yaml").changes[:-1], sc.changes[0]]})  # fmt: skip
    out = sim.apply(pop, sc)
    red = out.reduction
    assert red.granted.tolist() == [True, True]
    start = day(START)
    assert red.release[0] == start + np.ceil(4 * DAYS_PER_MONTH)
    assert red.release[1] == start + np.ceil(12 * DAYS_PER_MONTH)
    assert out.summary["clemency"]["granted_life"] == 1


def test_person_uniforms_are_common_random_numbers():
    ids = np.arange(1000)
    a, b = person_uniform(ids, 1, "petition"), person_uniform(ids[::-1], 1, "petition")[::-1]
    assert (a == b).all()
    assert abs(a.mean() - 0.5) < 0.05
    assert not (a == person_uniform(ids, 1, "review_order")).all()
    assert not (a == person_uniform(ids, 2, "petition")).all()


def test_clemency_scenarios_report_each_criterion(small_population):
    s = sim.load_scenario("scenarios/2014_clemency_initiative.yaml")
    c = sim.apply(small_population, s).summary["clemency"]
    assert set(c["criteria"]) == set(CRITERIA) - {"drugs"}  # the six it sets
    assert 0 < c["met_all"] < c["in_custody"]
    assert sum(c["decisions_by_year"].values()) == c["decided"]
    assert Criteria().model_dump() == dict.fromkeys(CRITERIA)


# ---------------------------------------------------------------- petitions, queue, selection
BATCHES = ["2014-12-17", "2015-03-31", "2015-07-13", "2015-12-18", "2016-03-30", "2017-01-19"]

selections = st.fixed_dictionaries(
    {
        "intercept": st.floats(-4, 4),
        "weights": st.fixed_dictionaries({k: st.floats(-3, 3) for k in CRITERIA}),
    }
)
processes = st.fixed_dictionaries(
    {
        "petition": st.fixed_dictionaries(
            {
                "intercept": st.floats(-3, 3),
                "per_decade_term": st.floats(-1, 1),
                "per_decade_served": st.floats(-1, 1),
                "weights": st.fixed_dictionaries({k: st.floats(-2, 2) for k in CRITERIA}),
            }
        ),
        "arrival_months": st.floats(0, 24),
        "batches": st.none() | st.just(BATCHES),
        "until": st.none() | st.just(dt.date(2016, 6, 30)),
    }
)
all_criteria = {
    "lower_sentence_today": 0.25, "non_violent_offense": True, "min_years_served": 10,
    "max_category": "II", "max_infractions": 0, "no_violence_history": True,
}  # fmt: skip


def scored(
    base, criteria: dict, process: dict, selection: dict | None, *, capacity: int | list,
    batch_share: float | list | None = None,
):  # fmt: skip
    """A clemency scenario with a petition score, arrivals, batches and (optionally) selection.

    ``capacity`` is a number or a schedule; ``batch_share`` needs ``process["batches"]``.
    """
    weights = {
        k: v for k, v in process["petition"]["weights"].items() if criteria.get(k) is not None
    }
    change = ClemencyChange(
        type="clemency",
        criteria=criteria,
        review={
            "petition": {**process["petition"], "weights": weights},
            "capacity_per_month": capacity,
            "arrival_months": process["arrival_months"],
            "batches": process["batches"],
            "until": process["until"],
            "batch_share": batch_share if process["batches"] else None,
        },
        release_lag={"months": 4, "life_months": 12},
        selection=None if selection is None else {
            "intercept": selection["intercept"],
            "weights": {k: v for k, v in selection["weights"].items() if criteria.get(k)},
            "life_sentence": selection.get("life_sentence", 0.0),
        },
        commutation={"min_cut": 0.1, "max_cut": 0.6},
    )  # fmt: skip
    return scenario(base, {}).model_copy(update={"changes": [change]})


@given(pop=people, process=processes, selection=st.none() | selections,
       capacity=st.integers(1, 30), more=st.integers(1, 30))  # fmt: skip
def test_more_review_capacity_never_lowers_the_grants_by_any_date(
    scenario_2014, pop, process, selection, capacity, more
):
    a = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=capacity))
    b = sim.apply(
        pop, scored(scenario_2014, all_criteria, process, selection, capacity=capacity + more)
    )
    ga, gb = a.summary["clemency"]["grants_by_month"], b.summary["clemency"]["grants_by_month"]
    for month in set(ga) & set(gb):
        assert gb[month] >= ga[month], month
    assert b.reduction.granted.sum() >= a.reduction.granted.sum()
    # a faster queue decides each petition no later; grants are the same people, or more
    assert not (a.reduction.granted & ~b.reduction.granted).any()


#: Days a later period of a capacity schedule may begin on (from the start, 2014-04-23).
PERIOD_STARTS = st.sampled_from(["2014-09-01", "2015-06-15", "2016-02-01", "2016-11-30"])
two_shares = st.builds(
    lambda a, b: [{"from": START, "share": a}, {"from": dt.date(2016, 4, 1), "share": b}],
    st.floats(0, 1), st.floats(0, 1),
)  # fmt: skip
shares = st.none() | st.floats(0, 1) | two_shares


@st.composite
def capacity_schedules(draw) -> list[dict]:
    """A schedule of review capacities from the start, with up to three later periods."""
    later = draw(st.lists(PERIOD_STARTS, max_size=3, unique=True))
    return [
        {"from": day_ or START, "per_month": draw(st.integers(1, 40) | st.floats(1, 40))}
        for day_ in [None, *sorted(later)]
    ]


def _grants_by_month_never_fewer(a, b) -> None:
    ga, gb = a.summary["clemency"]["grants_by_month"], b.summary["clemency"]["grants_by_month"]
    for month in set(ga) & set(gb):
        assert gb[month] >= ga[month], month
    assert not (a.reduction.granted & ~b.reduction.granted).any()


@given(pop=people, process=processes, selection=st.none() | selections,
       schedule=capacity_schedules(), share=shares, data=st.data())  # fmt: skip
def test_more_capacity_in_any_period_never_lowers_the_grants_by_any_date(
    scenario_2014, pop, process, selection, schedule, share, data
):
    j = data.draw(st.integers(0, len(schedule) - 1))
    more = [dict(p) for p in schedule]
    more[j]["per_month"] = more[j]["per_month"] + data.draw(st.integers(1, 30))
    a = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection,
                              capacity=schedule, batch_share=share))  # fmt: skip
    b = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection,
                              capacity=more, batch_share=share))  # fmt: skip
    _grants_by_month_never_fewer(a, b)


@given(pop=people, process=processes, selection=st.none() | selections,
       capacity=st.integers(1, 40), before=st.integers(0, 400), share=shares)  # fmt: skip
def test_a_schedule_of_one_capacity_is_that_number(
    scenario_2014, pop, process, selection, capacity, before, share
):
    """One period from the start (or before it), or several of the same capacity: the number."""
    plain = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection,
                                  capacity=capacity, batch_share=share))  # fmt: skip
    first = START - dt.timedelta(days=before)
    for schedule in (
        [{"from": first, "per_month": capacity}],
        [{"from": first, "per_month": capacity}, {"from": "2015-06-15", "per_month": capacity}],
    ):
        out = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection,
                                    capacity=schedule, batch_share=share))  # fmt: skip
        assert (out.reduction.granted == plain.reduction.granted).all()
        assert (out.reduction.release == plain.reduction.release).all()
        assert out.summary["clemency"] == plain.summary["clemency"]


@given(pop=people, process=processes, selection=st.none() | selections,
       schedule=capacity_schedules(), later=st.integers(1, 1000))  # fmt: skip
def test_a_period_changes_nothing_decided_before_it_begins(
    scenario_2014, pop, process, selection, schedule, later
):
    """The capacity from 2016-02-01 on moves no grant of an earlier month."""
    schedule = [p for p in schedule if p["from"] == START or str(p["from"]) < "2016-02-01"]
    other = [*schedule, {"from": "2016-02-01", "per_month": later}]
    a = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=schedule))
    b = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=other))
    ga, gb = a.summary["clemency"]["grants_by_month"], b.summary["clemency"]["grants_by_month"]
    assert {m: n for m, n in ga.items() if m < "2016-02"} == {
        m: n for m, n in gb.items() if m < "2016-02"
    }


@given(pop=people, process=processes, selection=st.none() | selections,
       low=st.floats(0, 1), more=st.floats(0, 1))  # fmt: skip
def test_a_larger_batch_share_never_lowers_the_grants_by_any_date(
    scenario_2014, pop, process, selection, low, more
):
    """Each batch acting on more of the favourable petitions waiting grants each no later."""
    process = {**process, "batches": BATCHES}
    high = low + (1 - low) * more
    a = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=5,
                              batch_share=low))  # fmt: skip
    b = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=5,
                              batch_share=high))  # fmt: skip
    _grants_by_month_never_fewer(a, b)
    full = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=5,
                                 batch_share=1.0))  # fmt: skip
    none = sim.apply(pop, scored(scenario_2014, all_criteria, process, selection, capacity=5))
    assert full.summary["clemency"] == none.summary["clemency"]
    assert (full.reduction.release == none.reduction.release).all()


def test_the_share_of_each_batch_decides_when_favourable_petitions_are_granted():
    """A batch acts on a petition once the chance it still waits falls to its draw."""
    from simulator.model.clemency import acted_on

    batches = ["2015-01-01", "2015-06-01", "2016-01-01"]
    days = [day(b) for b in batches]
    waiting = np.array([True, True, True, True, False])
    first = np.array([days[0], days[0], days[1], days[0], days[0]])
    draw = np.array([0.75, 0.5, 0.1, 0.0, 0.9])
    shares = [(None, 0.5), (dt.date(2015, 12, 1), 1.0)]
    out = acted_on(waiting, first, batches=batches, shares=shares, draw=draw)
    # still waiting after batch 1: 0.5 (0.75 acted on), after 2: 0.25, after 3 (share 1): 0
    assert out.tolist() == [days[0], days[0], days[2], days[2], days[0]]
    none = acted_on(waiting, first, batches=batches, shares=[(None, 0.0)], draw=draw)
    assert (none[waiting] == np.iinfo(np.int32).max).all()


@given(pop=people, process=processes, selection=selections)
def test_a_criterion_nobody_meets_changes_nothing_at_weight_zero(
    scenario_2014, pop, process, selection
):
    base = {k: v for k, v in all_criteria.items() if k != "min_years_served"}
    plus = {**base, "min_years_served": 60}  # nobody has served 60 years
    sel = {**selection, "weights": {**selection["weights"], "min_years_served": 0.0}}
    proc = {**process, "petition": {**process["petition"], "weights": {
        **process["petition"]["weights"], "min_years_served": 0.0}}}  # fmt: skip
    a = sim.apply(pop, scored(scenario_2014, base, proc, sel, capacity=5))
    b = sim.apply(pop, scored(scenario_2014, plus, proc, sel, capacity=5))
    assert b.summary["clemency"]["criteria"]["min_years_served"] == 0
    assert (a.reduction.granted == b.reduction.granted).all()
    assert (a.reduction.release == b.reduction.release).all()
    ca, cb = a.summary["clemency"], b.summary["clemency"]
    assert ca["backlog_by_month"] == cb["backlog_by_month"]
    assert ca["grants_by_month"] == cb["grants_by_month"]


def test_batches_decide_on_their_days_and_the_backlog_counts_what_waits(small_population):
    s = sim.load_scenario("scenarios/2014_clemency_initiative.yaml")
    s = sim.with_overrides(s, {
        "changes.3.review.petition_rate_met_all": "null",
        "changes.3.review.petition": "{intercept: -1.5}",
        "changes.3.review.arrival_months": "10",
        "changes.3.review.batches": "[2014-12-17, 2015-12-18, 2017-01-19]",
        "changes.3.selection": "{intercept: -1.0, weights: {min_years_served: 1.0}}",
    })  # fmt: skip
    out = sim.apply(small_population, s)
    c = out.summary["clemency"]
    assert set(c["decisions_by_year"]) <= {"2014", "2015", "2017"}
    months = list(c["grants_by_month"])
    assert months[0] == "2014-04" and months[-1] == "2017-01"
    so_far = list(c["grants_by_month"].values())
    assert so_far == sorted(so_far) and so_far[-1] == c["granted"]
    # grants move only in batch months
    moved = {m for m, a, b in zip(months[1:], so_far, so_far[1:], strict=False) if b > a}
    assert moved <= {"2014-12", "2015-12", "2017-01"}
    assert max(c["backlog_by_month"].values()) <= c["petitions"]
    assert 0 < c["granted"] and c["granted_met_all"] <= c["granted"]


def test_scenarios_without_the_new_keys_keep_their_hash():
    s = sim.load_scenario("scenarios/2014_clemency_initiative_strict.yaml")
    t = sim.with_overrides(s, {"changes.3.selection": "null", "changes.3.review.batches": "null"})
    assert s.sha256() == t.sha256()
    u = sim.with_overrides(s, {"changes.3.review.arrival_months": "0"})
    assert u.sha256() != s.sha256()


def test_selection_keys_are_validated():
    from simulator.errors import ScenarioError

    s = sim.load_scenario("scenarios/2025_crack_powder_commutations.yaml")
    with pytest.raises(ScenarioError, match="min_years_served"):
        sim.with_overrides(
            s, {"changes.1.selection": "{intercept: 0, weights: {min_years_served: 1}}"}
        )
    with pytest.raises(ScenarioError, match="batches"):
        sim.with_overrides(s, {"changes.1.review.batches": "[2025-02-01, 2025-01-17]"})
    with pytest.raises(ScenarioError, match="max_cut"):
        sim.with_overrides(s, {"changes.1.commutation": "{min_cut: 0.5, max_cut: 0.2}"})
    with pytest.raises(ScenarioError, match="weightz"):
        sim.with_overrides(s, {"changes.1.selection": "{intercept: 0, weightz: {}}"})


@pytest.mark.parametrize("year", ["2014", "2025"])
def test_each_clemency_scenario_mirrors_its_committed_fit(year):
    """`simulate calibrate --clemency [YEAR]` writes the fit; the scenario holds the same values."""
    from simulator.inputs.clemency_fit import FITS, fit_path, scenario_name
    from simulator.inputs.court_fit import load_fit
    from simulator.model.outcomes import lookup

    s = sim.load_scenario(f"scenarios/{scenario_name(year)}.yaml").model_dump()
    fitted = load_fit(fit_path(year))
    assert set(fitted) == set(FITS[year].free)
    for key, value in fitted.items():
        assert lookup(s, key) == value, key


def test_the_standing_board_keeps_the_initiatives_fitted_score():
    """The what-if board reuses the 2014 fit's selection, cut cap and petitions, not its review."""
    from simulator.inputs.clemency_fit import fit_path
    from simulator.inputs.court_fit import load_fit
    from simulator.model.outcomes import lookup

    board = sim.load_scenario("scenarios/2014_clemency_standing_board.yaml").model_dump()
    shared = {k: v for k, v in load_fit(fit_path("2014")).items() if ".review.capacity" not in k
              and ".batch_share" not in k}  # fmt: skip
    assert len(shared) == 5
    for key, value in shared.items():
        assert lookup(board, key) == value, key


@pytest.mark.parametrize(("args", "key"), [
    ((), "changes.3.selection.intercept"),
    (("2025",), "changes.1.selection.intercept"),
])  # fmt: skip
def test_calibrate_clemency_takes_a_year_and_means_2014_without_one(tmp_path, args, key):
    from click.testing import CliRunner

    from simulator.cli import main

    out = tmp_path / "fit.yaml"
    argv = ["calibrate", "--clemency", *args, "--size", "0.05", "--max-evals", "1", "--quiet"]
    result = CliRunner().invoke(main, [*argv, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert f"  {key}: " in out.read_text()


def test_the_drugs_criterion_keeps_to_the_drugs_listed(small_population):
    s = sim.load_scenario("scenarios/equal_act_by_commutation.yaml")
    out = sim.apply(small_population, s)
    granted = out.reduction.granted
    assert granted.any()
    assert (small_population.drug[granted] == DRUGS.index("cocaine_base")).all()
    assert sim.with_overrides(s, {"changes.1.criteria.drugs": "null"}).sha256() != s.sha256()
