"""The population as a stock-flow system: published admissions and mixes, custody definitions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

import simulator as sim
from simulator.calendar import day, iso
from simulator.errors import InputError
from simulator.inputs.calibration import cohort_figures, counted, snapshot_targets
from simulator.inputs.cohorts import GROUPS, _drug_mix, early_mix
from simulator.inputs.forward import forward_parameters
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import admissions, synthesize
from simulator.law import amendment_bit, load_law, retroactive_amendments
from simulator.model.population import Population
from simulator.model.reduction import current_guideline
from simulator.resources import project_file
from simulator.runs.published import _judged, check_snapshots
from simulator.scenario import PopulationSpec, Projection


@pytest.fixture(scope="module")
def params():
    return load_parameters()


@pytest.fixture(scope="module")
def everyone(params):
    return admissions(params, seed=3, size=0.5, until=day("2024-09-30"), replay_until=0)


@pytest.mark.parametrize("year", [2012, 2013, 2016, 2021, 2024])
def test_a_published_mix_is_the_mix_of_its_year(params, year):
    published = params.assumed["mix_by_year"][year]
    shares = np.diff(_drug_mix(params, np.array([year]))[0], prepend=0.0)
    total = sum(published.values())
    assert shares == pytest.approx([published[g] / total for g in GROUPS])


def test_the_early_mix_holds_crack_at_its_published_share_until_its_year(params):
    early = early_mix(params)
    years = np.arange(1988, int(params.assumed["early_mix_year"]) + 1)
    table = np.diff(_drug_mix(params, years), axis=1, prepend=0.0)
    assert np.allclose(table, early)
    assert early[GROUPS.index("cocaine_base")] == params.assumed["early_crack_share"]


def test_between_published_years_each_share_moves_linearly(params):
    mix = params.assumed["mix_by_year"]
    shares = np.diff(_drug_mix(params, np.array([2014, 2015]))[:, :], axis=1, prepend=0.0)
    crack = GROUPS.index("cocaine_base")
    c13, c16 = mix[2013]["cocaine_base"], mix[2016]["cocaine_base"]
    assert shares[0, crack] == pytest.approx(c13 + (c16 - c13) / 3, rel=1e-2)
    assert shares[1, crack] == pytest.approx(c13 + 2 * (c16 - c13) / 3, rel=1e-2)


@pytest.mark.parametrize("year", [2008, 2012, 2024])
def test_the_cohorts_draw_the_published_crack_share(everyone, params, year):
    """The drawn cohort of a published year has its published crack share (sampling aside)."""
    figures = cohort_figures(everyone, year)
    expected = (
        params.assumed["early_crack_share"]
        if year <= params.assumed["early_mix_year"]
        else params.assumed["mix_by_year"][year]["cocaine_base"]
    )
    assert figures["flow.share.cocaine_base"] == pytest.approx(expected, abs=0.015)


def test_the_cohorts_follow_the_published_counts_times_the_scale(everyone, params):
    for year in (1996, 2006, 2022):
        n = cohort_figures(everyone, year)["flow.count"] / 0.5
        expected = params.assumed["admissions"][year] * params.fitted["admissions_scale"]
        assert n == pytest.approx(expected, rel=0.002)


def test_a_projection_mix_replaces_the_mix_from_its_first_year(params):
    mix = {"methamphetamine": 1.0}
    fwd = forward_parameters(params, Projection(mix=mix), 2030, 2032)
    shares = np.diff(_drug_mix(fwd, np.arange(2030, 2033)), axis=1, prepend=0.0)
    assert np.allclose(shares[:, GROUPS.index("methamphetamine")], 1.0)


def test_a_projection_mix_from_before_the_early_year_is_its_own(params):
    fwd = forward_parameters(params, Projection(mix={"marijuana": 1.0}), 2001, 2003)
    shares = np.diff(_drug_mix(fwd, np.arange(2001, 2004)), axis=1, prepend=0.0)
    assert np.allclose(shares[:, GROUPS.index("marijuana")], 1.0)


# ------------------------------------------------------------------ custody definitions
def test_counts_follow_their_custody_definition(params):
    assert counted(1000.0, "ussc", params) == 1000.0
    assert counted(1000.0, "bjs", params) == pytest.approx(
        1000.0 * params.fitted["custody.bjs_share"]
    )
    with pytest.raises(InputError, match="count must be one of ussc, bjs"):
        counted(1000.0, "census", params)


def test_every_snapshot_figure_says_how_it_counts_and_the_bjs_series_is_fitted():
    targets = snapshot_targets()
    years = sorted(int(t["as_of"][:4]) for t in targets)
    assert years == list(range(2008, 2023))
    assert all(t["count"] == "bjs" and t["role"] == "fitted" for t in targets)
    assert all(t["key"] == f"stock.{t['as_of']}" for t in targets)


def test_validate_counts_each_total_as_its_source_counts(params):
    rows = {r.scenario: r for r in check_snapshots(size=0.1)}
    for on, count in (("2010-09-30", "bjs"), ("2014-11-01", "ussc")):
        spec = PopulationSpec(snapshot=dt.date.fromisoformat(on))
        people = len(synthesize(spec, seed=20141101, size=0.1)) / 0.1
        row = rows[f"population on {on}"]
        assert row.figure == f"size ({count})"
        assert row.model == pytest.approx(counted(people, count, params))


# ------------------------------------------------------------------ known misses
FIG = {"published": 100.0, "tolerance": 0.05, "source": "s", "role": "fitted"}


def test_a_fitted_figure_outside_its_tolerance_fails():
    assert _judged("x", "size", FIG, 107.0).status == "FAIL"


def test_a_known_miss_passes_within_its_bound_with_its_reason():
    fig = {**FIG, "known_miss": {"bound": 0.08, "explanation": "a stated   reason"}}
    row = _judged("x", "size", fig, 107.0)
    assert (row.status, row.ok, row.note) == ("known miss", True, "a stated reason")
    assert _judged("x", "size", fig, 109.0).status == "FAIL"
    assert _judged("x", "size", fig, 103.0).status == "pass"


# ------------------------------------------------------------------ every change replayed
def _later_stock(snapshot: str, size: float = 0.2):
    return synthesize(PopulationSpec(snapshot=dt.date.fromisoformat(snapshot)), seed=3, size=size)


@pytest.mark.parametrize(
    ("name", "later"), [("A782", "2016-06-30"), ("FSA404", "2019-06-30"), ("A821", "2025-01-17")]
)
def test_a_replayed_change_finds_none_of_the_people_it_reduced(name, later):
    """On a later stock a change's own scenario reaches nobody it already reduced.

    Their terms are reduced, and their ranges rest on the change's guidelines (table_date) and
    the statutory tier it left (mm_charged), so running the change again lowers nothing.
    """
    changes = retroactive_amendments()
    am = next(a for a in changes if a.name == name)
    pop = _later_stock(later)
    bit = amendment_bit(name)
    reduced = (pop.reduced_by & bit) > 0
    assert reduced.sum() > 10
    assert (pop.table_date[reduced] == am.effective).all()
    again = sim.apply(pop, sim.load_scenario(project_file(am.scenario)))
    assert not again.reduction.eligible[reduced].any()


def test_a_later_404_motion_reaches_nobody_whose_first_was_denied():
    """First Step Act §404(c): the replayed §404 decisions are kept (``denied_by``), and the
    scenario's ``denied_before: FSA404`` keeps those denied on the merits out of a new motion."""
    pop = _later_stock("2019-06-30")
    bit = amendment_bit("FSA404")
    denied = (pop.denied_by & bit) > 0
    assert denied.sum() > 10
    assert not (denied & ((pop.reduced_by & bit) > 0)).any()  # denied or granted, not both
    scenario = sim.load_scenario(project_file("scenarios/2018_first_step_act_404.yaml"))
    assert not sim.apply(pop, scenario).reduction.eligible[denied].any()


def test_a_stock_on_a_changes_day_holds_none_of_its_reductions():

    changes = retroactive_amendments()
    for i, am in enumerate(changes[-2:], start=len(changes) - 2):
        pop = _later_stock(iso(am.effective), size=0.05)
        assert not (pop.reduced_by & (1 << i)).any()


def test_the_range_of_a_reduced_sentence_rests_on_its_changes_rules():
    """Status points count under Amendment 821 once a range rests on 2023-11-01 guidelines."""
    law = load_law()
    pop = _later_stock("2023-10-31", size=0.2)
    pick = (pop.status_points > 0) & (pop.chp - pop.status_points < 7)
    sub = pop.take(pick)
    moved = Population.from_arrays(
        {**sub.arrays(), "table_date": np.full(len(sub), day("2023-11-01"), dtype=np.int32)},
        sub.meta,
    )
    before = current_guideline(law, sub).category
    after = current_guideline(law, moved).category
    assert (after <= before).all() and (after < before).any()


# ------------------------------------------------------------------ the same people
@pytest.mark.parametrize("seed", [3, 11])
def test_a_later_cut_holds_the_same_people_in_the_cohorts_both_hold(params, seed):
    """A 2019 and a 2022 draw agree on every case sentenced by 2019 (as sentenced)."""
    short = admissions(params, seed=seed, size=0.05, until=day("2019-09-30"), replay_until=0)
    long = admissions(params, seed=seed, size=0.05, until=day("2022-09-30"), replay_until=0)
    head = long.take(np.arange(len(short)))
    for name, values in short.arrays().items():
        assert np.array_equal(values, getattr(head, name)), name


def test_the_2019_good_conduct_time_release_is_checked():
    rows = [r for r in check_snapshots(size=0.1) if r.scenario.startswith("released on")]
    assert [r.scenario for r in rows] == ["released on 2019-07-19"]
    assert rows[0].role == "check" and rows[0].note
    assert rows[0].model > 500  # a wave, not the few dozen releases of an ordinary day
    # the same count as a draw cut at that day (validate counts it from one later draw)
    on = day("2019-07-19")
    cut = admissions(load_parameters(), seed=20141101, size=0.1, until=on)
    assert rows[0].model == pytest.approx(float((cut.release_date == on).sum()) / 0.1)
