"""The reference calculator for every change type of the scenario language, one person at a time.

Reads a scenario's ``changes`` as plain dicts (``yaml.safe_load`` of the scenario file, never the
simulator's models) and re-scores one :class:`~reference_calculator.Case` from the guidelines and
statutes of ``/work/shared/reference/law.md`` with ``if``/``else``. Changes apply in the order
listed; a later change wins for the same person and provision. Nothing is imported from
``simulator``.

Where the scenario language, not the law, settles a choice, the comment says ``LANGUAGE``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reference_calculator import (
    Case,
    Range,
    Result,
    base_offense_level,
    day_number,
    decide,
    edition_in_force,
    guideline_range,
    law_data,
    mandatory_tier_reached,
    score,
    statutory_penalties,
)

TIERS = {"five_year": 5, "ten_year": 10}


def _day(value: object) -> int:
    return day_number(value if isinstance(value, dt.date) else str(value))


def in_scope(change: dict, case: Case, effective: int) -> bool:
    """Whether a change reaches the person (``applies``, ``retroactive``, ``offenses_before``)."""
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
    return not (before and case.offense_date >= _day(before))


@dataclass(frozen=True)
class Table:
    """Which Drug Quantity Table scores the person: an edition, or crack derived from powder."""

    edition: str
    ratio: float | None = None  # crack thresholds = powder's in ``edition`` / ratio

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


def _tier(grams: float, five: float, ten: float) -> int:
    return 10 if grams >= ten else 5 if grams >= five else 0


def amended_range(case: Case, changes: list[dict], *, effective: int) -> Range:
    """The person's guideline calculation with every change in scope substituted."""
    life = law_data().life
    reached = [c for c in changes if in_scope(c, case, effective)]

    # Chapter Two: the table, then level shifts measured on the amended table's base level
    table = Table(edition_in_force(case.drug, case.table_date))
    for ch in reached:
        if ch["type"] == "drug_table" and case.drug in ch["drugs"]:
            table = Table(str(ch["edition"]))
        elif (
            ch["type"] == "crack_powder_ratio"
            and ch.get("guideline", True)
            and case.drug == "cocaine_base"
        ):
            table = Table(str(ch.get("powder_edition", "2014")), float(ch["ratio"]))
    base = table.level(case.drug, case.grams)
    shift = 0
    for ch in reached:
        if ch["type"] == "level_shift" and case.drug in ch["drugs"]:
            if ch.get("from_level", 1) <= base <= ch.get("to_level", 43):
                shift = ch["levels"]

    # the statute: the tier charged can only fall to what the amended thresholds support
    tier = min(case.mm_charged, mandatory_tier_reached(case.drug, case.grams, case.sentencing_date))
    for ch in reached:
        on = _day(ch["effective"]) if ch.get("effective") else effective
        if (
            ch["type"] == "crack_powder_ratio"
            and ch.get("statutory", True)
            and case.drug == "cocaine_base"
        ):
            five, ten = powder_thresholds(on)
            ratio = float(ch["ratio"])
            tier = min(case.mm_charged, _tier(case.grams, five / ratio, ten / ratio))
        elif ch["type"] == "mandatory_minimum" and case.drug in ch["drugs"]:
            if ch.get("thresholds_on"):
                five, ten = thresholds_in_force(case.drug, _day(ch["thresholds_on"]))
            elif ch.get("thresholds"):
                # LANGUAGE: a tier left out keeps the threshold in force when the change starts
                five, ten = thresholds_in_force(case.drug, on)
                given = ch["thresholds"]
                five = five if given.get("five_year") is None else given["five_year"]
                ten = ten if given.get("ten_year") is None else given["ten_year"]
            else:
                continue
            tier = min(case.mm_charged, _tier(case.grams, five, ten))

    floor, smax = statutory_penalties(tier, case.priors_851, case.sentencing_date)
    for ch in reached:
        if ch["type"] == "mandatory_minimum" and case.drug in ch["drugs"] and ch.get("floors"):
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

    # Chapter Four: Amendment 821 parts A and B
    points, chapter_four = case.chp, 0
    for ch in reached:
        if ch["type"] != "criminal_history":
            continue
        status = ch.get("status_points")
        if status is not None and case.status_points > 0:
            other = case.chp - case.status_points
            kept = status.get("points", 1) if other >= status.get("min_other_points", 7) else 0
            points = other + kept
        zero = ch.get("zero_point")
        if (
            zero is not None
            and case.chp == 0
            and not case.weapon
            and case.role <= 0
            and not case.zp_excluded
        ):
            chapter_four = zero.get("levels", -2)

    return score(
        case,
        base + shift,
        tier=tier,
        floor=floor,
        statutory_max=smax,
        points=points,
        chapter_four=chapter_four,
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
