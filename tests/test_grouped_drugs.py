"""Several drugs in one offense: counts grouped, quantities added as converted weight.

USSG §3D1.2(d) groups drug counts and §1B1.3(a)(2) aggregates their quantities; §2D1.1,
Application Note 8(B) adds different drugs as marijuana equivalents ("converted drug weight"
since Amendment 808, 2018) from the Drug Equivalency Table of Note 8(D). The statute is each
count's own: 21 U.S.C. §841(b)(1) sets the penalty of a count by that count's drug and
quantity, so quantities of different drugs are never added for a mandatory minimum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import person_row, to_population

import simulator as sim
from simulator.calendar import day
from simulator.cli import main
from simulator.inputs.cohorts import draw_cases
from simulator.inputs.parameters import load_parameters
from simulator.law import DRUGS, SECOND_DRUGS, load_law
from simulator.model.changes import resolve_changes
from simulator.model.reduction import current_guideline

LAW = load_law()
CRACK, POWDER, HEROIN = (DRUGS.index(d) for d in ("cocaine_base", "cocaine", "heroin"))
MARIJUANA = DRUGS.index("marijuana")


def _ed(name: str) -> np.ndarray:
    return np.array([LAW.edition_index(name)])


def test_crack_converts_at_the_equivalency_table_of_its_period():
    # App. Note 10(E) until 2007: 1 g of cocaine base = 20 kg of marijuana (100:1 to powder's
    # 200 g); App. Note 8(D) from 2010 (Amendment 750): 3,571 g (18:1)
    one = np.array([1.0])
    level = np.array([32])
    assert LAW.converted_weight(np.array([CRACK]), one, _ed("1987"), level)[0] == 20000
    assert LAW.converted_weight(np.array([CRACK]), one, _ed("2011"), level)[0] == pytest.approx(
        3571.4, abs=0.1
    )
    assert LAW.converted_weight(np.array([HEROIN]), one, _ed("2014"), level)[0] == 1000
    assert LAW.converted_weight(np.array([POWDER]), one, _ed("2014"), level)[0] == 200


def test_a_derived_ratio_table_converts_crack_at_its_ratio():
    # a 1:1 table (the EQUAL Act) makes a gram of crack count as a gram of powder: 200 g
    sc = sim.load_scenario("equal_act")
    res = resolve_changes(LAW, sc.changes, effective=day("2025-01-01"))
    derived = np.array([max(res.ratio_edition.values())])
    w = res.law.converted_weight(np.array([CRACK]), np.array([1.0]), derived, np.array([30]))
    assert w[0] == pytest.approx(200.0)


def test_amendment_706_converts_crack_level_by_level():
    # Amendment 706 (2007) moved each crack quantity down two levels, so its ratio to powder
    # ran from 25:1 to 80:1 by level (Amendment 715, 2008, gave the combined rule by level):
    # 5 g of crack reached level 24 like 400 g of powder (80:1); 50 g level 30 like 3.5 kg (70:1)
    five = LAW.converted_weight(np.array([CRACK]), np.array([5.0]), _ed("2007"), np.array([24]))
    fifty = LAW.converted_weight(np.array([CRACK]), np.array([50.0]), _ed("2007"), np.array([30]))
    assert five[0] == pytest.approx(5 * 200 * 80)
    assert fifty[0] == pytest.approx(50 * 200 * 70)


@pytest.mark.parametrize(
    ("first", "grams", "second", "grams2", "edition", "alone", "other", "grouped"),
    [
        # 400 g of powder (level 24 before Amendment 782) and 28 g of crack (level 26 under the
        # 2011 table): 28 g of crack is 500 g of powder at 18:1, 900 g in all: 500 g to 2 kg,
        # level 26 (§2D1.1(c)(7) before 2014)
        ("cocaine", 400.0, "cocaine_base", 28.0, ("pre2014", "2011"), 24, 26, 26),
        # the same after Amendment 782: 22 and 24 alone, 24 grouped
        ("cocaine", 400.0, "cocaine_base", 28.0, ("2014", "2014"), 22, 24, 24),
        # 90 g of heroin (22) and 400 g of powder (22) under the 2014 table: 90 kg + 80 kg of
        # marijuana = 170 g of heroin, 100 to 400 g: level 24, above either alone
        ("heroin", 90.0, "cocaine", 400.0, ("2014", "2014"), 22, 22, 24),
        # a little marijuana beside heroin never lowers heroin's own level (the floor is 12)
        ("marijuana", 100.0, "heroin", 2.0, ("2014", "2014"), 6, 12, 12),
    ],
)
def test_grouped_levels_worked_by_hand(first, grams, second, grams2, edition, alone, other,
                                       grouped):  # fmt: skip
    d1, d2 = np.array([DRUGS.index(first)]), np.array([DRUGS.index(second)])
    e1, e2 = _ed(edition[0]), _ed(edition[1])
    assert LAW.base_offense_level(d1, np.array([grams]), e1)[0] == alone
    assert LAW.base_offense_level(d2, np.array([grams2]), e2)[0] == other
    level = LAW.grouped_base_level(d1, np.array([grams]), e1, d2, np.array([grams2]), e2)
    assert level[0] == grouped


def test_each_count_keeps_its_own_statutory_tier():
    # 21 U.S.C. §841(b)(1)(B) from 2010-08-03: 500 g of powder, 28 g of crack. 400 g of powder
    # and 20 g of crack reach no tier although their converted weight passes 500 g of powder.
    when = np.full(2, day("2015-01-01"))
    tier = LAW.grouped_tier(
        np.array([POWDER, POWDER]), np.array([400.0, 400.0]),
        np.array([CRACK, CRACK]), np.array([30.0, 20.0]), when,
    )  # fmt: skip
    assert tier.tolist() == [5, 0]


def test_the_statutory_maximum_is_the_higher_counts():
    # §841(b)(1)(D): 40 kg of marijuana, 5 years; a cocaine count beside it, (b)(1)(C): 20 years
    out = LAW.grouped_maximum(
        np.array([MARIJUANA, MARIJUANA]), np.array([40e3, 40e3]),
        np.array([POWDER, -1]), np.array([100.0, 0.0]),
        np.array([0, 0]), np.array([0, 0]), np.array([240, 240]),
    )  # fmt: skip
    assert out.tolist() == [240, 60]


def _pair(**second) -> sim.Population:
    """Powder 400 g sentenced 2012, once alone and once with a second drug."""
    base = dict(drug="cocaine", grams=400.0, sentencing_date="2012-05-01", mm_charged=0)
    return to_population([person_row(**base), person_row(**base, **second)])


def test_engine_sentences_the_grouped_quantity():
    pop = _pair(drug2=SECOND_DRUGS.index("cocaine_base"), grams2=28.0)
    g = current_guideline(LAW, pop)
    assert (g.level[1] - g.level[0]) == 2  # level 24 alone, 26 grouped (see above)
    assert pop.term[1] > pop.term[0]


def test_a_crack_ratio_change_reaches_the_crack_of_a_mixed_case():
    # the EQUAL Act (1:1) lowers the crack part of powder + crack; powder alone stays (its
    # table is the one of its date): 28 g of crack now adds 28 g of powder, 428 g in all
    sc = sim.load_scenario("equal_act")
    pop = _pair(drug2=SECOND_DRUGS.index("cocaine_base"), grams2=28.0)
    res = resolve_changes(LAW, sc.changes, effective=day("2025-01-01"))
    new, old = res(LAW, pop, None), current_guideline(LAW, pop)
    assert new.level[0] == old.level[0]
    assert new.level[1] < old.level[1]
    assert new.level[1] == new.level[0]  # 400 to 500 g: the powder's own level


@settings(max_examples=60, deadline=None)
@given(
    first=st.sampled_from(DRUGS), second=st.sampled_from(DRUGS),
    g1=st.floats(0.01, 1e6), g2=st.floats(0.01, 1e6),
    edition=st.sampled_from(["pre2014", "2014"]),
)  # fmt: skip
def test_a_second_drug_never_lowers_the_level(first, second, g1, g2, edition):
    crack_edition = "2011" if edition == "pre2014" else "2014"
    e1 = _ed(crack_edition if first == "cocaine_base" else edition)
    e2 = _ed(crack_edition if second == "cocaine_base" else edition)
    d1, d2 = np.array([DRUGS.index(first)]), np.array([DRUGS.index(second)])
    alone = LAW.base_offense_level(d1, np.array([g1]), e1)
    grouped = LAW.grouped_base_level(d1, np.array([g1]), e1, d2, np.array([g2]), e2)
    assert grouped[0] >= alone[0]
    assert grouped[0] >= LAW.base_offense_level(d2, np.array([g2]), e2)[0]
    more = LAW.grouped_base_level(d1, np.array([g1]), e1, d2, np.array([g2 * 2]), e2)
    assert more[0] >= grouped[0]  # more of the second drug never lowers it


def test_population_files_keep_the_second_drug_and_read_blanks_as_none(tmp_path):
    pop = _pair(drug2=SECOND_DRUGS.index("heroin"), grams2=5.0)
    path = tmp_path / "people.csv"
    sim.write_population(pop, path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    assert frame["drug2"].tolist() == ["none", "heroin"]
    back = sim.read_population(path)
    assert back.drug2.tolist() == pop.drug2.tolist()
    assert back.grams2.tolist() == pop.grams2.tolist()
    frame.loc[0, ["drug2", "grams2"]] = ["", ""]  # a blank cell is no second drug
    frame.to_csv(path, index=False)
    assert sim.read_population(path).drug2.tolist() == [0, SECOND_DRUGS.index("heroin")]


def test_population_files_reject_a_second_drug_without_its_quantity(tmp_path):
    pop = _pair(drug2=SECOND_DRUGS.index("heroin"), grams2=5.0)
    path = tmp_path / "people.csv"
    sim.write_population(pop, path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    frame = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)
    frame.loc[2, "id"] = "2"  # a valid row: one drug
    frame.loc[1, "grams2"] = ""
    frame.loc[0, "drug2"] = "cocaine"  # the first drug again
    frame.loc[0, "grams2"] = "10"
    frame.to_csv(path, index=False)
    out = sim.read_population(path, on_bad_rows="skip")
    assert out.id.tolist() == [2]
    reasons = sorted(out.meta["rejected"]["reason"])
    assert reasons == [
        "drug2: the same drug as drug (add the quantities in grams)",
        "grams2: must be above 0 with a second drug (drug2)",
    ]


def test_the_generator_draws_no_second_drug_at_share_zero_and_some_above(tmp_path):
    params = load_parameters()
    assert params.assumed["second_drug"]["share"] == 0
    none = draw_cases(params, seed=5, size=0.05, last_fy=2014)
    assert not none["drug2"].any()
    doc = yaml.safe_load((ROOT / "data" / "calibration" / "population_2014.yaml").read_text())
    doc["assumed"]["second_drug"]["share"] = 0.2
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(doc))
    some = draw_cases(load_parameters(path), seed=5, size=0.05, last_fy=2014)
    has = some["drug2"] > 0
    assert 0.1 < has.mean() < 0.2  # 20%, less the draws of the first drug's own type
    assert (some["drug2"][has] - 1 != some["drug"][has]).all()
    assert (some["grams2"][has] > 0).all() and (some["grams2"][~has] == 0).all()
    # each draw has its own stream: the first drugs and quantities are as without them
    assert (some["drug"] == none["drug"]).all() and (some["grams"] == none["grams"]).all()


def test_screen_shows_each_drug_alone_and_the_grouping():
    args = ["screen", "--drug", "powder", "--grams", "400", "--drug2", "crack", "--grams2", "28",
            "--sentenced", "2012-05-01", "--term", "70", "--points", "1", "--json"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    text = CliRunner().invoke(main, args[:-1]).output
    assert "cocaine alone (§2D1.1(c))" in text
    assert "cocaine base alone" in text
    assert "drugs grouped (§3D1.2(d)" in text
    bad = CliRunner().invoke(main, [*args[:-1], "--drug2", "snow"])
    assert bad.exit_code == 2 and "--drug2 snow: unknown" in bad.output
