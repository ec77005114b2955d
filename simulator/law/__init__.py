"""The law as data: tables, statutes and conventions read from ``data/law/``, looked up by date.

``codes``
    drug, category and tier codes the tables and the population share;
``conventions``
    life in months, days in a year, the fiscal year;
``tables``
    :class:`Law`, the tables as arrays and their vectorized lookups by date;
``loading``
    :func:`load_law`, which reads the files into a :class:`Law`;
``safety_valve``
    the safety valve's rules by period (18 U.S.C. §3553(f), USSG §5C1.2, §2D1.1(b));
``firearms``
    the consecutive firearm terms of 18 U.S.C. §924(c) by period;
``amendments``
    the earlier retroactive amendments that shaped the sentences being served.

Examples
--------
>>> import numpy as np
>>> law = load_law()
>>> int(law.guideline_range(np.array([32]), np.array([0]))[0][0])
121
"""

from __future__ import annotations

from simulator.law.amendments import RetroactiveAmendment, amendment_bit, retroactive_amendments
from simulator.law.codes import CATEGORIES, DRUG_GROUPS, DRUGS, SECOND_DRUGS, TIERS
from simulator.law.conventions import Conventions, conventions
from simulator.law.firearms import Firearms
from simulator.law.loading import load_law
from simulator.law.safety_valve import SafetyValve
from simulator.law.tables import Law

__all__ = [
    "CATEGORIES",
    "DRUGS",
    "DRUG_GROUPS",
    "SECOND_DRUGS",
    "TIERS",
    "Conventions",
    "Firearms",
    "Law",
    "RetroactiveAmendment",
    "SafetyValve",
    "amendment_bit",
    "conventions",
    "load_law",
    "retroactive_amendments",
]
