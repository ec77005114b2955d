"""Hand-worked guideline calculations through ``sentencing.guideline`` and ``impose``."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.calendar import day
from simulator.inputs.synthesis import sentence
from simulator.law import DRUGS
from simulator.model.sentencing import guideline, impose

LIFE = 470
BEFORE_2014 = "2012-06-01"


def case(**facts) -> dict[str, np.ndarray]:
    """One case: 5 kg of powder cocaine, acceptance, no history, nothing else, unless overridden."""
    base = dict(
        drug="cocaine",
        grams=5000.0,
        weapon=False,
        role=0,
        obstruction=False,
        acceptance=True,
        safety_valve=False,
        sub_assist=False,
        career=False,
        chp=0,
        mm_charged=0,
        priors_851=0,
    )
    base.update(facts)
    base["drug"] = DRUGS.index(base["drug"])
    dtypes = dict(
        drug=np.int8,
        grams=np.float64,
        role=np.int8,
        chp=np.int8,
        mm_charged=np.int8,
        priors_851=np.int8,
    )
    return {k: np.array([v], dtype=dtypes.get(k, bool)) for k, v in base.items()}


def calc(law, *, edition: str = "pre2014", when: str = BEFORE_2014, **facts):
    c = case(**facts)
    return guideline(
        law, c, edition=np.array([law.edition_index(edition)]), statute_day=np.array([day(when)])
    )


def row(g) -> tuple[int, int, int, int]:
    return int(g.level[0]), int(g.range_min[0]), int(g.range_max[0]), int(g.floor[0])


def impose_one(law, g, position=0.5, departure=0.0, sub_assist=False) -> int:
    return int(
        impose(law, g, np.array([position]), np.array([departure]), np.array([sub_assist]))[0]
    )


# ------------------------------------------------------------------------ worked cases
def test_floor_cuts_off_the_range(law):
    # 5 kg cocaine: base 32; acceptance -3 -> 29; CHC I 87-108; 10-year floor -> 120-120 (§5G1.1)
    g = calc(law, mm_charged=10)
    assert row(g) == (29, 120, 120, 120)
    assert int(g.tier[0]) == 10
    assert int(g.statutory_max[0]) == LIFE
    assert impose_one(law, g, position=0.0) == 120
    assert impose_one(law, g, position=1.0) == 120


def test_without_tier_the_range_is_the_table(law):
    assert row(calc(law, mm_charged=0)) == (29, 87, 108, 0)


def test_safety_valve_lifts_the_floor_and_takes_two_levels(law):
    # 32 - 2 (safety valve) = 30; -3 acceptance -> 27; CHC I 70-87; floor 0
    g = calc(law, mm_charged=10, safety_valve=True)
    assert row(g) == (27, 70, 87, 0)
    assert impose_one(law, g, position=0.0) == 70
    assert impose_one(law, g, position=1.0) == 87


def test_career_offender_ten_year_tier(law):
    # statutory max life -> level 37; -3 acceptance -> 34; CHC VI -> 262-327
    g = calc(law, mm_charged=10, career=True, chp=0)
    assert row(g) == (34, 262, 327, 120)
    assert int(g.category[0]) == 5


def test_career_offender_without_acceptance(law):
    g = calc(law, mm_charged=10, career=True, acceptance=False)
    assert row(g)[:3] == (37, 360, LIFE)


def test_career_offender_no_tier(law):
    # no tier: statutory max 20 years -> level 32; -3 -> 29; CHC VI 151-188
    assert row(calc(law, career=True))[:3] == (29, 151, 188)


def test_career_offender_five_year_tier(law):
    # 600 g cocaine: 5-year tier, maximum 40 years -> level 34; -3 -> 31; CHC VI 188-235
    g = calc(law, grams=600.0, mm_charged=5, career=True)
    assert row(g)[:3] == (31, 188, 235)


def test_career_offender_keeps_higher_ordinary_level(law):
    # 200 kg cocaine (38) + weapon 2 + role 4 = 44; -3 -> 41 > 34: the ordinary level governs
    g = calc(law, grams=200_000.0, weapon=True, role=4, mm_charged=10, career=True)
    assert row(g)[:3] == (41, 360, LIFE)


def test_weapon_adds_two_levels(law):
    plain = calc(law, acceptance=False)
    armed = calc(law, acceptance=False, weapon=True)
    assert int(armed.level[0]) - int(plain.level[0]) == 2
    assert row(armed)[:3] == (34, 151, 188)


@pytest.mark.parametrize(("role", "level"), [(4, 36), (3, 35), (2, 34), (-2, 30), (-4, 28)])
def test_role_adjustment(law, role, level):
    assert int(calc(law, acceptance=False, role=role).level[0]) == level


def test_obstruction_adds_two_levels(law):
    assert int(calc(law, acceptance=False, obstruction=True).level[0]) == 34


@pytest.mark.parametrize(
    ("grams", "weapon", "expected"),
    [
        (25.0, False, 12),  # base 14: below 16, acceptance -2
        (25.0, True, 13),  # 14 + 2 = 16: acceptance -3
        (50.0, False, 13),  # base 16: -3
        (0.1, False, 10),  # base 12: -2
    ],
)
def test_third_acceptance_level_only_from_sixteen(law, grams, weapon, expected):
    assert int(calc(law, grams=grams, weapon=weapon).level[0]) == expected


def test_no_acceptance_no_reduction(law):
    assert int(calc(law, grams=25.0, acceptance=False).level[0]) == 14


def test_level_clipped_to_one(law):
    # marijuana 100 g: 6; role -4 -> 2; acceptance -2 -> 0 -> clipped to level 1
    g = calc(law, drug="marijuana", grams=100.0, role=-4)
    assert row(g)[:3] == (1, 0, 6)


def test_level_clipped_to_forty_three(law):
    g = calc(law, grams=1e7, weapon=True, role=4, obstruction=True, acceptance=False, mm_charged=10)
    assert row(g)[:3] == (43, LIFE, LIFE)


def test_statutory_maximum_caps_the_range(law):
    # a level-43 case charged under no tier: the range is capped at 20 years
    g = calc(law, grams=1e7, weapon=True, role=4, obstruction=True, acceptance=False)
    assert row(g)[:3] == (43, 240, 240)
    assert impose_one(law, g) == 240


def test_tier_is_the_lower_of_charged_and_supported(law):
    # 600 g cocaine supports only the 5-year tier even if the 10-year one is "charged"
    g = calc(law, grams=600.0, mm_charged=10)
    assert int(g.tier[0]) == 5
    assert int(g.floor[0]) == 60


def test_two_priors_before_first_step_act_is_mandatory_life(law):
    g = calc(law, mm_charged=10, priors_851=2, chp=6, when="2010-01-01")
    assert row(g)[1:] == (LIFE, LIFE, LIFE)
    assert impose_one(law, g, position=0.0, departure=0.3) == LIFE


def test_two_priors_after_first_step_act_is_25_years(law):
    g = calc(law, mm_charged=10, priors_851=2, chp=6, when="2019-01-01", edition="2014")
    assert int(g.floor[0]) == 300
    assert int(g.range_min[0]) == 300


def test_fair_sentencing_act_thresholds(law):
    # 50 g crack is the 10-year tier before 2010-08-03 and the 5-year tier after
    before = calc(
        law, drug="cocaine_base", grams=50.0, mm_charged=10, edition="2007", when="2010-08-02"
    )
    after = calc(
        law, drug="cocaine_base", grams=50.0, mm_charged=10, edition="2007", when="2010-08-03"
    )
    assert int(before.floor[0]) == 120
    assert int(after.floor[0]) == 60


def test_thresholds_day_overrides_statute_day_for_tier(law):
    c = case(drug="cocaine_base", grams=50.0, mm_charged=10)
    g = guideline(
        law,
        c,
        edition=np.array([law.edition_index("2011")]),
        statute_day=np.array([day("2012-01-01")]),
        thresholds_day=np.array([day("2009-01-01")]),
    )
    assert int(g.tier[0]) == 10


def test_level_shift_moves_the_base_level(law):
    c = case()
    ed = np.array([law.edition_index("pre2014")])
    when = np.array([day(BEFORE_2014)])
    g0 = guideline(law, c, edition=ed, statute_day=when)
    g2 = guideline(law, c, edition=ed, statute_day=when, level_shift=-2)
    assert int(g0.level[0]) - int(g2.level[0]) == 2


def test_criminal_history_sets_the_category(law):
    g = calc(law, chp=8)
    assert int(g.category[0]) == 3
    assert row(g)[1:3] == (121, 151)


# ------------------------------------------------------------------------ impose
def test_impose_places_the_term_in_the_range(law):
    g = calc(law, safety_valve=True)  # 70-87, no floor
    assert impose_one(law, g, position=0.0) == 70
    assert impose_one(law, g, position=1.0) == 87
    assert 70 < impose_one(law, g, position=0.5) < 87


def test_departure_cannot_go_under_the_floor_without_a_motion(law):
    g = calc(law, mm_charged=10)
    assert impose_one(law, g, departure=0.4) == 120


def test_substantial_assistance_lifts_the_floor(law):
    g = calc(law, mm_charged=10, sub_assist=True)
    assert impose_one(law, g, departure=0.4, sub_assist=True) == 72


def test_departure_without_floor(law):
    g = calc(law, safety_valve=True)
    assert impose_one(law, g, position=0.0, departure=0.5) == 35


def test_impose_at_least_one_month(law):
    g = calc(law, drug="marijuana", grams=100.0, role=-4)  # 0-6
    assert impose_one(law, g, position=0.0) == 1


def test_sentence_is_consistent_with_law(law):
    n = 4
    cases = {k: np.repeat(v, n) for k, v in case(mm_charged=10).items()}
    cases.update(
        position=np.array([0.0, 0.5, 1.0, 0.5]),
        departure=np.zeros(n),
        sentencing_date=np.array([day("2012-01-01")] * 3 + [day("2015-01-01")], np.int32),
        custody_start=np.array([day("2011-06-01")] * 3 + [day("2015-01-01")], np.int32),
        infractions=np.array([0, 0, 0, 2]),
    )
    out = sentence(law, cases)
    assert out["term"].tolist() == [120, 120, 120, 120]
    expected = law.release_day(cases["custody_start"], out["term"], cases["infractions"])
    assert (out["release_date"] == expected).all()
    # the input facts pass through unchanged
    assert out["position"] is cases["position"]
