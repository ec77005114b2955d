"""The court's motion process, the replay of earlier changes on later stocks, and target roles."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simulator as sim
from simulator.calendar import day
from simulator.inputs.calibration import load_targets
from simulator.inputs.court_fit import load_fit
from simulator.law import retroactive_amendments
from simulator.model.motions import arrival_order_decisions, decision_days, with_priority
from simulator.model.outcomes import lookup
from simulator.resources import read_yaml
from simulator.runs.published import targets_dir
from simulator.scenario import with_overrides

PROCESS = {
    "retroactivity.process.capacity_per_month": "2000",
    "retroactivity.process.filing.eligible": "0.9",
    "retroactivity.process.filing.ineligible": "0.3",
    "retroactivity.process.filing.delay_months": "3",
    "retroactivity.process.priority_months": "6",
    "retroactivity.process.processing_days": "3",
    "retroactivity.process.report_dates": "[2015-07-24, 2016-10-31]",
}


@pytest.fixture(scope="module")
def stock(scenario_2014):
    return sim.synthesize(scenario_2014.population, seed=3, size=0.05)


def with_process(scenario, **more):
    return with_overrides(scenario, {**PROCESS, **{k: str(v) for k, v in more.items()}})


def test_a_process_needs_decisions_before_releases(scenario_2014, stock):
    out = sim.apply(stock, with_process(scenario_2014))
    red = out.reduction
    m = out.summary["motions"]
    assert 0 < m["filed"] and m["filed_eligible"] <= out.summary["eligible"]
    assert m["decided_by"]["2015-07-24"] <= m["decided_by"]["2016-10-31"] <= m["filed"]
    # capacity 2,000 a month at size 0.05 is 100 a month: at most 8.7 months' worth by 2015-07-24
    assert m["decided_by"]["2015-07-24"] <= 100 * 8.74 + 2
    moved = red.granted & (red.release < stock.release_date)
    assert (red.release[moved] >= day("2015-11-01")).all()
    assert (red.term <= stock.term).all()


def test_an_unbounded_process_equals_no_process(scenario_2014, stock):
    base = sim.apply(stock, scenario_2014).summary
    fast = with_process(
        scenario_2014,
        **{
            "retroactivity.process.capacity_per_month": 1_000_000,
            "retroactivity.process.filing.eligible": 1,
            "retroactivity.process.filing.delay_months": 0,
            "retroactivity.process.priority_months": "null",
            "retroactivity.process.processing_days": 0,
        },
    )
    out = sim.apply(stock, fast).summary
    for key in ("eligible", "granted", "released_first_day", "bed_years_saved"):
        assert out[key] == base[key], key


@given(st.floats(200, 20_000), st.floats(0, 24))
def test_more_capacity_never_releases_anyone_later(capacity, priority):
    scenario = sim.load_scenario("scenarios/2014_guidelines.yaml")
    stock = sim.synthesize(scenario.population, seed=3, size=0.01)
    slow = with_process(
        scenario,
        **{
            "retroactivity.process.capacity_per_month": capacity,
            "retroactivity.process.priority_months": priority,
        },
    )
    fast = with_overrides(slow, {"retroactivity.process.capacity_per_month": str(capacity * 2)})
    a, b = sim.apply(stock, slow).reduction, sim.apply(stock, fast).reduction
    assert (b.release <= a.release).all()
    assert (a.granted <= b.granted).all()


def test_decisions_follow_the_capacity():
    days = decision_days(np.ones(10, bool), np.arange(10.0), start=0, capacity=5, days_per_month=30)
    assert days.tolist() == [0, 6, 12, 18, 24, 30, 36, 42, 48, 54]


def test_a_later_stock_holds_the_2014_reductions(scenario_2014):
    """Amendment 782 is replayed: a 2018 stock finds few people the 2014 change still reaches."""
    s14 = sim.apply(sim.synthesize(scenario_2014.population, seed=3, size=0.1), scenario_2014)
    later = scenario_2014.population.model_copy(update={"snapshot": day_iso("2018-06-30")})
    pop18 = sim.synthesize(later, seed=3, size=0.1)
    s18 = sim.apply(pop18, scenario_2014)
    assert s18.summary["eligible"] <= 0.30 * s14.summary["eligible"]
    bit = 1 << [a.name for a in retroactive_amendments()].index("A782")
    replayed = (pop18.reduced_by & bit) > 0
    assert replayed.any()
    # reduced people rest on the amended table and are not reached again
    assert (pop18.table_date[replayed] == day("2014-11-01")).all()
    assert not s18.reduction.eligible[replayed].any()


def day_iso(text):
    return dt.date.fromisoformat(text)


def test_the_2014_stock_has_no_2014_reduction(scenario_2014):
    pop = sim.synthesize(scenario_2014.population, seed=3, size=0.05)
    bit = 1 << [a.name for a in retroactive_amendments()].index("A782")
    assert not (pop.reduced_by & bit).any()


def test_every_published_figure_says_its_role():
    for path in sorted(targets_dir().glob("*.yaml")):
        doc = read_yaml(path)
        for section in ("figures", "flows", "known_differences", "releases"):
            for fig in doc.get(section) or []:
                assert fig.get("role") in ("fitted", "check"), (path.name, fig)


def test_calibration_uses_only_fitted_figures():
    keys = {t["key"] for t in load_targets()}
    retro = read_yaml(targets_dir() / "2014_guidelines.yaml")["figures"]
    checks = {f"retro.{f['key']}" for f in retro if f["role"] == "check"}
    assert keys and not keys & checks
    assert all(t["role"] == "fitted" for t in load_targets())


@given(
    st.lists(st.floats(0, 400), min_size=1, max_size=200),
    st.floats(0.05, 20),
    st.data(),
)
def test_the_priority_queue_keeps_arrival_and_capacity(arrivals, per_day, data):
    arrival = np.array(arrivals)
    urgent = np.array(data.draw(st.lists(st.booleans(), min_size=len(arrival),
                                         max_size=len(arrival))))  # fmt: skip
    days = with_priority(urgent, arrival, per_day, start=0.0)
    assert (days >= np.floor(arrival)).all()  # nobody is decided before the motion arrives
    # never more than the capacity in any stretch of days (one decision of slack for rounding)
    for lo in range(0, int(days.max()) + 1, 7):
        n = ((days >= lo) & (days < lo + 30)).sum()
        assert n <= 30 * per_day + 2
    # the urgent go first: none is decided later than in a queue of all motions
    plain = arrival_order_decisions(arrival, per_day)
    assert (days[urgent] <= plain[urgent]).all()


def test_the_courts_scenario_mirrors_its_committed_fit():
    """scenarios/2014_guidelines_courts.yaml holds the values `simulate calibrate --court` wrote."""
    scenario = sim.load_scenario("scenarios/2014_guidelines_courts.yaml").model_dump()
    for key, value in load_fit().items():
        assert lookup(scenario, key) == pytest.approx(value), key


def test_the_worksheet_names_earlier_reductions_and_the_motion(scenario_2014):
    from simulator.runs.worksheet import worksheet

    later = scenario_2014.model_copy(
        update={"population": scenario_2014.population.model_copy(
            update={"snapshot": day_iso("2018-06-30")})}
    )  # fmt: skip
    pop = sim.synthesize(later.population, seed=3, size=0.05)
    person = int(np.flatnonzero(pop.reduced_by > 0)[0])
    sheet = worksheet(sim.apply(pop, later), person)
    assert dict(sheet.result)["reduced earlier by"].startswith("A782")
    courts = sim.load_scenario("scenarios/2014_guidelines_courts.yaml")
    stock = sim.synthesize(courts.population, seed=3, size=0.05)
    out = sim.apply(stock, courts)
    filer = int(np.flatnonzero(out.reduction.docket.filed)[0])
    assert "motion decided on" in dict(worksheet(out, filer).result)


def test_a782_is_replayed_as_the_courts_decided_it():
    """The replay of 2014 on later stocks uses the fitted courts' process, not a flat rate."""
    am = next(a for a in retroactive_amendments() if a.name == "A782")
    decided_as = sim.load_scenario(am.scenario)
    assert decided_as.retroactivity.process is not None
    assert decided_as.retroactivity.effective == day_iso("2014-11-01")
    # a 2016 stock holds people whose 2014 motion was granted, each still in custody then
    spec = decided_as.population.model_copy(update={"snapshot": day_iso("2016-01-01")})
    pop = sim.synthesize(spec, seed=3, size=0.1)
    bit = 1 << [a.name for a in retroactive_amendments()].index("A782")
    assert (pop.reduced_by & bit).any()
    assert (pop.release_date > day("2016-01-01")).all()


def test_admission_cohorts_are_checked_against_published_figures():
    """The yearly cohorts' drug mix and sentences are checks, each a documented gap.

    The counts and the published mixes are inputs of the generator: no check repeats them.
    """
    from simulator.runs.published import check_flows

    rows = check_flows(size=0.2)
    assert {r.figure for r in rows} >= {"flow.share.cocaine_base", "flow.share.methamphetamine",
                                        "flow.mean_sentence_months"}  # fmt: skip
    assert "flow.count" not in {r.figure for r in rows}
    assert all(r.role == "check" for r in rows)
    assert all(r.note for r in rows)


@given(st.floats(300, 5000), st.floats(0, 24), st.integers(0, 60), st.sampled_from([None, 0, 6]))
def test_nobody_leaves_before_the_decision_allows(capacity, delay, processing, priority):
    """With a process, a release moved by the change is never before the first release day,
    nor before the motion's decision plus the processing time; terms never lengthen."""
    scenario = sim.load_scenario("scenarios/2014_guidelines_courts.yaml")
    stock = sim.synthesize(scenario.population, seed=5, size=0.01)
    sc = with_overrides(scenario, {
        "retroactivity.process.capacity_per_month": str(capacity),
        "retroactivity.process.filing.delay_months": str(delay),
        "retroactivity.process.processing_days": str(processing),
        "retroactivity.process.priority_months": "null" if priority is None else str(priority),
    })  # fmt: skip
    red = sim.apply(stock, sc).reduction
    moved = red.release < stock.release_date
    assert (red.release[moved] >= day("2015-11-01")).all()
    assert (red.release[moved] >= red.docket.decided_on[moved] + processing).all()
    assert (red.term <= stock.term).all()
    assert not (moved & ~red.granted).any()


def test_a_figure_fitted_in_several_cohorts_is_one_target_per_year():
    # the same figure fitted for several fiscal years must not collapse into one value
    from simulator.calendar import day
    from simulator.inputs.calibration import admissions, flow_statistics
    from simulator.inputs.parameters import load_parameters

    flows = [t for t in load_targets() if t["key"].startswith("flow.")]
    assert len({t["key"] for t in flows}) == len(flows)
    everyone = admissions(load_parameters(), seed=3, size=0.05, until=day("2023-09-30"))
    figure = "flow.mean_sentence_months"
    targets = [{"key": f"{figure} (FY{y})", "figure": figure, "cohort": y} for y in (2000, 2023)]
    out = flow_statistics(everyone, targets)
    assert out[f"{figure} (FY2000)"] != out[f"{figure} (FY2023)"]
