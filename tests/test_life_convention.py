"""Life counted in months: the Commission's 470, or what a scenario says (issue 18, item 6).

The Sentencing Commission counts a life sentence as 470 months in its statistics
(``data/law/conventions.yaml``). Where arithmetic needs a number for life, the engine uses it:
the comparable cut of a substantial-assistance sentence below a life minimum (USSG
§1B1.10(b)(2)(B)), a term's place in a range whose top is life, and the release and bed-years of
a life term. A scenario may count life otherwise (``conventions.life_months``).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ROOT
from strategies import person_row, to_population
from test_scenario import MINIMAL, write
from test_scenario_validation import errors

import simulator as sim
from simulator.law import load_law
from simulator.model.apply import life_counted_as
from simulator.runs.projection import project
from simulator.runs.sensitivity import scenario_sensitivity
from simulator.runs.worksheet import worksheet
from simulator.scenario import ScenarioError, load_scenario, with_overrides

A782 = ROOT / "scenarios" / "2014_guidelines.yaml"
DAYS_PER_MONTH = 365.2425 / 12


def below_mandatory_life(**facts) -> dict:
    """Crack, 500 g, sentenced 2005-06-01 on the ten-year tier with two §851 priors.

    21 U.S.C. §841(b)(1)(A) as it stood before the First Step Act: a mandatory life term. A
    substantial-assistance motion (18 U.S.C. §3553(e)) let the court go under it: a departure of
    half, counted from life as 470 months, gives 235 months.
    """
    case = dict(
        drug="cocaine_base", grams=500.0, mm_charged=10, priors_851=2, chp=9, sub_assist=True,
        departure=0.5, sentencing_date="2005-06-01", custody_start="2004-06-01",
    )  # fmt: skip
    return person_row(**{**case, **facts})


def a782(life: int | None = None, rate: str = "1") -> sim.Scenario:
    sets = {"grant.rate": rate}
    if life is not None:
        sets["conventions.life_months"] = str(life)
    return with_overrides(load_scenario(A782), sets)


def test_the_convention_is_the_commissions_470_in_data_law():
    assert load_law().life_months == 470
    assert load_scenario(A782).conventions is None


@pytest.mark.parametrize(("life", "reduced"), [(None, 50), (470, 50), (600, 39), (1200, 20)])
def test_comparable_cut_below_a_mandatory_life_term_is_taken_from_life_as_counted(life, reduced):
    """USSG §1B1.10(b)(2)(B): a term below the range for substantial assistance is cut comparably.

    Worked by hand. At sentencing (2005, 1987 crack table): a life floor, so the applicable
    range is life–life and the court's 235 months sit below it. Under Amendment 782 (2014
    table): 500 g of crack is level 30 (280 g to 840 g), less 3 for acceptance: 27; 9 points:
    category IV; 27/IV is 100–125 months, and §1B1.10(c) lets the range be taken before the
    mandatory minimum. The comparable term is 235 × 100 / life: 50 months when life counts 470,
    39 (39.2) at 600, 20 (19.6) at 1200.
    """
    pop = to_population([below_mandatory_life()])
    assert int(pop.term[0]) == 235
    out = sim.apply(pop, a782(life))
    red = out.reduction
    assert (int(red.old.range_min[0]), int(red.new.table_min[0])) == (out.law.life_months, 100)
    assert bool(red.eligible[0]) and int(red.reduced_term[0]) == reduced
    assert out.summary["mean_reduction_months"] == 235 - reduced


def test_a_life_term_is_served_for_the_months_life_counts():
    """Life earns no good-conduct time (18 U.S.C. §3624(b)): release is custody start + life."""
    pop = to_population([below_mandatory_life(sub_assist=False, departure=0.0)])
    law = load_law()
    assert int(pop.term[0]) == law.life_months
    start = int(pop.custody_start[0])
    for months in (470, 600, 1200):
        counted_law, counted = life_counted_as(law, pop, months)
        assert counted_law.life_months == months and int(counted.term[0]) == months
        assert abs(int(counted.release_date[0]) - (start + months * DAYS_PER_MONTH)) <= 1
    assert life_counted_as(law, pop, None) == (law, pop)


def test_terms_of_years_and_the_tables_keep_their_months():
    law = load_law()
    longer = law.with_life_months(600)
    life = law.range_max == law.life_months
    assert (longer.range_max[life] == 600).all()
    assert (longer.range_max[~life] == law.range_max[~life]).all()
    assert (longer.range_min[law.range_min != law.life_months] ==
            law.range_min[law.range_min != law.life_months]).all()  # fmt: skip
    assert int(longer.penalty_max.max()) == 600  # life, no longer 480 (40 years) below it
    assert 480 in longer.penalty_max  # the five-year tier's 40 years
    pop = to_population([person_row(), below_mandatory_life()])
    _, counted = life_counted_as(law, pop, 600)
    assert counted.term.tolist() == pop.term.tolist()  # nobody serves life here
    assert counted.release_date.tolist() == pop.release_date.tolist()


def test_the_scenario_hash_is_unchanged_unless_life_is_counted_otherwise(tmp_path):
    plain = load_scenario(write(tmp_path, MINIMAL))
    empty = load_scenario(write(tmp_path, MINIMAL + "conventions: {}\n", "empty.yaml"))
    same = with_overrides(plain, {"conventions.life_months": "470"})
    other = with_overrides(plain, {"conventions.life_months": "600"})
    assert empty.sha256() == plain.sha256()
    assert same.sha256() != plain.sha256() != other.sha256()  # said, even when it is the default
    assert other.conventions.life_months == 600


def test_a_scenario_file_sets_it_and_a_bad_value_names_file_line_and_key(tmp_path):
    s = load_scenario(write(tmp_path, MINIMAL + "conventions:\n  life_months: 720\n"))
    assert s.conventions.life_months == 720
    assert errors(tmp_path, MINIMAL + "conventions:\n  life_months: 400\n") == [
        "15:3: conventions.life_months: Input should be greater than or equal to 470"
    ]
    assert errors(tmp_path, MINIMAL + "conventions:\n  life_month: 600\n") == [
        "15:3: conventions.life_month: unknown key; did you mean 'life_months'?"
    ]
    with pytest.raises(ScenarioError, match=r"--set conventions.life_months: .*less than or equal"):
        with_overrides(s, {"conventions.life_months": "5000"})


def test_an_uncertain_life_moves_the_mean_cut_in_sensitivity():
    """``simulate sensitivity`` sees the convention as any other uncertain assumption."""
    s = with_overrides(
        a782(), {"conventions.life_months": "{uniform: [470, 720]}", "grant.rate": "0.9"}
    )
    assert s.conventions.life_months == 595  # the median, when run once
    table = scenario_sensitivity(s, ["mean_reduction_months"], n=8, size=0.1, resamples=20)
    row = table.set_index("assumption").loc["conventions.life_months"]
    assert row["total_order"] > 0.5


def test_a_projection_counts_life_alike_in_baseline_and_reform():
    """With nobody granted, life counted as 600 months moves nothing between the two."""
    s = a782(600, rate="0")
    p = project(s, seed=3, size=0.02, years=2)
    assert np.array_equal(p.people.release_baseline, p.people.release_reform)


def test_the_worksheet_says_how_life_is_counted_and_shows_the_comparable_cut():
    pop = to_population([below_mandatory_life()])
    for life, text in ((None, "470 months (the Sentencing Commission's convention"),
                       (600, "600 months (the scenario's conventions.life_months")):  # fmt: skip
        ws = worksheet(sim.apply(pop, a782(life)), 0)
        result = dict(ws.result)
        assert result["life counted as"].startswith(text)
        months = 470 if life is None else life
        assert f"235 × 100 / {months}: comparably below" in result["full reduction (§1B1.10(b))"]


def test_stock_counts_of_the_convention_are_as_reported():
    """Who in a stock has a term counted from life (a small stock: the shares, not the counts)."""
    s = load_scenario(A782)
    pop = sim.synthesize(s.population, seed=s.seed, size=0.1)
    law = load_law()
    old = sim.apply(pop, s).reduction.old
    below = pop.sub_assist & (old.range_min == law.life_months) & (pop.term < law.life_months)
    assert below.sum() > 0
    assert 100 < float((law.life_months - pop.term[below]).mean()) < 300
