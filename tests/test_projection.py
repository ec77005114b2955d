"""Projections: forward cohorts, prospective and mixed changes, charging policy, conservation."""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st
from test_scenario import position, write

import simulator as sim
from simulator.calendar import day
from simulator.cli import main
from simulator.inputs.forward import admissions_series, trend
from simulator.inputs.parameters import load_parameters
from simulator.model.population import in_custody
from simulator.runs.projection import count, month_starts, project
from simulator.scenario import ScenarioError, load_scenario, with_overrides

PROSPECTIVE = ROOT / "scenarios" / "2014_guidelines_prospective.yaml"
SIZE, SEED = 0.05, 11


@pytest.fixture(scope="module")
def retro():
    return load_scenario(ROOT / "scenarios" / "2014_guidelines.yaml")


@pytest.fixture(scope="module")
def prosp():
    return load_scenario(PROSPECTIVE)


@pytest.fixture(scope="module")
def stock(retro):
    return sim.synthesize(retro.population, seed=SEED, size=SIZE)


def run(scenario, stock, **kw):
    return project(scenario, seed=SEED, size=SIZE, population=stock, **kw)


@pytest.fixture(scope="module")
def projections(retro, prosp, stock):
    both = with_overrides(retro, {"changes.0.applies": "both"})
    return {
        "retroactive": run(retro, stock),
        "prospective": run(prosp, stock),
        "both": run(both, stock),
    }


# ------------------------------------------------------------------------------ the stock
def test_the_stock_is_the_synthesized_one_bit_for_bit(retro):
    """Drawing the future cohorts leaves the stock's draws as they were before projections."""
    pop = sim.synthesize(retro.population, seed=retro.seed, size=0.05)
    h = hashlib.sha256()
    for k, v in pop.arrays().items():
        if k in ("reduced_by", "denied_by"):  # columns added later; the others are as they were
            continue
        h.update(k.encode())
        h.update(v.tobytes())
    # the digest of synthesize's output with the committed parameters, taken without the
    # projection code (it changes when `simulate calibrate` refits the parameters or the
    # generator draws something new, only then)
    assert h.hexdigest() == "a3a8809e6090c41f0f3d8b6727c6783de6dd11a89cbffeab0c018006e1c45be0"
    p = project(retro, seed=retro.seed, size=0.05, years=1)
    n = len(pop)
    assert p.opening == n and not p.people.new[:n].any() and p.people.new[n:].all()
    assert np.array_equal(p.people.release_baseline[:n], pop.release_date)


# ------------------------------------------------------------------------------ counting
@pytest.mark.parametrize("name", ["retroactive", "prospective", "both"])
def test_conservation_every_month(projections, name):
    p = projections[name]
    m = p.monthly
    for side in ("baseline", "reform"):
        before = np.concatenate([[p.opening], m[side].to_numpy()[:-1]])
        flow = m[f"admissions_{side}"].to_numpy() - m[f"releases_{side}"].to_numpy()
        assert np.array_equal(m[side].to_numpy(), before + flow)


@pytest.mark.parametrize("name", ["retroactive", "both"])
def test_monthly_population_is_everyone_in_custody_at_month_end(projections, name):
    """Checked against a direct count of who is in custody on each month's last day."""
    p = projections[name]
    pp = p.people
    starts = month_starts(p.start, 12 * p.meta["years"])
    for side, release in (("baseline", pp.release_baseline), ("reform", pp.release_reform)):
        people = SimpleNamespace(
            sentencing_date=pp.sentencing_date, custody_start=pp.sentencing_date,
            release_date=release,
        )  # fmt: skip
        for m in (0, 11, 12, 59, len(starts) - 2):
            direct = int(in_custody(people, int(starts[m + 1]) - 1).sum())
            assert p.monthly[side].iloc[m] == direct, (side, m)


def test_count_by_hand():
    c = count(np.array([0, 5, 40, 10]), np.array([50, 20, 45, 3]), 0, np.array([0, 31, 59]))
    assert c["population"].tolist() == [1, 0]
    assert c["admissions"].tolist() == [2, 1]  # day 5, day 10 (released at sentencing), day 40
    assert c["releases"].tolist() == [2, 2]
    assert c["daily"][:6].tolist() == [1, 1, 1, 1, 1, 2]
    assert c["bed_years"].sum() * 365.2425 == pytest.approx(50 + 15 + 5)


@given(
    st.lists(st.tuples(st.integers(-400, 800), st.integers(0, 900)), min_size=1, max_size=60),
    st.integers(0, 40),
    st.integers(1, 12),
)
def test_count_conserves_and_counts_who_is_in_custody(spans, start_offset, months):
    """Any entries and exits: month-end population = direct count; stocks and flows agree."""
    entry = np.array([e for e, _ in spans])
    exit_ = entry + np.array([d for _, d in spans]) - 50  # some leave before they enter
    start = day("2014-11-01") + start_offset
    entry, exit_ = entry + start, exit_ + start
    starts = month_starts(start, months)
    c = count(entry, exit_, start, starts)
    clipped = np.maximum(exit_, entry)
    opening = int(((entry <= start) & (clipped > start)).sum())
    before = np.concatenate([[opening], c["population"][:-1]])
    assert np.array_equal(c["population"], before + c["admissions"] - c["releases"])
    for m in range(months):
        last = int(starts[m + 1]) - 1
        assert c["population"][m] == int(((entry <= last) & (clipped > last)).sum())
    inside = np.clip(clipped, start, starts[-1]) - np.clip(entry, start, starts[-1])
    assert c["bed_years"].sum() * 365.2425 == pytest.approx(inside.clip(0).sum())


def test_a_longer_horizon_keeps_the_earlier_months(prosp, stock):
    short, long = run(prosp, stock, years=2), run(prosp, stock, years=3)
    assert short.monthly.equals(long.monthly.iloc[:24].reset_index(drop=True))


def test_same_seed_same_projection(prosp, stock, projections):
    assert run(prosp, stock).monthly.equals(projections["prospective"].monthly)


# ------------------------------------------------------------------------------ whom changes reach
def test_a_prospective_change_never_alters_anyone_sentenced_before_it(projections, prosp, stock):
    pp = projections["prospective"].people
    before = pp.sentencing_date < day(prosp.retroactivity.effective)
    assert before.sum() >= len(stock) - 10  # the stock (a few were sentenced on the day itself)
    assert np.array_equal(pp.release_reform[~pp.new], pp.release_baseline[~pp.new])
    assert np.array_equal(pp.release_reform[before], pp.release_baseline[before])
    assert np.array_equal(pp.term_reform[before], pp.term_baseline[before])
    after = ~before
    assert (pp.term_reform[after] <= pp.term_baseline[after]).all()
    assert (pp.term_reform[after] < pp.term_baseline[after]).mean() > 0.5
    out = sim.apply(stock, prosp).summary  # the engine: nobody in the stock is eligible
    assert out["eligible"] == 0 and out["bed_years_saved"] == 0


def test_retroactive_alone_changes_no_new_case(projections):
    pp = projections["retroactive"].people
    assert np.array_equal(pp.release_reform[pp.new], pp.release_baseline[pp.new])
    assert (pp.release_reform[~pp.new] < pp.release_baseline[~pp.new]).any()


def test_both_saves_at_least_either_alone(projections):
    saved = {k: p.summary["bed_years_saved"] for k, p in projections.items()}
    assert saved["both"] >= max(saved["retroactive"], saved["prospective"]) > 0
    # the two parts reach different people here (the change takes effect on the snapshot day)
    assert saved["both"] == pytest.approx(saved["retroactive"] + saved["prospective"], abs=0.5)
    for p in projections.values():
        m = p.monthly
        assert (m["reform"] <= m["baseline"]).all()


@pytest.mark.parametrize("applies", ["retroactive", "prospective", "both"])
def test_a_change_that_changes_nothing_leaves_baseline_and_reform_equal(retro, stock, applies):
    noop = with_overrides(
        retro,
        {"changes": json.dumps([{"type": "level_shift", "levels": 0, "drugs": ["heroin",
         "cocaine", "cocaine_base", "methamphetamine"], "applies": applies}])},
    )  # fmt: skip
    p = run(noop, stock, years=3)
    m = p.monthly
    assert m["difference"].eq(0).all() and m["bed_years_saved_cumulative"].eq(0).all()
    assert np.array_equal(p.people.release_reform, p.people.release_baseline)


def test_the_baseline_keeps_the_replaced_table_for_new_cases(projections, retro, stock):
    """Baseline = the world without the change: new cases keep the pre-2014 table.

    A change that replaces no table leaves new cases under the law of their date, which in
    ``data/law`` is Amendment 782's table from 2014-11-01: exactly the prospective reform.
    """
    pp = projections["prospective"].people
    new = pp.new
    base = projections["retroactive"].people  # same new cases, no prospective change
    assert np.array_equal(pp.term_baseline[new], base.term_baseline[new])
    assert np.array_equal(base.term_reform[new], base.term_baseline[new])
    noop = with_overrides(
        retro, {"changes": json.dumps([{"type": "level_shift", "levels": 0, "drugs": ["heroin"]}])}
    )
    law_of_the_day = run(noop, stock).people
    assert np.array_equal(law_of_the_day.term_baseline[new], pp.term_reform[new])
    assert (pp.term_reform[new] < pp.term_baseline[new]).mean() > 0.5


# ------------------------------------------------------------------------------ charging policy
def charging(retro, share: float):
    changes = [{"type": "charging_policy", "share": share, "effective": "2015-01-01"}]
    return with_overrides(retro, {"changes": json.dumps(changes)})


def test_charging_policy_lowers_only_new_cases_and_more_the_lower_the_share(retro, stock):
    low, mid = run(charging(retro, 0.0), stock, years=4), run(charging(retro, 0.5), stock, years=4)
    for p in (low, mid):
        pp = p.people
        assert np.array_equal(pp.release_reform[~pp.new], pp.release_baseline[~pp.new])
        assert (pp.term_reform <= pp.term_baseline).all()
        assert (p.monthly["reform"] <= p.monthly["baseline"]).all()
    assert low.summary["bed_years_saved"] > mid.summary["bed_years_saved"] > 0
    # common random numbers: whoever a share of 0.5 helps, a share of 0 helps at least as much
    assert (low.people.term_reform <= mid.people.term_reform).all()
    # the engine ignores it: nobody in the stock is eligible
    assert sim.apply(stock, charging(retro, 0.0)).summary["eligible"] == 0


def test_a_charging_policy_before_its_day_changes_nothing(retro, stock):
    late = with_overrides(
        retro, {"changes": json.dumps([{"type": "charging_policy", "share": 0.0,
                                        "effective": "2030-01-01"}])}
    )  # fmt: skip
    assert run(late, stock, years=2).monthly["difference"].eq(0).all()


# ------------------------------------------------------------------------------ admissions
def test_admissions_follow_the_series_then_a_capped_trend():
    params = load_parameters()
    known = params.assumed["admissions"]
    s = admissions_series(params, None, 2016, 2030)
    assert s[2016] == known[2016] and s[2024] == known[2024]
    rate = trend(params, None)
    assert -0.02 <= rate <= 0.02
    assert s[2030] == pytest.approx(known[2024] * (1 + rate) ** 6)


def test_admissions_settings(prosp):
    params = load_parameters()
    steep = with_overrides(prosp, {"projection.trend_cap": "0.01", "projection.trend_years": "5"})
    assert abs(trend(params, steep.projection)) <= 0.01
    own = with_overrides(prosp, {"projection.admissions": "{2016: 1000}", "projection.trend": "0"})
    s = admissions_series(params, own.projection, 2016, 2027)
    assert s[2016] == 1000 and s[2026] == s[2027] == s[2025]


def test_projected_admissions_scale_with_the_series(prosp, stock):
    series = admissions_series(load_parameters(), None, 2015, 2017)
    half = {y: v / 2 for y, v in series.items()}
    a = run(prosp, stock, years=2).summary["admissions_baseline"]
    b = run(
        with_overrides(prosp, {"projection.admissions": json.dumps(half)}), stock, years=2
    ).summary["admissions_baseline"]
    assert b == pytest.approx(a / 2, rel=0.02)


def test_a_mix_of_only_one_drug(prosp, stock):
    meth = {"heroin": 0, "cocaine": 0, "cocaine_base": 0, "methamphetamine": 1, "marijuana": 0,
            "other": 0}  # fmt: skip
    p = run(with_overrides(prosp, {"projection.mix": json.dumps(meth)}), stock, years=1)
    assert p.summary["admissions_baseline"] > 0


# ------------------------------------------------------------------------------ published figures
def test_the_drug_population_declines_like_the_bop_population_2014_2016(retro):
    """Direction and rough size, against the BOP's published totals (all offenses)."""
    doc = yaml.safe_load((ROOT / "data/targets/2014_guidelines_prospective.yaml").read_text())
    t = doc["population_trend"]
    published = t["to"]["published"] / t["from"]["published"] - 1  # -10.3%
    stock = sim.synthesize(retro.population, seed=retro.seed, size=0.3)
    as_happened = with_overrides(retro, {"changes.0.applies": "both"})
    p = project(as_happened, seed=retro.seed, size=0.3, population=stock, years=2)
    m = p.monthly.set_index("month")
    end = str(t["to"]["date"])[:7]  # the month ending on that day
    baseline = m.loc[end, "baseline"] / p.opening - 1
    happened = m.loc[end, "reform"] / p.opening - 1
    assert baseline < 0 and happened < baseline  # both decline; the amendment adds to it
    assert 0.5 * published >= happened >= 1.5 * published  # within half of the published size


# ------------------------------------------------------------------------------ scenario keys
HEAD = """\
title: t
reference: r
retroactivity: {effective: 2014-11-01}
grant: {rate: 0.5}
costs: {per_bed_year: 1}
changes:
"""
DT = "  - {type: drug_table, edition: '2014', drugs: [heroin]"


def test_applies_supersedes_retroactive(tmp_path):
    for text, reaches, retroactive in (
        (DT + "}", "retroactive", True),
        (DT + ", retroactive: false}", "prospective", False),
        (DT + ", applies: prospective}", "prospective", False),
        (DT + ", applies: both, retroactive: false}", "both", True),
        (DT + ", applies: retroactive}", "retroactive", True),
    ):
        ch = load_scenario(write(tmp_path, HEAD + text + "\n")).changes[0]
        assert (ch.reaches, ch.retroactive) == (reaches, retroactive), text


@pytest.mark.parametrize(
    ("text", "needle", "message"),
    [
        (DT + ", applies: sometimes}", "applies", "'retroactive'"),
        ("  - {type: charging_policy, share: 0.2, applies: both}", "type", "new cases only"),
        ("  - {type: charging_policy, share: 1.5}", "share", "less than or equal"),
        (
            "  - {type: clemency, criteria: {}, review: {capacity_per_month: 5}, "
            "applies: prospective}",
            "type",
            "already sentenced",
        ),
    ],
)
def test_bad_applies_and_charging_policy_name_file_line_and_key(tmp_path, text, needle, message):
    full = HEAD + text + "\n"
    path = write(tmp_path, full)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    first = str(exc.value).splitlines()[0]
    line, _ = position(full, needle)
    assert first.startswith(f"{path}:{line}:") and "changes.0" in first, first
    assert message in first, first


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("projection: {years: 0}", "greater than or equal to 1"),
        ("projection: {admissions: {1900: 5}}", "expected a fiscal year"),
        ("projection: {mix: {crack: 1}}", "projection.mix.crack"),
        ("projection: {yeras: 5}", "did you mean 'years'"),
    ],
)
def test_bad_projection_blocks(tmp_path, block, message):
    path = write(tmp_path, HEAD + DT + "}\n" + block + "\n")
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)


def test_new_keys_leave_old_hashes_alone(retro):
    """Scenarios without `applies` or `projection` hash as before these keys existed."""
    assert retro.sha256().startswith("7e605b9e3c99")
    assert with_overrides(retro, {"changes.0.applies": "both"}).sha256() != retro.sha256()


# ------------------------------------------------------------------------------ the command
def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_project_command_json_out_and_plots(tmp_path, prosp):
    out, plots = tmp_path / "out", tmp_path / "plots"
    args = ["project", str(PROSPECTIVE), "--size", "0.02", "--years", "2", "--seed", "3"]
    result = invoke(*args, "--json", "--out", str(out), "--plots", str(plots))
    assert result.exit_code == 0, result.output
    s = json.loads(result.output)
    assert s["scenario_sha256"] == prosp.sha256() and s["seed"] == 3 and s["years"] == 2
    assert len(s["yearly"]) == 2 and s["bed_years_saved"] > 0
    monthly = (out / "projection_monthly.csv").read_text()
    meta = json.loads((out / "meta.json").read_text())
    assert meta["scenario_sha256"] == prosp.sha256() and meta["seed"] == 3
    assert meta["command"].startswith("simulate project ")
    header = monthly.splitlines()[0]
    assert header.split(",") == [
        "month", "baseline", "reform", "difference", "admissions_baseline", "admissions_reform",
        "releases_baseline", "releases_reform", "bed_years_saved_cumulative",
    ]  # fmt: skip
    assert json.loads((out / "projection.json").read_text()) == s
    assert (plots / "projection.png").stat().st_size > 0
    assert (plots / "projection.svg").read_text().lstrip().startswith("<?xml")
    again = invoke(*args, "--out", str(out))
    assert again.exit_code == 2 and "exists; use --force" in again.stderr
    assert invoke(*args, "--out", str(out), "--force").exit_code == 0
    table = invoke(*args)
    assert table.exit_code == 0 and "bed-years saved" in table.output and "seed 3" in table.output


def test_project_command_refuses_a_bad_scenario(tmp_path):
    path = write(tmp_path, HEAD + DT + ", applies: later}\n")
    result = invoke("project", str(path))
    assert result.exit_code == 2 and "changes.0.applies" in result.stderr
    assert "Traceback" not in result.output


def test_the_report_holds_the_projection_when_the_scenario_asks(prosp, retro, stock):
    from simulator.report.html import build_report

    page = build_report(sim.apply(stock, prosp), calibration=[])
    section = page[page.index("<section id='projection'>") :]
    assert "<svg" in section and "bed-years saved" in section
    assert "id='projection'" not in build_report(sim.apply(stock, retro), calibration=[])
