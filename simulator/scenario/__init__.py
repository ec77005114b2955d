"""Scenarios: the schema of a scenario file, its loading and validation, and the change language.

``base``
    what every scenario model shares (strict keys, drug names);
``uncertain``
    numeric fields given as distributions (uncertain assumptions);
``changes``
    the change types a scenario may list;
``document``
    the whole scenario (:class:`Scenario`) and its sections;
``yaml_source``
    the safe YAML loader that keeps line numbers, and YAML 1.1 surprises;
``validation``
    whole-document validation with ``file:line:col: key: message`` errors;
``loading``
    :func:`load_scenario` of a file or a dict, ``--set`` overrides, updates, sampled values;
``json_schema``
    the JSON Schema of scenario files.

Examples
--------
>>> s = load_scenario("scenarios/2014_guidelines.yaml")
>>> s.retroactivity.earliest_release.isoformat()
'2015-11-01'
>>> with_overrides(s, {"grant.rate": "1"}).grant.rate
1.0
"""

from __future__ import annotations

from simulator.errors import ScenarioError
from simulator.scenario.base import StrictModel
from simulator.scenario.changes import CHANGE_MODELS, Change
from simulator.scenario.document import PopulationSpec, Projection, Scenario
from simulator.scenario.loading import (
    load_scenario,
    parse_sets,
    scenario_from_text,
    validate_scenario,
    with_overrides,
    with_values,
)
from simulator.scenario.uncertain import uncertain_fields
from simulator.scenario.validation import validate

__all__ = [
    "CHANGE_MODELS",
    "Change",
    "PopulationSpec",
    "Projection",
    "Scenario",
    "ScenarioError",
    "StrictModel",
    "load_scenario",
    "parse_sets",
    "scenario_from_text",
    "uncertain_fields",
    "validate",
    "validate_scenario",
    "with_overrides",
    "with_values",
]
