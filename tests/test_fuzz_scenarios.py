"""Fuzzing scenario documents: any document is a scenario or a clear error, never a crash.

Documents are the committed scenarios mutated at random (keys dropped, renamed or added,
values replaced by other types, text cut or garbled). Loading gives either a valid scenario,
which then runs on a small population, or a :class:`ScenarioError` whose every line names the
file (and, where the key exists in the file, its line and column) and the key.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import simulator as sim
from simulator.scenario import ScenarioError, load_scenario, with_overrides

DOCS = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "scenarios").glob("*.yaml"))]
LINE = re.compile(r"^(?P<file>[^:]+)(:\d+:\d+)?: (?P<key>.+?): (?P<msg>.+)$")

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["no", "yes", "on", "off", "1e5", "010", "1:30", "2014-13-01", "2014-11-01",
                     "life", "heroin", "drug_table", "clemency", "-0", "~", ".inf"]),
)  # fmt: skip
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8),
                                                                         inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def paths(doc, prefix=()):
    """Every key path in a document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths(v, (*prefix, i))


@st.composite
def mutated(draw):
    doc = yaml.safe_load(yaml.safe_dump(draw(st.sampled_from(DOCS))))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(list(paths(doc))[1:]))
        parent = doc
        for part in where[:-1]:
            parent = parent[part]
        last = where[-1]
        action = draw(st.sampled_from(["replace", "drop", "rename", "add"]))
        if action == "replace":
            parent[last] = draw(values)
        elif action == "drop" and isinstance(parent, dict):
            parent.pop(last)
        elif action == "rename" and isinstance(parent, dict):
            parent[str(last)[:-1] + draw(st.text("abcxyz_", max_size=2))] = parent.pop(last)
        elif isinstance(parent, dict):
            parent[draw(st.text(max_size=10))] = draw(values)
    return doc


@pytest.fixture(scope="module")
def people(small_population):
    return small_population.take(np.arange(0, len(small_population), 25))


def check(path: Path, people) -> None:
    try:
        scenario = load_scenario(path)
    except ScenarioError as exc:
        event("error")
        lines = str(exc).splitlines()
        assert lines, "an empty error message"
        for line in lines:
            m = LINE.match(line)
            assert m and m["file"] == str(path), line
        return
    event("valid")
    summary = sim.apply(people, scenario).summary
    assert summary["eligible"] <= summary["population"] == len(people)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          max_examples=150)  # fmt: skip
@given(doc=mutated())
def test_mutated_documents_load_or_fail_clearly(tmp_path, people, doc):
    path = tmp_path / "fuzz.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    check(path, people)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
          max_examples=150)  # fmt: skip
@given(
    text=st.sampled_from([p.read_text() for p in sorted((ROOT / "scenarios").glob("*.yaml"))]),
    cut=st.integers(0, 3000),
    junk=st.text(st.sampled_from(list(":-[]{}#&*!|>'\"%@` \n\tabc01")), max_size=8),
)
def test_garbled_text_loads_or_fails_clearly(tmp_path, people, text, cut, junk):
    path = tmp_path / "fuzz.yaml"
    path.write_text(text[:cut] + junk + text[cut:], encoding="utf-8")
    check(path, people)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    key=st.sampled_from([".".join(map(str, p)) for p in paths(DOCS[3]) if p] + ["nope.x", "a..b"]),
    value=st.sampled_from(["no", "1e5", "010", "[1, 2]", "{a: 1}", "", "null", "-1", "2", "x:"]),
)
def test_random_overrides_apply_or_fail_clearly(scenario_2014, key, value):
    try:
        with_overrides(scenario_2014, {key: value})
    except ScenarioError as exc:
        assert all(line.startswith("--set") for line in str(exc).splitlines()), str(exc)
