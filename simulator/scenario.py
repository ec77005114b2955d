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
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from simulator.law import DRUGS
from simulator.uncertainty import uncertain


class ScenarioError(ValueError):
    """A scenario file or override is invalid; the message lists every problem, one per line."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Drug = Literal[DRUGS]  # type: ignore[valid-type]
GRANT_MODIFIERS = ("weapon", "infractions", "violent", "career")
APPLIES = ("retroactive", "prospective", "both")
MIX_GROUPS = ("heroin", "cocaine", "cocaine_base", "methamphetamine", "marijuana", "other")


class _ChangeBase(_Strict):
    """What every change type shares: a label, and whom it reaches.

    ``retroactive`` false makes the change prospective: it reaches only people sentenced on or
    after its ``effective`` day (default: the scenario's ``retroactivity.effective``), so in a
    stock it never touches anyone sentenced before it. ``offenses_before`` limits it to offenses
    committed before a day (the "covered offenses" of First Step Act §404).

    ``applies`` says whom the change reaches in a projection (``simulate project``):
    ``retroactive`` (people already sentenced; the default), ``prospective`` (new cases
    sentenced on or after its effective day) or ``both``. It supersedes ``retroactive``:
    ``prospective`` sets ``retroactive`` false (so the engine reaches nobody sentenced before the
    change), ``retroactive`` and ``both`` set it true. Without ``applies``, ``retroactive: false``
    means prospective.
    """

    label: str | None = None
    retroactive: bool = True
    effective: dt.date | None = None
    offenses_before: dt.date | None = None
    applies: Literal["retroactive", "prospective", "both"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _applies_supersedes_retroactive(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("applies") in APPLIES:
            data = {**data, "retroactive": data["applies"] != "prospective"}
        return data

    @property
    def reaches(self) -> str:
        """Whom the change reaches: ``retroactive``, ``prospective`` or ``both``."""
        if self.applies is not None:
            return self.applies
        return "retroactive" if self.retroactive else "prospective"


def _edition_name(v: Any) -> str:
    from simulator.law import load_law

    editions = load_law().editions
    if str(v) not in editions:
        raise ValueError(f"unknown edition {v!r}; known: {', '.join(editions)}")
    return str(v)


EditionName = Annotated[str, BeforeValidator(_edition_name)]
"""A Drug Quantity Table edition named in ``data/law/drug_quantity_editions.yaml``."""


class DrugTableChange(_ChangeBase):
    """Score the listed drugs with another Drug Quantity Table edition."""

    type: Literal["drug_table"]
    edition: EditionName
    drugs: list[Drug] = Field(min_length=1)

    @model_validator(mode="after")
    def _edition_has_tables(self) -> DrugTableChange:
        from simulator.law import load_law

        law = load_law()
        missing = [d for d in self.drugs if not law.has_table(self.edition, d)]
        if missing:
            raise ValueError(f"edition {self.edition!r} has no table for {', '.join(missing)}")
        return self


class LevelShiftChange(_ChangeBase):
    """Add ``levels`` to the base offense level of the listed drugs within a level range."""

    type: Literal["level_shift"]
    levels: int = Field(ge=-43, le=43)
    drugs: list[Drug] = Field(min_length=1)
    from_level: int = Field(default=1, ge=1, le=43)
    to_level: int = Field(default=43, ge=1, le=43)

    @model_validator(mode="after")
    def _range_ordered(self) -> LevelShiftChange:
        if self.from_level > self.to_level:
            raise ValueError(f"from_level {self.from_level} is above to_level {self.to_level}")
        return self


class CrackPowderRatioChange(_ChangeBase):
    """Treat a gram of cocaine base like ``ratio`` grams of powder cocaine.

    Crack's Drug Quantity Table thresholds (``guideline``) and its 5- and 10-year statutory
    thresholds (``statutory``) become powder's divided by the ratio: 1 is the EQUAL Act, 18 the
    Fair Sentencing Act, 100 the law of 1986. The powder table is ``powder_edition``; the powder
    statutory thresholds are those in force on the change's effective day.
    """

    type: Literal["crack_powder_ratio"]
    ratio: float = Field(gt=0, le=1000)
    powder_edition: EditionName = "2014"
    guideline: bool = True
    statutory: bool = True

    @model_validator(mode="after")
    def _does_something(self) -> CrackPowderRatioChange:
        if not (self.guideline or self.statutory):
            raise ValueError("set guideline, statutory or both to true")
        return self


def _months_or_life(v: Any) -> int | str:
    if v == "life":
        return v
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 470:
        raise ValueError(f"expected whole months from 0 to 470 or 'life', got {v!r}")
    return v


Months = Annotated[int | str, PlainValidator(_months_or_life)]


class Tiers(_Strict):
    """A value per statutory tier (months or grams)."""

    five_year: float | None = Field(default=None, ge=0)
    ten_year: float | None = Field(default=None, ge=0)


class MandatoryMinimumChange(_ChangeBase):
    """New quantity thresholds and/or floors of the 5- and 10-year tiers for some drugs.

    Thresholds come either from the law in force on ``thresholds_on`` (e.g. 2010-08-03 for the
    Fair Sentencing Act's crack thresholds) or from ``thresholds`` in grams; ``floors`` sets
    the minimum terms (months) of people without a §851 enhancement. With ``retroactive`` false
    it reaches only people sentenced on or after its effective day.
    """

    type: Literal["mandatory_minimum"]
    drugs: list[Drug] = Field(min_length=1)
    thresholds_on: dt.date | None = None
    thresholds: Tiers | None = None
    floors: Tiers | None = None

    @model_validator(mode="after")
    def _one_source(self) -> MandatoryMinimumChange:
        if self.thresholds_on and self.thresholds:
            raise ValueError("give thresholds_on or thresholds, not both")
        if not (self.thresholds_on or self.thresholds or self.floors):
            raise ValueError("give thresholds_on, thresholds or floors")
        t = self.thresholds
        if t and t.five_year is not None and t.ten_year is not None and t.five_year > t.ten_year:
            raise ValueError("thresholds.five_year is above thresholds.ten_year")
        return self


class PriorTerms(_Strict):
    """Floors (months or ``life``) with one prior and with two or more (21 U.S.C. §851)."""

    one_prior: Months | None = None
    two_or_more: Months | None = None


class Enhancement851Change(_ChangeBase):
    """New §851 enhancement floors (the First Step Act: 20 years to 15, life to 25).

    Either the terms in force on ``terms_on`` (e.g. 2018-12-21) or explicit ``ten_year`` /
    ``five_year`` terms.
    """

    type: Literal["enhancement_851"]
    terms_on: dt.date | None = None
    ten_year: PriorTerms | None = None
    five_year: PriorTerms | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Enhancement851Change:
        explicit = self.ten_year is not None or self.five_year is not None
        if bool(self.terms_on) == explicit:
            raise ValueError("give terms_on or explicit ten_year/five_year terms (one of them)")
        return self


class StatusPoints(_Strict):
    """Status points after the change: ``points`` if other points reach ``min_other_points``."""

    points: int = Field(default=1, ge=0, le=2)
    min_other_points: int = Field(default=7, ge=0, le=40)


class ZeroPoint(_Strict):
    """Offense-level change for offenders with no criminal history points (USSG §4C1.1)."""

    levels: int = Field(default=-2, ge=-10, le=0)


class CriminalHistoryChange(_ChangeBase):
    """Criminal-history rules (Amendment 821: part A status points, part B zero-point)."""

    type: Literal["criminal_history"]
    status_points: StatusPoints | None = None
    zero_point: ZeroPoint | None = None

    @model_validator(mode="after")
    def _does_something(self) -> CriminalHistoryChange:
        if self.status_points is None and self.zero_point is None:
            raise ValueError("give status_points, zero_point or both")
        return self


CATEGORY_NAMES = ("I", "II", "III", "IV", "V", "VI")


class Criteria(_Strict):
    """Clemency criteria; each is a filter, ``null`` leaves it out.

    * ``lower_sentence_today``: re-sentenced under the law in force when the review starts
      (``retroactivity.effective``) and the scenario's other changes, the term would be at
      least this share lower;
    * ``non_violent_offense``: no weapon enhancement and no aggravating role (low-level);
    * ``min_years_served``: years in custody by the decision day;
    * ``max_category``: criminal history category at most this (career offenders are VI);
    * ``max_infractions``: serious disciplinary infractions at most this (good conduct);
    * ``no_violence_history``: no history of violence.
    """

    lower_sentence_today: float | None = Field(default=None, ge=0, le=1)
    non_violent_offense: bool | None = None
    min_years_served: float | None = Field(default=None, ge=0, le=60)
    max_category: Literal[CATEGORY_NAMES] | None = None  # type: ignore[valid-type]
    max_infractions: int | None = Field(default=None, ge=0, le=20)
    no_violence_history: bool | None = None


class Review(_Strict):
    """How petitions flow: who petitions, how many are decided a month, until when.

    ``petition_rate_met_all`` is the share petitioning among people who meet every criterion
    (those invited, and helped to file); it defaults to ``petition_rate`` and may not be lower.
    """

    petition_rate: uncertain(ge=0, le=1) = 1.0
    petition_rate_met_all: uncertain(ge=0, le=1) | None = None
    capacity_per_month: uncertain(int, ge=1, le=1_000_000)
    until: dt.date | None = None

    @model_validator(mode="after")
    def _invited_petition_more(self) -> Review:
        r = self.petition_rate_met_all
        if r is not None and r < self.petition_rate:
            raise ValueError("petition_rate_met_all is below petition_rate")
        return self


class ReleaseLag(_Strict):
    """Months from a grant to the release (people serving life apart)."""

    months: uncertain(ge=0, le=60) = 0
    life_months: uncertain(ge=0, le=60) | None = None


class ClemencyChange(_ChangeBase):
    """Commutations: criteria as filters, a review capacity, and a release lag after each grant.

    The scenario's other changes describe "today's law" for ``lower_sentence_today`` and the
    commuted term; ``grant.rate`` is the share of reviewed petitions meeting every criterion
    that is granted; the review starts on ``retroactivity.effective``.
    """

    type: Literal["clemency"]
    criteria: Criteria
    review: Review
    release_lag: ReleaseLag = Field(default_factory=ReleaseLag)

    @model_validator(mode="after")
    def _retroactive(self) -> ClemencyChange:
        if self.reaches != "retroactive":
            raise ValueError("clemency reaches people already sentenced only (retroactive)")
        return self


class ChargingPolicyChange(_ChangeBase):
    """Prosecutors' charging policy for new cases (prospective by nature).

    From its ``effective`` day (default: the scenario's ``retroactivity.effective``) on, the
    share of new low-level cases (no weapon, no aggravating role) whose quantity reaches a
    mandatory-minimum tier and that are charged with it becomes ``share`` (the Justice
    Department's "Smart on Crime" memorandum of 2013-08-12 asked prosecutors not to charge such
    quantities for low-level, non-violent defendants). Each case keeps its own uniform draw
    (common random numbers), so a lower share only removes charges. It changes the charges of
    new cases, never anyone already sentenced: the engine (``simulate run``) ignores it, and
    only ``simulate project`` uses it.
    """

    type: Literal["charging_policy"]
    share: float = Field(ge=0, le=1)
    retroactive: bool = False
    no_weapon: bool = True
    no_aggravating_role: bool = True

    @model_validator(mode="after")
    def _prospective(self) -> ChargingPolicyChange:
        if self.applies is not None and self.applies != "prospective":
            raise ValueError("a charging_policy change applies to new cases only (prospective)")
        return self

    @property
    def reaches(self) -> str:
        """Always ``prospective``."""
        return "prospective"


CHANGE_MODELS: dict[str, type[BaseModel]] = {
    "drug_table": DrugTableChange,
    "level_shift": LevelShiftChange,
    "crack_powder_ratio": CrackPowderRatioChange,
    "mandatory_minimum": MandatoryMinimumChange,
    "enhancement_851": Enhancement851Change,
    "criminal_history": CriminalHistoryChange,
    "clemency": ClemencyChange,
    "charging_policy": ChargingPolicyChange,
}

Change = Annotated[
    DrugTableChange
    | LevelShiftChange
    | CrackPowderRatioChange
    | MandatoryMinimumChange
    | Enhancement851Change
    | CriminalHistoryChange
    | ClemencyChange
    | ChargingPolicyChange,
    Field(discriminator="type"),
]


class PopulationSpec(_Strict):
    """Which population to build: snapshot date, scale, generator parameters."""

    snapshot: dt.date | None = None
    size: float = Field(default=1.0, gt=0, le=200)
    parameters: str | None = None
    _base: Path | None = PrivateAttr(default=None)  # the scenario file's directory

    def parameters_path(self) -> Path | None:
        """The generator parameter file; a relative path is read from the scenario's directory.

        Examples
        --------
        >>> spec = load_scenario("scenarios/2014_guidelines.yaml").population
        >>> spec.model_copy(update={"parameters": "p.yaml"}).parameters_path().parent.name
        'scenarios'
        """
        if self.parameters is None:
            return None
        p = Path(self.parameters)
        return p if p.is_absolute() or self._base is None else self._base / p


class Retroactivity(_Strict):
    """When a retroactive change takes effect and when the first release may happen."""

    effective: dt.date
    earliest_release: dt.date | None = None


class Grant(_Strict):
    """How courts decide motions: a rate and log-odds modifiers by trait."""

    rate: uncertain(ge=0, le=1)
    modifiers: dict[Literal[GRANT_MODIFIERS], uncertain()] = Field(default_factory=dict)  # type: ignore[valid-type]


class Costs(_Strict):
    """Cost assumptions."""

    per_bed_year: uncertain(ge=0)


class Outputs(_Strict):
    """What the summary reports."""

    wave_years: int = Field(default=10, ge=1, le=60)


class Projection(_Strict):
    """Settings of ``simulate project``: horizon and future admissions.

    ``admissions`` gives drug-trafficking cases sentenced to prison by fiscal year, in the
    units of the generator's series (``assumed.admissions`` of the parameter file, which the
    generator multiplies by its fitted ``admissions_scale``); it replaces or extends that
    series. After the last year of the series, admissions change by ``trend`` a year (a
    fraction), by default the log-linear trend of the series' last ``trend_years`` fiscal years,
    held to at most ``trend_cap`` a year either way. ``mix`` (shares of ``heroin, cocaine,
    cocaine_base, methamphetamine, marijuana, other``) replaces the drug mix of every future
    cohort.
    """

    years: int = Field(default=10, ge=1, le=30)
    admissions: dict[int, float] | None = None
    trend: float | None = Field(default=None, ge=-0.5, le=0.5)
    trend_years: int = Field(default=10, ge=2, le=30)
    trend_cap: float = Field(default=0.02, ge=0, le=0.5)
    mix: dict[Literal[MIX_GROUPS], float] | None = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _valid(self) -> Projection:
        for year, n in (self.admissions or {}).items():
            if not 1988 <= year <= 2100 or n < 0:
                raise ValueError(f"admissions: {year}: {n}: expected a fiscal year and a count")
        if self.mix is not None and (min(self.mix.values()) < 0 or sum(self.mix.values()) <= 0):
            raise ValueError("mix: shares must be non-negative and not all zero")
        return self


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
    projection: Projection | None = None
    source_path: str | None = Field(default=None, exclude=True)
    source_text: str = Field(default="", exclude=True, repr=False)

    @model_validator(mode="after")
    def _one_clemency(self) -> Scenario:
        if sum(ch.type == "clemency" for ch in self.changes) > 1:
            raise ValueError("changes: at most one clemency change per scenario")
        return self

    def sha256(self) -> str:
        """Hash of the scenario's content (after overrides), recorded in every output."""
        doc = self.model_dump(mode="json")
        # keys added for projections hash as before when unset, so older hashes stay valid
        if doc.get("projection") is None:
            doc.pop("projection", None)
        for change in doc["changes"]:
            if change.get("applies") is None:
                change.pop("applies", None)
        text = json.dumps(doc, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------------------------------ loading
class _LineLoader(yaml.SafeLoader):
    """Safe loader that also records where each mapping key sits."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    # a repeated key keeps its last value here; yaml_problems reports it with the other errors
    return loader.construct_mapping(node, deep=deep)


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# dates stay text for the models to parse: a bad one (2014-13-01) is then an error with its key,
# not an exception inside the YAML loader
_LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _locate(root: yaml.Node | None, loc: tuple) -> tuple[int, int] | None:
    """Line and column (1-based) of the deepest node found along a pydantic error location."""
    node, where = root, None
    for part in loc:
        if part in CHANGE_MODELS and isinstance(node, yaml.MappingNode):
            continue  # the tag pydantic puts after a change's index is not in the document
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


def _inner_model(ann: Any) -> type[BaseModel] | None:
    """The model class inside an annotation (``X``, ``X | None``, ``list[X]``), if any."""
    if hasattr(ann, "model_fields"):
        return ann
    for arg in getattr(ann, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _model_at(loc: tuple) -> type[BaseModel] | None:
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if part in CHANGE_MODELS:  # the tag pydantic puts after a change's index
            model = CHANGE_MODELS[part]
            continue
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return None
        model = _inner_model(fields[part].annotation)
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


_PLAIN_KEY = re.compile(r"[\w-]+")


def _dotted(loc: tuple) -> str:
    """A key path as ``a.b.0.c``; a key that is empty or holds other characters is quoted."""
    parts = [
        str(p) if isinstance(p, int) or _PLAIN_KEY.fullmatch(str(p)) else repr(str(p))
        for p in loc
        if p not in CHANGE_MODELS
    ]
    return ".".join(parts) if parts else "(top)"


_EXPONENT_ONLY = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-7_]+$")

#: A problem found in the YAML itself: (line, column) or None, key path, message, and when it
#: counts: "always", "unless_bool" (unless the key takes true/false), "on_error" (only where the
#: value also fails validation).
Problem = tuple[tuple[int, int] | None, tuple, str, str]


def _surprise(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """What YAML 1.1 makes of a plain scalar people often mean otherwise; when it is an error."""
    text, tag = node.value, node.tag.rsplit(":", 1)[-1]
    if tag == "bool" and text.lower() not in ("true", "false"):
        value = str(yaml.safe_load(text)).lower()
        msg = f"{text} is read as {value} (YAML 1.1); write {value}, or '{text}' in quotes"
        return msg + " for text", "unless_bool"
    if tag == "str" and _EXPONENT_ONLY.match(text):
        msg = f"{text} is read as text, not a number (YAML 1.1 wants a dot, as in 1.0e+5)"
        value = float(text)
        number = int(value) if value.is_integer() and abs(value) < 1e15 else value
        return msg + f"; write {number!r}", "on_error"
    if tag == "int" and _OCTAL_LOOKING.match(text):
        msg = f"{text} is the octal number {yaml.safe_load(text)} (YAML 1.1); write "
        return msg + f"{int(text.replace('_', ''), 10)} without the leading zero, or quote it", (
            "always"
        )
    if tag in ("int", "float") and ":" in text:
        return f"{text} is the base-60 number {yaml.safe_load(text)} (YAML 1.1); quote it", (
            "always"
        )
    return None


def yaml_problems(root: yaml.Node | None, prefix: tuple = ()) -> list[Problem]:
    """Repeated keys and YAML 1.1 surprises (``no``, ``1e5``, ``010``, ``1:30``) in a document."""
    problems: list[Problem] = []

    def pos(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def walk(node: yaml.Node | None, loc: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, yaml.Node] = {}
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
                if key in first:
                    line = first[key].start_mark.line + 1
                    msg = f"duplicate key {key!r} (first at line {line})"
                    problems.append((pos(k), (*loc, key), msg, "always"))
                else:
                    first[key] = k
                walk(v, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*loc, i))
        elif isinstance(node, yaml.ScalarNode) and node.style is None:
            found = _surprise(node)
            if found:
                problems.append((pos(node), loc, *found))

    walk(root, prefix)
    return problems


def _takes_bool(loc: tuple) -> bool:
    """Whether the key at ``loc`` takes true/false."""
    import typing

    if not loc or isinstance(loc[-1], int):
        return False
    parent: tuple = tuple(loc[:-1])
    # a document path has no change type: look the key up in every change model
    models = [_model_at(parent)] if parent[:1] != ("changes",) else [
        _model_at((*parent[:2], t, *parent[2:])) for t in CHANGE_MODELS
    ]  # fmt: skip
    for model in models:
        field = getattr(model, "model_fields", {}).get(loc[-1])
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
        scenario, errors = None, exc.errors()
    failed = {_dotted(e["loc"]) for e in errors}
    found: list[tuple[tuple[int, int] | None, str, str]] = [
        (where, _dotted(loc), msg)
        for where, loc, msg, when in problems
        if when == "always"
        or (when == "unless_bool" and not _takes_bool(loc))
        or (when == "on_error" and _dotted(loc) in failed)
    ]
    named = {dotted for _, dotted, _ in found}
    found += [
        (_locate(root, e["loc"]), _dotted(e["loc"]), _message(e))
        for e in errors
        if _dotted(e["loc"]) not in named
    ]
    if not found:
        return scenario  # type: ignore[return-value]
    found.sort(key=lambda f: f[0] or (0, 0))
    lines = [
        f"{path}:{where[0]}:{where[1]}: {dotted}: {msg}" if where else f"{path}: {dotted}: {msg}"
        for where, dotted, msg in found
    ]
    raise ScenarioError("\n".join(lines))


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
    scenario = validate(doc, path=str(path), root=root, text=text, problems=yaml_problems(root))
    scenario.population._base = path.resolve().parent
    params = scenario.population.parameters_path()
    if params is not None and not params.is_file():
        line, col = _locate(root, ("population", "parameters")) or (1, 1)
        raise ScenarioError(
            f"{path}:{line}:{col}: population.parameters: no such file: {params} (relative "
            "paths are read from the scenario file's directory)"
        )
    return scenario


def _key_path(key: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def with_overrides(scenario: Scenario, overrides: dict[str, str]) -> Scenario:
    """Apply ``dotted.key=value`` overrides (values parsed as YAML) and validate again."""
    doc = scenario.model_dump(mode="json", exclude_none=False)
    problems: list[Problem] = []
    for key, raw in overrides.items():
        try:
            value = yaml.safe_load(raw) if isinstance(raw, str) else raw
            if isinstance(raw, str):
                tree = yaml.compose(raw, Loader=_LineLoader)
                problems += [(None, *p[1:]) for p in yaml_problems(tree, _key_path(key))]
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
        out = validate(doc, path="--set", text=scenario.source_text, problems=problems)
        out = out.model_copy(
            update={"source_path": scenario.source_path, "source_text": scenario.source_text}
        )
        out.population._base = scenario.population._base
        return out
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace("--set: ", "--set ")) from None
