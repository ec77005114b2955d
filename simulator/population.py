"""The prison population as a struct of arrays, and the people in it.

A :class:`Population` holds one numpy array per attribute, one row per person, in compact dtypes
(dates are ``int32`` day numbers, levels and codes ``int8``, months ``int16``). It is immutable by
convention: the engine reads it and never writes to it.

Examples
--------
>>> import simulator as sim
>>> spec = sim.load_scenario("scenarios/2014_guidelines.yaml").population
>>> pop = sim.synthesize(spec, seed=3, size=0.02)
>>> len(pop) > 1000, pop.nbytes_per_person() < 100
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulator.calendar import NEVER, to_datetime64
from simulator.law import CATEGORIES, DRUG_GROUPS, DRUGS, load_law

if TYPE_CHECKING:
    import pandas as pd

RACES: tuple[str, ...] = ("white", "black", "hispanic", "other")

#: Column: (dtype, meaning). This is the population schema.
SCHEMA: dict[str, tuple[str, str]] = {
    "id": ("int32", "person number, unique in the population"),
    "drug": ("int8", "primary drug, index into simulator.law.DRUGS"),
    "grams": ("float32", "drug quantity in grams (methamphetamine_actual: pure grams)"),
    "weapon": ("bool", "dangerous weapon enhancement, USSG §2D1.1(b)(1)"),
    "role": ("int8", "role adjustment in levels, -4..+4 (USSG §3B1.1, §3B1.2)"),
    "obstruction": ("bool", "obstruction of justice, USSG §3C1.1"),
    "acceptance": ("bool", "acceptance of responsibility, USSG §3E1.1"),
    "safety_valve": ("bool", "safety valve applied, 18 U.S.C. §3553(f)"),
    "sub_assist": ("bool", "substantial-assistance motion, 18 U.S.C. §3553(e) / USSG §5K1.1"),
    "career": ("bool", "career offender, USSG §4B1.1"),
    "chp": ("int8", "criminal history points"),
    "mm_charged": ("int8", "mandatory-minimum tier charged, years (0, 5, 10)"),
    "priors_851": ("int8", "prior drug felonies in a 21 U.S.C. §851 information (0-2)"),
    "position": ("float32", "position of the guideline sentence in the range, 0..1"),
    "departure": ("float32", "share below the guideline point (departure or variance)"),
    "offense_date": ("int32", "day of the offense (days since 1970-01-01)"),
    "sentencing_date": ("int32", "day the sentence was imposed"),
    "custody_start": ("int32", "day federal custody began (pre-trial detention counts)"),
    "table_date": ("int32", "day whose Drug Quantity Table the current range rests on"),
    "term": ("int16", "term of imprisonment now in force, months (470 = life)"),
    "release_date": ("int32", "projected release day with good-conduct time"),
    "age": ("int8", "age at sentencing, years"),
    "female": ("bool", "female"),
    "race": ("int8", "index into simulator.population.RACES"),
    "noncitizen": ("bool", "not a U.S. citizen"),
    "infractions": ("int8", "serious disciplinary infractions in prison"),
    "violent": ("bool", "history of violence"),
    "u_grant": ("float32", "the person's uniform draw for grant decisions (common random numbers)"),
    "status_points": ("int8", "criminal history points for offending under a sentence (in chp)"),
    "zp_excluded": ("bool", "an exclusion of USSG §4C1.1 other than weapon and aggravating role"),
}
#: Columns a population may lack (files written before they existed): filled with zeros.
OPTIONAL_COLUMNS: tuple[str, ...] = ("status_points", "zp_excluded")

CASE_FIELDS = (
    "drug", "grams", "weapon", "role", "obstruction", "acceptance", "safety_valve",
    "sub_assist", "career", "chp", "mm_charged", "priors_851", "status_points", "zp_excluded",
)  # fmt: skip


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

    def __post_init__(self) -> None:
        n = len(self.id)
        for name, (dtype, _) in SCHEMA.items():
            value = getattr(self, name)
            arr = np.zeros(n, dtype=dtype) if value is None else np.asarray(value)
            if arr.dtype != np.dtype(dtype):
                arr = arr.astype(dtype)
            object.__setattr__(self, name, arr)
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

    def nbytes_per_person(self) -> float:
        """Bytes of population state per person."""
        return sum(a.itemsize for a in self.arrays().values())

    def category(self) -> np.ndarray:
        """Criminal history category index (career offenders are VI)."""
        return np.where(self.career, 5, load_law().category(self.chp)).astype(np.int8)

    def to_frame(self, *, labels: bool = True) -> pd.DataFrame:
        """The people as a DataFrame; with ``labels`` codes become names and days become dates."""
        import pandas as pd

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


def in_custody(pop: Population, on: int) -> np.ndarray:
    """Mask of people in custody on day ``on`` (sentenced, custody begun, not yet released)."""
    return (pop.sentencing_date <= on) & (pop.custody_start <= on) & (pop.release_date > on)


__all__ = ["NEVER", "OPTIONAL_COLUMNS", "RACES", "SCHEMA", "Population", "in_custody"]
