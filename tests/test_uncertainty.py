"""Uncertain assumptions in scenario files: validation, medians, sampling, round trips."""

from __future__ import annotations

import json
import pickle

import jsonschema
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import simulator as sim
from simulator.scenario import ScenarioError, load_scenario, with_overrides, with_values
from simulator.scenario.uncertain import UncertainFloat, UncertainInt, parse, uncertain_fields
from tests.conftest import ROOT, SCENARIO_2014

CLEMENCY = ROOT / "scenarios" / "2014_clemency_initiative.yaml"


def _with_rate(tmp_path, value: str):
    text = SCENARIO_2014.read_text()
    assert "  rate: 0.68\n" in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace("  rate: 0.68\n", f"  rate: {value}\n"))
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if "  rate: " in s)
    return path, line


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{beta: [0, 2]}", "beta [a, b] needs a > 0 and b > 0, got [0, 2]"),
        ("{uniform: [0.9, 0.5]}", "uniform [lo, hi] needs lo < hi, got [0.9, 0.5]"),
        ("{uniform: [0.5, 1.5]}", "uniform [0.5, 1.5] reaches outside the field's bounds [0, 1]"),
        ("{normal: [0.5, 0]}", "normal [mu, sigma] needs sigma > 0, got [0.5, 0]"),
        ("{normal: [1.5, 0.1]}", "normal mean 1.5 lies outside the field's bounds [0, 1]"),
        (
            "{triangular: [0.2, 0.9, 0.5]}",
            "triangular [lo, mode, hi] needs lo <= mode <= hi and lo < hi, got [0.2, 0.9, 0.5]",
        ),
        ("{normal: [0.5]}", "normal takes 2 numbers [mu, sigma], got [0.5]"),
        ("{beta: [a, 2]}", "beta takes 2 numbers [a, b], got ['a', 2]"),
        (
            "{gamma: [1, 2]}",
            "unknown distribution 'gamma'; known: beta, uniform, normal, triangular",
        ),
        (
            "{beta: [1, 2], uniform: [0, 1]}",
            "a distribution is one of beta, uniform, normal, triangular with its parameters",
        ),
        ("1.5", "Input should be less than or equal to 1"),
    ],
)
def test_bad_distributions_name_file_line_key(tmp_path, value, message):
    path, line = _with_rate(tmp_path, value)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value) == f"{path}:{line}:3: grant.rate: {message}"


def test_bad_distribution_on_the_command_line_exits_2(tmp_path):
    from click.testing import CliRunner

    from simulator.cli import main

    path, line = _with_rate(tmp_path, "{beta: [0, 2]}")
    result = CliRunner().invoke(main, ["run", str(path), "--replicates", "2", "--size", "0.05"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"{path}:{line}:3: grant.rate: beta [a, b] needs a > 0 and b > 0, got [0, 2]"
    )


def test_distribution_runs_at_its_median_without_replicates(tmp_path, scenario_2014):
    path, _ = _with_rate(tmp_path, "{uniform: [0.4, 0.8]}")
    s = load_scenario(path)
    assert isinstance(s.grant.rate, UncertainFloat) and s.grant.rate == pytest.approx(0.6)
    pop = sim.synthesize(s.population, seed=3, size=0.02)
    fixed = with_overrides(scenario_2014, {"grant.rate": "0.6"})
    a, b = sim.apply(pop, s).summary, sim.apply(pop, fixed).summary
    assert a["granted"] == b["granted"] and a["bed_years_saved"] == b["bed_years_saved"]
    assert a["scenario_sha256"] != b["scenario_sha256"]  # the distribution is part of the hash


def test_overrides_keep_distributions_and_values_replace_them(scenario_2014):
    s = with_overrides(
        scenario_2014,
        {"grant.rate": "{beta: [68, 32]}", "costs.per_bed_year": "{normal: [30000, 3000]}"},
    )
    again = with_overrides(s, {"grant.modifiers.weapon": "-0.3"})
    assert uncertain_fields(again) == uncertain_fields(s)
    assert again.grant.rate.spec == {"beta": [68.0, 32.0]}
    fixed = with_values(s, {"grant.rate": 0.5, "costs.per_bed_year": 31000.0})
    assert uncertain_fields(fixed) == {}
    assert (fixed.grant.rate, fixed.costs.per_bed_year) == (0.5, 31000.0)
    assert pickle.loads(pickle.dumps(s)).grant.rate.spec == s.grant.rate.spec
    assert s.model_dump(mode="json")["grant"]["rate"] == {"beta": [68.0, 32.0]}


def test_whole_number_fields_take_whole_numbers():
    s = with_overrides(
        load_scenario(CLEMENCY),
        {"changes.3.review.capacity_per_month": "{uniform: [100, 201]}"},
    )
    ((name, cap),) = uncertain_fields(s).items()
    assert name == "changes.3.review.capacity_per_month"
    assert isinstance(cap, UncertainInt) and cap == 150
    values = cap.sample(np.linspace(0, 0.999, 50))
    assert values.dtype.kind == "i" and values.min() >= 100 and values.max() <= 201
    assert with_values(s, {name: values[3]}).changes[3].review.capacity_per_month == values[3]


def test_schema_accepts_distributions_and_rejects_bad_ones(scenario_2014):
    from simulator.scenario.json_schema import scenario_schema

    schema = scenario_schema()
    doc = json.loads(json.dumps(scenario_2014.model_dump(mode="json")))
    doc["grant"]["rate"] = {"triangular": [0.5, 0.7, 0.9]}
    jsonschema.validate(doc, schema)
    doc["grant"]["rate"] = {"triangular": [0.5, 0.7]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


@given(
    mu=st.floats(0, 1),
    sigma=st.floats(0.01, 5),
    u=st.lists(st.floats(0, 1, exclude_max=True), min_size=1, max_size=20),
)
def test_truncated_normal_stays_within_bounds(mu, sigma, u):
    d = parse({"normal": [mu, sigma]}, lo=0, hi=1)
    x = d.sample(np.array(u))
    assert np.all((x >= 0) & (x <= 1))
    assert 0 <= float(d) <= 1


@given(
    lo=st.floats(0, 100),
    width=st.floats(0.1, 100),
    mode=st.floats(0, 1),
    u=st.floats(0, 1),
)
def test_triangular_and_uniform_samples_stay_in_their_support(lo, width, mode, u):
    hi = lo + width
    for spec in ({"uniform": [lo, hi]}, {"triangular": [lo, lo + mode * width, hi]}):
        x = float(parse(spec, lo=0, hi=1000).sample(u))
        assert lo - 1e-9 <= x <= hi + 1e-9
