"""Reading a scenario file, and changing a loaded scenario by ``--set`` overrides or sampled values.

Examples
--------
>>> s = load_scenario("scenarios/2014_guidelines.yaml")
>>> with_overrides(s, {"grant.rate": "1"}).grant.rate
1.0
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from pathlib import Path

from simulator.errors import ScenarioError
from simulator.scenario.document import Scenario
from simulator.scenario.validation import model_at, validate
from simulator.scenario.yaml_source import (
    Problem,
    locate,
    parse_yaml,
    read_yaml_source,
    yaml_problems,
)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        With one ``file:line:col: key.path: message`` line per problem.
    """
    path = Path(path)
    text, root, doc = read_yaml_source(path, ScenarioError, "scenario")
    scenario = validate(doc, path=str(path), root=root, text=text, problems=yaml_problems(root))
    scenario.population._base = path.resolve().parent
    params = scenario.population.parameters_path()
    if params is not None and not params.is_file():
        line, col = locate(root, ("population", "parameters")) or (1, 1)
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
        value = raw
        if isinstance(raw, str):
            try:
                tree, value = parse_yaml(raw, f"--set {key}", ScenarioError)
            except ScenarioError as exc:
                raise ScenarioError(f"{exc}; the value is not valid YAML") from None
            problems += [(None, *p[1:]) for p in yaml_problems(tree, _key_path(key))]
        parts = key.split(".")
        node = doc
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ScenarioError(f"--set {key}: {'.'.join(parts[:i])} is not a mapping")
            # a missing key becomes a mapping, so validation names it as unknown; so does an
            # unset section (projection: null), whose defaults validation then fills in
            if part not in node or (node[part] is None and model_at(tuple(parts[: i + 1]))):
                node[part] = {}
            node = node[part]
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


def with_values(scenario: Scenario, values: Mapping[str, float]) -> Scenario:
    """The scenario with sampled values in place of the named distributions.

    Examples
    --------
    >>> s = with_overrides(load_scenario("scenarios/2014_guidelines.yaml"),
    ...                    {"grant.rate": "{uniform: [0.5, 0.9]}"})
    >>> with_values(s, {"grant.rate": 0.75}).grant.rate
    0.75
    """
    plain = {
        k: (int(v) if isinstance(v, numbers.Integral) else float(v)) for k, v in values.items()
    }
    return with_overrides(scenario, plain)
