"""How far a datafile's own guideline calculations agree with the engine's.

The engine recomputes each valid case's offense level and guideline range from the facts read
(:func:`simulator.model.sentencing.guideline`, the law of the case's sentencing date) and
compares them with the level and range the file records (``XFOLSOR``, ``GLMIN``, ``GLMAX``).
Each case that disagrees is given the first reason that applies, in this order: several drugs
summed as converted weight; the quantity taken from the file's converted weight; a drug the
engine does not score left out; a different base offense level (``BASEHI``: the drug or its
quantity); a different criminal history category (``XCRHISSR``); otherwise adjustments the
file does not give the engine (obstruction, other specific offense characteristics, other
counts), or, when the level agrees, the range's statutory limits.

Examples
--------
>>> a = Agreement(cases=10, compared=8, level=7, range=6, both=6,
...               not_compared={"final level missing (XFOLSOR)": 2},
...               reasons={"base offense level differs (BASEHI): the drug or its quantity": 2})
>>> a.summary()["both_agree_share"]
0.75
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import lazy
from simulator.law import load_law
from simulator.model.population import SCHEMA, Population
from simulator.model.sentencing import guideline

pd = lazy.module("pandas")


@dataclass
class Agreement:
    """Counts of cases whose level and range the engine reproduces, and why the others not."""

    cases: int  # valid cases
    compared: int  # with the file's level and range
    level: int  # level agrees
    range: int  # range agrees
    both: int  # level and range agree
    not_compared: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)  # of the cases that disagree
    steps: dict[str, int] = field(default_factory=dict)  # the reading's counts (rows, stock)
    rejected: dict[str, int] = field(default_factory=dict)  # rejected rows, by reason

    def summary(self) -> dict[str, Any]:
        """As plain data (the ``agreement`` of a run's summary)."""
        share = (lambda k: round(k / self.compared, 4)) if self.compared else (lambda k: None)
        return {
            "cases": self.cases,
            "compared": self.compared,
            "level_agrees": self.level,
            "range_agrees": self.range,
            "both_agree": self.both,
            "both_agree_share": share(self.both),
            "level_agrees_share": share(self.level),
            "range_agrees_share": share(self.range),
            "not_compared": dict(self.not_compared),
            "disagreements": dict(self.reasons),
            "rows": dict(self.steps),
            "rejected_by_reason": dict(self.rejected),
        }


def agreement(
    cases: Population,
    recorded: pd.DataFrame,
    drugs: pd.DataFrame,
    *,
    steps: dict[str, int] | None = None,
    rejected: pd.DataFrame | None = None,
) -> Agreement:
    """Compare the engine's level and range of ``cases`` with the file's (``recorded``).

    ``recorded`` and ``drugs`` are indexed by the cases' ids: the file's ``base_level``,
    ``final_level``, ``range_min``, ``range_max`` and ``category`` (1-6), and whether several
    drugs were summed (``several``), the quantity came from the file's converted weight
    (``from_file_weight``) or a drug was left out (``left_out``).
    """
    law = load_law()
    names = recorded.attrs.get("names", {})
    rec = recorded.loc[cases.id]
    d = drugs.loc[cases.id]
    g = guideline(
        law, cases.cases(), edition=law.edition_on(cases.drug, cases.table_date),
        statute_day=cases.sentencing_date,
    )  # fmt: skip
    base = law.base_offense_level(
        cases.drug, cases.grams, law.edition_on(cases.drug, cases.table_date)
    )
    level_known = rec["final_level"].notna().to_numpy()
    range_known = (rec["range_min"].notna() & rec["range_max"].notna()).to_numpy()
    compared = level_known & range_known
    label = f"{names.get('range_min') or 'range_min'}/{names.get('range_max') or 'range_max'}"
    missing = {
        f"final level missing in the file ({names.get('final_level') or 'final_level'})":
            int((~level_known).sum()),
        f"range missing in the file ({label})": int((level_known & ~range_known).sum()),
    }  # fmt: skip
    not_compared = {k: v for k, v in missing.items() if v}
    level_ok = compared & (rec["final_level"].to_numpy() == g.level)
    range_ok = compared & (rec["range_min"].to_numpy() == g.range_min)
    range_ok &= rec["range_max"].to_numpy() == g.range_max
    both = level_ok & range_ok
    wrong = compared & ~both
    category = rec["category"].to_numpy() - 1
    rules = (
        (d["several"].to_numpy(), "several drugs summed as converted weight (§2D1.1 n.8(B))"),
        (d["from_file_weight"].to_numpy(), "quantity from the file's converted weight (MWGT)"),
        (d["left_out"].to_numpy(), "a drug the engine does not score was left out"),
        (
            rec["base_level"].notna().to_numpy() & (rec["base_level"].to_numpy() != base),
            f"base offense level differs ({names.get('base_level') or 'base level'}): the "
            "drug or its quantity",
        ),
        (
            ~np.isnan(category) & (category != g.category),
            f"criminal history category differs ({names.get('category') or 'category'})",
        ),
        (~level_ok, "offense level differs: adjustments the file does not give the engine "
                    "(obstruction, other offense characteristics, other counts)"),
        (np.ones(len(cases), dtype=bool), "range differs at the same level: statutory limits "
                                          "or other counts"),
    )  # fmt: skip
    left = wrong.copy()
    reasons = {}
    for mask, reason in rules:
        hit = left & mask
        if hit.any():
            reasons[reason] = int(hit.sum())
        left &= ~hit
    return Agreement(
        cases=len(cases), compared=int(compared.sum()), level=int(level_ok.sum()),
        range=int(range_ok.sum()), both=int(both.sum()), not_compared=not_compared,
        reasons=reasons, steps=dict(steps or {}), rejected=rejected_by_reason(rejected),
    )  # fmt: skip


def rejected_by_reason(rejected: pd.DataFrame | None) -> dict[str, int]:
    """Rejected rows counted by each reason, without the values quoted.

    Examples
    --------
    >>> r = pd.DataFrame({"reason": ["chp (TOTCHPTS): missing; age (AGE): missing",
    ...                              "chp (TOTCHPTS): missing", "role: not a number (got x)"]})
    >>> rejected_by_reason(r)
    {'chp (TOTCHPTS): missing': 2, 'age (AGE): missing': 1, 'role: not a number': 1}
    """
    if rejected is None or not len(rejected):
        return {}
    # a reason may hold "; " itself ("unknown code; allowed: ..."): split before column names
    split = r"; (?=(?:" + "|".join(SCHEMA) + r")\b)"
    parts = rejected["reason"].astype(str).str.split(split, regex=True).explode()
    parts = parts.str.replace(r"(; allowed: .*)? \(got .*\)$", "", regex=True)
    counts = parts.value_counts(sort=False)
    order = pd.unique(parts)
    return {str(k): int(counts[k]) for k in order}
