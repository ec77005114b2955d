"""What a request asks for: a shipped scenario or an uploaded one, overrides, seed and size.

The explorer's page and its JSON API take the command line's arguments as query parameters:
``scenario`` (the name of a shipped scenario, never a path), ``set`` (``KEY=VALUE``, as
``--set``, repeatable), ``seed`` and ``size``. Bad values get the command line's messages:
``--set`` problems word for word, ``seed`` and ``size`` as click words them for ``--seed`` and
``--size``; each :class:`FieldError` names the field of the page it belongs to.

Examples
--------
>>> req = parse_run_query({"scenario": ["2014_guidelines"], "set": ["grant.rate=1"]},
...                       max_size=1.0)
>>> req.scenario, req.sets, req.seed, req.size
('2014_guidelines', ('grant.rate=1',), None, None)
>>> parse_run_query({"scenario": ["../etc/passwd"]}, max_size=1.0)
Traceback (most recent call last):
...
simulator.web.queries.FieldError: scenario: '../etc/passwd' is not a shipped scenario ...
>>> parse_run_query({"scenario": ["equal_act"], "seed": ["-1"]}, max_size=1.0)
Traceback (most recent call last):
...
simulator.web.queries.FieldError: Invalid value for 'seed': -1 is not in the range x>=0.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from simulator.errors import InputError, ScenarioError
from simulator.resources import find_scenario, shipped_scenarios
from simulator.scenario import (
    PopulationSpec,
    Scenario,
    load_scenario,
    parse_sets,
    scenario_from_text,
    with_overrides,
)

#: The largest population size the command line takes (``--size``); a server caps it lower.
SIZE_LIMIT = PopulationSpec.model_fields["size"].metadata[-1].le
#: What an uploaded scenario is called in its messages.
UPLOAD_NAME = "upload.yaml"


class FieldError(InputError):
    """Bad input in one field of the page (``scenario``, ``seed``, ``size``, ``set:KEY``...).

    Parameters
    ----------
    message : str
        The command line's message for the same input.
    field : str
        The field it belongs to: ``scenario``, ``seed``, ``size``, ``upload``, ``set`` (an
        override as a whole) or ``set:KEY`` (the override of ``KEY``).
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RunRequest:
    """One run as the query asked for it; ``scenario`` is a shipped name, or None for an upload.

    Attributes
    ----------
    scenario : str or None
    sets : tuple of str
        ``KEY=VALUE`` overrides, in order, as ``--set`` takes them.
    seed : int or None
        None: the scenario's seed.
    size : float or None
        None: the scenario's ``population.size``.
    upload : str or None
        The YAML text of an uploaded scenario.
    """

    scenario: str | None
    sets: tuple[str, ...] = ()
    seed: int | None = None
    size: float | None = None
    upload: str | None = field(default=None, repr=False)

    def command(self) -> str:
        """The ``simulate run`` command that gives the same summary (for a shipped scenario).

        Examples
        --------
        >>> RunRequest("equal_act", ("grant.rate=1",), seed=3).command()
        'simulate run equal_act --json --seed 3 --set grant.rate=1'
        """
        args = ["simulate", "run", self.scenario or UPLOAD_NAME, "--json"]
        if self.seed is not None:
            args += ["--seed", str(self.seed)]
        if self.size is not None:
            args += ["--size", f"{self.size:g}"]
        for item in self.sets:
            args += ["--set", item]
        return shlex.join(args)

    def query(self) -> str:
        """The query string that asks for this run again (the page's link to it).

        Examples
        --------
        >>> RunRequest("equal_act", ("grant.rate=1",), seed=3).query()
        'scenario=equal_act&seed=3&set=grant.rate%3D1'
        """
        pairs: list[tuple[str, str]] = [("scenario", self.scenario or "")]
        if self.seed is not None:
            pairs.append(("seed", str(self.seed)))
        if self.size is not None:
            pairs.append(("size", f"{self.size:g}"))
        pairs += [("set", item) for item in self.sets]
        return urlencode(pairs)


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = [v for v in params.get(name, []) if v != ""]
    if len(values) > 1:
        raise FieldError(f"Option '{name}' was given {len(values)} times; give it once.", name)
    return values[0] if values else None


def parse_seed(text: str | None) -> int | None:
    """``seed`` as ``--seed`` takes it: a whole number, at least 0.

    Examples
    --------
    >>> parse_seed("7"), parse_seed(None)
    (7, None)
    >>> parse_seed("x")
    Traceback (most recent call last):
    ...
    simulator.web.queries.FieldError: Invalid value for 'seed': 'x' is not a valid integer range.
    """
    if text is None:
        return None
    try:
        seed = int(text.strip())
    except ValueError:
        message = f"Invalid value for 'seed': {text!r} is not a valid integer range."
        raise FieldError(message, "seed") from None
    if seed < 0:
        raise FieldError(f"Invalid value for 'seed': {seed} is not in the range x>=0.", "seed")
    return seed


def parse_size(text: str | None, max_size: float) -> float | None:
    """``size`` as ``--size`` takes it (finite, above 0, at most 200), and within the server's cap.

    Examples
    --------
    >>> parse_size("0.5", 1.0)
    0.5
    >>> parse_size("0", 1.0)
    Traceback (most recent call last):
    ...
    simulator.web.queries.FieldError: Invalid value for 'size': 0.0 is not in the range 0<x<=200.
    >>> parse_size("2", 1.0)
    Traceback (most recent call last):
    ...
    simulator.web.queries.FieldError: size: 2 is above this server's limit of 1 (simulate serve ...
    """
    if text is None:
        return None
    try:
        size = float(text.strip())
    except ValueError:
        message = f"Invalid value for 'size': {text!r} is not a valid float range."
        raise FieldError(message, "size") from None
    # in the order click checks --size: the range first (nan passes it), then finiteness
    if size <= 0 or size > SIZE_LIMIT:
        raise FieldError(
            f"Invalid value for 'size': {size} is not in the range 0<x<={SIZE_LIMIT:g}.", "size"
        )
    if not math.isfinite(size):
        raise FieldError(f"Invalid value for 'size': {text!r} is not a finite number.", "size")
    check_size(size, max_size)
    return size


def check_size(size: float, max_size: float) -> None:
    """Refuse a population larger than the server allows (:class:`FieldError` on ``size``)."""
    if size > max_size:
        raise FieldError(
            f"size: {size:g} is above this server's limit of {max_size:g} "
            "(simulate serve --max-size).",
            "size",
        )


def parse_run_query(
    params: Mapping[str, Sequence[str]], *, max_size: float, upload: str | None = None
) -> RunRequest:
    """The run a query asks for (each parameter's list of values, as a parsed query holds them).

    Parameters
    ----------
    params : mapping of str to list of str
        ``scenario`` (one shipped scenario's name; left out with ``upload``), ``set``
        (repeatable ``KEY=VALUE``), ``seed``, ``size``.
    max_size : float
        The largest ``size`` this server runs.
    upload : str, optional
        The YAML text of an uploaded scenario, used instead of ``scenario``.

    Raises
    ------
    FieldError
        The first bad parameter, with the command line's message for it.
    """
    name = _one(params, "scenario")
    if upload is None:
        if name is None:
            raise FieldError("scenario: missing; give the name of a shipped scenario.", "scenario")
        shipped = shipped_scenarios()
        if name not in shipped:
            raise FieldError(
                f"scenario: {name!r} is not a shipped scenario "
                f"(one of {', '.join(shipped)}; or upload a scenario file).",
                "scenario",
            )
    sets = tuple(params.get("set", []))
    try:
        parse_sets(sets)
    except ScenarioError as exc:
        raise FieldError(str(exc), "set") from None
    return RunRequest(
        scenario=None if upload is not None else name,
        sets=sets,
        seed=parse_seed(_one(params, "seed")),
        size=parse_size(_one(params, "size"), max_size),
        upload=upload,
    )


def build_scenario(request: RunRequest, *, max_size: float) -> Scenario:
    """The scenario a request runs: shipped or uploaded, with its overrides, within the cap.

    Raises
    ------
    FieldError
        A bad upload (``upload``), override (``set:KEY``, or ``set``), an override naming a
        file on the server (``population.parameters``), or a population above the cap.

    Examples
    --------
    >>> build_scenario(RunRequest("equal_act", ("grant.rate=2",)), max_size=1.0)
    Traceback (most recent call last):
    ...
    simulator.web.queries.FieldError: --set grant.rate: Input should be less than or equal to 1
    """
    if request.upload is not None:
        try:
            scenario = scenario_from_text(request.upload, UPLOAD_NAME)
        except ScenarioError as exc:
            raise FieldError(str(exc), "upload") from None
    else:
        scenario = load_scenario(find_scenario(str(request.scenario)))
    overrides = parse_sets(request.sets)
    for key in overrides:
        if key.split(".")[:2] == ["population", "parameters"]:
            raise FieldError(
                f"--set {key}: names a file; the explorer runs the shipped generator parameters",
                f"set:{key}",
            )
    if overrides:
        try:
            scenario = with_overrides(scenario, overrides)
        except ScenarioError as exc:
            raise FieldError(str(exc), _set_field(str(exc), overrides)) from None
    check_size(scenario.population.size if request.size is None else request.size, max_size)
    return scenario


def _set_field(message: str, overrides: Mapping[str, str]) -> str:
    """The field of the first override a message names (``set:KEY``), else ``set``."""
    first = message.split("\n", 1)[0]
    for key in sorted(overrides, key=len, reverse=True):
        if first.startswith((f"--set {key}:", f"--set {key}.")):
            return f"set:{key}"
    return "set"


__all__ = [
    "UPLOAD_NAME",
    "FieldError",
    "RunRequest",
    "build_scenario",
    "check_size",
    "parse_run_query",
    "parse_seed",
    "parse_size",
]
