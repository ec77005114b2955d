"""simulate schema: every shipped scenario validates; wrong files do not."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from simulator.cli import main
from simulator.scenario.json_schema import scenario_schema

SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


def _as_json(doc):
    """A YAML document as JSON data (dates become ISO text, as an editor sees them)."""

    def default(obj):
        if isinstance(obj, dt.date):
            return obj.isoformat()
        raise TypeError(obj)

    return json.loads(json.dumps(doc, default=default))


@pytest.fixture(scope="module")
def validator():
    schema = scenario_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios_validate(validator, path):
    validator.validate(_as_json(yaml.safe_load(path.read_text())))


def _doc():
    return _as_json(yaml.safe_load((ROOT / "scenarios" / "2014_guidelines.yaml").read_text()))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d.update(titel="typo"),
        lambda d: d["grant"].update(rate=1.5),
        lambda d: d["changes"][0].update(type="no_such_change"),
        lambda d: d["changes"][0].update(edition="1999"),
        lambda d: d["changes"][0].update(drugs=["caffeine"]),
        lambda d: d.pop("retroactivity"),
        lambda d: d["population"].update(snapshot="yesterday"),
    ],
    ids=["unknown key", "rate>1", "change type", "edition", "drug", "missing", "date"],
)
def test_wrong_files_fail(validator, mutate):
    doc = _doc()
    mutate(doc)
    assert list(validator.iter_errors(doc))


def test_cli_writes_schema(tmp_path):
    out = tmp_path / "scenario.schema.json"
    res = CliRunner().invoke(main, ["schema", "-o", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text()) == scenario_schema()
    again = CliRunner().invoke(main, ["schema", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    printed = CliRunner().invoke(main, ["schema"], catch_exceptions=False)
    assert json.loads(printed.stdout)["title"] == "simulator scenario"
