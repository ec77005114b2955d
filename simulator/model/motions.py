"""The court's motion process: who files, when each motion is decided, what the docket shows.

A retroactive guideline change does not reach people by itself: each person needs a motion
under 18 U.S.C. §3582(c)(2), filed by the defendant or raised by the court, and a decision.
In 2014–2016 the federal courts decided the Amendment 782 motions over two years, about
two thousand a month (USSC retroactivity data reports); districts that screened cases by
projected release day decided those first. This module turns a scenario's
``retroactivity.process`` into one decision day per person:

* **filing**: each eligible person has a motion with probability ``filing.eligible``, each
  other person in custody with ``filing.ineligible`` (those motions are denied), by the
  person's own uniform draw (:func:`simulator.numeric.person_uniform`);
* **queue**: a share ``prioritized`` of the eligible people's motions (each person's own draw)
  is decided in order of the person's release day, the rest, and every motion the change does
  not support, in filing order (a random order); each track gets its
  share of ``capacity_per_month`` and the motion of rank *r* is decided *r* / capacity months
  after ``start`` (:func:`decision_days`).

The grant and the release follow in :func:`simulator.model.reduction.reduce`.

Examples
--------
>>> decision_days(np.array([True, False, True]), np.array([0.5, 0.0, 0.1]), start=10,
...               capacity=1, days_per_month=30.0).tolist()
[40, 10, 10]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.calendar import NEVER, iso
from simulator.numeric import person_uniform


def decision_days(
    petition: np.ndarray,
    order: np.ndarray,
    *,
    start: int,
    capacity: float,
    days_per_month: float,
) -> np.ndarray:
    """Day each motion or petition is decided: in ``order``, ``capacity`` a month from ``start``.

    Decisions are spread evenly: the one of rank *r* (0-based) is decided ``r / capacity``
    months after the start. People without one get ``start`` (they are never decided).

    Examples
    --------
    >>> decision_days(np.array([True, True, False, True]), np.array([0.9, 0.1, 0.5, 0.3]),
    ...               start=0, capacity=2, days_per_month=30.436875).tolist()
    [30, 0, 0, 15]
    """
    idx = np.flatnonzero(petition)
    rank = np.empty(len(idx), dtype=np.int64)
    rank[np.argsort(order[idx], kind="stable")] = np.arange(len(idx))
    out = np.full(len(petition), start, dtype=np.int64)
    out[idx] = start + np.floor(rank * days_per_month / capacity).astype(np.int64)
    return out


@dataclass(frozen=True)
class Docket:
    """The motions of a change: who filed and the day each motion is decided (arrays)."""

    filed: np.ndarray
    decided_on: np.ndarray  # int64 day; NEVER for people without a motion
    start: int

    def decided_by(self, on: int) -> np.ndarray:
        """Motions decided on or before day ``on``."""
        return self.filed & (self.decided_on <= on)


def docket(
    process: Any,
    ids: np.ndarray,
    *,
    reach: np.ndarray,
    eligible: np.ndarray,
    release_key: np.ndarray,
    start: int,
    days_per_month: float,
    seed: int,
    scale: float = 1.0,
) -> Docket:
    """Who files among the people a change ``reach``-es, and when each motion is decided.

    Parameters
    ----------
    process : CourtProcess
        The scenario's ``retroactivity.process``.
    ids : ndarray
        Person ids (their draws are their own, in any chunk or order).
    reach, eligible : ndarray of bool
        People in custody whom the change could concern, and those it makes eligible.
    release_key : ndarray
        Day each person could leave (the reduced release day for eligible people): the order
        of the prioritized track.
    start : int
        Day the first decisions are made.
    days_per_month : float
        Length of a month in days (the law's convention).
    seed : int
        Seed of the population (with the id, fixes each person's draws).
    scale : float
        The population's size relative to the whole (``size`` of a synthetic one): the
        nationwide capacity is scaled by it.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> p = NS(filing=NS(eligible=1.0, ineligible=0.0), capacity_per_month=1, prioritized=1.0)
    >>> d = docket(p, np.arange(3), reach=np.ones(3, bool), eligible=np.array([True, False, True]),
    ...            release_key=np.array([50, 0, 20]), start=0, days_per_month=30.0, seed=1)
    >>> d.filed.tolist(), d.decided_on.tolist()
    ([True, False, True], [30, 2147483647, 0])
    """
    rate = np.where(eligible, float(process.filing.eligible), float(process.filing.ineligible))
    filed = reach & (person_uniform(ids, seed, "motion_filed") < rate)
    # screening by release day finds the eligible; other motions wait their turn as filed
    prioritized = eligible & (
        person_uniform(ids, seed, "motion_track") < float(process.prioritized)
    )
    decided_on = np.full(len(filed), NEVER, dtype=np.int64)
    n = int(filed.sum())
    if n == 0:
        return Docket(filed, decided_on, start)
    orders = (release_key, person_uniform(ids, seed, "motion_order"))
    for track, order in zip((filed & prioritized, filed & ~prioritized), orders, strict=True):
        share = int(track.sum()) / n
        if share == 0:
            continue
        days = decision_days(
            track,
            order,
            start=start,
            capacity=float(process.capacity_per_month) * scale * share,
            days_per_month=days_per_month,
        )
        decided_on[track] = days[track]
    return Docket(filed, decided_on, start)


def motion_figures(
    d: Docket, *, eligible: np.ndarray, granted: np.ndarray, report_dates: list[int]
) -> dict:
    """The ``motions`` figures of a summary: counts, and decisions and grants by date.

    Examples
    --------
    >>> d = Docket(np.array([True, True, False]), np.array([5, 40, NEVER]), 0)
    >>> f = motion_figures(d, eligible=np.array([True, False, True]),
    ...                    granted=np.array([True, False, False]), report_dates=[10])
    >>> f["filed"], f["decided_by"], f["granted_share_by"]
    (2, {'1970-01-11': 1}, {'1970-01-11': 1.0})
    """
    decided = d.filed & (d.decided_on < NEVER)
    out: dict[str, Any] = {
        "filed": int(d.filed.sum()),
        "filed_eligible": int((d.filed & eligible).sum()),
        "granted": int(granted.sum()),
        "granted_share": round(float(granted.sum() / decided.sum()), 4) if decided.any() else 0.0,
        "last_decision": iso(int(d.decided_on[decided].max())) if decided.any() else None,
        "decided_by": {},
        "granted_by": {},
        "granted_share_by": {},
    }
    for on in report_dates:
        key = iso(on)
        by = d.decided_by(on)
        n, g = int(by.sum()), int((granted & by).sum())
        out["decided_by"][key] = n
        out["granted_by"][key] = g
        out["granted_share_by"][key] = round(g / n, 4) if n else 0.0
    return out
