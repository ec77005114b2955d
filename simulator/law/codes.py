"""The codes the law tables and the population share: drugs, reporting groups, categories, tiers.

A population column holds an index into these tuples (``drug`` into :data:`DRUGS`), so the
order is part of every population file's meaning; append, never reorder.

Examples
--------
>>> DRUGS.index("cocaine_base"), DRUG_GROUPS["cocaine_base"], CATEGORIES[5]
(2, 'crack cocaine', 'VI')
"""

from __future__ import annotations

#: Drug codes used throughout the simulator (the ``drug`` column holds the index).
DRUGS: tuple[str, ...] = (
    "heroin",
    "cocaine",
    "cocaine_base",
    "methamphetamine",
    "methamphetamine_actual",
    "marijuana",
    "oxycodone",
    "fentanyl",
)
#: Codes of the ``drug2`` column: no second drug, or a drug of :data:`DRUGS` (``drug2`` holds
#: the index here, so a drug's code is its index in :data:`DRUGS` plus one).
SECOND_DRUGS: tuple[str, ...] = ("none", *DRUGS)
#: Reporting groups: the drug types published statistics use.
DRUG_GROUPS: dict[str, str] = {
    "heroin": "heroin",
    "cocaine": "powder cocaine",
    "cocaine_base": "crack cocaine",
    "methamphetamine": "methamphetamine",
    "methamphetamine_actual": "methamphetamine",
    "marijuana": "marijuana",
    "oxycodone": "other",
    "fentanyl": "other",
}
#: Criminal history categories (USSG Chapter 5, Part A), index 0 = I.
CATEGORIES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI")
#: Mandatory-minimum tiers, in years (the ``mm_charged`` column holds 0, 5 or 10).
TIERS: tuple[int, ...] = (0, 5, 10)
