"""A consecutive firearm term under 18 U.S.C. §924(c): law, sentencing, reductions, synthesis.

18 U.S.C. §924(c)(1)(A): using or carrying a firearm during and in relation to a drug
trafficking crime, or possessing one in furtherance of it, brings at least 5 years (7 if
brandished, 10 if discharged); (C): 25 years for a second or subsequent conviction, which from
the First Step Act §403 (2018-12-21) needs a prior §924(c) conviction already final; (D)(ii):
the term runs consecutively to every other term. USSG §2K2.4(b): the guideline sentence is the
minimum the statute requires; Application Note 4: the weapon enhancement of §2D1.1(b)(1) is not
applied to the drug count when a §924(c) sentence is imposed with it. No change of the drug
guidelines (USSG §1B1.10(d)) touches the §924(c) term: a reduction reaches the drug term only.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from hypothesis import given, settings
from reference_calculator import Change, reference_reduce
from strategies import EFFECTIVE, amendments, level_shift, person_row, populations, to_population
from test_reference_calculator import cases_of

import simulator as sim
from simulator.calendar import day
from simulator.inputs.cohorts import draw_cases
from simulator.inputs.parameters import load_parameters
from simulator.inputs.population_files import to_file_frame
from simulator.law import DRUGS, load_law
from simulator.model.clemency import today_term
from simulator.model.reduction import Amendment, current_guideline, reduce
from simulator.model.sentencing import drug_term, weapon_levels

HEROIN = DRUGS.index("heroin")
MINUS_TWO = level_shift([HEROIN], -2)


def run(pop, change, effective=EFFECTIVE):
    """Every eligible motion granted, no release delay."""
    n = len(pop)
    return reduce(
        load_law(), pop, change, effective=effective, earliest_release=None,
        grant_prob=np.ones(n), uniforms=np.zeros(n, dtype=np.float32),
    )  # fmt: skip


def client(**facts):
    """1 kg of heroin sentenced in 2012 (pre-2014 table: base level 32, less 3 for acceptance:
    level 29, category I, 87-108 months), a weapon, no minimum charged, 97 months on the drug
    count (position 10/21 in the range), and a 60-month §924(c) term: 157 months in all."""
    row = person_row(weapon=True, position=10 / 21, firearm_924c_months=60)
    row.update(facts)
    return to_population([row])


# ---------------------------------------------------------------------------- the law as data
def test_the_statute_by_period():
    fa = load_law().firearms
    on = np.array([day("1990-01-01"), day("2005-01-01"), day("2019-01-01")])
    # (A)(i)-(iii): 5, 7, 10 years from Pub. L. 105-386 (1998-11-13); before it 5 years alone
    assert fa.minimum("possessed", on).tolist() == [60, 60, 60]
    assert fa.minimum("brandished", on).tolist() == [60, 84, 84]
    assert fa.minimum("discharged", on).tolist() == [60, 120, 120]
    # (C)(i): second or subsequent conviction; stacking in one case until the First Step Act
    assert fa.minimum("possessed", on, count=2).tolist() == [240, 300, 60]
    assert fa.minimum("possessed", on, count=2, prior_final=True).tolist() == [240, 300, 300]
    assert "§924(c)" in fa.source and "§2K2.4" in fa.source


# ------------------------------------------------------------------------------- sentencing
def test_no_weapon_enhancement_with_a_924c_sentence():
    """USSG §2K2.4, App. Note 4: the same firearm is not counted twice."""
    law = load_law()
    pop = client()
    assert weapon_levels(law, pop.cases()).tolist() == [0]
    g = current_guideline(law, pop)
    assert (int(g.level[0]), int(g.range_min[0]), int(g.range_max[0])) == (29, 87, 108)
    # the drug term (97) plus the consecutive 60 months (§924(c)(1)(D)(ii))
    assert int(pop.term[0]) == 157
    assert drug_term(law, pop.term, pop.firearm_924c_months).tolist() == [97]
    # without the count the weapon adds two levels: 31, 108-135
    alone = to_population([person_row(weapon=True, position=10 / 21)])
    g = current_guideline(law, alone)
    assert (int(g.level[0]), int(g.range_min[0])) == (31, 108)


def test_the_weapon_still_excludes():
    """A §924(c) count is a firearm in the offense: §4C1.1(a)(7) and the clemency criterion."""
    law = load_law()
    pop = client(chp=0)
    assert not law.zero_point_offender(pop.cases())[0]


# ------------------------------------------------------------------------------- reductions
def test_two_levels_reduce_the_drug_term_only():
    """Level 29 -> 27 (87-108 -> 70-87): 97 months at 10/21 of the range become
    70 + 10/21 x 17 = 78.1 -> 78; the 60 months of §924(c) follow: 157 -> 138."""
    pop = client()
    red = run(pop, MINUS_TWO)
    assert bool(red.eligible[0])
    assert int(red.reduced_term[0]) == 138
    assert int(red.term[0]) - int(pop.firearm_924c_months[0]) == 78
    # the reference calculator, written from the law, agrees
    ref = reference_reduce(cases_of(pop)[0], Change({}, {"heroin": (-2, 1, 43)}),
                           effective=EFFECTIVE, earliest_release=None)  # fmt: skip
    assert (ref.eligible, ref.reduced_term) == (True, 138)


def test_a_reduction_never_reaches_the_firearm_months():
    """A cut of 20 levels takes the drug term near the bottom of the table: base level 12, less
    2 for acceptance, is level 10 (6-12 months), and 6 + 10/21 x 6 = 8.9 -> 9; the 60 months
    stay."""
    pop = client()
    red = run(pop, level_shift([HEROIN], -20))
    assert int(red.reduced_term[0]) == 60 + 9
    assert int(red.reduced_term[0]) >= 60


def test_a_change_that_lowers_nothing_makes_no_one_eligible():
    red = run(client(), Amendment.none())
    assert not red.eligible.any() and int(red.reduced_term[0]) == 157


@settings(max_examples=60, deadline=None)
@given(pop=populations(), change=amendments())
def test_the_firearm_term_survives_every_reduction(pop, change):
    """For anyone with a term of years: the new term keeps every §924(c) month, and the cut
    is no more than the drug term."""
    law = load_law()
    red = run(pop, change)
    fa = pop.firearm_924c_months.astype(int)
    years = pop.term < law.life_months
    assert (red.reduced_term[years] >= fa[years]).all()
    assert (red.term[years] >= fa[years]).all()
    cut = pop.term.astype(int) - red.term
    assert (cut[years] <= (pop.term.astype(int) - fa)[years]).all()


@settings(max_examples=40, deadline=None)
@given(pop=populations())
def test_the_same_cases_without_the_count_are_reduced_as_before(pop):
    """Setting the §924(c) months aside, people without them are reduced as they were."""
    none = pop.firearm_924c_months == 0
    red = run(pop, MINUS_TWO)
    alone = run(pop.take(none), MINUS_TWO)
    assert np.array_equal(red.reduced_term[none], alone.reduced_term)


# -------------------------------------------------------------------------------- clemency
def test_the_term_today_is_compared_total_with_total():
    """Re-sentenced under the same law, the term today is the same 157 months, not 97."""
    law = load_law()
    pop = client()
    term, _ = today_term(law, pop, [], as_of=day("2013-06-01"))
    assert int(term[0]) == 157


# ------------------------------------------------------------------------------- synthesis
def test_synthesis_draws_the_count_from_its_own_stream():
    """Only cases with a weapon get a count; every other drawn attribute stays as it was."""
    params = copy.deepcopy(load_parameters())  # the loaded parameters are shared: not changed
    drawn = draw_cases(params, 5, 0.02, 2016)
    fa = drawn["firearm_924c_months"]
    assert (fa[~drawn["weapon"]] == 0).all()
    # first convictions for possession: 60 months, less a substantial-assistance departure's
    # share (18 U.S.C. §3553(e) reaches the §924(c) minimum too)
    assist = drawn["sub_assist"]
    assert set(np.unique(fa[~assist]).tolist()) <= {0, 60}
    cut = assist & (fa > 0)
    expected = np.maximum(np.rint(60 * (1.0 - drawn["departure"][cut])), 1)
    assert np.array_equal(fa[cut], expected)
    share = (fa > 0)[drawn["weapon"]].mean()
    assert abs(share - params.assumed["firearm_924c"]["share_of_weapon"]) < 0.03
    params.assumed["firearm_924c"] = {**params.assumed["firearm_924c"], "share_of_weapon": 0.0}
    without = draw_cases(params, 5, 0.02, 2016)
    for name, values in drawn.items():
        if name != "firearm_924c_months":
            assert np.array_equal(values, without[name]), name


def test_the_stock_holds_924c_terms():
    s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    pop = sim.synthesize(s.population, seed=3, size=0.05)
    has = pop.firearm_924c_months > 0
    assert 0.01 < has.mean() < 0.1
    assert pop.weapon[has].all()
    assert (pop.term[has] > pop.firearm_924c_months[has]).all()


# ------------------------------------------------------------------------- population files
def test_a_file_row_whose_firearm_term_is_not_less_than_the_term_is_rejected(tmp_path):
    frame = to_file_frame(client(), dates_as_text=True).astype(str)
    frame = pd.concat([frame, frame], ignore_index=True)
    frame.loc[1, "id"] = "1"
    frame.loc[1, "firearm_924c_months"] = "157"
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    pop = sim.read_population(path, on_bad_rows="skip")
    reasons = pop.meta["rejected"]["reason"].tolist()
    assert reasons == ["firearm_924c_months: not less than term (term includes it)"]
    assert pop.firearm_924c_months.tolist() == [60]


def test_a_file_without_the_column_has_no_firearm_terms(tmp_path):
    frame = to_file_frame(client(), dates_as_text=True).drop(columns=["firearm_924c_months"])
    path = tmp_path / "people.csv"
    frame.to_csv(path, index=False)
    pop = sim.read_population(path)
    assert pop.firearm_924c_months.tolist() == [0]


def test_strategies_draw_the_column():
    rows = [person_row(weapon=True, firearm_924c_months=m) for m in (0, 60, 300)]
    pop = to_population(rows)
    assert pop.firearm_924c_months.tolist() == [0, 60, 300]


@settings(max_examples=20, deadline=None)
@given(pop=populations())
def test_strategies_draw_the_count_only_with_a_weapon(pop):
    assert (pop.firearm_924c_months[~pop.weapon] == 0).all()
