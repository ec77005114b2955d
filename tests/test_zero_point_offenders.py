"""USSG §4C1.1, zero-point offenders (Amendment 821 Part B, subpart 1; issue 18, item 7).

From 2023-11-01 (retroactive by Amendment 825, no release before 2024-02-01) a defendant who
meets every condition of §4C1.1(a) gets two offense levels off. ``data/law/criminal_history.yaml``
lists the ten conditions of the 2023 text and the population column that carries each.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from conftest import ROOT
from strategies import person_row, to_population

import simulator as sim
from simulator.calendar import day
from simulator.cli import main
from simulator.law import load_law
from simulator.model.changes import resolve_changes
from simulator.model.population import CASE_FIELDS
from simulator.model.reduction import current_guideline
from simulator.runs.worksheet import case_population, worksheet
from simulator.scenario.changes import CriminalHistoryChange

CLAUSES = [f"(a)({i})" for i in range(1, 11)]


def test_every_condition_of_the_2023_text_is_listed_with_its_column_or_why_none():
    doc = yaml.safe_load((ROOT / "data" / "law" / "criminal_history.yaml").read_text("utf-8"))
    conditions = doc["zero_point"]["conditions"]
    assert [c["clause"] for c in conditions] == CLAUSES
    for c in conditions:
        assert c["text"].strip() and c["label"].strip()
        assert (c.get("column") in CASE_FIELDS) != bool(c.get("not_modeled")), c["clause"]
    modeled = {c["clause"]: c.get("column") for c in conditions if c.get("column")}
    assert modeled == {"(a)(1)": "chp", "(a)(3)": "zp_excluded", "(a)(4)": "zp_excluded",
                       "(a)(7)": "weapon", "(a)(9)": "zp_excluded", "(a)(10)": "role"}  # fmt: skip
    assert str(doc["zero_point"]["from"]) == "2023-11-01"


@pytest.mark.parametrize(
    ("facts", "decrease"),
    [
        # heroin 1 kg, sentenced 2012 (pre-2014 table: level 32), acceptance -3: 29, category I,
        # 87-108 months; every condition met: 27, 70-87 months
        ({}, 2),
        ({"chp": 1}, 0),  # §4C1.1(a)(1): one criminal history point
        ({"zp_excluded": True}, 0),  # (a)(3), (4), (9): violence, death or injury, a victim
        ({"weapon": True}, 0),  # (a)(7): a dangerous weapon in connection with the offense
        ({"role": 2}, 0),  # (a)(10): an aggravating role, §3B1.1(c)
        ({"role": 4}, 0),  # (a)(10): organizer or leader, as in a continuing criminal enterprise
        ({"role": -2}, 2),  # a mitigating role (§3B1.2) is no exclusion
        ({"status_points": 0, "violent": True}, 2),  # a history of violence is not (a)(3)
    ],
)
def test_each_condition_of_4c1_1_a_hand_worked(facts, decrease):
    law = load_law()
    pop = to_population([person_row(**facts)])
    change = CriminalHistoryChange(type="criminal_history", zero_point={})
    new = resolve_changes(law, [change], effective=day("2023-11-01"))(law, pop, None)
    old = current_guideline(law, pop)
    assert int(old.level[0]) - int(new.level[0]) == decrease
    if not facts:
        assert (int(old.level[0]), int(old.range_min[0]), int(old.range_max[0])) == (29, 87, 108)
        assert (int(new.level[0]), int(new.range_min[0]), int(new.range_max[0])) == (27, 70, 87)


def test_the_rule_scores_sentences_from_its_day_with_the_same_conditions():
    law = load_law()
    rows = [person_row(sentencing_date="2024-03-01", **f) for f in ({}, {"zp_excluded": True})]
    before = [{**r, "sentencing_date": day("2023-10-31"), "table_date": day("2023-10-31")}
              for r in rows]  # fmt: skip
    after, old = (
        current_guideline(law, to_population(rows)),
        current_guideline(law, to_population(before)),
    )
    assert (old.level - after.level).tolist() == [2, 0]


def test_synthesis_draws_the_conduct_exclusions_only_without_the_safety_valve():
    """18 U.S.C. §3553(f)(2), (3): the same conduct bars the safety valve."""
    s = sim.load_scenario(ROOT / "scenarios" / "2023_amendment_821.yaml")
    pop = sim.synthesize(s.population, seed=4, size=0.2)
    assert not (pop.zp_excluded & pop.safety_valve).any()
    share = pop.zp_excluded[~pop.safety_valve].mean()
    assert 0.03 < share < 0.055  # 1 - 0.97 × 0.99 × 0.998 ≈ 0.042


def test_screen_shows_each_condition_with_its_clause():
    from click.testing import CliRunner

    args = ["screen", "--drug", "meth", "--grams", "600", "--points", "0", "--sentenced",
            "2021-06-01", "--term", "108", "--mm-tier", "0", "--scenario",
            str(ROOT / "scenarios" / "2023_amendment_821.yaml")]  # fmt: skip
    plain = CliRunner().invoke(main, [*args, "--json"])
    excluded = CliRunner().invoke(main, [*args, "--zero-point-excluded", "--json"])
    assert plain.exit_code == 0 and excluded.exit_code == 0, plain.output + excluded.output
    assert json.loads(plain.output)["eligible"] and not json.loads(excluded.output)["eligible"]
    law = load_law()
    case = case_population(law, drug="meth", grams=600, chp=0, sentenced="2021-06-01", term=108,
                           zero_point_excluded=True)  # fmt: skip
    scenario = sim.load_scenario(ROOT / "scenarios" / "2023_amendment_821.yaml")
    rows = {
        step: (old, new) for step, old, new, _ in worksheet(sim.apply(case, scenario), 0).guideline
    }
    steps = " ".join(rows)
    assert all(clause in steps for clause in CLAUSES)
    conduct = next(step for step in rows if "(a)(3)" in step)
    assert "(a)(4)" in conduct and "(a)(9)" in conduct and rows[conduct] == ("not met", "not met")
    assert rows["  §4C1.1(a)(5) not a sex offense"] == ("n/a", "n/a")


def test_part_b_eligible_counts_none_that_fails_a_condition():
    s = sim.with_overrides(
        sim.load_scenario(ROOT / "scenarios" / "2023_amendment_821.yaml"),
        {"grant.rate": "1", "changes": "[{type: criminal_history, zero_point: {levels: -2}}]"},
    )
    pop = sim.synthesize(s.population, seed=4, size=0.2)
    eligible = sim.apply(pop, s).reduction.eligible
    fails = (pop.chp > 0) | pop.weapon | (pop.role > 0) | pop.zp_excluded
    assert eligible.any() and not (eligible & fails).any()
    assert np.array_equal(load_law().zero_point_offender(pop.cases()), ~fails)
