"""The prison population as a struct of arrays, and the people in it.

A :class:`Population` holds one numpy array per attribute, one row per person, in compact dtypes
(dates are ``int32`` day numbers, levels and codes ``int8``, months ``int16``). It is immutable by
convention: the engine reads it and never writes to it. :data:`SCHEMA` describes every column
once, for the arrays, for population files and their row checks, and for synthesis.

Examples
--------
>>> import simulator as sim
>>> spec = sim.load_scenario("scenarios/2014_guidelines.yaml").population
>>> pop = sim.synthesize(spec, seed=3, size=0.02)
>>> len(pop) > 1000, pop.nbytes_per_person() < 100
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from simulator import lazy
from simulator.calendar import FIRST_DATE, LAST_DATE, NEVER, day, to_datetime64
from simulator.law import (
    CATEGORIES,
    DRUG_GROUPS,
    DRUGS,
    SECOND_DRUGS,
    TIERS,
    Law,
    conventions,
    load_law,
)

pd = lazy.module("pandas")

RACES: tuple[str, ...] = ("white", "black", "hispanic", "other")


@dataclass(frozen=True)
class Column:
    """One column of the population: its array dtype, meaning, and how a file holds it.

    ``kind`` and ``unit`` say how a population file writes the column (codes by name, yes/no
    as true/false, dates as ``YYYY-MM-DD``); ``lo``/``hi``, ``codes`` and ``allowed`` are the
    values a file may hold; ``derived`` says how a file that lacks the column gets it (``None``:
    a file must have it); ``optional`` columns may be missing from a :class:`Population` built
    in code (they are filled with zeros, or by ``fill`` from the columns before them);
    ``blank_is_zero`` lets a file leave a cell blank for 0 (a code's first value).
    """

    dtype: str
    meaning: str
    kind: Literal["int", "float", "bool", "date", "code"]
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    codes: tuple[str, ...] | None = None
    allowed: tuple[int, ...] | None = None
    derived: str | None = None
    optional: bool = False
    fill: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None
    blank_is_zero: bool = False  # a blank cell in a file means 0 (a code: its first, "none")

    def default(self, columns: dict[str, np.ndarray], n: int) -> np.ndarray:
        """The column of ``n`` people who lack it, from the ``columns`` before it."""
        if self.fill is None:
            return np.zeros(n, dtype=self.dtype)
        return np.asarray(self.fill(columns)).astype(self.dtype)


#: Bounds of the dates a population file may hold.
FIRST_DAY, LAST_DAY = day(FIRST_DATE), day(LAST_DATE)


def _flag(meaning: str, **kw: object) -> Column:
    return Column("bool", meaning, "bool", "true/false", **kw)  # type: ignore[arg-type]


def _date(meaning: str, **kw: object) -> Column:
    return Column("int32", meaning, "date", "YYYY-MM-DD", FIRST_DAY, LAST_DAY, **kw)  # type: ignore[arg-type]


_LIFE = conventions().life_months
_ONE_POINT_MAX = load_law().one_point_max  # USSG §4A1.1(c)


def _one_point_default(c: dict[str, np.ndarray]) -> np.ndarray:
    """As many points from 1-point offenses as the points allow (USSG §4A1.1(c): at most 4)."""
    other = c["chp"].astype(np.int16) - c["status_points"]
    return np.clip(other, 0, _ONE_POINT_MAX)


#: The population schema: every column, in order, with its dtype, meaning and file form.
SCHEMA: dict[str, Column] = {
    "id": Column("int32", "person number, unique in the population", "int", "number", 0,
                 2**31 - 1, derived="the row number, from 0"),
    "drug": Column("int8", "primary drug, index into simulator.law.DRUGS", "code", "name",
                   codes=DRUGS),
    "grams": Column("float32", "drug quantity in grams (methamphetamine_actual: pure grams)",
                    "float", "grams", 0, 1e12),
    "weapon": _flag("dangerous weapon enhancement, USSG §2D1.1(b)(1)"),
    "role": Column("int8", "role adjustment in levels, -4..+4 (USSG §3B1.1, §3B1.2)", "int",
                   "levels", -4, 4),
    "obstruction": _flag("obstruction of justice, USSG §3C1.1"),
    "acceptance": _flag("acceptance of responsibility, USSG §3E1.1"),
    "safety_valve": _flag("safety valve applied, 18 U.S.C. §3553(f)"),
    "sub_assist": _flag("substantial-assistance motion, 18 U.S.C. §3553(e) / USSG §5K1.1"),
    "career": _flag("career offender, USSG §4B1.1"),
    "chp": Column("int8", "criminal history points", "int", "points", 0, 99),
    "mm_charged": Column("int8", "mandatory-minimum tier charged, years (0, 5, 10)", "int",
                         "years", allowed=TIERS),
    "priors_851": Column("int8", "prior drug felonies in a 21 U.S.C. §851 information (0-2)",
                         "int", "count", 0, 2),
    "position": Column("float32", "position of the guideline sentence in the range, 0..1",
                       "float", "share", 0, 1, derived="the term's place in the range"),
    "departure": Column("float32", "share below the guideline point (departure or variance)",
                        "float", "share", -1, 1, derived="the term's distance from the range"),
    "offense_date": _date("day of the offense (days since 1970-01-01)"),
    "sentencing_date": _date("day the sentence was imposed"),
    "custody_start": _date("day federal custody began (pre-trial detention counts)"),
    "table_date": _date("day whose guidelines (drug table, criminal-history rules) set the range",
                        derived="sentencing_date"),
    "term": Column("int16", f"term of imprisonment now in force, months ({_LIFE} = life): the "
                   "drug term plus any consecutive §924(c) term (firearm_924c_months)", "int",
                   "months", 1, _LIFE, derived="sentenced from position and departure"),
    "release_date": _date("projected day custody ends: release with good-conduct time, RDAP and "
                          "time credits (in a synthetic stock, or death or compassionate release)",
                          derived="term less good-conduct time, RDAP and time credits"),
    "age": Column("int8", "age at sentencing, years", "int", "years", 14, 110),
    "female": _flag("female"),
    "race": Column("int8", "index into simulator.model.population.RACES", "code", "name",
                   codes=RACES),
    "noncitizen": _flag("not a U.S. citizen"),
    "infractions": Column("int8", "serious disciplinary infractions in prison", "int", "count",
                          0, 100),
    "violent": _flag("history of violence"),
    "u_grant": Column("float32", "the person's uniform draw for grant decisions (common random "
                      "numbers)", "float", "share", 0, 1,
                      derived="a uniform draw from the id and seed"),
    "status_points": Column("int8", "criminal history points for offending under a sentence "
                            "(in chp)", "int", "points", 0, 2, derived="0", optional=True),
    "zp_excluded": _flag("violence or threats, death or serious bodily injury, or a §3A1.1/§3A1.5 "
                         "adjustment in the offense: USSG §4C1.1(a)(3), (4), (9)",
                         derived="false", optional=True),
    "rdap": _flag("completes the Residential Drug Abuse Program and qualifies for its early "
                  "release, 18 U.S.C. §3621(e)(2)(B) (months off: data/law/early_release.yaml)",
                  derived="false", optional=True),
    "ftc": _flag("earns First Step Act time credits and may apply them, 18 U.S.C. §3632(d)(4) "
                 "(from 2022-01-13: data/law/early_release.yaml)", derived="false",
                 optional=True),
    "denied_by": Column("int8", "earlier retroactive changes whose motion was decided and denied: "
                        "bit i for the i-th of simulator.law.retroactive_amendments() (0: none)",
                        "int", "bits", 0, 127, derived="0", optional=True),
    "reduced_by": Column("int8", "earlier retroactive changes that reduced the term: bit i for "
                         "the i-th of simulator.law.retroactive_amendments() (0: none)", "int",
                         "bits", 0, 127, derived="0", optional=True),
    # the safety valve (18 U.S.C. §3553(f)): its other conditions, and the criminal history the
    # First Step Act's (f)(1) reads; a file without them never contradicts its safety_valve
    "sv_conditions": _flag("meets the safety valve's conditions other than criminal history, "
                           "18 U.S.C. §3553(f)(2)-(5)", derived="safety_valve", optional=True,
                           fill=lambda c: c["safety_valve"]),
    "one_point": Column("int8", "criminal history points from 1-point offenses (USSG §4A1.1(c)), "
                        "part of chp", "int", "points", 0, _ONE_POINT_MAX,
                        derived="chp less status points, at most 4", optional=True,
                        fill=_one_point_default),
    "prior_3pt": _flag("a prior 3-point offense (USSG §4A1.1(a))", derived="false",
                       optional=True),
    "prior_2pt_violent": _flag("a prior 2-point violent offense (USSG §4A1.1(b))",
                               derived="false", optional=True),
    # a firearm count: its term runs after the drug term and is part of `term`; the drug term is
    # term less these months (18 U.S.C. §924(c)(1)(D)(ii), USSG §2K2.4(b))
    "firearm_924c_months": Column("int16", "consecutive 18 U.S.C. §924(c) term in months, part "
                                  "of term (the drug term is term less it; 0: no §924(c) count)",
                                  "int", "months", 0, _LIFE - 1, derived="0", optional=True),
    # a second drug of the same offense: drug counts are grouped (USSG §3D1.2(d)) and the
    # quantities added as converted weights (§2D1.1, Application Note 8(B)); the statute's
    # tier is each count's own (Law.grouped_base_level, Law.grouped_tier)
    "drug2": Column("int8", "second drug of the offense, grouped with the first (USSG "
                    "§3D1.2(d)): index into simulator.law.SECOND_DRUGS (0: none)", "code",
                    "name", codes=SECOND_DRUGS, derived="none", optional=True,
                    blank_is_zero=True),
    "grams2": Column("float32", "quantity of the second drug in grams (0 without one)", "float",
                     "grams", 0, 1e12, derived="0", optional=True, blank_is_zero=True),
}  # fmt: skip
#: Columns a population may lack (files written before they existed): filled with zeros.
OPTIONAL_COLUMNS: tuple[str, ...] = tuple(n for n, c in SCHEMA.items() if c.optional)

CASE_FIELDS = (
    "drug", "grams", "weapon", "role", "obstruction", "acceptance", "safety_valve",
    "sub_assist", "career", "chp", "mm_charged", "priors_851", "status_points", "zp_excluded",
    "sv_conditions", "one_point", "prior_3pt", "prior_2pt_violent", "firearm_924c_months",
    "drug2", "grams2",
)  # fmt: skip


def stored(values: np.ndarray, dtype: str) -> np.ndarray:
    """``values`` in a column's dtype, where a number that is not zero never becomes zero.

    A float32 column holds nothing between 0 and about 1e-45: a quantity of 1e-50 grams would
    be stored as 0, no drug at all. Such values keep their sign at the dtype's smallest normal
    number instead (about 1.2e-38 for float32), so "more than zero" survives the cast.

    Examples
    --------
    >>> stored(np.array([1e-50, -1e-50, 0.0, 2.5]), "float32").tolist()
    [1.1754943508222875e-38, -1.1754943508222875e-38, 0.0, 2.5]
    """
    out = np.asarray(values).astype(dtype)
    if out.dtype.kind == "f":
        lost = (out == 0) & (np.asarray(values) != 0)
        if lost.any():
            out[lost] = np.copysign(np.finfo(out.dtype).tiny, np.asarray(values)[lost])
    return out


@dataclass(frozen=True)
class Population:
    """People in federal custody, one array per attribute (see :data:`SCHEMA`)."""

    id: np.ndarray
    drug: np.ndarray
    grams: np.ndarray
    weapon: np.ndarray
    role: np.ndarray
    obstruction: np.ndarray
    acceptance: np.ndarray
    safety_valve: np.ndarray
    sub_assist: np.ndarray
    career: np.ndarray
    chp: np.ndarray
    mm_charged: np.ndarray
    priors_851: np.ndarray
    position: np.ndarray
    departure: np.ndarray
    offense_date: np.ndarray
    sentencing_date: np.ndarray
    custody_start: np.ndarray
    table_date: np.ndarray
    term: np.ndarray
    release_date: np.ndarray
    age: np.ndarray
    female: np.ndarray
    race: np.ndarray
    noncitizen: np.ndarray
    infractions: np.ndarray
    violent: np.ndarray
    u_grant: np.ndarray
    #: Where the people came from (seed, generator parameters, source file); not per person.
    meta: dict = field(default_factory=dict, compare=False, repr=False)
    status_points: np.ndarray | None = None
    zp_excluded: np.ndarray | None = None
    rdap: np.ndarray | None = None
    ftc: np.ndarray | None = None
    reduced_by: np.ndarray | None = None
    denied_by: np.ndarray | None = None
    sv_conditions: np.ndarray | None = None
    one_point: np.ndarray | None = None
    prior_3pt: np.ndarray | None = None
    prior_2pt_violent: np.ndarray | None = None
    firearm_924c_months: np.ndarray | None = None
    drug2: np.ndarray | None = None
    grams2: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.id)
        done: dict[str, np.ndarray] = {}
        for name, column in SCHEMA.items():
            value = getattr(self, name)
            arr = column.default(done, n) if value is None else np.asarray(value)
            if arr.dtype != np.dtype(column.dtype):
                arr = stored(arr, column.dtype)
            object.__setattr__(self, name, arr)
            done[name] = arr
            if len(arr) != n:
                raise ValueError(f"population column {name!r} has {len(arr)} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.id)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], meta: dict | None = None) -> Population:
        """Build from a mapping of column name to array (extra keys are ignored)."""
        return cls(
            **{name: np.asarray(arrays[name]) for name in SCHEMA if name in arrays},
            **{name: None for name in OPTIONAL_COLUMNS if name not in arrays},
            meta=dict(meta or {}),
        )

    def arrays(self) -> dict[str, np.ndarray]:
        """The columns as a dict (views, not copies)."""
        return {name: getattr(self, name) for name in SCHEMA}

    def cases(self) -> dict[str, np.ndarray]:
        """The case facts the guideline calculation reads."""
        return {name: getattr(self, name) for name in CASE_FIELDS}

    def take(self, index: np.ndarray) -> Population:
        """The people selected by a boolean mask or an index array."""
        index = np.asarray(index)
        if index.dtype == bool:
            index = np.flatnonzero(index)
        return Population(**{k: v.take(index) for k, v in self.arrays().items()}, meta=self.meta)

    def replace(self, **columns: np.ndarray) -> Population:
        """A copy with some columns replaced."""
        return Population(**{**self.arrays(), **columns}, meta=self.meta)

    def release_for(self, law: Law, term: np.ndarray) -> np.ndarray:
        """Each person's release day were ``term`` the term: good-conduct time, RDAP, credits.

        RDAP's months stay those of the term now in force (the Bureau's determination), so a
        lower ``term`` never releases anyone later.
        """
        return release_of(law, self, term)

    @property
    def seed(self) -> int:
        """Seed of the people's own draws (``meta["seed"]``; 0 when there is none)."""
        return int(self.meta.get("seed") or 0)

    @property
    def scale(self) -> float:
        """Size relative to the whole population (``meta["size"]``; 1 for a file's people)."""
        return float(self.meta.get("size") or 1.0)

    def nbytes_per_person(self) -> float:
        """Bytes of population state per person."""
        return sum(a.itemsize for a in self.arrays().values())

    def category(self) -> np.ndarray:
        """Criminal history category index (career offenders are VI)."""
        return np.where(self.career, 5, load_law().category(self.chp)).astype(np.int8)

    def to_frame(self, *, labels: bool = True) -> pd.DataFrame:
        """The people as a DataFrame; with ``labels`` codes become names and days become dates."""
        df = pd.DataFrame(self.arrays())
        if labels:
            df["drug"] = pd.Categorical.from_codes(self.drug, DRUGS)
            df["drug_type"] = df["drug"].map(DRUG_GROUPS).astype("category")
            df["race"] = pd.Categorical.from_codes(self.race, RACES)
            df["category"] = pd.Categorical.from_codes(self.category(), CATEGORIES)
            for col in (
                "offense_date",
                "sentencing_date",
                "custody_start",
                "table_date",
                "release_date",
            ):
                df[col] = to_datetime64(getattr(self, col))
        return df


def release_of(law: Law, people: Any, term: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
    """Release days were ``term`` the term, from the columns the release rules read.

    ``people`` is a :class:`Population` or anything with its ``custody_start``,
    ``infractions``, ``rdap``, ``ftc`` and ``term`` columns. With ``at`` (an index), only those
    people, and ``term`` is theirs. RDAP's months stay those of the term now in force (see
    :meth:`Population.release_for`).
    """
    columns = (people.custody_start, people.infractions, people.rdap, people.ftc, people.term)
    if at is not None:
        columns = tuple(np.asarray(c)[at] for c in columns)
    start, infractions, rdap, ftc, now = columns
    return law.release_day(start, term, infractions, rdap, ftc, rdap_term=now)


def in_custody(pop: Population, on: int) -> np.ndarray:
    """Mask of people in custody on day ``on`` (sentenced, custody begun, not yet released)."""
    return (pop.sentencing_date <= on) & (pop.custody_start <= on) & (pop.release_date > on)


__all__ = [
    "NEVER",
    "OPTIONAL_COLUMNS",
    "RACES",
    "SCHEMA",
    "Column",
    "Population",
    "in_custody",
    "stored",
]
