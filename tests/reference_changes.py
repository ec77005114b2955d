"""The reference calculator for every change type of the scenario language, one person at a time.

Reads a scenario's ``changes`` as plain dicts (``yaml.safe_load`` of the scenario file, never the
simulator's models) and re-scores one :class:`~reference_calculator.Case` from the guidelines and
statutes of ``/work/shared/reference/law.md`` with ``if``/``else``. Changes apply in the order
listed; a later change wins for the same person and provision. Nothing is imported from
``simulator``.

Where the scenario language, not the law, settles a choice, the comment says ``LANGUAGE``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from reference_calculator import (
    Case,
    Range,
    Result,
    base_offense_level,
    category_from_points,
    day_number,
    decide,
    edition_in_force,
    grouped_level,
    guideline_criteria_as_found,
    guideline_range,
    history_allows,
    law_data,
    mandatory_tier_reached,
    marijuana_equivalent,
    points_scored,
    release_day,
    score,
    statutory_penalties,
    with_firearm_term,
    zero_point_decrease,
    zero_point_offender,
)

TIERS = {"five_year": 5, "ten_year": 10}


def _day(value: object) -> int:
    return day_number(value if isinstance(value, dt.date) else str(value))


def in_scope(change: dict, case: Case, effective: int) -> bool:
    """Whether a change reaches the person (``applies``, ``retroactive``, ``offenses_before``,
    ``statutory_tiers``, ``denied_before``)."""
    start = _day(change["effective"]) if change.get("effective") else effective
    # ``applies`` supersedes ``retroactive``: only ``prospective`` spares people sentenced before
    prospective = (
        change["applies"] == "prospective"
        if change.get("applies")
        else not change.get("retroactive", True)
    )
    if prospective and case.sentencing_date < start:
        return False
    before = change.get("offenses_before")
    if before and case.offense_date >= _day(before):
        return False
    sentenced = change.get("sentenced_before")
    if sentenced and case.sentencing_date >= _day(sentenced):
        return False
    tiers = change.get("statutory_tiers")  # the statute of conviction (Terry, 2021)
    if tiers and case.mm_charged not in tiers:
        return False
    denied = change.get("denied_before")  # §404(c): an earlier motion denied on the merits
    return not (denied and denied in case.denied)


@dataclass(frozen=True)
class Table:
    """Which Drug Quantity Table scores the person: an edition, or crack derived from powder."""

    edition: str
    ratio: float | None = None  # crack thresholds = powder's in ``edition`` / ratio

    def equivalent(self, drug: str, grams: float, level_of: float | None = None) -> float:
        """Grams of marijuana the quantity counts as under this table (§2D1.1 n.8(D))."""
        return marijuana_equivalent(drug, grams, self.edition, self.ratio, level_of)

    def level(self, drug: str, grams: float) -> int:
        """§2D1.1(c) under this table."""
        if self.ratio is None:
            return base_offense_level(drug, grams, self.edition)
        # the crack rows are powder's rows with every quantity divided by the ratio
        rows = law_data().dqt[self.edition]["cocaine"]
        level = rows[0][1]
        for min_grams, row_level in rows:
            if grams >= min_grams / self.ratio:
                level = row_level
        return level


def powder_thresholds(on: int) -> tuple[float, float]:
    """Powder cocaine's 5- and 10-year thresholds (grams) in force on a day."""
    periods = law_data().mm_thresholds["cocaine"]
    five, ten = periods[0][1], periods[0][2]
    for start, f, t in periods:
        if start <= on:
            five, ten = f, t
    return five, ten


def thresholds_in_force(drug: str, on: int) -> tuple[float, float]:
    """A drug's 5- and 10-year thresholds in force on a day (inf: no such tier)."""
    periods = law_data().mm_thresholds.get(drug)
    if not periods:
        return float("inf"), float("inf")
    five, ten = periods[0][1], periods[0][2]
    for start, f, t in periods:
        if start <= on:
            five, ten = f, t
    return five, ten


def _drugs(case: Case) -> list[tuple[str, float]]:
    """The person's drugs and quantities: one, or two for grouped counts."""
    if case.drug2 == "none":
        return [(case.drug, case.grams)]
    return [(case.drug, case.grams), (case.drug2, case.grams2)]


def _tier(grams: float, five: float, ten: float) -> int:
    return 10 if grams >= ten else 5 if grams >= five else 0


def amended_table(drug: str, table_day: int, reached: list[dict]) -> Table:
    """The table scoring ``drug`` under the changes that reach the person (the last one wins)."""
    table = Table(edition_in_force(drug, table_day))
    for ch in reached:
        if ch["type"] == "drug_table" and drug in ch["drugs"]:
            table = Table(str(ch["edition"]))
        elif (
            ch["type"] == "crack_powder_ratio"
            and ch.get("guideline", True)
            and drug == "cocaine_base"
        ):
            table = Table(str(ch.get("powder_edition", "2014")), float(ch["ratio"]))
    return table


def amended_range(
    case: Case, changes: list[dict], *, effective: int, as_of: int | None = None
) -> Range:
    """The person's guideline calculation with every change in scope substituted.

    With ``as_of`` the person is sentenced again under the law in force on that day (table,
    thresholds and penalties) before the changes apply: "today's law" of clemency.
    """
    life = law_data().life
    reached = [c for c in changes if in_scope(c, case, effective)]
    table_day = case.table_date if as_of is None else as_of
    statute_day = case.sentencing_date if as_of is None else as_of

    # Chapter Two: the table, then level shifts measured on the amended table's base level
    table = amended_table(case.drug, table_day, reached)
    base = table.level(case.drug, case.grams)
    drugs = {case.drug} if case.drug2 == "none" else {case.drug, case.drug2}
    if case.drug2 != "none":  # the second drug's table, amended as the first's would be
        table2 = amended_table(case.drug2, table_day, reached)
        base = grouped_level(
            base, table.equivalent(case.drug, case.grams),
            table.equivalent(case.drug, 1.0, case.grams),
            table2.level(case.drug2, case.grams2), table2.equivalent(case.drug2, case.grams2),
            lambda g: table.level(case.drug, g),
        )  # fmt: skip
    shift = 0
    for ch in reached:
        if ch["type"] == "level_shift" and drugs & set(ch["drugs"]):
            if ch.get("from_level", 1) <= base <= ch.get("to_level", 43):
                shift = ch["levels"]

    # the statute: the tier charged can only fall to what the amended thresholds support; each
    # drug's count reaches its own tier, and the higher one counts
    tiers = {d: mandatory_tier_reached(d, g, statute_day) for d, g in _drugs(case)}
    for ch in reached:
        on = _day(ch["effective"]) if ch.get("effective") else effective
        for d, g in _drugs(case):
            if (
                ch["type"] == "crack_powder_ratio"
                and ch.get("statutory", True)
                and d == "cocaine_base"
            ):
                five, ten = powder_thresholds(on)
                ratio = float(ch["ratio"])
                tiers[d] = _tier(g, five / ratio, ten / ratio)
            elif ch["type"] == "mandatory_minimum" and d in ch["drugs"]:
                if ch.get("thresholds_on"):
                    five, ten = thresholds_in_force(d, _day(ch["thresholds_on"]))
                elif ch.get("thresholds"):
                    # LANGUAGE: a tier left out keeps the threshold in force when the change starts
                    five, ten = thresholds_in_force(d, on)
                    given = ch["thresholds"]
                    five = five if given.get("five_year") is None else given["five_year"]
                    ten = ten if given.get("ten_year") is None else given["ten_year"]
                else:
                    continue
                tiers[d] = _tier(g, five, ten)
    tier = min(case.mm_charged, max(tiers.values()))

    floor, smax = statutory_penalties(tier, case.priors_851, statute_day, case.drug, case.grams)
    if case.drug2 != "none":  # the higher maximum of the two counts
        smax = max(smax, statutory_penalties(tier, case.priors_851, statute_day, case.drug2,
                                             case.grams2)[1])  # fmt: skip
    for ch in reached:
        if ch["type"] == "mandatory_minimum" and drugs & set(ch["drugs"]) and ch.get("floors"):
            value = ch["floors"].get({5: "five_year", 10: "ten_year"}.get(tier, ""))
            if value is not None and case.priors_851 == 0 and tier > 0:
                floor = round(value)
        elif ch["type"] == "enhancement_851" and tier > 0 and case.priors_851 > 0:
            if ch.get("terms_on"):
                floor, _ = statutory_penalties(tier, case.priors_851, _day(ch["terms_on"]))
                continue
            terms = ch.get({5: "five_year", 10: "ten_year"}[tier]) or {}
            value = terms.get("one_prior" if case.priors_851 == 1 else "two_or_more")
            if value is not None:
                floor = life if value == "life" else int(value)

    # Chapter Four: as the guidelines of the range score it, unless a change says otherwise
    points = points_scored(case, table_day)
    chapter_four = zero_point_decrease(case, table_day)
    for ch in reached:
        if ch["type"] != "criminal_history":
            continue
        status = ch.get("status_points")
        if status is not None and case.status_points > 0:
            other = case.chp - case.status_points
            kept = status.get("points", 1) if other >= status.get("min_other_points", 7) else 0
            points = other + kept
        zero = ch.get("zero_point")
        if zero is not None and zero_point_offender(case):
            chapter_four = zero.get("levels", -2)

    # the safety valve: as the sentencing court decided it, unless a change gives the rules of
    # another day (or the person is sentenced again under today's law)
    relief = case.safety_valve
    relief_day = guideline_day = statute_day
    relief_anew = criteria_anew = as_of is not None
    for ch in reached:
        if ch["type"] == "safety_valve":
            on = _day(ch["rules_on"])
            if ch.get("statutory", True):
                relief_day, relief_anew = on, True
            if ch.get("guideline", True):
                guideline_day, criteria_anew = on, True
    if relief_anew:
        relief = case.sv_conditions and history_allows("statute", case, points, relief_day)
    if criteria_anew:
        criteria = case.sv_conditions and history_allows("guideline", case, points, guideline_day)
    else:  # §5C1.2(a) as the sentencing court read it: within its cap on points then
        criteria = relief and guideline_criteria_as_found(
            dataclasses.replace(case, safety_valve=True)
        )

    return score(
        case,
        base + shift,
        tier=tier,
        floor=floor,
        statutory_max=smax,
        points=points,
        chapter_four=chapter_four,
        relief=relief,
        criteria=criteria,
        safety_valve_day=guideline_day,
    )


def reference_reduce_changes(
    case: Case,
    changes: list[dict],
    *,
    effective: int,
    earliest_release: int | None,
) -> Result:
    """Apply a scenario's (non-clemency) changes to one person, granting every eligible motion."""
    old = guideline_range(case, edition_in_force(case.drug, case.table_date))
    new = amended_range(case, changes, effective=effective)
    return decide(case, old, new, effective=effective, earliest_release=earliest_release)


# --------------------------------------------------------------------------- clemency
def impose(case: Case, rng: Range) -> int:
    """The term a court gives for ``rng`` at the case's position in it, less its departure.

    CONVENTION (engine, ``sentencing.impose``): the point in the range is taken in double
    precision, the departure share ``1 - departure`` in single precision (the population
    stores it as float32); whole months, halves to even; within 1 month and life. The case's
    consecutive §924(c) months follow the drug term (18 U.S.C. §924(c)(1)(D)(ii)).
    """
    point = rng.range_min + case.position * (rng.range_max - rng.range_min)
    term = point * float(np.float32(1.0) - np.float32(case.departure))
    if not case.sub_assist:
        term = max(term, rng.floor)  # §3553(e) alone lifts the floor
    term = min(round(term), rng.statutory_max)
    return with_firearm_term(case, min(max(term, 1), law_data().life))


def today_term(case: Case, others: list[dict], *, as_of: int) -> int:
    """The term under the law in force on ``as_of`` plus the scenario's other changes."""
    rng = amended_range(case, others, effective=as_of, as_of=as_of)
    return min(impose(case, rng), case.term)


def meets(case: Case, criteria: dict, *, on: int, new_term: int) -> dict[str, bool]:
    """Each clemency criterion the scenario sets, judged on day ``on``."""
    out = {}
    if criteria.get("lower_sentence_today") is not None:
        cut = case.term - new_term
        share = criteria["lower_sentence_today"]
        out["lower_sentence_today"] = cut > 0 and cut >= share * case.term
    if criteria.get("non_violent_offense"):
        out["non_violent_offense"] = not case.weapon and case.role <= 0
    if criteria.get("min_years_served") is not None:
        served = (on - case.custody_start) / (12 * law_data().days_per_month)
        out["min_years_served"] = served >= criteria["min_years_served"]
    if criteria.get("max_category") is not None:
        category = law_data().career_category if case.career else category_from_points(case.chp)
        order = "I II III IV V VI".split()
        out["max_category"] = order.index(category) <= order.index(criteria["max_category"])
    if criteria.get("max_infractions") is not None:
        out["max_infractions"] = case.infractions <= criteria["max_infractions"]
    if criteria.get("no_violence_history"):
        out["no_violence_history"] = not case.violent
    if criteria.get("drugs") is not None:
        out["drugs"] = case.drug in criteria["drugs"]
    return out


@dataclass(frozen=True)
class Commutation:
    """The reference's clemency answer for one person."""

    new_term: int
    met_all_at_start: bool
    petition: bool
    decided_on: int
    decided: bool
    granted: bool
    release: int


#: The day of a petition reviewed after the last batch: never decided (the engine's calendar end).
NEVER = 2**31 - 1


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _by_period(value: object, key: str) -> list[tuple[int | None, float]]:
    """A number or a schedule (a list of ``{from, <key>}``) as ``(day or None, value)`` pairs."""
    if not isinstance(value, list):
        return [(None, float(value))]
    return [(_day(p["from"]), float(p[key])) for p in value]


def _in_force(periods: list[tuple[int | None, float]], on: float) -> float:
    """The value of the last period begun on or before ``on`` (a first without a day: always)."""
    value = periods[0][1]
    for since, v in periods:
        if since is None or since <= on:
            value = v
    return value


def _capacity_periods(review: dict, start: int, scale: float, days_per_month: float) -> list:
    """The review's capacity as ``(first day, reviews a day)`` from ``start`` on, exactly.

    LANGUAGE: a period that begins on or before the start holds from the start (the last such
    one); each period holds until the next begins.
    """
    periods = _by_period(review["capacity_per_month"], "per_month")
    out = []
    for since, per_month in periods:
        on = start if since is None else max(since, start)
        per_day = Fraction(per_month * scale) / Fraction(days_per_month)
        out = [p for p in out if p[0] < on] + [(Fraction(on), per_day)]
    return out


def _after(t: Fraction, work: Fraction, periods: list) -> Fraction:
    """The time at which ``work`` reviews are done, reviewing from ``t`` at the periods' pace."""
    for j, (since, per_day) in enumerate(periods):
        end = periods[j + 1][0] if j + 1 < len(periods) else None
        if end is not None and end <= t:
            continue
        begin = max(t, since)
        if end is None or begin + work / per_day <= end:
            return begin + work / per_day
        work -= (end - begin) * per_day
    raise AssertionError("the last period never ends")


def _queue_days(arrivals: list[tuple[float, float, int]], periods: list) -> dict[int, int]:
    """One reviewer in order of arrival (ties by the person's draw), at the periods' pace: each
    review ends on the later of its arrival and the end of one more review after the previous.

    Exact arithmetic (fractions), so the day a review ends is not an artefact of rounding.
    """
    out, previous = {}, None
    for at, _, i in sorted(arrivals):
        t = Fraction(at) if previous is None else max(Fraction(at), _after(previous, 1, periods))
        out[i], previous = math.floor(t), t
    return out


def _acted_on(first: int, batches: list[int], shares: list, draw: float) -> int:
    """The batch that acts on a favourable petition waiting from batch day ``first``.

    Each batch acts on a petition still waiting with its share; with one draw, the petition is
    acted on at the first batch where its chance of still waiting (the product of one less
    each share since ``first``, in batch order) falls to the draw or below.
    """
    still = 1.0
    for b in batches:
        if b < first:
            continue
        still = still * (1.0 - _in_force(shares, b))
        if still <= draw:
            return b
    return NEVER


def reference_commute(
    cases: list[Case],
    clemency: dict,
    others: list[dict],
    *,
    start: int,
    u_petition: list[float],
    u_order: list[float],
    scale: float = 1.0,
    u_arrival: list[float] | None = None,
    u_grant: list[float] | None = None,
    u_act: list[float] | None = None,
) -> list[Commutation]:
    """Decide every petition as the clemency change describes it (every grant rate 1).

    The per-person draws (whether one petitions, one's place in the review queue, when one's
    petition arrives, the grant draw, the draw a batch acts against) are inputs; ``scale`` is
    the population's size, by which the nationwide capacity shrinks.

    - Who petitions: ``review.petition_rate`` (``petition_rate_met_all`` for people meeting every
      criterion), or with ``review.petition`` the logistic of its score: intercept, the term in
      decades, the years served at the start in decades, and a weight for each criterion met.
    - Review: all petitions at the start, in the order of each person's draw, ``capacity`` a
      month; or, with ``review.arrival_months``, each arriving an exponential delay of that
      mean after the start and reviewed first come, first served (a petitioner already released
      when it arrives has none). The capacity is a number or a schedule of periods ``{from,
      per_month}``: a review under way when a period begins goes on at its pace. A review ends
      on a batch day (``review.batches``): the first on or after it, or never after the last.
    - A decided petition (by ``review.until``, in custody) is judged on the criteria on the
      decision day, or the filing day when petitions arrive over time. Without ``selection``
      it is granted when it meets every criterion; with it, when it meets the ``required``
      ones and its draw is under the logistic of the selection score (plus
      ``life_sentence`` for a life term).
    - With ``review.batch_share``, a petition to be granted waits from that batch for one that
      acts on it (:func:`_acted_on`); it is granted then, if still in custody and by
      ``review.until``, and is neither granted nor decided if no batch acts on it.
    - The commuted term is today's, its cut held between ``commutation``'s ``min_cut`` and
      ``max_cut`` shares of the term when given; the release, no earlier than the decision
      plus the lag, never later than before.
    """
    law = law_data()
    review = clemency["review"]
    criteria = clemency.get("criteria") or {}
    selection = clemency.get("selection")
    commutation = clemency.get("commutation")
    lag = clemency.get("release_lag") or {}
    until = _day(review["until"]) if review.get("until") else None
    periods = _capacity_periods(review, start, scale, law.days_per_month)
    batch_share = review.get("batch_share")  # 0 is a share (no batch acts), not "unset"
    shares = _by_period(batch_share, "share") if batch_share is not None else None
    petition_score = review.get("petition")
    arrival_months = review.get("arrival_months")
    batches = sorted(_day(b) for b in review.get("batches") or [])
    days_per_year = law.days_per_month * 12

    first = []
    for i, case in enumerate(cases):
        new_term = today_term(case, others, as_of=start)
        in_custody = (
            case.sentencing_date < start
            and case.custody_start <= start
            and case.release_date > start
        )
        at_start = meets(case, criteria, on=start, new_term=new_term)
        met_all = in_custody and all(at_start.values())
        if petition_score is not None:
            served = max((start - case.custody_start) / days_per_year, 0.0)
            score = (
                petition_score.get("intercept", 0.0)
                + petition_score.get("per_decade_term", 0.0) * case.term / 120
                + petition_score.get("per_decade_served", 0.0) * served / 10
            )
            weights = petition_score.get("weights") or {}
            score += sum(weights.get(k, 0.0) for k, ok in at_start.items() if ok)
            rate = _logistic(score)
        else:
            rate = review.get("petition_rate", 1.0)
            if met_all and review.get("petition_rate_met_all") is not None:
                rate = review["petition_rate_met_all"]
        petition = in_custody and u_petition[i] < rate
        filed_on = start
        if petition and arrival_months is not None:
            at = start - math.log1p(-u_arrival[i]) * arrival_months * law.days_per_month
            filed_on = math.floor(at)
            petition = case.release_date > filed_on
        first.append((new_term, met_all, petition, filed_on))

    reviewed = [start] * len(cases)
    if arrival_months is None:  # petitions in order of each person's draw, at the capacity
        queue = sorted((u_order[i], i) for i, f in enumerate(first) if f[2])
        for rank, (_, i) in enumerate(queue):
            reviewed[i] = math.floor(_after(Fraction(start), Fraction(rank), periods))
    else:
        arrivals = []
        for i, f in enumerate(first):
            if f[2]:
                at = start - math.log1p(-u_arrival[i]) * arrival_months * law.days_per_month
                arrivals.append((at, u_order[i], i))
        for i, d in _queue_days(arrivals, periods).items():
            reviewed[i] = d

    out = []
    for i, case in enumerate(cases):
        new_term, met_all, petition, filed_on = first[i]
        when = reviewed[i]
        if petition and batches:
            when = next((b for b in batches if b >= when), NEVER)
        decided = petition and (until is None or when <= until) and case.release_date > when
        judged = meets(
            case, criteria, on=when if arrival_months is None else filed_on, new_term=new_term
        )
        if selection is None:
            granted = decided and all(judged.values())
        else:
            required = selection.get("required") or []
            weights = selection.get("weights") or {}
            score = selection.get("intercept", 0.0) + sum(
                weights.get(k, 0.0) for k, ok in judged.items() if ok
            )
            if case.term >= law.life:
                score += selection.get("life_sentence", 0.0)
            granted = decided and all(judged[k] for k in required) and u_grant[i] < _logistic(score)
        if granted and shares is not None:  # it waits for a batch that acts on it
            when = _acted_on(when, batches, shares, u_act[i])
            decided = (until is None or when <= until) and case.release_date > when
            granted = decided
        cut_term = new_term
        if commutation is not None:
            today = 1.0 - new_term / case.term if case.term > 0 else 0.0
            cut = min(max(today, commutation.get("min_cut", 0.0)), commutation.get("max_cut", 1.0))
            cut_term = round(case.term * (1.0 - cut))
        release = case.release_date
        if granted:
            months = lag.get("months", 0)
            if case.term >= law.life and lag.get("life_months") is not None:
                months = lag["life_months"]
            earliest = when + math.ceil(months * law.days_per_month)
            commuted = release_day(
                case.custody_start, cut_term, case.infractions, case.rdap, case.ftc,
                rdap_term=case.term,
            )  # fmt: skip
            release = min(max(commuted, earliest), case.release_date)
        out.append(Commutation(cut_term, met_all, petition, when, decided, granted, release))
    return out
