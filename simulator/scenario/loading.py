"""Reading a scenario (a file or a dict), and changing a loaded one by overrides or updates.

Examples
--------
>>> s = load_scenario("scenarios/2014_guidelines.yaml")
>>> with_overrides(s, {"grant.rate": "1"}).grant.rate
1.0
>>> s.with_updates({"grant.rate": 0.5}, seed=3).grant.rate
0.5
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable, Mapping
from typing import Any

from simulator.errors import ScenarioError
from simulator.resources import find_scenario
from simulator.scenario.document import Scenario, set_updater
from simulator.scenario.validation import model_at, validate
from simulator.scenario.yaml_source import (
    Problem,
    locate,
    parse_yaml,
    read_yaml_source,
    yaml_problems,
)

#: How a scenario given as a dict is named in messages, where a file's path would be.
DICT_SOURCE = "<dict>"


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any]) -> Scenario:
    """Read and validate a scenario: a YAML file, or a dict of the same keys.

    Parameters
    ----------
    source : str, path or mapping
        The path of a scenario file, or the name of a shipped one (``"2014_guidelines"``,
        :func:`~simulator.resources.find_scenario`); or the scenario itself as a dict (values
        are taken as they are, not parsed as YAML), named ``<dict>`` in messages. A relative
        ``population.parameters`` is read from the file's directory, or from the working
        directory for a dict.

    Returns
    -------
    Scenario
        Validated and frozen; change it with :meth:`Scenario.with_updates`.

    Raises
    ------
    ScenarioError
        With one ``file:line:col: key.path: message`` line per problem (for a dict,
        ``<dict>: key.path: message``), with a did-you-mean hint for a misspelt key.

    Examples
    --------
    >>> s = load_scenario("scenarios/2014_guidelines.yaml")
    >>> s.title
    'Amendment 782 ("drugs minus two"), made retroactive by Amendment 788'
    >>> load_scenario("2014_guidelines").sha256() == s.sha256()
    True
    >>> doc = s.model_dump(mode="json")
    >>> load_scenario(doc).sha256() == s.sha256()
    True
    >>> load_scenario({**doc, "grant": {"rat": 0.5}})
    Traceback (most recent call last):
    ...
    simulator.errors.ScenarioError: <dict>: grant.rate: Field required
    <dict>: grant.rat: unknown key; did you mean 'rate'?
    """
    if isinstance(source, Mapping):
        return validate_scenario(source)
    if not isinstance(source, str | os.PathLike):
        raise TypeError(f"a scenario is the path of a file or a dict, not {type(source).__name__}")
    path = find_scenario(source)
    text, root, doc = read_yaml_source(path, ScenarioError, "scenario")
    scenario = validate(doc, path=str(path), root=root, text=text, problems=yaml_problems(root))
    scenario.population._base = path.resolve().parent
    return _checked(scenario, str(path), root)


def scenario_from_text(text: str, source: str) -> Scenario:
    """Validate a scenario given as the text of a YAML file (an upload, say), named ``source``.

    The checks and messages of :func:`load_scenario` (``source:line:col: key: message``),
    without reading any file: a ``population.parameters`` names a file, so it is refused.

    Parameters
    ----------
    text : str
        The YAML text of a scenario file.
    source : str
        What messages name in place of a file's path (``upload.yaml``, say).

    Returns
    -------
    Scenario
        Validated and frozen.

    Raises
    ------
    ScenarioError
        One line per problem, as :func:`load_scenario` raises it for a file.

    Examples
    --------
    >>> from simulator.resources import find_scenario
    >>> text = find_scenario("2014_guidelines").read_text(encoding="utf-8")
    >>> scenario_from_text(text, "mine.yaml").sha256() == load_scenario("2014_guidelines").sha256()
    True
    >>> scenario_from_text(text.replace("rate: 0.68", "rate: 2"), "mine.yaml")
    Traceback (most recent call last):
    ...
    simulator.errors.ScenarioError: mine.yaml:25:3: grant.rate: Input should be less than or ...
    """
    root, doc = parse_yaml(text, source, ScenarioError)
    scenario = validate(doc, path=source, root=root, text=text, problems=yaml_problems(root))
    if scenario.population.parameters is not None:
        line, col = locate(root, ("population", "parameters")) or (1, 1)
        raise ScenarioError(
            f"{source}:{line}:{col}: population.parameters: a scenario given as text cannot "
            "name a file; leave it out (the shipped generator parameters apply)"
        )
    return scenario


def parse_sets(values: Iterable[str]) -> dict[str, str]:
    """``dotted.key=value`` overrides (``--set``) as a dict, in order; the values still text.

    Raises
    ------
    ScenarioError
        For an item without ``=`` or without a key: ``--set ITEM: expected dotted.key=value``.

    Examples
    --------
    >>> parse_sets(["grant.rate=1", "population.size = 0.5"])
    {'grant.rate': '1', 'population.size': ' 0.5'}
    >>> parse_sets(["grant.rate"])
    Traceback (most recent call last):
    ...
    simulator.errors.ScenarioError: --set grant.rate: expected dotted.key=value
    """
    out = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ScenarioError(f"--set {item}: expected dotted.key=value")
        out[key.strip()] = value
    return out


def validate_scenario(doc: Mapping[str, Any]) -> Scenario:
    """Validate a scenario given as a dict of the keys of a scenario file.

    The validator :func:`load_scenario` applies to a dict, under its own name: the same checks,
    the same messages.

    Parameters
    ----------
    doc : mapping
        The scenario's keys and values, as a scenario file holds them (values are taken as they
        are, not parsed as YAML). A relative ``population.parameters`` is read from the working
        directory.

    Returns
    -------
    Scenario
        Validated and frozen; change it with :meth:`Scenario.with_updates`.

    Raises
    ------
    ScenarioError
        With one ``<dict>: key.path: message`` line per problem, with a did-you-mean hint for a
        misspelt key, exactly as ``load_scenario(doc)`` raises it.
    TypeError
        If ``doc`` is not a mapping.

    Examples
    --------
    >>> doc = load_scenario("2014_guidelines").model_dump(mode="json")
    >>> validate_scenario(doc).sha256() == load_scenario(doc).sha256()
    True
    >>> validate_scenario({**doc, "seed": -1, "grant": {"rat": 0.5}})
    Traceback (most recent call last):
    ...
    simulator.errors.ScenarioError: <dict>: seed: Input should be greater than or equal to 0
    <dict>: grant.rate: Field required
    <dict>: grant.rat: unknown key; did you mean 'rate'?
    """
    if not isinstance(doc, Mapping):
        raise TypeError(f"a scenario to validate is a dict, not {type(doc).__name__}")
    return _checked(validate(dict(doc), path=DICT_SOURCE), DICT_SOURCE, None)


def _checked(scenario: Scenario, where: str, root: Any) -> Scenario:
    """The scenario, once its generator parameter file is known to exist."""
    params = scenario.population.parameters_path()
    if params is not None and not params.is_file():
        line, col = locate(root, ("population", "parameters")) or (1, 1)
        is_file = where != DICT_SOURCE
        at = f"{where}:{line}:{col}" if is_file else where
        base = "the scenario file's directory" if is_file else "the working directory"
        raise ScenarioError(
            f"{at}: population.parameters: no such file: {params} (relative "
            f"paths are read from {base})"
        )
    return scenario


def _key_path(key: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """Apply ``dotted.key=value`` overrides (values parsed as YAML) and validate again.

    A value that is not text is taken as it is. Errors name the key after ``--set``, as the
    command line's option that gives these overrides.
    """
    return _updated(scenario, overrides, source="--set", parse=True)


def with_updates(scenario: Scenario, updates: Mapping[str, Any]) -> Scenario:
    """:meth:`Scenario.with_updates`: the values taken as they are, errors named ``<updates>``."""
    return _updated(scenario, updates, source=UPDATES_SOURCE, parse=False)


#: How :meth:`Scenario.with_updates` is named in messages, where a file's path would be.
UPDATES_SOURCE = "<updates>"
set_updater(with_updates)


def _updated(
    scenario: Scenario, overrides: Mapping[str, Any], *, source: str, parse: bool
) -> Scenario:
    """The scenario with each dotted key set to its value, validated whole again."""
    doc = scenario.model_dump(mode="json", exclude_none=False)
    problems: list[Problem] = []
    # "--set grant.rate: ..." as the option is written; "<updates>: grant.rate: ..." as a file
    name = f"{source} " if parse else f"{source}: "
    for key, raw in overrides.items():
        value = raw
        if parse and isinstance(raw, str):
            try:
                tree, value = parse_yaml(raw, f"--set {key}", ScenarioError)
            except ScenarioError as exc:
                raise ScenarioError(f"{exc}; the value is not valid YAML") from None
            problems += [(None, *p[1:]) for p in yaml_problems(tree, _key_path(key))]
        parts = str(key).split(".")
        node = doc
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                continue
            if not isinstance(node, dict):
                raise ScenarioError(f"{name}{key}: {'.'.join(parts[:i])} is not a mapping")
            # a missing key becomes a mapping, so validation names it as unknown; so does an
            # unset section (projection: null), whose defaults validation then fills in
            if part not in node or (node[part] is None and model_at(tuple(parts[: i + 1]))):
                node[part] = {}
            node = node[part]
        if isinstance(node, list) and parts[-1].isdigit() and int(parts[-1]) < len(node):
            node[int(parts[-1])] = value
            continue
        if not isinstance(node, dict):
            raise ScenarioError(f"{name}{key}: {'.'.join(parts[:-1])} is not a mapping")
        node[parts[-1]] = value
    try:
        out = validate(doc, path=source, text=scenario.source_text, problems=problems)
    except ScenarioError as exc:
        raise ScenarioError(str(exc).replace(f"{source}: ", name)) from None
    out = out.model_copy(
        update={"source_path": scenario.source_path, "source_text": scenario.source_text}
    )
    out.population._base = scenario.population._base
    return out


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
