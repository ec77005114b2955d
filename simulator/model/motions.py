"""The court's motion process: who files, when each motion is decided, what the docket shows.

A retroactive guideline change does not reach people by itself: each person needs a motion
under 18 U.S.C. §3582(c)(2), filed by the defendant or raised by the court, and a decision.
In 2014–2016 the federal courts decided the Amendment 782 motions over two years, about
two thousand a month (USSC retroactivity data reports), as federal defenders and probation
offices screened the cases and motions arrived. This module turns a scenario's
``retroactivity.process`` into one decision day per person:

* **filing**: each eligible person has a motion with probability ``filing.eligible``, each
  other person in custody with ``filing.ineligible`` (those motions are denied), by the
  person's own uniform draw (:func:`simulator.numeric.person_uniform`); a motion arrives an
  exponential delay after the start, of mean ``filing.delay_months`` (eligible people, whom
  defenders and probation offices sought out) or ``filing.delay_months_ineligible``;
* **queue**: motions are decided in the order they arrive, at most ``capacity_per_month`` a
  month nationwide (:func:`arrival_order_decisions`); with ``priority_months``, the motions of
  eligible people whose reduced term would end within that many months of the first release
  day go first (:func:`with_priority`), as courts decided first the cases of people who could
  leave on 2015-11-01.

The grant and the release follow in :func:`simulator.model.reduction.reduce`. A capacity
that changes over time (:class:`Capacity`, a clemency review's schedule) runs the same queue on
a work clock.

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

from simulator.calendar import NEVER, day, iso
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


def arrival_order_decisions(
    arrival: np.ndarray, per_day: float, *, tie: np.ndarray | None = None
) -> np.ndarray:
    """Decision day of each motion: in order of arrival, ``per_day`` decided a day at most.

    The motion of rank *k* in arrival order is decided on the later of its arrival and the
    day the one before it was decided plus ``1 / per_day``: ``k / per_day`` plus the running
    maximum of ``arrival_j - j / per_day`` (a queue with one server, vectorized). ``tie``
    orders motions arriving at the same time (default: their position).

    Examples
    --------
    >>> arrival_order_decisions(np.array([0.0, 0.0, 0.0, 10.0]), per_day=0.5).tolist()
    [0, 2, 4, 10]
    >>> arrival_order_decisions(np.zeros(3), per_day=1.0, tie=np.array([0.9, 0.1, 0.5])).tolist()
    [2, 0, 1]
    """
    order = None if tie is None else np.lexsort((tie, arrival))
    return np.floor(_queue(arrival, per_day, order=order)).astype(np.int64)


def _queue(arrival: np.ndarray, per_day: float, order: np.ndarray | None = None) -> np.ndarray:
    """Decision times (not rounded to days) of a one-server queue in arrival order.

    ``order`` (default: by ``arrival``) is the order of service when it differs.
    """
    order = np.argsort(arrival, kind="stable") if order is None else order
    k = np.arange(len(arrival), dtype=np.float64) / per_day
    out = np.empty(len(arrival), dtype=np.float64)
    out[order] = k + np.maximum.accumulate(arrival[order] - k)
    return out


@dataclass(frozen=True)
class Capacity:
    """A queue's capacity that changes on given days: ``per_month[j]`` from day ``starts[j]`` on.

    Queues with such a capacity run on a *work clock*: the days it would take at the first
    period's rate to do the work done so far. Before ``starts[1]`` the work clock is the
    calendar itself (the same numbers, not recomputed), so a one-period capacity gives the same
    days, bit for bit, as a constant one; after it, each calendar day counts ``per_day[j] /
    per_day[0]`` work days. A one-server queue is then the constant-rate queue on the work
    clock (:func:`arrival_order_decisions`), mapped back to the calendar: the review in
    progress when the capacity changes goes on at the new pace.

    Examples
    --------
    >>> c = Capacity(np.array([0, 10]), np.array([30.0, 60.0]), 30.0)
    >>> c.work(np.array([5.0, 10.0, 15.0])).tolist(), c.calendar(np.array([5.0, 20.0])).tolist()
    ([5.0, 10.0, 20.0], [5.0, 15.0])
    """

    starts: np.ndarray  # int64 days, increasing; the first is the queue's start
    per_month: np.ndarray  # float64, each > 0 (at the population's scale)
    days_per_month: float

    @property
    def per_day(self) -> np.ndarray:
        """The capacity a day in each period."""
        return self.per_month / self.days_per_month

    @classmethod
    def of(cls, periods: list, *, start: int, scale: float, days_per_month: float) -> Capacity:
        """From a scenario's periods ``(from, per_month)`` (``from`` None or on/before ``start``).

        Periods starting on or before ``start`` give way to the last of them; adjacent periods
        of the same capacity merge; ``scale`` shrinks the nationwide capacity to the
        population's size.

        Examples
        --------
        >>> import datetime as dt
        >>> c = Capacity.of([(None, 30), (dt.date(1970, 1, 11), 30), (dt.date(1970, 2, 1), 60)],
        ...                 start=5, scale=1.0, days_per_month=30.0)
        >>> c.starts.tolist(), c.per_day.tolist()
        ([5, 31], [1.0, 2.0])
        """
        starts: list[int] = []
        rates: list[float] = []
        for when, per_month in periods:
            on = start if when is None else max(day(when), start)
            rate = float(per_month) * scale
            if starts and on == starts[-1]:
                starts.pop(), rates.pop()
            if not rates or rate != rates[-1]:
                starts.append(on), rates.append(rate)
        return cls(np.array(starts, dtype=np.int64), np.array(rates), days_per_month)

    def _marks(self) -> np.ndarray:
        """The work clock at the start of each period (the calendar day, in the first two)."""
        widths = np.diff(self.starts) * (self.per_month[:-1] / self.per_month[0])
        return np.concatenate([self.starts[:1], self.starts[0] + np.cumsum(widths)])

    def work(self, t: np.ndarray) -> np.ndarray:
        """The work clock at calendar times ``t`` (the calendar before the second period)."""
        t = np.asarray(t, dtype=np.float64)
        j = np.clip(np.searchsorted(self.starts, t, side="right") - 1, 0, None)
        ratio = self.per_month[j] / self.per_month[0]
        return np.where(j == 0, t, self._marks()[j] + (t - self.starts[j]) * ratio)

    def calendar(self, w: np.ndarray) -> np.ndarray:
        """The calendar time at which the work clock reaches ``w`` (the inverse of :meth:`work`)."""
        w = np.asarray(w, dtype=np.float64)
        marks = self._marks()
        j = np.clip(np.searchsorted(marks, w, side="right") - 1, 0, None)
        ratio = self.per_month[j] / self.per_month[0]
        return np.where(j == 0, w, self.starts[j] + (w - marks[j]) / ratio)

    def in_order(self, n: int, *, start: int) -> np.ndarray:
        """Days of ``n`` reviews from ``start`` on, in rank order.

        The one of rank *r* (0-based) is decided when *r* reviews' worth of capacity has passed.

        Examples
        --------
        >>> Capacity(np.array([0, 10]), np.array([15.0, 30.0]), 30.0).in_order(8, start=0).tolist()
        [0, 2, 4, 6, 8, 10, 11, 12]
        """
        # work days since the start (as a constant capacity counts them)
        offset = np.arange(n, dtype=np.int64) * self.days_per_month / self.per_month[0]
        first = offset < (self.starts[1] - start if len(self.starts) > 1 else np.inf)
        later = np.floor(self.calendar(start + offset)).astype(np.int64)
        return np.where(first, start + np.floor(offset).astype(np.int64), later)

    def in_arrival_order(self, arrival: np.ndarray, *, tie: np.ndarray | None = None) -> np.ndarray:
        """Decision days in order of ``arrival`` (ties by ``tie``): one server at this capacity.

        Examples
        --------
        >>> c = Capacity(np.array([0, 10]), np.array([15.0, 30.0]), 30.0)
        >>> c.in_arrival_order(np.array([0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 30.0])).tolist()
        [0, 2, 4, 6, 8, 10, 11, 30]
        """
        work = self.work(arrival)
        order = None if tie is None else np.lexsort((tie, arrival))
        per_day = self.per_month[0] / self.days_per_month
        return np.floor(self.calendar(_queue(work, per_day, order=order))).astype(np.int64)


def with_priority(
    urgent: np.ndarray, arrival: np.ndarray, per_day: float, start: float
) -> np.ndarray:
    """Decision days when ``urgent`` motions go first: a queue with two classes, vectorized.

    Urgent motions are decided in arrival order at the full capacity
    (:func:`arrival_order_decisions`). The others get the time the urgent ones leave: on the
    clock of that remaining time (each day less the share of it urgent decisions took) they
    are decided in arrival order, and each decision is mapped back to the first day the
    remaining time reaches it (a fluid approximation, exact when the urgent queue is empty or
    always busy).

    Examples
    --------
    >>> with_priority(np.array([False, True, False]), np.array([0.0, 0.0, 0.0]),
    ...               per_day=1.0, start=0.0).tolist()
    [1, 0, 2]
    """
    out = np.empty(len(arrival), dtype=np.int64)
    u = np.flatnonzero(urgent)
    o = np.flatnonzero(~urgent)
    out[u] = arrival_order_decisions(arrival[u], per_day)
    if len(o) == 0:
        return out
    horizon = float(arrival.max()) + len(arrival) / per_day + 2.0
    grid = np.arange(np.floor(start), np.ceil(horizon) + 1.0)
    # time left by day g: days elapsed less the slots of urgent decisions made before g
    urgent_before = np.searchsorted(np.sort(_queue(arrival[u], per_day)), grid) if len(u) else 0
    free = np.maximum.accumulate((grid - start) - urgent_before / per_day)
    on_free = np.interp(arrival[o], grid, free)
    # motions arriving while urgent ones are decided share a time on that clock: the first come
    # is still the first served
    when = _queue(on_free, per_day, order=np.lexsort((arrival[o], on_free)))
    # the day a decision falls in: the last day whose remaining time has not passed it
    day_of = np.searchsorted(free, when, side="right") - 1
    out[o] = grid[np.clip(day_of, 0, len(grid) - 1)].astype(np.int64)
    return out


def docket(
    process: Any,
    ids: np.ndarray,
    *,
    reach: np.ndarray,
    eligible: np.ndarray,
    urgent: np.ndarray | None = None,
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
    urgent : ndarray of bool, optional
        Motions the courts decide first (people who could leave soon); see
        :func:`with_priority`.
    start : int
        Day the first motions can be filed and decided.
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
    >>> f = NS(eligible=1.0, ineligible=0.0, delay_months=0.0, delay_months_ineligible=None)
    >>> p = NS(filing=f, capacity_per_month=1)
    >>> d = docket(p, np.arange(3), reach=np.ones(3, bool), eligible=np.array([True, False, True]),
    ...            start=0, days_per_month=30.0, seed=1)
    >>> d.filed.tolist(), sorted(d.decided_on[d.filed].tolist())
    ([True, False, True], [0, 30])
    """
    f = process.filing
    rate = np.where(eligible, float(f.eligible), float(f.ineligible))
    filed = reach & (person_uniform(ids, seed, "motion_filed") < rate)
    decided_on = np.full(len(filed), NEVER, dtype=np.int64)
    idx = np.flatnonzero(filed)
    if len(idx) == 0:
        return Docket(filed, decided_on, start)
    other = f.delay_months if f.delay_months_ineligible is None else f.delay_months_ineligible
    mean_days = np.where(eligible[idx], float(f.delay_months), float(other)) * days_per_month
    u = person_uniform(ids[idx], seed, "motion_filed_on")
    arrival = start - mean_days * np.log1p(-u)  # exponential delays from the start
    per_day = float(process.capacity_per_month) * scale / days_per_month
    if urgent is None or not urgent[idx].any():
        decided_on[idx] = arrival_order_decisions(arrival, per_day)
    else:
        decided_on[idx] = with_priority(urgent[idx], arrival, per_day, float(start))
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
