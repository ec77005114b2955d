"""The change language: every change type a scenario may list, as strict pydantic models.

Each model validates one entry of a scenario's ``changes``; the engine resolves them against the
law in :mod:`simulator.model.changes`. A new change type is a model here (added to
:data:`CHANGE_MODELS` and :data:`Change`) and its resolution there.

Examples
--------
>>> DrugTableChange(type="drug_table", edition="2014", drugs=["heroin"]).reaches
'retroactive'
>>> LevelShiftChange(type="level_shift", levels=-2, drugs=["heroin"]).to_level
43
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    TypeAdapter,
    ValidationError,
    WrapValidator,
    field_validator,
    model_validator,
)

from simulator.law import CATEGORIES, conventions, load_law, retroactive_amendments
from simulator.scenario.base import Day, Drug, StrictModel
from simulator.scenario.uncertain import uncertain

APPLIES = ("retroactive", "prospective", "both")

_LAW = load_law()  # bounds and defaults below are the law's (a few milliseconds, read once)
#: The offense levels of the sentencing table (USSG Chapter 5, Part A).
MIN_LEVEL, MAX_LEVEL = int(_LAW.adjustments["min_level"]), int(_LAW.adjustments["max_level"])
#: Amendment 821's rules: status points kept, other points needed; the zero-point decrease.
_, STATUS_POINTS, STATUS_MIN_OTHER = _LAW.status_rule
_, ZERO_POINT_LEVELS = _LAW.zero_point_rule


class _ChangeBase(StrictModel):
    """What every change type shares: a label, and whom it reaches.

    ``retroactive`` false makes the change prospective: it reaches only people sentenced on or
    after its ``effective`` day (default: the scenario's ``retroactivity.effective``), so in a
    stock it never touches anyone sentenced before it. ``offenses_before`` limits it to offenses
    committed before a day (the "covered offenses" of First Step Act §404), ``sentenced_before``
    to sentences imposed before a day (§404(c): not a sentence imposed under the Fair Sentencing
    Act, which applied to everyone sentenced from 2010-08-03, Dorsey v. United States, 2012), and
    ``statutory_tiers`` to people convicted under those statutory tiers (the mandatory minimum
    charged, in years: 5 and 10 for 21 U.S.C. §841(b)(1)(B) and (A), 0 for (b)(1)(C); a §404
    covered offense is one of the first two, Terry v. United States, 593 U.S. 486 (2021)).
    ``denied_before`` names an earlier retroactive change (``data/law/retroactive_amendments.yaml``)
    whose motion, decided and denied, keeps a person out (§404(c): no motion "if a previous
    motion made under this section ... was, after the date of enactment of this Act, denied
    after a complete review of the motion on the merits"); it matters on stocks after that
    change, which hold its replayed decisions (``denied_by``).

    ``applies`` says whom the change reaches in a projection (``simulate project``):
    ``retroactive`` (people already sentenced; the default), ``prospective`` (new cases
    sentenced on or after its effective day) or ``both``. It supersedes ``retroactive``:
    ``prospective`` sets ``retroactive`` false (so the engine reaches nobody sentenced before the
    change), ``retroactive`` and ``both`` set it true. Without ``applies``, ``retroactive: false``
    means prospective.
    """

    label: str | None = None
    retroactive: bool = True
    effective: Day | None = None
    offenses_before: Day | None = None
    sentenced_before: Day | None = None
    statutory_tiers: list[Literal[0, 5, 10]] | None = Field(default=None, min_length=1)
    denied_before: str | None = None
    applies: Literal["retroactive", "prospective", "both"] | None = None

    @model_validator(mode="before")
    @classmethod
    def _applies_supersedes_retroactive(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("applies") in APPLIES:
            data = {**data, "retroactive": data["applies"] != "prospective"}
        return data

    @field_validator("denied_before")
    @classmethod
    def _a_retroactive_change(cls, v: str | None) -> str | None:
        names = [am.name for am in retroactive_amendments()]
        if v is not None and v not in names:
            raise ValueError(f"unknown retroactive change {v!r}; known: {', '.join(names)}")
        return v

    @property
    def scoped(self) -> bool:
        """Whether a scope key limits whom the change reaches (otherwise: everyone sentenced)."""
        limits = (self.effective, self.offenses_before, self.sentenced_before, self.statutory_tiers,
                  self.denied_before)  # fmt: skip
        return not self.retroactive or any(v is not None for v in limits)

    @property
    def reaches(self) -> str:
        """Whom the change reaches: ``retroactive``, ``prospective`` or ``both``."""
        if self.applies is not None:
            return self.applies
        return "retroactive" if self.retroactive else "prospective"


def _edition_name(v: Any) -> str:
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
        law = load_law()
        missing = [d for d in self.drugs if not law.has_table(self.edition, d)]
        if missing:
            raise ValueError(f"edition {self.edition!r} has no table for {', '.join(missing)}")
        return self


class LevelShiftChange(_ChangeBase):
    """Add ``levels`` to the base offense level of the listed drugs within a level range."""

    type: Literal["level_shift"]
    levels: int = Field(ge=-MAX_LEVEL, le=MAX_LEVEL)
    drugs: list[Drug] = Field(min_length=1)
    from_level: int = Field(default=MIN_LEVEL, ge=MIN_LEVEL, le=MAX_LEVEL)
    to_level: int = Field(default=MAX_LEVEL, ge=MIN_LEVEL, le=MAX_LEVEL)

    @model_validator(mode="after")
    def _range_ordered(self) -> LevelShiftChange:
        if self.from_level > self.to_level:
            raise ValueError(f"from_level {self.from_level} is above to_level {self.to_level}")
        return self


class _StatuteOrGuideline(_ChangeBase):
    """A change of a statute (``statutory``), of the guidelines (``guideline``), or of both."""

    guideline: bool = True
    statutory: bool = True

    @model_validator(mode="after")
    def _does_something(self) -> _StatuteOrGuideline:
        if not (self.guideline or self.statutory):
            raise ValueError("set guideline, statutory or both to true")
        return self


class CrackPowderRatioChange(_StatuteOrGuideline):
    """Treat a gram of cocaine base like ``ratio`` grams of powder cocaine.

    Crack's Drug Quantity Table thresholds (``guideline``) and its 5- and 10-year statutory
    thresholds (``statutory``) become powder's divided by the ratio: 1 is the EQUAL Act, 18 the
    Fair Sentencing Act, 100 the law of 1986. The powder table is ``powder_edition``; the powder
    statutory thresholds are those in force on the change's effective day.
    """

    type: Literal["crack_powder_ratio"]
    ratio: float = Field(gt=0, le=1000)
    powder_edition: EditionName = "2014"


def _months_or_life(v: Any) -> int | str:
    if v == "life":
        return v
    life = conventions().life_months
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= life:
        raise ValueError(f"expected whole months from 0 to {life} or 'life', got {v!r}")
    return v


Months = Annotated[int | str, PlainValidator(_months_or_life)]


class Tiers(StrictModel):
    """A value per statutory tier (months or grams)."""

    five_year: float | None = Field(default=None, ge=0)
    ten_year: float | None = Field(default=None, ge=0)


class Floors(StrictModel):
    """The minimum term (months) of each statutory tier, at most life."""

    five_year: float | None = Field(default=None, ge=0, le=conventions().life_months)
    ten_year: float | None = Field(default=None, ge=0, le=conventions().life_months)


class MandatoryMinimumChange(_ChangeBase):
    """New quantity thresholds and/or floors of the 5- and 10-year tiers for some drugs.

    Thresholds come either from the law in force on ``thresholds_on`` (e.g. 2010-08-03 for the
    Fair Sentencing Act's crack thresholds) or from ``thresholds`` in grams; ``floors`` sets
    the minimum terms (months) of people without a §851 enhancement. With ``retroactive`` false
    it reaches only people sentenced on or after its effective day.
    """

    type: Literal["mandatory_minimum"]
    drugs: list[Drug] = Field(min_length=1)
    thresholds_on: Day | None = None
    thresholds: Tiers | None = None
    floors: Floors | None = None

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


class PriorTerms(StrictModel):
    """Floors (months or ``life``) with one prior and with two or more (21 U.S.C. §851)."""

    one_prior: Months | None = None
    two_or_more: Months | None = None


class Enhancement851Change(_ChangeBase):
    """New §851 enhancement floors (the First Step Act: 20 years to 15, life to 25).

    Either the terms in force on ``terms_on`` (e.g. 2018-12-21) or explicit ``ten_year`` /
    ``five_year`` terms.
    """

    type: Literal["enhancement_851"]
    terms_on: Day | None = None
    ten_year: PriorTerms | None = None
    five_year: PriorTerms | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Enhancement851Change:
        explicit = self.ten_year is not None or self.five_year is not None
        if bool(self.terms_on) == explicit:
            raise ValueError("give terms_on or explicit ten_year/five_year terms (one of them)")
        return self


class StatusPoints(StrictModel):
    """Status points after the change: ``points`` if other points reach ``min_other_points``.

    The defaults are Amendment 821's (``data/law/criminal_history.yaml``).
    """

    points: int = Field(default=STATUS_POINTS, ge=0, le=2)
    min_other_points: int = Field(default=STATUS_MIN_OTHER, ge=0, le=40)


class ZeroPoint(StrictModel):
    """Offense-level change for offenders with no criminal history points (USSG §4C1.1)."""

    levels: int = Field(default=ZERO_POINT_LEVELS, ge=-10, le=0)


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


class SafetyValveChange(_StatuteOrGuideline):
    """The safety valve's rules of another day (the First Step Act §402, Amendment 817).

    ``rules_on`` names the day whose rules apply to the people reached
    (``data/law/safety_valve.yaml``). With ``statutory``, the criminal history that 18 U.S.C.
    §3553(f)(1) allowed on that day decides who is relieved of the mandatory minimum, among
    people who meet the safety valve's other conditions (the population's ``sv_conditions``);
    with ``guideline``, the criteria of USSG §5C1.2(a), the reduction of §2D1.1(b) and the level
    floor of §5C1.2(b) are those of that day.
    """

    type: Literal["safety_valve"]
    rules_on: Day


#: The clemency criteria a scenario may set, in the order of :class:`Criteria`.
CRITERIA = (
    "lower_sentence_today",
    "non_violent_offense",
    "min_years_served",
    "max_category",
    "max_infractions",
    "no_violence_history",
    "drugs",
)

#: Bound of a log-odds weight or intercept: beyond it a probability is 0 or 1 in practice.
MAX_LOG_ODDS = 30.0


class Criteria(StrictModel):
    """Clemency criteria; each a filter (with ``selection``, a score); ``null`` leaves it out.

    * ``lower_sentence_today``: re-sentenced under the law in force when the review starts
      (``retroactivity.effective``) and the scenario's other changes, the term would be at
      least this share lower;
    * ``non_violent_offense``: no weapon enhancement and no aggravating role (low-level);
    * ``min_years_served``: years in custody by the decision day;
    * ``max_category``: criminal history category at most this (career offenders are VI);
    * ``max_infractions``: serious disciplinary infractions at most this (good conduct);
    * ``no_violence_history``: no history of violence;
    * ``drugs``: the offense's primary drug is one of these (a commutation that delivers one
      change, say crack like powder, to the people it was written for).
    """

    lower_sentence_today: float | None = Field(default=None, ge=0, le=1)
    non_violent_offense: bool | None = None
    min_years_served: float | None = Field(default=None, ge=0, le=60)
    max_category: Literal[CATEGORIES] | None = None  # type: ignore[valid-type]
    max_infractions: int | None = Field(default=None, ge=0, le=20)
    no_violence_history: bool | None = None
    drugs: list[Drug] | None = Field(default=None, min_length=1)


def _log_odds() -> Any:
    return Field(default=0.0, ge=-MAX_LOG_ODDS, le=MAX_LOG_ODDS)


class CriterionWeights(StrictModel):
    """A log-odds weight per criterion: added to the score of each person meeting it (0: none).

    A weight may be given only for a criterion the scenario sets in ``criteria``.
    """

    lower_sentence_today: float = _log_odds()
    non_violent_offense: float = _log_odds()
    min_years_served: float = _log_odds()
    max_category: float = _log_odds()
    max_infractions: float = _log_odds()
    no_violence_history: float = _log_odds()
    drugs: float = _log_odds()

    def used(self) -> list[str]:
        """The criteria given a weight other than 0."""
        return [k for k in CRITERIA if getattr(self, k) != 0.0]


class Petition(StrictModel):
    """Who files, as a score: the log-odds of a petition for each person in custody.

    ``intercept`` plus ``per_decade_term`` times the term imposed in decades (life counted as
    the law's life months), plus ``per_decade_served`` times the years served when the review
    starts, in decades, plus the weight of each criterion the person meets then (those
    announced as the criteria drew more petitions, and lawyers who screened them).
    """

    intercept: float = Field(ge=-MAX_LOG_ODDS, le=MAX_LOG_ODDS)
    per_decade_term: float = _log_odds()
    per_decade_served: float = _log_odds()
    weights: CriterionWeights = Field(default_factory=CriterionWeights)


#: The most petitions a month a review may decide, nationwide.
MAX_CAPACITY = 1_000_000


class CapacityPeriod(StrictModel):
    """One period of a review's capacity: from a day on, this many petitions a month.

    Written ``{from: YYYY-MM-DD, per_month: N}`` (``from`` is a Python keyword: the model's
    field is ``from_``, read and written as ``from``).
    """

    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True)

    from_: Day = Field(alias="from")
    per_month: uncertain(ge=1, le=MAX_CAPACITY)


class SharePeriod(StrictModel):
    """One period of a share that changes over time: from a day on, this share.

    Written ``{from: YYYY-MM-DD, share: X}`` (see :class:`CapacityPeriod` for ``from``).
    """

    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True)

    from_: Day = Field(alias="from")
    share: uncertain(ge=0, le=1)


def _by_period(number: Any, period: type[StrictModel], expected: str) -> WrapValidator:
    """A validator for a key that takes a number or a schedule (a list of ``period``).

    Each form is validated alone, so a mistake in a schedule is reported at its period and key
    (``capacity_per_month.1.per_month``), not as a failure of every form the key accepts;
    anything else gets one message naming both forms (``expected``).
    """
    as_number = TypeAdapter(number)
    as_schedule = TypeAdapter(Annotated[list[period], Field(min_length=1)])  # type: ignore[valid-type]

    def validate(value: Any, handler: Any) -> Any:
        if isinstance(value, list | tuple):
            return as_schedule.validate_python(list(value))
        if isinstance(value, int | float | Mapping) and not isinstance(value, bool):
            return as_number.validate_python(value)
        if hasattr(value, "spec"):  # a distribution already parsed (validated again)
            return handler(value)
        if isinstance(value, str):
            try:
                return as_number.validate_python(value)
            except ValidationError:
                pass
        raise ValueError(f"expected {expected}")

    return WrapValidator(validate)


#: A review's capacity: petitions a month, or a schedule of them (:class:`CapacityPeriod`).
ReviewCapacity = Annotated[
    uncertain(int, ge=1, le=MAX_CAPACITY) | list[CapacityPeriod],
    _by_period(
        uncertain(int, ge=1, le=MAX_CAPACITY),
        CapacityPeriod,
        "petitions reviewed a month (a number), or a schedule: a list of "
        "{from: YYYY-MM-DD, per_month: N}",
    ),
]
#: The share of the favourable petitions waiting that a batch grants, or a schedule of them.
BatchShare = Annotated[
    uncertain(ge=0, le=1) | list[SharePeriod],
    _by_period(
        uncertain(ge=0, le=1),
        SharePeriod,
        "a share from 0 to 1, or a schedule: a list of {from: YYYY-MM-DD, share: X}",
    ),
]


def _periods(value: Any) -> list[tuple[dt.date | None, Any]]:
    """A number or a schedule as periods ``(from, value)``; a number is one period (from None)."""
    if not isinstance(value, list):
        return [(None, value)]
    return [(p.from_, p.per_month if isinstance(p, CapacityPeriod) else p.share) for p in value]


def _increasing(name: str, value: Any) -> None:
    if isinstance(value, list):
        days = [p.from_ for p in value]
        if days != sorted(set(days)):
            raise ValueError(f"{name}: the periods' from days must increase, without repeats")


class Review(StrictModel):
    """How petitions flow: who petitions, when they file, how many are reviewed a month, until when.

    ``petition_rate_met_all`` is the share petitioning among people who meet every criterion
    (those invited, and helped to file); it defaults to ``petition_rate`` and may not be lower.
    ``petition`` replaces both with a score (:class:`Petition`).
    ``capacity_per_month`` is nationwide: a population built at ``size`` s is reviewed at s
    times it, so a smaller population's queue moves at the same pace. It is a number, or a
    schedule: a list of periods ``{from: YYYY-MM-DD, per_month: N}`` (:class:`CapacityPeriod`),
    each reviewing ``per_month`` a month from its day until the next period's; the days increase
    and the first is no later than the day the review starts (``retroactivity.effective``). A
    review in progress when the capacity changes goes on at the new pace.

    ``arrival_months`` makes petitions arrive over time: each is filed an exponential delay of
    that mean after the start (the person's own draw), reviewed in the order of filing, and the
    criteria are judged on the day it is filed. Without it every petition is filed at the
    start, reviewed in a random order, and the criteria judged on the decision day.
    ``batches`` lists the days decisions are made: a petition reviewed by a batch day is
    decided on it; one reviewed after the last batch is never decided.

    ``batch_share`` is the share of the favourable petitions waiting that a batch grants: a
    number, or a schedule by the batch's day (a list of ``{from: YYYY-MM-DD, share: X}``,
    :class:`SharePeriod`). A reviewed petition that would be granted waits at the first batch
    after its review for the President to act on it: each batch acts on each waiting petition
    with its share (the survival to that batch against the person's own draw), the others wait
    for the next one, and one never acted on is not granted (nor decided). Unset, every batch
    acts on all of them; denials are decided on the first batch after the review either way.
    """

    petition_rate: uncertain(ge=0, le=1) = 1.0
    petition_rate_met_all: uncertain(ge=0, le=1) | None = None
    petition: Petition | None = None
    capacity_per_month: ReviewCapacity
    arrival_months: uncertain(ge=0, le=240) | None = None
    until: Day | None = None
    batches: list[Day] | None = Field(default=None, min_length=1)
    batch_share: BatchShare | None = None

    @model_validator(mode="after")
    def _invited_petition_more(self) -> Review:
        r = self.petition_rate_met_all
        if r is not None and r < self.petition_rate:
            raise ValueError("petition_rate_met_all is below petition_rate")
        if self.petition is not None and r is not None:
            raise ValueError("petition (a score) replaces petition_rate_met_all: give one")
        if self.batches is not None and self.batches != sorted(set(self.batches)):
            raise ValueError("batches: days must be in increasing order, without repeats")
        _increasing("capacity_per_month", self.capacity_per_month)
        _increasing("batch_share", self.batch_share)
        if self.batch_share is not None and self.batches is None:
            raise ValueError("batch_share: the share of each batch needs batches")
        return self

    def batch_shares(self) -> list[tuple[dt.date | None, float]] | None:
        """``batch_share`` as periods ``(from, share)`` (a number: one period), or None."""
        return None if self.batch_share is None else _periods(self.batch_share)

    def capacity_periods(self) -> list[tuple[dt.date | None, float]]:
        """The capacity as periods ``(from, per_month)``; a number is one period (from: None).

        Examples
        --------
        >>> Review(capacity_per_month=400).capacity_periods()
        [(None, 400)]
        >>> r = Review(capacity_per_month=[{"from": "2014-04-23", "per_month": 150},
        ...                                {"from": "2016-02-01", "per_month": 900}])
        >>> [(str(d), n) for d, n in r.capacity_periods()]
        [('2014-04-23', 150.0), ('2016-02-01', 900.0)]
        """
        return _periods(self.capacity_per_month)


class Selection(StrictModel):
    """Grants as a score: the log-odds of a grant among decided petitions.

    ``intercept`` plus the weight of each criterion the petitioner meets (judged as the review
    judges it), plus ``life_sentence`` for a person serving life (a term at the law's life
    months: the President favoured them, a third of the commutations of 2014–2017); the
    probability is multiplied by ``grant.rate`` and its modifiers. Criteria in ``required``
    stay filters (a petition failing one is denied); the others only shift the odds, so a
    person meeting none can still be granted.
    """

    intercept: float = Field(ge=-MAX_LOG_ODDS, le=MAX_LOG_ODDS)
    weights: CriterionWeights = Field(default_factory=CriterionWeights)
    life_sentence: float = _log_odds()
    required: list[Literal[CRITERIA]] = Field(default_factory=list)  # type: ignore[valid-type]


class Commutation(StrictModel):
    """The commuted term as a cut of the term imposed: today's cut, held within bounds.

    Each grant cuts the term by the share today's law would cut it (the scenario's other
    changes), but by at least ``min_cut`` and at most ``max_cut`` of it (real commutations
    often set a term above today's sentence, and some cut terms today's law would not).
    """

    min_cut: uncertain(ge=0, le=1) = 0.0
    max_cut: uncertain(ge=0, le=1) = 1.0

    @model_validator(mode="after")
    def _ordered(self) -> Commutation:
        if self.min_cut > self.max_cut:
            raise ValueError("min_cut is above max_cut")
        return self


class ReleaseLag(StrictModel):
    """Months from a grant to the release (people serving life apart)."""

    months: uncertain(ge=0, le=60) = 0
    life_months: uncertain(ge=0, le=60) | None = None


class ClemencyChange(_ChangeBase):
    """Commutations: criteria as filters or scores, a review queue, batches and a release lag.

    The scenario's other changes describe "today's law" for ``lower_sentence_today`` and the
    commuted term; ``grant.rate`` is the share of reviewed petitions meeting every criterion
    that is granted; the review starts on ``retroactivity.effective``. ``selection`` turns the
    criteria into a score (:class:`Selection`), ``commutation`` bounds the cut
    (:class:`Commutation`); left out, each criterion is a filter and the commuted term is
    today's.
    """

    type: Literal["clemency"]
    criteria: Criteria
    review: Review
    release_lag: ReleaseLag = Field(default_factory=ReleaseLag)
    selection: Selection | None = None
    commutation: Commutation | None = None

    @model_validator(mode="after")
    def _retroactive(self) -> ClemencyChange:
        if self.reaches != "retroactive":
            raise ValueError("clemency reaches people already sentenced only (retroactive)")
        set_ = {k for k in CRITERIA if getattr(self.criteria, k) is not None}
        named = [("selection.weights", k) for k in (self.selection.weights.used() if
                 self.selection else [])]  # fmt: skip
        named += [("selection.required", k) for k in (self.selection.required if
                  self.selection else [])]  # fmt: skip
        petition = self.review.petition
        named += [("review.petition.weights", k) for k in (petition.weights.used() if
                  petition else [])]  # fmt: skip
        for where, k in named:
            if k not in set_:
                raise ValueError(f"{where}.{k}: criterion {k} is not set in criteria")
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
    "safety_valve": SafetyValveChange,
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
    | SafetyValveChange
    | ClemencyChange
    | ChargingPolicyChange,
    Field(discriminator="type"),
]
