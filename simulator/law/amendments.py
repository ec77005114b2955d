"""The earlier retroactive changes (``data/law/retroactive_amendments.yaml``).

A stock built for a later date has lived through them: the population generator replays each
on the people it reached, as the change's scenario decides it
(:func:`simulator.inputs.synthesis.replay_amendments`).

Examples
--------
>>> [a.name for a in retroactive_amendments()]
['A706', 'A750', 'A782', 'FSA404', 'A821']
>>> a = retroactive_amendments()[0]
>>> a.scenario
'scenarios/2007_crack_amendment.yaml'
>>> amendment_bit("A782")
4
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from simulator.calendar import day
from simulator.resources import data_dir, read_yaml


@dataclass(frozen=True)
class RetroactiveAmendment:
    """One change: when it took effect, the first release it allowed, the scenario deciding it."""

    name: str
    effective: int  # day number
    earliest_release: int  # day number
    #: The project scenario (a path from the project root) whose changes, grant model and
    #: courts' process decide the change for the people it reached.
    scenario: str


@functools.cache
def retroactive_amendments() -> tuple[RetroactiveAmendment, ...]:
    """The changes in the order they took effect."""
    doc = read_yaml(data_dir() / "law" / "retroactive_amendments.yaml")["amendments"]
    found = [
        RetroactiveAmendment(
            name=str(am["name"]),
            effective=day(am["effective"]),
            earliest_release=day(am["earliest_release"]),
            scenario=str(am["scenario"]),
        )
        for am in doc
    ]
    return tuple(sorted(found, key=lambda a: a.effective))


def amendment_bit(name: str) -> int:
    """The bit of a change in the ``reduced_by`` and ``denied_by`` columns.

    Bit *i* stands for the *i*-th change of the file; a name not in it raises ``ValueError``.
    """
    return 1 << [am.name for am in retroactive_amendments()].index(name)
