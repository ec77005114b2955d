"""A whole scenario: its header, changes, timing, grant and cost assumptions, population.

Examples
--------
>>> from simulator.scenario import load_scenario
>>> s = load_scenario("scenarios/2014_guidelines.yaml")
>>> s.retroactivity.earliest_release.isoformat(), len(s.sha256())
('2015-11-01', 64)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, model_validator

from simulator.law import conventions
from simulator.scenario.base import Day, StrictModel
from simulator.scenario.changes import Change
from simulator.scenario.uncertain import uncertain

GRANT_MODIFIERS = ("weapon", "infractions", "violent", "career", "category")
#: Bounds that keep every product finite: a log-odds modifier beyond ±50 already makes a grant
#: certain or impossible; a billion dollars a bed-year is far above any prison's cost.
MAX_LOG_ODDS, MAX_BED_YEAR_COST = 50, 1e9
#: Most cases a fiscal year a projection may admit (at size 1): forty times the most the federal
#: courts have sentenced to prison for drug trafficking in one year (about 25,000).
MAX_ADMISSIONS = 1_000_000
#: Life as ``data/law`` codes it (the Commission's months), and the most months a scenario may
#: count it for: a century.
LIFE_CODE, MAX_LIFE_MONTHS = conventions().life_months, 1200
MIX_GROUPS = ("heroin", "cocaine", "cocaine_base", "methamphetamine", "marijuana", "other")


class PopulationSpec(StrictModel):
    """Which population to build: snapshot date, scale, generator parameters."""

    # its range is the generator's (its parameter file's cohorts), checked when the stock is built
    snapshot: dt.date | None = None
    size: float = Field(default=1.0, gt=0, le=200)
    parameters: str | None = None
    _base: Path | None = PrivateAttr(default=None)  # the scenario file's directory

    def parameters_path(self) -> Path | None:
        """The generator parameter file; a relative path is read from the scenario's directory.

        Examples
        --------
        >>> from simulator.scenario import load_scenario
        >>> spec = load_scenario("scenarios/2014_guidelines.yaml").population
        >>> spec.model_copy(update={"parameters": "p.yaml"}).parameters_path().parent.name
        'scenarios'
        """
        if self.parameters is None:
            return None
        p = Path(self.parameters)
        return p if p.is_absolute() or self._base is None else self._base / p


class Filing(StrictModel):
    """Who has a motion before the court, and when it arrives.

    ``eligible`` and ``ineligible`` are the shares of eligible and of other people in custody
    with a motion, filed by the defendant or raised by the court (USSG §1B1.10 motions under
    18 U.S.C. §3582(c)(2)); the others' motions are denied. A motion arrives an exponential
    delay after the start, of mean ``delay_months`` (``delay_months_ineligible`` for the
    motions the change does not support; the same by default).
    """

    eligible: uncertain(ge=0, le=1) = 1.0
    ineligible: uncertain(ge=0, le=1) = 0.0
    delay_months: uncertain(ge=0, le=120) = 0.0
    delay_months_ineligible: uncertain(ge=0, le=120) | None = None


class CourtProcess(StrictModel):
    """The courts' handling of the motions a retroactive change brings, over time.

    Motions (see :class:`Filing`) are decided in the order they arrive, at most
    ``capacity_per_month`` a month nationwide, from ``start`` (the effective day by default);
    with ``priority_months``, the motions of eligible people whose reduced term would end
    within that many months of the first release day are decided first. A granted person
    leaves on the latest of the reduced release day, the earliest release the change allows,
    and the decision day plus ``processing_days``; a decision after the person's release
    changes nothing. ``report_dates`` are days on which the summary counts
    the motions decided and granted so far (``motions.decided_by.DATE``).
    """

    filing: Filing = Field(default_factory=Filing)
    capacity_per_month: uncertain(ge=1, le=1_000_000)
    priority_months: uncertain(ge=0, le=120) | None = None
    processing_days: uncertain(int, ge=0, le=730) = 0
    start: Day | None = None
    report_dates: list[Day] = Field(default_factory=list, max_length=24)


class Retroactivity(StrictModel):
    """When a retroactive change takes effect and when the first release may happen.

    ``process`` describes how courts decide the motions over time; without it every eligible
    person's motion is decided on the effective day.
    """

    effective: Day
    earliest_release: Day | None = None
    process: CourtProcess | None = None


class Grant(StrictModel):
    """How courts decide motions: a rate and log-odds modifiers by trait."""

    rate: uncertain(ge=0, le=1)
    modifiers: dict[  # type: ignore[valid-type]
        Literal[GRANT_MODIFIERS], uncertain(ge=-MAX_LOG_ODDS, le=MAX_LOG_ODDS)
    ] = Field(default_factory=dict)


class Costs(StrictModel):
    """Cost assumptions."""

    per_bed_year: uncertain(ge=0, le=MAX_BED_YEAR_COST)


class ScenarioConventions(StrictModel):
    """Conventions the law leaves to the analyst, counted otherwise than ``data/law`` counts them.

    ``life_months`` is how many months a life term counts for where arithmetic needs a number:
    the release day and bed-years of a life term, a term's position in a range whose top is
    life, and the comparable cut of a substantial-assistance sentence below a life minimum
    (USSG §1B1.10(b)(2)(B)). Unset, it is the Sentencing Commission's 470
    (``data/law/conventions.yaml``); it is at least that, because terms of years up to it are
    coded as they are, and at most a century.
    """

    life_months: uncertain(int, ge=LIFE_CODE, le=MAX_LIFE_MONTHS) | None = None


class Outputs(StrictModel):
    """What the summary reports."""

    wave_years: int = Field(default=10, ge=1, le=60)


class Projection(StrictModel):
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
            if not 1988 <= year <= 2100 or not 0 <= n <= MAX_ADMISSIONS:
                raise ValueError(
                    f"admissions: {year}: {n}: expected a fiscal year and a count from 0 to "
                    f"{MAX_ADMISSIONS:,}"
                )
        shares = list((self.mix or {}).values())
        if shares and (min(shares) < 0 or not 0 < sum(shares) < math.inf):
            raise ValueError("mix: shares must be non-negative, not all zero, with a finite sum")
        return self


#: Change keys added after scenarios were first hashed: left out of the hash when unset, so a
#: scenario that does not use them keeps its hash.
UNSET_KEYS_OUTSIDE_THE_HASH = (
    "applies",
    "sentenced_before",
    "statutory_tiers",
    "denied_before",
    "selection",
    "commutation",
)
#: The same for keys of a clemency change's ``review``.
UNSET_REVIEW_KEYS_OUTSIDE_THE_HASH = ("petition", "arrival_months", "batches", "batch_share")
#: Clemency criteria added later: left out of the hash when unset (and their weights when 0).
CRITERIA_OUTSIDE_THE_HASH = ("drugs",)
#: Keys of a clemency change's ``selection`` added later: left out of the hash when 0.
SELECTION_KEYS_OUTSIDE_THE_HASH = ("life_sentence",)


#: Applies and validates a scenario's updates (:meth:`Scenario.with_updates`). The validator
#: imports this module, so it cannot be imported here: :mod:`simulator.scenario.loading` sets
#: it when the package loads, before any scenario exists.
_updater: Callable[[Scenario, Mapping[str, Any]], Scenario] | None = None


def set_updater(updater: Callable[[Scenario, Mapping[str, Any]], Scenario]) -> None:
    """Set the function behind :meth:`Scenario.with_updates` (see ``_updater``)."""
    global _updater
    _updater = updater


class Scenario(StrictModel):
    """A whole scenario file.

    It is frozen: :meth:`with_updates` gives a changed copy, validated again.
    """

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
    conventions: ScenarioConventions | None = None
    source_path: str | None = Field(default=None, exclude=True)
    source_text: str = Field(default="", exclude=True, repr=False)

    @model_validator(mode="after")
    def _one_clemency(self) -> Scenario:
        if sum(ch.type == "clemency" for ch in self.changes) > 1:
            raise ValueError("changes: at most one clemency change per scenario")
        return self

    @model_validator(mode="after")
    def _capacity_from_the_start(self) -> Scenario:
        start = self.retroactivity.effective
        for i, ch in enumerate(self.changes):
            if ch.type != "clemency":
                continue
            periods = {"capacity_per_month": ch.review.capacity_periods(),
                       "batch_share": ch.review.batch_shares() or [(None, 1.0)]}  # fmt: skip
            for key, schedule in periods.items():
                first = schedule[0][0]
                if first is not None and first > start:
                    raise ValueError(
                        f"changes.{i}.review.{key}.0.from: {first} is after the day the review "
                        f"starts (retroactivity.effective: {start}); the first period must "
                        "cover it"
                    )
        return self

    def with_updates(self, updates: Mapping[str, Any] | None = None, /, **changes: Any) -> Scenario:
        """A copy with some values changed, validated whole again as a loaded file is.

        Values are Python objects taken as they are (a text stays text, a date may be a
        ``datetime.date`` or ISO text); :func:`~simulator.scenario.with_overrides` parses text
        as YAML instead, as the command line's ``--set`` does. ``model_copy(update=...)``
        would skip validation: use this.

        Parameters
        ----------
        updates : mapping, optional
            Values by dotted key, as a scenario file nests them: ``"grant.rate"``,
            ``"changes.0.ratio"`` (list items by index), ``"retroactivity.effective"``. A
            section given whole (``{"grant": {"rate": 0.5}}``) replaces it, defaults and all.
        **changes
            Values of top-level keys (``title="..."``, ``seed=7``); they win over ``updates``.

        Returns
        -------
        Scenario
            A new scenario; this one is unchanged. Its file and text stay those it was read from.

        Raises
        ------
        ScenarioError
            One ``<updates>: key.path: message`` line per problem, as for a file.

        Examples
        --------
        >>> from simulator.scenario import load_scenario
        >>> s = load_scenario("scenarios/2014_guidelines.yaml")
        >>> t = s.with_updates({"grant.rate": 0.5}, title="Half the motions granted")
        >>> t.grant.rate, t.title, s.grant.rate
        (0.5, 'Half the motions granted', 0.68)
        >>> s.with_updates({"grant.rat": 0.5}, seed=-1)
        Traceback (most recent call last):
        ...
        simulator.errors.ScenarioError: <updates>: seed: Input should be greater than or equal to 0
        <updates>: grant.rat: unknown key; did you mean 'rate'?
        """
        if _updater is None:  # pragma: no cover - the package sets it when it loads
            raise RuntimeError("import simulator.scenario to update a scenario")
        return _updater(self, {**(updates or {}), **changes})

    def sha256(self) -> str:
        """Hash of the scenario's content (after overrides), recorded in every output."""
        doc = self.model_dump(mode="json")
        # keys added for projections hash as before when unset, so older hashes stay valid
        if doc.get("projection") is None:
            doc.pop("projection", None)
        if doc["retroactivity"].get("process") is None:
            doc["retroactivity"].pop("process", None)
        # so do the conventions, left out while none is set
        if not any(v is not None for v in (doc.get("conventions") or {}).values()):
            doc.pop("conventions", None)
        for change in doc["changes"]:
            for key in UNSET_KEYS_OUTSIDE_THE_HASH:
                if change.get(key) is None:
                    change.pop(key, None)
            review = change.get("review") or {}
            for key in UNSET_REVIEW_KEYS_OUTSIDE_THE_HASH:
                if review.get(key) is None:
                    review.pop(key, None)
            for key in SELECTION_KEYS_OUTSIDE_THE_HASH:
                if (change.get("selection") or {}).get(key) == 0.0:
                    change["selection"].pop(key)
            weights = [(change.get(k) or {}).get("weights") for k in ("selection",)]
            weights += [(review.get("petition") or {}).get("weights")]
            for key in CRITERIA_OUTSIDE_THE_HASH:
                if (change.get("criteria") or {}).get(key, 0) is None:
                    change["criteria"].pop(key)
                for w in weights:
                    if w and w.get(key) == 0.0:
                        w.pop(key)
        text = json.dumps(doc, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()
