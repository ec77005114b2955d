"""What every scenario model shares: strictness, and the drug names a scenario may use.

Examples
--------
>>> from pydantic import ValidationError
>>> class Point(StrictModel):
...     x: int
>>> try:
...     Point(x=1, y=2)
... except ValidationError as exc:
...     print(exc.errors()[0]["type"], exc.errors()[0]["loc"])
extra_forbidden ('y',)
>>> try:
...     Point(x=float("nan"))
... except ValidationError as exc:
...     print(exc.errors()[0]["msg"])
Input should be a finite number
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict

from simulator.calendar import within_dates
from simulator.law import DRUGS


class StrictModel(BaseModel):
    """A frozen model that refuses unknown keys (each is reported with a did-you-mean hint).

    Numbers must be finite: ``.inf`` or ``.nan`` in a scenario would reach the outputs as
    ``Infinity`` or ``NaN``, which JSON cannot hold.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


Drug = Literal[DRUGS]  # type: ignore[valid-type]
#: A date a scenario names: within :data:`simulator.calendar.FIRST_DATE` and ``LAST_DATE``.
Day = Annotated[dt.date, AfterValidator(within_dates)]
