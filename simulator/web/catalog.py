"""The scenario library as the explorer's page shows it: titles, references, and what to change.

For each shipped scenario, :func:`catalog` gives its header (title, reference, description,
assumptions), its defaults (seed, size, snapshot) and the assumptions a user is likely to
change, as *knobs*: a dotted key (what ``--set`` takes), a label, the scenario's value and a
kind (``number``, ``date``). Besides the grant rate, the release date and the snapshot, each
change's own numbers as its file states them become knobs (the crack:powder ratio, a share, a
capacity): the numbers a reader of the file would try to move.

Examples
--------
>>> entries = {e["name"]: e for e in catalog()}
>>> knobs = {k["key"]: k for k in entries["equal_act"]["knobs"]}
>>> knobs["changes.0.ratio"]["value"], knobs["grant.rate"]["value"]
(1, 0.68)
>>> entries["2014_guidelines"]["published"], entries["equal_act"]["published"]
(True, False)
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from simulator.resources import read_yaml, scenarios_dir, shipped_scenarios
from simulator.runs.published import target_file_for
from simulator.scenario import Scenario, load_scenario

#: The assumptions every scenario may have: dotted key, label, kind.
COMMON_KNOBS: tuple[tuple[str, str, str], ...] = (
    ("grant.rate", "Share of motions granted (0 to 1)", "number"),
    ("retroactivity.earliest_release", "Earliest release (empty: none)", "date"),
    ("population.snapshot", "Population snapshot (people in custody on)", "date"),
)
#: How deep into a change's keys its numbers are looked for (``review.capacity_per_month`` is one).
KNOB_DEPTH = 1


def _value(scenario: Scenario, key: str) -> Any:
    node: Any = scenario
    for part in key.split("."):
        node = getattr(node, part, None)
    if isinstance(node, dt.date):
        return node.isoformat()
    return node


def _numbers(node: Any, prefix: str, depth: int) -> list[tuple[str, Any]]:
    """The numeric leaves of a change as its file wrote them: (dotted key, value)."""
    out: list[tuple[str, Any]] = []
    if isinstance(node, dict) and depth >= 0:
        for key, value in node.items():
            out += _numbers(value, f"{prefix}.{key}", depth - 1)
    elif isinstance(node, int | float) and not isinstance(node, bool):
        out.append((prefix, node))
    return out


def knobs(name: str) -> list[dict[str, Any]]:
    """The knobs of a shipped scenario: the common ones it has, then its changes' numbers.

    Examples
    --------
    >>> [k["key"] for k in knobs("2014_smart_on_crime_charging")][-1]
    'changes.0.share'
    """
    scenario = load_scenario(scenarios_dir() / f"{name}.yaml")
    out = [
        {"key": key, "label": label, "kind": kind, "value": _value(scenario, key)}
        for key, label, kind in COMMON_KNOBS
    ]
    raw = read_yaml(scenarios_dir() / f"{name}.yaml")
    for i, change in enumerate(raw.get("changes") or []):
        label = change.get("label") or change.get("type", "change")
        for key, value in _numbers(change, f"changes.{i}", KNOB_DEPTH):
            field = key.split(".", 2)[2]
            out.append({"key": key, "label": f"{label}: {field}", "kind": "number", "value": value})
    return out


@functools.cache
def catalog() -> list[dict[str, Any]]:
    """Every shipped scenario: name, title, reference, description, defaults and knobs."""
    out = []
    for name in shipped_scenarios():
        sc = load_scenario(scenarios_dir() / f"{name}.yaml")
        out.append(
            {
                "name": name,
                "title": sc.title,
                "reference": sc.reference,
                "description": sc.description,
                "assumptions": list(sc.assumptions),
                "seed": sc.seed,
                "size": sc.population.size,
                "snapshot": _value(sc, "population.snapshot"),
                "published": target_file_for(sc) is not None,
                "knobs": knobs(name),
            }
        )
    return out


__all__ = ["COMMON_KNOBS", "catalog", "knobs"]
