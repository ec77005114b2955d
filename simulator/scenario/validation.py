"""Validating a scenario document whole: every problem, one line each, with file, line and key.

Examples
--------
>>> validate({"title": "t"}, path="x.yaml")
Traceback (most recent call last):
...
simulator.errors.ScenarioError: x.yaml: reference: Field required
x.yaml: changes: Field required
x.yaml: retroactivity: Field required
x.yaml: grant: Field required
x.yaml: costs: Field required
"""

from __future__ import annotations

import difflib
import re
import typing
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simulator.errors import ScenarioError, visible
from simulator.scenario.changes import CHANGE_MODELS
from simulator.scenario.document import Scenario
from simulator.scenario.yaml_source import Problem, dotted, locate


def _key(loc: tuple) -> str:
    """A pydantic error location as the dotted key a user writes (no change-type tags)."""
    return dotted(loc, CHANGE_MODELS)


def _inner_model(ann: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (``X``, ``X | None``, ``list[X]``), if any."""
    if hasattr(ann, "model_fields"):
        return ann
    for arg in getattr(ann, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def keys_of(model: Any) -> dict[str, Any]:
    """A model's fields by the key a scenario writes (its alias, as ``from`` for ``from_``).

    Examples
    --------
    >>> from simulator.scenario.changes import CapacityPeriod
    >>> list(keys_of(CapacityPeriod))
    ['from', 'per_month']
    """
    fields = getattr(model, "model_fields", None) or {}
    return {f.alias or name: f for name, f in fields.items()}


def model_at(loc: tuple) -> type[BaseModel] | None:
    """The scenario model (section) at a key path, e.g. ``Projection`` at ``("projection",)``."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if part in CHANGE_MODELS:  # the tag pydantic puts after a change's index
            model = CHANGE_MODELS[part]
            continue
        fields = keys_of(model)
        if part not in fields:
            return None
        model = _inner_model(fields[part].annotation)
    return model


#: A message of a check over the whole scenario that names its key: ``changes.3.review: ...``.
_NAMED = re.compile(r"(?P<key>[A-Za-z_]\w*(?:\.\w+)*): (?P<msg>.+)", re.DOTALL)


def _named(err: dict) -> dict:
    """A whole-scenario error (no location) whose message begins with a key: at that key.

    Checks that need two sections (a clemency review's first period and the day it starts)
    run over the whole scenario; pydantic gives their errors no location, so they name it.

    Examples
    --------
    >>> _named({"loc": (), "msg": "Value error, changes.1.review: too late", "type": "v"})["loc"]
    ('changes', 1, 'review')
    """
    m = _NAMED.fullmatch(err["msg"].removeprefix("Value error, "))
    if err["loc"] or m is None:
        return err
    loc = tuple(int(p) if p.isdigit() else p for p in m["key"].split("."))
    return {**err, "loc": loc, "msg": m["msg"]}


def _message(err: dict) -> str:
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        model = model_at(loc[:-1])
        known = list(keys_of(model)) if model else []
        known = [k for k in known if k not in ("source_path", "source_text")]
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else (f"; known keys: {', '.join(known)}" if known else "")
        )
        return f"unknown key{hint}"
    return err["msg"].removeprefix("Value error, ")


def _takes_bool(loc: tuple) -> bool:
    """Whether the key at ``loc`` takes true/false."""
    if not loc or isinstance(loc[-1], int):
        return False
    parent: tuple = tuple(loc[:-1])
    # a document path has no change type: look the key up in every change model
    models = [model_at(parent)] if parent[:1] != ("changes",) else [
        model_at((*parent[:2], t, *parent[2:])) for t in CHANGE_MODELS
    ]  # fmt: skip
    for model in models:
        field = keys_of(model).get(loc[-1])
        if field is not None and (
            field.annotation is bool or bool in typing.get_args(field.annotation)
        ):
            return True
    return False


def validate(
    doc: Any,
    *,
    path: str = "<scenario>",
    root: yaml.Node | None = None,
    text: str = "",
    problems: list[Problem] = (),  # type: ignore[assignment]
) -> Scenario:
    """Validate a scenario document (a dict); raise :class:`ScenarioError` listing every problem.

    ``problems`` are those found in the YAML itself (:func:`yaml_problems`); they are listed
    with the validation errors, in the order of the file, and a key they name gets no second
    message.
    """
    if not isinstance(doc, dict):
        raise ScenarioError(f"{path}:1:1: (top): a scenario must be a mapping of keys to values")
    try:
        scenario = Scenario.model_validate({**doc, "source_path": path, "source_text": text})
        errors: list = []
    except ValidationError as exc:
        scenario, errors = None, [_named(e) for e in exc.errors()]
    failed = {_key(e["loc"]) for e in errors}
    found: list[tuple[tuple[int, int] | None, str, str]] = [
        (where, _key(loc), msg)
        for where, loc, msg, when in problems
        if when == "always"
        or (when == "unless_bool" and not _takes_bool(loc))
        or (when == "on_error" and _key(loc) in failed)
    ]
    named = {key for _, key, _ in found}
    found += [
        (locate(root, e["loc"], CHANGE_MODELS), _key(e["loc"]), _message(e))
        for e in errors
        if _key(e["loc"]) not in named
    ]
    if not found:
        return scenario  # type: ignore[return-value]
    found.sort(key=lambda f: f[0] or (0, 0))
    lines = [  # a key or a quoted value holding a line break must not split its line
        f"{path}:{where[0]}:{where[1]}: {visible(key)}: {visible(msg)}"
        if where
        else f"{path}: {visible(key)}: {visible(msg)}"
        for where, key, msg in found
    ]
    raise ScenarioError("\n".join(lines))
