"""The JSON Schema of scenario files, for editors to complete and check (``simulate schema``).

The schema is generated from the pydantic :class:`~simulator.scenario.document.Scenario` model,
so it says what the loader accepts: the keys, their types and bounds, the change types (by
their ``type``), and the Drug Quantity Table editions of ``data/law``. The loader stays the
authority (it also checks what a schema cannot, e.g. that an edition has a table for a drug).

Examples
--------
>>> s = scenario_schema()
>>> s["$schema"], "source_path" in s["properties"], "changes" in s["required"]
('https://json-schema.org/draft/2020-12/schema', False, True)
>>> "2014" in s["$defs"]["DrugTableChange"]["properties"]["edition"]["enum"]
True
"""

from __future__ import annotations

from typing import Any

from simulator.law import load_law
from simulator.scenario.document import Scenario
from simulator.version import __version__

#: Fields that name a Drug Quantity Table edition: (model, field).
EDITION_FIELDS = (("DrugTableChange", "edition"), ("CrackPowderRatioChange", "powder_edition"))
#: Fields the loader fills itself (not written in files).
INTERNAL = ("source_path", "source_text")


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema()
    for name in INTERNAL:
        schema["properties"].pop(name, None)
    editions = list(load_law().editions)
    for model, field in EDITION_FIELDS:
        schema["$defs"][model]["properties"][field]["enum"] = editions
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://simulator.invalid/scenario-{__version__}.schema.json",
        **schema,
        "title": "simulator scenario",
        "description": "A retroactive sentencing change and its assumptions (simulator "
        f"{__version__}); see docs/how-to/scenario.md.",
    }
