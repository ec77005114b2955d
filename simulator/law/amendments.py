"""The earlier retroactive guideline amendments (``data/law/retroactive_amendments.yaml``).

A stock built for a later date has lived through them: the population generator replays each
on the people it reached (:func:`simulator.inputs.synthesis.replay_amendments`).

Examples
--------
>>> [a.name for a in retroactive_amendments()]
['A706', 'A750', 'A782']
>>> a = retroactive_amendments()[0]
>>> a.drugs, a.edition, a.grant_rate
(('cocaine_base',), '2007', 0.64)
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from simulator.calendar import day
from simulator.resources import data_dir, read_yaml


@dataclass(frozen=True)
class RetroactiveAmendment:
    """One amendment: when it took effect, the table it brought, and how often courts granted it."""

    name: str
    effective: int  # day number
    earliest_release: int  # day number
    edition: str  # the Drug Quantity Table edition it substituted
    drugs: tuple[str, ...]
    grant_rate: float
    #: A scenario whose grant model and court process the replay uses instead of the flat rate.
    process_from: str | None = None


@functools.cache
def retroactive_amendments() -> tuple[RetroactiveAmendment, ...]:
    """The amendments in the order they took effect."""
    doc = read_yaml(data_dir() / "law" / "retroactive_amendments.yaml")["amendments"]
    found = [
        RetroactiveAmendment(
            name=str(am["name"]),
            effective=day(am["effective"]),
            earliest_release=day(am["earliest_release"]),
            edition=str(am["drug_table"]["edition"]),
            drugs=tuple(am["drug_table"]["drugs"]),
            grant_rate=float(am["grant_rate"]),
            process_from=am.get("process_from"),
        )
        for am in doc
    ]
    return tuple(sorted(found, key=lambda a: a.effective))
