"""Consecutive firearm terms for drug trafficking crimes, 18 U.S.C. §924(c), by period.

The term runs after the drug term (§924(c)(1)(D)(ii)); its guideline sentence is the statutory
minimum (USSG §2K2.4(b)); no drug-guideline change touches it. The periods are read from
``data/law/firearms.yaml`` by :func:`simulator.law.loading.load_law`.

Examples
--------
>>> import numpy as np
>>> from simulator.calendar import day
>>> from simulator.law import load_law
>>> fa = load_law().firearms
>>> fa.minimum("possessed", np.array([day("2010-01-01")])).tolist()
[60]
>>> fa.minimum("brandished", np.array([day("1995-01-01"), day("2010-01-01")])).tolist()
[60, 84]
>>> second = fa.minimum("possessed", np.array([day("2015-01-01"), day("2019-01-01")]),
...                     count=2)
>>> second.tolist()
[300, 60]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Firearms:
    """The §924(c) minimums by period (arrays over the periods, in date order).

    ``first`` holds, for each period, the minimum of a first conviction by kind (``kinds``:
    possessed, brandished, discharged); ``second`` that of a second or subsequent conviction;
    ``needs_final`` whether that term needs a prior §924(c) conviction already final
    (First Step Act §403, from 2018-12-21).
    """

    start: np.ndarray  # int32 [n_periods]: day each period begins
    kinds: tuple[str, ...]
    first: np.ndarray  # int16 [n_periods, n_kinds]
    second: np.ndarray  # int16 [n_periods]
    needs_final: np.ndarray  # bool [n_periods]
    source: str

    def period(self, when: np.ndarray) -> np.ndarray:
        """Index of the period in force on each day (the first one before it begins).

        The count of later starts reached: a pass per start, for a handful of periods.
        """
        when = np.asarray(when)
        out = np.zeros(when.shape, dtype=np.intp)
        for start in self.start[1:]:
            out += when >= start
        return out

    def minimum(
        self,
        kind: str,
        when: np.ndarray,
        *,
        count: np.ndarray | int = 1,
        prior_final: np.ndarray | bool = False,
    ) -> np.ndarray:
        """Months of the mandatory consecutive term of the ``count``-th §924(c) conviction.

        Parameters
        ----------
        kind : str
            How the firearm was involved: ``possessed`` (used, carried or possessed),
            ``brandished`` or ``discharged`` (§924(c)(1)(A)(i)-(iii)).
        when : ndarray
            Day of sentencing (the law of that day applies).
        count : ndarray or int
            1 for a first conviction, 2 or more for a second or subsequent one.
        prior_final : ndarray or bool
            Whether an earlier §924(c) conviction had become final before the offense: from
            2018-12-21 only then does a second conviction carry the longer term.

        Returns
        -------
        ndarray
            int16 months.
        """
        p = self.period(when)
        first = self.first[p, self.kinds.index(kind)]
        later = (np.asarray(count) >= 2) & (~self.needs_final[p] | np.asarray(prior_final))
        return np.where(later, self.second[p], first).astype(np.int16)


__all__ = ["Firearms"]
