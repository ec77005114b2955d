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
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from simulator.law import DRUGS


class StrictModel(BaseModel):
    """A frozen model that refuses unknown keys (each is reported with a did-you-mean hint)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Drug = Literal[DRUGS]  # type: ignore[valid-type]
