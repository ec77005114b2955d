"""Scenario files: what changes, when, for whom, and under which assumptions.

A scenario is YAML, loaded with the safe loader and validated whole by pydantic before anything
runs. Every error names the file, the line and column, the dotted key, and, for unknown keys, the
closest known one.

Examples
--------
>>> s = load_scenario("scenarios/2014_guidelines.yaml")
>>> s.retroactivity.earliest_release.isoformat()
'2015-11-01'
>>> with_overrides(s, {"grant.rate": "1"}).grant.rate
1.0
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from simulator.law import DRUGS


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message lists every problem, one per line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Drug = Literal[DRUGS]  # type: ignore[valid-type]
GRANT_MODIFIERS = ("weapon", "infractions", "violent", "career")


class DrugTableChange(_Strict):
    """Score the listed drugs with another Drug Quantity Table edition."""

    type: Literal["drug_table"]
    edition: str
    drugs: list[Drug] = Field(min_length=1)

    @field_validator("edition", mode="before")
    @classmethod
    def _edition_known(cls, v: Any) -> str:
        from simulator.law import load_law

        editions = load_law().editions
        if str(v) not in editions:
            raise ValueError(f"unknown edition {v!r}; known: {', '.join(editions)}")
        return str(v)

    @model_validator(mode="after")
    def _edition_has_tables(self) -> DrugTableChange:
        from simulator.law import load_law

        law = load_law()
        missing = [d for d in self.drugs if not law.has_table(self.edition, d)]
        if missing:
            raise ValueError(f"edition {self.edition!r} has no table for {', '.join(missing)}")
        return self


class LevelShiftChange(_Strict):
    """Add ``levels`` to the base offense level of the listed drugs within a level range."""

    type: Literal["level_shift"]
    levels: int = Field(ge=-43, le=43)
    drugs: list[Drug] = Field(min_length=1)
    from_level: int = Field(default=1, ge=1, le=43)
    to_level: int = Field(default=43, ge=1, le=43)


Change = Annotated[DrugTableChange | LevelShiftChange, Field(discriminator="type")]


class PopulationSpec(_Strict):
    """Which population to build: snapshot date, scale, generator parameters."""

    snapshot: dt.date | None = None
    size: float = Field(default=1.0, gt=0, le=200)
    parameters: str | None = None


class Retroactivity(_Strict):
    """When a retroactive change takes effect and when the first release may happen."""

    effective: dt.date
    earliest_release: dt.date | None = None


class Grant(_Strict):
    """How courts decide motions: a rate and log-odds modifiers by trait."""

    rate: float = Field(ge=0, le=1)
    modifiers: dict[Literal[GRANT_MODIFIERS], float] = Field(default_factory=dict)  # type: ignore[valid-type]


class Costs(_Strict):
    """Cost assumptions."""

    per_bed_year: float = Field(ge=0)


class Outputs(_Strict):
    """What the summary reports."""

    wave_years: int = Field(default=10, ge=1, le=60)


class Scenario(_Strict):
    """A whole scenario file."""

    title: str
    reference: str
    description: str = ""
    assumptions: list[str] = Field(default_factory=list)
    seed: int = Field(default=0, ge=0)
    population: PopulationSpec = Field(default_factory=PopulationSpec)
    changes: list[Change] = Field(min_length=1)
    retroactivity: Retroactivity
    grant: Grant
    costs: Costs
    outputs: Outputs = Field(default_factory=Outputs)
    source_path: str | None = Field(default=None, exclude=True)
    source_text: str = Field(default="", exclude=True, repr=False)

    def sha256(self) -> str:
        """Hash of the scenario's content (after overrides), recorded in every output."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------ loading
class _LineLoader(yaml.SafeLoader):
    """Safe loader that also records where each mapping key sits."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _locate(root: yaml.Node | None, loc: tuple) -> tuple[int, int] | None:
    """Line and column (1-based) of the deepest node found along a pydantic error location."""
    node, where = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(part):
                    where, node = k.start_mark, v
                    break
            else:
                break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            where = node.start_mark
        else:
            break
    if where is None and root is not None:
        where = root.start_mark
    return (where.line + 1, where.column + 1) if where else None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            if part in ("drug_table", "level_shift"):
                model = DrugTableChange if part == "drug_table" else LevelShiftChange
                continue
            return None
        ann = fields[part].annotation
        args = getattr(ann, "__args__", ())
        model = next((a for a in (ann, *args) if hasattr(a, "model_fields")), None)
        if model is None:
            return None
    return model


def _message(err: dict) -> str:
    loc = err["loc"]
    if err["type"] == "extra_forbidden":
        model = _model_at(loc[:-1])
        known = list(model.model_fields) if model else []
        known = [k for k in known if k not in ("source_path", "source_text")]
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.5)
        hint = (
            f"; did you mean {close[0]!r}?"
            if close
            else (f"; known keys: {', '.join(known)}" if known else "")
        )
        return f"unknown key{hint}"
    return err["msg"].removeprefix("Value error, ")


def _dotted(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("drug_table", "level_shift")]
    return ".".join(parts) if parts else "(top)"


def validate(
    doc: Any, *, path: str = "<scenario>", root: yaml.Node | None = None, text: str = ""
) -> Scenario:
    """Validate a scenario document (a dict); raise :class:`ScenarioError` listing every problem."""
    if not isinstance(doc, dict):
        raise ScenarioError(f"{path}:1:1: (top): a scenario must be a mapping of keys to values")
    try:
        return Scenario.model_validate({**doc, "source_path": path, "source_text": text})
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            pos = _locate(root, err["loc"])
            where = f"{path}:{pos[0]}:{pos[1]}" if pos else path
            lines.append(f"{where}: {_dotted(err['loc'])}: {_message(err)}")
        raise ScenarioError("\n".join(lines)) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        With one ``file:line:col: key.path: message`` line per problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=_LineLoader)
        doc = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{where}: (yaml): {problem}") from None
    return validate(doc, path=str(path), root=root, text=text)


def with_overrides(scenario: Scenario, overrides: dict[str, str]) -> Scenario:
    """Apply ``dotted.key=value`` overrides (values parsed as YAML) and validate again."""
    doc = scenario.model_dump(mode="json", exclude_none=False)
    for key, raw in overrides.items():
        try:
            value = yaml.safe_load(raw) if isinstance(raw, str) else raw
        except yaml.YAMLError:
            raise ScenarioError(f"--set {key}={raw}: value is not valid YAML") from None
        parts = key.split(".")
        node = doc
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ScenarioError(f"--set {key}: {'.'.join(parts[:i])} is not a mapping")
            # a missing key becomes a mapping, so validation names it as unknown
            node = node.setdefault(part, {})
        if isinstance(node, list) and parts[-1].isdigit() and int(parts[-1]) < len(node):
            node[int(parts[-1])] = value
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"--set {key}: {'.'.join(parts[:-1])} is not a mapping")
        node[parts[-1]] = value
    try:
        return validate(doc, path="--set", text=scenario.source_text).model_copy(
            update={"source_path": scenario.source_path, "source_text": scenario.source_text}
        )
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("--set: ", "--set ")) from None
