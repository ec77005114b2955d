"""Mapping files: a user's columns and codes onto the population schema.

A mapping file (YAML) renames the user's columns (``columns``), translates their codes
(``codes``), gives constants for columns their file lacks (``defaults``) and scales numbers
(``scale``, e.g. ``grams: 1000`` for kilograms). It is checked like a scenario: every problem
with its ``file:line:col: key``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, ValidationError

from simulator import lazy
from simulator.errors import PopulationError
from simulator.inputs.cells import is_blank, numbers
from simulator.model.population import SCHEMA
from simulator.scenario import StrictModel
from simulator.scenario.yaml_source import dotted, locate, read_yaml_source

pd = lazy.module("pandas")


_Ours = Literal[tuple(SCHEMA)]  # type: ignore[valid-type]
_Scalar = str | int | float | bool | dt.date


class Mapping(StrictModel):
    """Our column ← their column, their codes → ours, constants, and unit factors."""

    columns: dict[_Ours, str] = Field(default_factory=dict)  # type: ignore[valid-type]
    codes: dict[_Ours, dict[_Scalar, _Scalar]] = Field(default_factory=dict)  # type: ignore[valid-type]
    defaults: dict[_Ours, _Scalar] = Field(default_factory=dict)  # type: ignore[valid-type]
    scale: dict[_Ours, Annotated[float, Field(gt=0)]] = Field(default_factory=dict)  # type: ignore[valid-type]


def load_mapping(path: str | Path) -> Mapping:
    """Read and validate a column-mapping file (YAML).

    ``columns`` maps our column to theirs, ``codes`` maps their values to ours per column,
    ``defaults`` gives a constant for a column their file lacks, ``scale`` multiplies a numeric
    column (e.g. ``grams: 1000`` for kilograms).

    Raises
    ------
    PopulationError
        With one ``file:line:col: key.path: message`` line per problem.

    Examples
    --------
    >>> m = load_mapping("examples/caseload_mapping.yaml")
    >>> m.columns["grams"], m.scale["grams"], m.codes["drug"]["CRACK"]
    ('qty_kg', 1000.0, 'cocaine_base')
    """
    path = Path(path)
    _, root, doc = read_yaml_source(path, PopulationError, "mapping")
    if not isinstance(doc, dict):
        raise PopulationError(f"{path}:1:1: (top): a mapping file must be a mapping of keys")
    try:
        return Mapping.model_validate(doc)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            pos = locate(root, err["loc"])
            where = f"{path}:{pos[0]}:{pos[1]}" if pos else str(path)
            msg = err["msg"] if err["type"] != "extra_forbidden" else "unknown key"
            if err["type"] == "literal_error":
                msg = f"unknown column {err['input']!r}; see the population schema"
            loc = tuple(p for p in err["loc"] if p != "[key]")
            lines.append(f"{where}: {dotted(loc)}: {msg}")
        raise PopulationError("\n".join(lines)) from None


def apply_mapping(frame: pd.DataFrame, mapping: Mapping | None, source: Path) -> pd.DataFrame:
    """The file's frame with our column names, codes, constants and units (values as text)."""
    if mapping is None:
        return frame
    missing = [theirs for theirs in mapping.columns.values() if theirs not in frame.columns]
    if missing:
        raise PopulationError(
            f"{source}: the mapping names column(s) not in the file: {', '.join(missing)}"
        )
    theirs_used = set(mapping.columns.values())
    for ours, theirs in mapping.columns.items():
        if ours != theirs and ours in frame.columns and ours not in theirs_used:
            raise PopulationError(
                f"{source}: two columns would be {ours}: the file's {ours} and {theirs}, which "
                f"the mapping renames to {ours}; rename or remove one of them"
            )
    out = pd.DataFrame(index=frame.index)
    for col in frame.columns:  # our columns the mapping leaves as they are
        if col in SCHEMA and col not in mapping.columns and col not in theirs_used:
            out[col] = frame[col]
    for ours, theirs in mapping.columns.items():  # one of their columns may give two of ours
        out[ours] = frame[theirs]
    for ours, value in mapping.defaults.items():
        if ours not in out.columns:
            out[ours] = str(value) if not isinstance(value, bool) else value
    for ours, table in mapping.codes.items():
        if ours not in out.columns:
            continue
        s = out[ours]
        blank = is_blank(s)
        text = s.astype(str).str.strip()
        mapped = text.map({_key(k): _key(v) for k, v in table.items()})
        # values the mapping does not name stay as they are, so the checks show them
        out[ours] = mapped.where(mapped.notna(), text).where(~blank, "")
    for ours, factor in mapping.scale.items():
        if ours in out.columns:
            s = out[ours]
            v, bad = numbers(s)
            keep = bad | is_blank(s)
            with np.errstate(over="ignore"):  # a product too large is inf: the row checks say so
                scaled = v * factor
            out[ours] = s.where(keep, scaled) if keep.any() else scaled
    return out


def _key(k: Any) -> str:
    if isinstance(k, bool):
        return str(k).lower()
    if isinstance(k, float) and k.is_integer():
        return str(int(k))
    return str(k)
