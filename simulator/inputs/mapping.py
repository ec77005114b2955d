"""Mapping files: a user's columns and codes onto the population schema.

A mapping file (YAML) renames the user's columns (``columns``), translates their codes
(``codes``), gives constants for columns their file lacks (``defaults``) and scales numbers
(``scale``, e.g. ``grams: 1000`` for kilograms). It is checked like a scenario: every problem
with its ``file:line:col: key``.

A mapping file with ``format: ussc`` is a :class:`Codebook` instead: the variables of the
Sentencing Commission's datafiles, each with its candidate columns, codes and sentinel codes
that mean missing, from which :mod:`simulator.inputs.ussc` computes our columns. A shipped
mapping is named by its name (``ussc``: ``data/mappings/ussc.yaml``); a path works as well.
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
from simulator.resources import data_dir
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


class Variable(StrictModel):
    """One variable of a codebook: where the file holds it, its codes, its missing codes.

    ``columns`` are the file's names for it: for a single value, the first the file has is
    read; for a list (the drugs of a case), each is one item. ``codes`` translate the file's
    codes (``other``: the value of a code not listed; without it, such a code stays as it is),
    and ``missing`` lists the sentinel codes that mean missing. A variable with ``required:
    false`` may be absent from the file.
    """

    columns: list[str] = Field(default_factory=list)
    codes: dict[_Scalar, _Scalar] = Field(default_factory=dict)
    other: _Scalar | None = None
    missing: list[_Scalar] = Field(default_factory=list)
    required: bool = True


class CodebookVariables(StrictModel):
    """The variables a codebook must name (the optional ones may be left out of the file)."""

    sentencing_month: Variable
    sentencing_year: Variable
    drug_types: Variable
    drug_weights: Variable
    weight_units: Variable
    combined_drug: Variable = Variable(required=False)
    drug_count: Variable = Variable(required=False)
    converted_weight: Variable = Variable(required=False)
    base_level: Variable
    final_level: Variable
    range_min: Variable
    range_max: Variable
    category: Variable
    weapon: Variable
    aggravating_role: Variable
    mitigating_role: Variable
    acceptance: Variable
    safety_valve: Variable
    career: Variable
    points: Variable
    minimum_months: Variable
    minimum_tier: Variable
    minimum_priors: Variable
    sub_assist: Variable = Variable(required=False)
    term: Variable
    sentence_type: Variable = Variable(required=False)
    detained: Variable = Variable(required=False)
    months_detained: Variable = Variable(required=False)
    age: Variable
    female: Variable
    race: Variable
    noncitizen: Variable


class Codebook(StrictModel):
    """A datafile's variables and codes (``format: ussc``), read by :mod:`simulator.inputs.ussc`."""

    format: Literal["ussc"]
    title: str = ""
    sentencing_day: Annotated[int, Field(ge=1, le=28)] = 15
    variables: CodebookVariables


#: Where the shipped mappings are, by name (``--mapping ussc``).
MAPPINGS_FOLDER = "mappings"


def mapping_file(name_or_path: str | Path) -> Path:
    """The mapping file a user named: an existing path, or a shipped mapping's name.

    Examples
    --------
    >>> mapping_file("ussc").name
    'ussc.yaml'
    >>> mapping_file("examples/caseload_mapping.yaml").name
    'caseload_mapping.yaml'
    >>> mapping_file("usc")
    Traceback (most recent call last):
    ...
    simulator.errors.PopulationError: usc: no such file, and no shipped mapping ... (shipped: ussc)
    """
    path = Path(name_or_path)
    if path.exists() or path.parent != Path(".") or path.suffix:
        return path
    folder = data_dir() / MAPPINGS_FOLDER
    shipped = folder / f"{path.name}.yaml"
    if shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
    raise PopulationError(
        f"{name_or_path}: no such file, and no shipped mapping of that name (shipped: {names})"
    )


def load_mapping(path: str | Path) -> Mapping | Codebook:
    """Read and validate a column-mapping file (YAML), or a shipped mapping by name.

    A file with ``format: ussc`` is a :class:`Codebook` (``ussc`` names the shipped one).

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
    >>> load_mapping("ussc").variables.final_level.columns
    ['XFOLSOR']
    """
    path = mapping_file(path)
    _, root, doc = read_yaml_source(path, PopulationError, "mapping")
    if not isinstance(doc, dict):
        raise PopulationError(f"{path}:1:1: (top): a mapping file must be a mapping of keys")
    model = Codebook if "format" in doc else Mapping
    try:
        return model.model_validate(doc)
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
