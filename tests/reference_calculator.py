"""An independent, per-person reference calculator for the retroactivity engine.

Written from ``/work/shared/reference/law.md`` and the data files in ``data/law/`` (read here with
``csv`` and ``yaml``), one person at a time, with plain ``if``/``else``. Nothing is imported from
``simulator``: the differential test (``test_reference_calculator.py``) compares this against
:func:`simulator.model.reduction.reduce`.

Where the engine's convention is a modeling choice that law.md does not settle, this module
follows the engine's documented convention and says so in a comment marked ``CONVENTION``.

Dates are integer day numbers since 1970-01-01 (as in the population), quantities are grams.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml

LAW_DIR = Path(__file__).resolve().parents[1] / "data" / "law"

#: Drug codes of the population's ``drug`` column (order of the population schema).
DRUG_NAMES = (
    "heroin",
    "cocaine",
    "cocaine_base",
    "methamphetamine",
    "methamphetamine_actual",
    "marijuana",
    "oxycodone",
    "fentanyl",
)
CATEGORY_NAMES = ("I", "II", "III", "IV", "V", "VI")


def day_number(value: str | dt.date) -> int:
    """Days since 1970-01-01 of an ISO date (or a ``datetime.date``)."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return (value - dt.date(1970, 1, 1)).days


# --------------------------------------------------------------------------- the law as data
def _read_yaml(name: str) -> dict:
    with open(LAW_DIR / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _read_csv(name: str) -> list[dict[str, str]]:
    with open(LAW_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@dataclass(frozen=True)
class LawData:
    """The data files as plain Python dicts and lists."""

    life: int
    days_per_month: float
    chc_points: dict[str, int]
    sentencing_table: dict[tuple[int, str], tuple[int, int]]
    # edition name -> drug -> [(min_grams, level)] sorted by min_grams
    dqt: dict[str, dict[str, list[tuple[float, int]]]]
    # drug -> [(from day, edition name)] sorted
    edition_periods: dict[str, list[tuple[int, str]]]
    equivalency: dict[str, float]
    mm_thresholds: dict[str, list[tuple[int, float, float]]]
    penalties: list[tuple[int, dict]]
    lesser_maxima: list[dict]  # §841(b)(1)(D)
    career_levels: list[tuple[int, int]]
    career_category: str
    adjustments: dict
    gct_min_term: int
    gct_rules: list[tuple[int, float]]
    gct_lost_per_infraction: int
    gct_term_year_days: float
    rdap_rules: list[tuple[int, list[tuple[int | None, int]]]]  # (from day, [(max term, months)])
    time_credits: dict  # early_release.yaml's time_credits section, dates as day numbers
    criminal_history: dict  # Amendment 821's rules for sentences from their date
    safety_valve: dict  # 18 U.S.C. §3553(f), USSG §5C1.2 and §2D1.1(b), periods by day


def _months(value: object, life: int) -> int:
    return life if str(value) == "life" else int(value)


#: Months a life term counts for, when a scenario counts it otherwise (``None``: the data's).
_LIFE_COUNTED_AS: list[int | None] = [None]


@contextlib.contextmanager
def life_counted_as(months: int | None) -> Iterator[None]:
    """Within the block, life counts as ``months`` wherever the law says "life".

    A scenario's ``conventions.life_months``: every "life" of the data files (sentencing table,
    floors and maxima, career-offender table) is read as ``months``, so a life term's release
    and a range that reaches life are counted with it. The cases' life terms are rewritten by
    :func:`case_counting_life`.
    """
    before = _LIFE_COUNTED_AS[0]
    _LIFE_COUNTED_AS[0] = months
    try:
        yield
    finally:
        _LIFE_COUNTED_AS[0] = before


def life_code() -> int:
    """Life as the data files code it (the Commission's months)."""
    return int(_read_yaml("conventions.yaml")["life_months"])


def case_counting_life(case: Case, months: int | None) -> Case:
    """The case with a life term (coded as the data code it) counted as ``months``.

    Its release day is the custody start plus ``months`` (life earns no good-conduct time);
    call within :func:`life_counted_as` of the same months.
    """
    code = life_code()
    if months is None or months == code or case.term != code:
        return case
    return dataclasses.replace(
        case, term=months, release_date=release_day(case.custody_start, months, case.infractions)
    )


def law_data() -> LawData:
    """Read ``data/law`` once (once per way of counting life)."""
    return _law_data(_LIFE_COUNTED_AS[0])


@functools.cache
def _law_data(life_months: int | None) -> LawData:
    conv = _read_yaml("conventions.yaml")
    life = int(conv["life_months"]) if life_months is None else int(life_months)

    table = {}
    for row in _read_csv("sentencing_table.csv"):
        key = (int(row["offense_level"]), row["criminal_history_category"])
        table[key] = (_months(row["min_months"], life), _months(row["max_months"], life))

    dqt: dict[str, dict[str, list[tuple[float, int]]]] = {}
    for row in _read_csv("drug_quantity_tables.csv"):
        rows = dqt.setdefault(row["edition"], {}).setdefault(row["drug"], [])
        rows.append((float(row["min_grams"]), int(row["offense_level"])))
    for drugs in dqt.values():
        for rows in drugs.values():
            rows.sort()

    periods: dict[str, list[tuple[int, str]]] = {}
    for ed in _read_yaml("drug_quantity_editions.yaml")["editions"]:
        for drug in ed["drugs"]:
            periods.setdefault(drug, []).append((day_number(ed["from"]), str(ed["name"])))
    for rows in periods.values():
        rows.sort()

    mm = _read_yaml("mandatory_minimums.yaml")
    thresholds = {
        drug: sorted(
            (day_number(r["from"]), float(r["five_year"]), float(r["ten_year"])) for r in rows
        )
        for drug, rows in mm["thresholds"].items()
    }
    penalties = sorted((day_number(p["from"]), p) for p in mm["penalties"])

    co = _read_yaml("career_offender.yaml")
    career = [(_months(r["max_months"], life), int(r["level"])) for r in co["levels"]]
    gct = _read_yaml("good_conduct_time.yaml")
    return LawData(
        life=life,
        days_per_month=float(conv["days_per_year"]) / 12,
        chc_points={k: int(v) for k, v in conv["criminal_history_points"].items()},
        sentencing_table=table,
        dqt=dqt,
        edition_periods=periods,
        equivalency={
            k: float(v)
            for k, v in _read_yaml("drug_equivalency.yaml")["marijuana_grams_per_gram"].items()
        },
        mm_thresholds=thresholds,
        penalties=penalties,
        lesser_maxima=list(mm.get("lesser_maxima", [])),
        career_levels=career,
        career_category=str(co["criminal_history_category"]),
        adjustments=_read_yaml("adjustments.yaml"),
        gct_min_term=int(gct["minimum_term_months"]),
        gct_rules=sorted((day_number(r["from"]), float(r["days_per_year"])) for r in gct["rules"]),
        gct_lost_per_infraction=int(gct["days_lost_per_infraction"]),
        gct_term_year_days=float(gct["days_per_term_year"]),
        time_credits=_time_credits(_read_yaml("early_release.yaml")["time_credits"]),
        rdap_rules=sorted(
            (day_number(r["from"]), [(m["max_term_months"], int(m["months"])) for m in r["months"]])
            for r in _read_yaml("early_release.yaml")["rules"]
        ),
        criminal_history=_read_yaml("criminal_history.yaml"),
        safety_valve=_read_yaml("safety_valve.yaml"),
    )


# --------------------------------------------------------------------------- Chapter 2: quantity
def has_own_table(drug: str) -> bool:
    """Whether some edition of the Drug Quantity Table lists the drug itself."""
    return any(drug in drugs for drugs in law_data().dqt.values())


def table_drug_and_grams(drug: str, grams: float) -> tuple[str, float]:
    """The table that scores a drug, and the quantity to look up in it.

    Drugs without a table of their own (oxycodone, fentanyl) are converted to marijuana
    equivalents (USSG §2D1.1 Application Note 8(D)) and scored on the marijuana table.
    """
    if has_own_table(drug):
        return drug, grams
    return "marijuana", grams * law_data().equivalency[drug]


def edition_in_force(drug: str, when: int) -> str:
    """Edition of the drug's table in force for a sentence imposed on day ``when``."""
    scored_on, _ = table_drug_and_grams(drug, 1.0)
    periods = law_data().edition_periods[scored_on]
    current = periods[0][1]  # dates before the first edition: the first one
    for start, name in periods:
        if start <= when:
            current = name
    return current


def edition_scores(edition: str, drug: str) -> bool:
    """Whether an edition can score a drug (directly or through marijuana equivalents)."""
    scored_on, _ = table_drug_and_grams(drug, 1.0)
    return scored_on in law_data().dqt.get(edition, {})


def base_offense_level(drug: str, grams: float, edition: str) -> int:
    """§2D1.1(c): the highest level whose smallest quantity the amount reaches."""
    scored_on, qty = table_drug_and_grams(drug, grams)
    rows = law_data().dqt[edition][scored_on]  # KeyError: this edition can't score the drug
    level = rows[0][1]  # the row with min_grams 0: the table's floor (12; marijuana 6)
    for min_grams, row_level in rows:
        if qty >= min_grams:
            level = row_level
    return level


# --------------------------------------------------------------------------- several drugs
def marijuana_equivalent(
    drug: str,
    grams: float,
    edition: str,
    powder_ratio: float | None = None,
    level_of: float | None = None,
) -> float:
    """§2D1.1 App. Note 8(D): the grams of marijuana a quantity counts as, scored by ``edition``.

    Cocaine base counts as the powder quantity that reaches its own level: the powder
    thresholds over the crack thresholds at that level (the powder table beside the edition,
    i.e. the edition's own powder rows, or those in force when the edition took effect), times
    powder's factor. With ``powder_ratio`` the crack rows are ``edition``'s powder rows divided
    by it (a crack table derived from powder). ``level_of`` (grams) sets the level whose ratio
    converts, when not the quantity's own.
    """
    eq = law_data().equivalency
    if drug != "cocaine_base":
        return grams * eq[drug]
    if powder_ratio is not None:
        powder_rows = law_data().dqt[edition]["cocaine"]
        crack_rows = [(g / powder_ratio, lvl) for g, lvl in powder_rows]
    else:
        crack_rows = law_data().dqt[edition]["cocaine_base"]
        powder_rows = law_data().dqt.get(edition, {}).get("cocaine")
        if powder_rows is None:
            periods = law_data().edition_periods["cocaine_base"]
            start = next(s for s, name in periods if name == edition)
            powder_rows = law_data().dqt[edition_in_force("cocaine", start)]["cocaine"]
    level = crack_rows[0][1]
    for min_grams, row_level in crack_rows:
        if (grams if level_of is None else level_of) >= min_grams:
            level = row_level
    crack_at = {lvl: g for g, lvl in crack_rows if g > 0}
    powder_at = {lvl: g for g, lvl in powder_rows if g > 0}
    shared = sorted(set(crack_at) & set(powder_at))
    # the crack quantity's level, or the nearest listed level above it (the floor's: the first)
    at = next((lvl for lvl in shared if lvl >= level), shared[-1])
    return grams * eq["cocaine"] * (powder_at[at] / crack_at[at])


def grouped_level(
    level1: int,
    eq1: float,
    per_gram1: float,
    level2: int,
    eq2: float,
    score_first: Callable[[float], int],
) -> int:
    """§3D1.2(d), §2D1.1 n.8(B): two drugs' converted weights added and scored in the first
    drug's table (``score_first`` of grams of the first drug), never below either's own level.

    ``eq1``/``eq2`` are the marijuana equivalents of the two quantities and ``per_gram1`` that
    of one gram of the first drug (at the first quantity's level, for crack).
    """
    return max(score_first((eq1 + eq2) / per_gram1), level1, level2)


# --------------------------------------------------------------------------- statute
def mandatory_tier_reached(drug: str, grams: float, when: int) -> int:
    """Highest tier (0, 5, 10 years) of 21 U.S.C. §841(b) the quantity reaches on day ``when``."""
    periods = law_data().mm_thresholds.get(drug)
    if not periods:
        return 0  # no quantity-based minimum (oxycodone)
    five, ten = periods[0][1], periods[0][2]
    for start, f, t in periods:
        if start <= when:
            five, ten = f, t
    if grams >= ten:
        return 10
    if grams >= five:
        return 5
    return 0


def statutory_penalties(
    tier: int, priors: int, when: int, drug: str | None = None, grams: float = 0.0
) -> tuple[int, int]:
    """Mandatory floor and statutory maximum (months) by tier, §851 priors and sentencing day.

    With the drug and quantity, a lower maximum of §841(b)(1)(D) applies (under 50 kg of
    marijuana without a tier: 5 years, 10 after a prior).
    """
    law = law_data()
    rules = law.penalties[0][1]
    for start, p in law.penalties:
        if start <= when:
            rules = p
    key = {0: "none", 5: "five_year", 10: "ten_year"}[tier]
    k = min(max(priors, 0), 2)
    floor = _months(rules[key]["floor"][k], law.life)
    maximum = _months(rules[key]["maximum"][k], law.life)
    for rule in law.lesser_maxima:
        if tier == 0 and drug == rule["drug"] and grams < rule["below_grams"]:
            maximum = min(maximum, _months(rule["maximum"][k], law.life))
    return floor, maximum


# --------------------------------------------------------------------------- Chapters 3-5
def acceptance_levels(level_before: int) -> int:
    """§3E1.1: 2 levels, 3 when the level before acceptance is 16 or more."""
    adj = law_data().adjustments
    extra = adj["acceptance_extra"] if level_before >= adj["acceptance_extra_from_level"] else 0
    return adj["acceptance"] + extra


def career_offender_level(statutory_max: int) -> int:
    """§4B1.1(b): offense level from the statutory maximum (life above every term of years)."""
    life = law_data().life

    def rank(months: int) -> float:
        return math.inf if months == life else months

    rows = sorted(law_data().career_levels, key=lambda r: rank(r[0]), reverse=True)
    for max_months, level in rows:
        if rank(statutory_max) >= rank(max_months):
            return level
    return rows[-1][1]


def category_from_points(points: int) -> str:
    """Criminal history category from criminal-history points (I 0-1, ..., VI 13+)."""
    category = "I"
    for name in CATEGORY_NAMES:
        if points >= law_data().chc_points[name]:
            category = name
    return category


@dataclass(frozen=True)
class Case:
    """One person's facts (population columns)."""

    drug: str
    grams: float
    weapon: bool
    role: int
    obstruction: bool
    acceptance: bool
    safety_valve: bool
    sub_assist: bool
    career: bool
    chp: int
    mm_charged: int
    priors_851: int
    sentencing_date: int
    custody_start: int
    table_date: int
    term: int
    release_date: int
    infractions: int
    offense_date: int = 0
    status_points: int = 0  # part of chp (§4A1.1(d) before Amendment 821)
    zp_excluded: bool = False  # violence, death or injury, a victim adjustment: §4C1.1(a)(3, 4, 9)
    position: float = 0.5  # where in the range the court sentenced (0 bottom, 1 top)
    departure: float = 0.0  # share below the range (departure, variance or §5K1.1)
    violent: bool = False  # a history of violence
    rdap: bool = False  # completes RDAP and qualifies for its early release
    ftc: bool = False  # earns First Step Act time credits and may apply them
    denied: tuple[str, ...] = ()  # earlier retroactive changes whose motion was denied (names)
    sv_conditions: bool = False  # meets 18 U.S.C. §3553(f)(2)-(5)
    one_point: int = 0  # points from 1-point offenses (§4A1.1(c)), part of chp
    prior_3pt: bool = False  # a prior 3-point offense (§4A1.1(a))
    prior_2pt_violent: bool = False  # a prior 2-point violent offense (§4A1.1(b))
    # months of a consecutive 18 U.S.C. §924(c) term, counted in `term` (§924(c)(1)(D)(ii))
    firearm_924c: int = 0
    # a second drug of the same offense, its counts grouped with the first's (§3D1.2(d))
    drug2: str = "none"
    grams2: float = 0.0


def drug_count_term(case: Case) -> int:
    """The months of the drug count: the term less the consecutive §924(c) months.

    A term coded as life is a life term on the drug count (a §924(c) term after life adds
    nothing to what is served).
    """
    if case.term >= law_data().life:
        return case.term
    return case.term - case.firearm_924c


def with_firearm_term(case: Case, drug_months: int) -> int:
    """The drug count's months plus the §924(c) months, as one term (coded life from life up)."""
    return min(drug_months + case.firearm_924c, law_data().life)


@dataclass(frozen=True)
class Range:
    """A guideline calculation for one person."""

    level: int
    category: str
    range_min: int  # after §5G1.1
    range_max: int
    table_min: int  # before the floor cuts it off (within the statutory maximum)
    table_max: int
    floor: int  # binding mandatory minimum (0 with safety valve)
    statutory_max: int
    tier: int


def points_scored(case: Case, when: int) -> int:
    """§4A1.1 criminal history points of a sentence imposed on ``when``.

    From Amendment 821 (2023-11-01) status points count 1, and only with 7 other points.
    """
    rule = law_data().criminal_history["status_points"]
    if when < day_number(rule["from"]) or case.status_points == 0:
        return case.chp
    other = case.chp - case.status_points
    return other + (rule["points"] if other >= rule["min_other_points"] else 0)


def zero_point_offender(case: Case) -> bool:
    """Every condition of §4C1.1(a) (2023) that a one-count §2D1.1 case can fail.

    (a)(1) no criminal history points; (a)(3) no violence or credible threats, (a)(4) no death
    or serious bodily injury, (a)(9) no §3A1.1/§3A1.5 adjustment: the case's ``zp_excluded``;
    (a)(7) no firearm or dangerous weapon; (a)(10) no aggravating role (+2 to +4, §3B1.1) and no
    continuing criminal enterprise (which implies one). (a)(2) terrorism, (a)(5) sex offense,
    (a)(6) financial hardship and (a)(8) §2H1.1 cannot apply to a drug-trafficking count.

    CONVENTION (engine): zero points as counted at sentencing, before Part A's recount.
    """
    no_points = case.chp == 0
    no_conduct = not case.zp_excluded
    no_weapon = not case.weapon
    no_aggravating_role = case.role <= 0
    return no_points and no_conduct and no_weapon and no_aggravating_role


def zero_point_decrease(case: Case, when: int) -> int:
    """§4C1.1 (from 2023-11-01): 2 levels off for a zero-point offender (see above)."""
    rule = law_data().criminal_history["zero_point"]
    if when < day_number(rule["from"]):
        return 0
    return rule["levels"] if zero_point_offender(case) else 0


# --------------------------------------------------------------------------- safety valve
def _in_force(rows: list[dict], when: int) -> dict:
    """The period of a ``safety_valve.yaml`` list in force on day ``when`` (the first before)."""
    rows = sorted(rows, key=lambda r: day_number(str(r["from"])))
    current = rows[0]
    for row in rows:
        if day_number(str(row["from"])) <= when:
            current = row
    return current


def history_allows(part: str, case: Case, points: int, when: int) -> bool:
    """Whether the criminal history allows the safety valve on ``when``.

    ``part`` is ``statute`` (18 U.S.C. §3553(f)(1): at most 1 point from 1994-09-23; from the
    First Step Act, 2018-12-21, no more than 4 points without those of 1-point offenses, no prior
    3-point offense and no prior 2-point violent offense, each required as Pulsifer v. United
    States (2024) reads "and") or ``guideline`` (USSG §5C1.2(a)(1) as the Manual words it).
    """
    rule = _in_force(law_data().safety_valve[part], when)
    if not rule["exists"]:
        return False
    if rule.get("max_points") is not None and points > rule["max_points"]:
        return False
    cap = rule.get("max_points_without_one_point")
    if cap is not None and points - case.one_point > cap:
        return False
    if rule.get("prior_three_point") and case.prior_3pt:
        return False
    return not (rule.get("prior_two_point_violent") and case.prior_2pt_violent)


def guideline_criteria_as_found(case: Case) -> bool:
    """USSG §5C1.2(a) as the sentencing court found it: relief applied, and the total of points
    (scored at sentencing) within the guideline's own cap, which until 2023-11-01 stayed at 1
    point when the statute was widened."""
    if not case.safety_valve:
        return False
    when = case.sentencing_date
    rule = _in_force(law_data().safety_valve["guideline"], when)
    cap = rule.get("max_points")
    return rule["exists"] and (cap is None or points_scored(case, when) <= cap)


def safety_valve_levels(level_above: int, when: int) -> int:
    """USSG §2D1.1(b): levels off (Amendment 515: only at level 26 or more until removed)."""
    rule = _in_force(law_data().safety_valve["reduction"], when)
    low = rule.get("min_level")
    return 0 if low is not None and level_above < low else int(rule["levels"])


def safety_valve_level_floor(minimum: int, when: int) -> int:
    """USSG §5C1.2(b): the least offense level with a statutory minimum of five years or more."""
    rule = _in_force(law_data().safety_valve["level_floor"], when)
    if rule.get("level") is None or minimum < rule["min_floor_months"]:
        return 0
    return int(rule["level"])


def drug_base_level(case: Case, edition: str, edition2: str | None = None) -> int:
    """§2D1.1(c) for the person's drugs: the first's table, with a second drug's converted
    weight added (its table ``edition2``, by default the one in force on the table date)."""
    base = base_offense_level(case.drug, case.grams, edition)
    if case.drug2 == "none":
        return base
    if edition2 is None:
        edition2 = edition_in_force(case.drug2, case.table_date)
    return grouped_level(
        base, marijuana_equivalent(case.drug, case.grams, edition),
        marijuana_equivalent(case.drug, 1.0, edition, level_of=case.grams),
        base_offense_level(case.drug2, case.grams2, edition2),
        marijuana_equivalent(case.drug2, case.grams2, edition2),
        lambda g: base_offense_level(case.drug, g, edition),
    )  # fmt: skip


def guideline_range(
    case: Case, edition: str, level_shift: int = 0, edition2: str | None = None
) -> Range:
    """The applicable range of ``case`` scored with ``edition`` of its drug's table
    (``edition2`` of its second drug's)."""
    base = drug_base_level(case, edition, edition2)
    base += level_shift
    # statute: quantity thresholds and penalties of the sentencing date (Dorsey: the FSA governs
    # everyone sentenced from 2010-08-03; First Step Act penalties only prospectively)
    when = case.sentencing_date
    reached = mandatory_tier_reached(case.drug, case.grams, when)
    if case.drug2 != "none":  # each count its own tier: the higher one
        reached = max(reached, mandatory_tier_reached(case.drug2, case.grams2, when))
    tier = min(case.mm_charged, reached)
    floor, smax = statutory_penalties(tier, case.priors_851, when, case.drug, case.grams)
    if case.drug2 != "none":  # the higher maximum of the two counts
        smax = max(smax, statutory_penalties(tier, case.priors_851, when, case.drug2,
                                             case.grams2)[1])  # fmt: skip
    return score(
        case,
        base,
        tier=tier,
        floor=floor,
        statutory_max=smax,
        # criminal history: the rules of the guidelines the range rests on (a range reduced
        # under a later amendment rests on that amendment's guidelines)
        points=points_scored(case, case.table_date),
        chapter_four=zero_point_decrease(case, case.table_date),
        relief=case.safety_valve,
        criteria=guideline_criteria_as_found(case),
        safety_valve_day=case.sentencing_date,
    )


def score(
    case: Case,
    base: int,
    *,
    tier: int,
    floor: int,
    statutory_max: int,
    points: int,
    chapter_four: int = 0,
    relief: bool,
    criteria: bool,
    safety_valve_day: int,
) -> Range:
    """Chapters 3 to 5 from a base offense level and the statute that applies.

    ``points`` are the criminal history points counted; ``chapter_four`` levels are added after
    Chapters Two and Three (§4C1.1, the zero-point offender decrease). ``relief`` lifts the
    mandatory minimum (18 U.S.C. §3553(f)); ``criteria`` says the case meets USSG §5C1.2(a),
    which brings the reduction of §2D1.1(b) and the floor of §5C1.2(b) in force on
    ``safety_valve_day``.
    """
    law = law_data()
    adj = law.adjustments
    smax = statutory_max
    level = base
    # §2D1.1(b)(1); not with a §924(c) sentence for the same firearm (§2K2.4, App. Note 4)
    if case.weapon and case.firearm_924c == 0:
        level += adj["weapon"]
    level_above = level  # "the offense level determined above" by §2D1.1
    level += case.role
    if case.obstruction:
        level += adj["obstruction"]
    if criteria:
        level -= safety_valve_levels(level_above, safety_valve_day)
    if case.acceptance:
        level -= acceptance_levels(level)
    if criteria:  # §5C1.2(b): the level from Chapters Two and Three
        level = max(level, safety_valve_level_floor(floor, safety_valve_day))
    level += chapter_four

    category = category_from_points(points)
    if case.career:
        co = career_offender_level(smax)
        if case.acceptance:
            co -= acceptance_levels(co)
        level = max(level, co)
        category = law.career_category
    # CONVENTION (engine): the final offense level is kept within the table, 1..43
    level = min(max(level, adj["min_level"]), adj["max_level"])
    rmin, rmax = law.sentencing_table[(level, category)]

    if relief:
        floor = 0  # 18 U.S.C. §3553(f): the floor no longer binds
    # §5G1.1: the statutory maximum caps the range, a floor above it lifts it
    tmin, tmax = min(rmin, smax), min(rmax, smax)
    binding = min(floor, smax)
    return Range(
        level=level,
        category=category,
        range_min=max(tmin, binding),
        range_max=max(tmax, binding),
        table_min=tmin,
        table_max=tmax,
        floor=floor,
        statutory_max=smax,
        tier=tier,
    )


# --------------------------------------------------------------------------- §3624(b)
def _time_credits(doc: dict) -> dict:
    return {**doc, "earned_from": day_number(doc["earned_from"]),
            "applied_from": day_number(doc["applied_from"])}  # fmt: skip


def release_day(
    start: int,
    term: int,
    infractions: int,
    rdap: bool = False,
    ftc: bool = False,
    rdap_term: int | None = None,
    as_of: int | None = None,
) -> int:
    """Custody start plus the term less good-conduct time (engine convention, see below).

    With ``as_of``, only the rules enacted by that day count (a projection made that day): the
    good-conduct-time and RDAP rules begun by then (the first of each always), and time credits
    only if their statute had begun to run.

    CONVENTION (engine, ``Law.release_day``): a month is ``days_per_month`` days; the credit is
    ``term_days * days_per_year / days_per_term_year - 27 * infractions`` (not below 0), the
    time served is rounded up to whole days; terms of 12 months or less and life (470) earn
    none; a release that falls on or after a later rule's start day is recomputed under that
    rule, but not to a day before the rule began.

    RDAP (18 U.S.C. §3621(e)(2)(B), 28 C.F.R. §550.55(c)): someone who completes the program
    leaves the months of the rule in force on the release day earlier (rounded to whole days),
    not before the first rule began nor on or before the custody start; life earns none. The
    months are those of ``rdap_term`` when given (the term the determination was made on: a
    later reduction keeps them).
    """
    law = law_data()
    term_days = term * law.days_per_month
    earns = law.gct_min_term < term < law.life
    lost = infractions * law.gct_lost_per_infraction
    gct_rules, rdap_rules = law.gct_rules, law.rdap_rules
    if as_of is not None:
        gct_rules = [r for i, r in enumerate(gct_rules) if i == 0 or r[0] <= as_of]
        rdap_rules = [r for i, r in enumerate(rdap_rules) if i == 0 or r[0] <= as_of]
        ftc = ftc and law.time_credits["earned_from"] <= as_of
    out = None
    for rule_start, per_year in gct_rules:
        credit = max(term_days * per_year / law.gct_term_year_days - lost, 0.0) if earns else 0.0
        served = start + math.ceil(term_days - credit)
        if out is None:
            out = served
        elif out >= rule_start:
            out = max(served, rule_start)
    basis = term if rdap_term is None else rdap_term
    if rdap and basis < law.life:
        first_rule = rdap_rules[0][0]
        in_force = [steps for since, steps in rdap_rules if since <= out]
        if in_force and out > first_rule:
            months = next(m for top, m in in_force[-1] if top is None or basis <= top)
            early = out - round(months * law.days_per_month)
            out = min(out, max(early, first_rule, start + 1))
    if ftc and term < law.life:
        out = time_credit_release(start, out)
    return out


def time_credit_release(start: int, release: int) -> int:
    """First Step Act time credits (18 U.S.C. §3632(d)(4), §3624(g)(3)), searched day by day.

    Credits accrue at ``days_per_30`` per 30 days in custody from the later of the custody
    start and 2018-12-21; the earliest day *d* on which the credits earned by *d*, up to 365,
    reach the days still to serve (``release - d``) is the new release; no release moves before
    the Bureau began applying them (2022-01-13), and one due before that day is not moved.
    """
    tc = law_data().time_credits
    s0 = max(start, tc["earned_from"])
    if release <= tc["applied_from"] or release <= s0:
        return release
    rate = tc["days_per_30"] / 30
    d = max(release - tc["max_release_days"], start + 1, tc["applied_from"])
    while d < release and min(tc["max_release_days"], rate * (d - s0)) < release - d:
        d += 1
    return d


# --------------------------------------------------------------------------- §1B1.10
@dataclass(frozen=True)
class Change:
    """A guideline change: replacement editions and base-level shifts, by drug name."""

    edition: dict[str, str]
    level_shift: dict[str, tuple[int, int, int]]  # drug -> (levels, from level, to level)


@dataclass(frozen=True)
class Result:
    """The reference's answer for one person."""

    old: Range
    new: Range
    lowered: bool
    eligible: bool
    reduced_term: int
    term: int
    release: int
    saved_as_projected: int = 0  # days, as a projection on the effective day counts them


def full_reduction_exact(case: Case, old: Range, new: Range) -> Fraction:
    """The reduced drug term of §1B1.10(b) with the full reduction, an exact fraction of months.

    Only the drug count's term is reduced: the §924(c) term is not part of the range.
    """
    term = Fraction(drug_count_term(case))
    if old.range_min <= term <= old.range_max:
        # same relative position in the amended range (a one-point range: position 1)
        if old.range_max > old.range_min:
            pos = (term - old.range_min) / (old.range_max - old.range_min)
        else:
            pos = Fraction(1)
        reduced = new.range_min + pos * (new.range_max - new.range_min)
    elif term > old.range_max:
        reduced = term * new.range_max / old.range_max if old.range_max > 0 else term
    elif case.sub_assist:
        # §1B1.10(b)(2)(B), (c): comparably below the amended range taken before §5G1.1
        reduced = term * new.table_min / old.range_min if old.range_min > 0 else term
    else:
        reduced = min(term, Fraction(new.range_min))
    if not case.sub_assist:
        reduced = max(reduced, Fraction(new.floor))  # a floor that bound the sentence still binds
    return min(reduced, term)


def full_reduction(case: Case, old: Range, new: Range, rounding=round) -> int:
    """The reduced term in whole months.

    CONVENTION (engine): whole months, halves to even (numpy ``rint``). The reference rounds the
    exact value (Python's ``round`` of a ``Fraction`` also takes halves to even). The
    consecutive §924(c) months are added back unchanged (USSG §2K2.4(b)).
    """
    drug = drug_count_term(case)
    return with_firearm_term(case, min(rounding(full_reduction_exact(case, old, new)), drug))


def reference_reduce(
    case: Case,
    change: Change,
    *,
    effective: int,
    earliest_release: int | None,
    rounding=round,
) -> Result:
    """Apply a retroactive change to one person, granting every eligible motion.

    ``rounding`` turns the exact reduced term into whole months (the test swaps it to reproduce
    the engine's choice on exact half-month ties, a known engine bug).
    """
    edition = edition_in_force(case.drug, case.table_date)
    old = guideline_range(case, edition)

    new_edition = change.edition.get(case.drug, edition)
    new_edition2 = None
    if case.drug2 != "none":
        new_edition2 = change.edition.get(case.drug2, edition_in_force(case.drug2, case.table_date))
    shift = 0
    for drug in (case.drug, case.drug2):
        if drug in change.level_shift:
            levels, lo, hi = change.level_shift[drug]
            if lo <= drug_base_level(case, new_edition, new_edition2) <= hi:
                shift = levels
    new = guideline_range(case, new_edition, shift, new_edition2)
    return decide(
        case, old, new, effective=effective, earliest_release=earliest_release, rounding=rounding
    )


def decide(
    case: Case,
    old: Range,
    new: Range,
    *,
    effective: int,
    earliest_release: int | None,
    rounding=round,
) -> Result:
    """§1B1.10 for one person whose range goes from ``old`` to ``new``: every motion granted."""
    if case.sub_assist:  # §1B1.10(c): ranges before §5G1.1
        lowered = new.table_min < old.table_min or new.table_max < old.table_max
    else:
        lowered = new.range_min < old.range_min or new.range_max < old.range_max

    reduced = full_reduction(case, old, new, rounding)
    first = effective if earliest_release is None else max(effective, earliest_release)
    eligible = (
        lowered
        and case.sentencing_date < effective
        and case.custody_start <= effective
        and case.release_date > first
        and reduced < case.term
    )
    if not eligible:
        return Result(old, new, lowered, False, reduced, case.term, case.release_date)
    release = release_day(
        case.custody_start, reduced, case.infractions, case.rdap, case.ftc, rdap_term=case.term
    )
    # not before time served / the first release day, never later than before
    release = min(max(release, first), case.release_date)
    # the projection on the effective day: its release rules, no exits, no delay
    args = (case.custody_start, case.infractions, case.rdap, case.ftc)
    before = release_day(args[0], case.term, *args[1:], rdap_term=case.term, as_of=effective)
    after = release_day(args[0], reduced, *args[1:], rdap_term=case.term, as_of=effective)
    saved = before - min(max(after, effective), before)
    return Result(old, new, lowered, True, reduced, reduced, release, saved)
