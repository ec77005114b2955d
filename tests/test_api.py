"""The Python API for research code: load_scenario of a dict, with_updates, run, Result, compare."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014
from hypothesis import given
from hypothesis import strategies as st

import simulator as sim
from simulator.cli import main
from simulator.errors import InputError, OutputExistsError, ScenarioError
from simulator.files import to_json
from simulator.law import CATEGORIES, DRUG_GROUPS, DRUGS
from simulator.model.population import RACES
from simulator.runs import compare as cli_compare
from simulator.runs import result as result_module

SIZE = 0.02
SEED = 11


@pytest.fixture(scope="module")
def base():
    return sim.load_scenario(SCENARIO_2014)


@pytest.fixture(scope="module")
def result(base):
    return sim.run(base, seed=SEED, size=SIZE)


# ---------------------------------------------------------------- load_scenario(dict)
def test_a_dict_loads_as_the_file_does(base):
    doc = yaml.safe_load(SCENARIO_2014.read_text(encoding="utf-8"))
    from_dict = sim.load_scenario(doc)
    assert from_dict.sha256() == base.sha256()
    assert from_dict.source_path == "<dict>"


def test_a_dict_is_validated_with_the_files_messages(base):
    doc = base.model_dump(mode="json")
    doc["grant"] = {"rat": 0.5}
    doc["retroactivity"]["effective"] = "2014-13-01"
    with pytest.raises(ScenarioError) as exc:
        sim.load_scenario(doc)
    lines = str(exc.value).splitlines()
    assert "<dict>: grant.rat: unknown key; did you mean 'rate'?" in lines
    assert "<dict>: grant.rate: Field required" in lines
    assert any(line.startswith("<dict>: retroactivity.effective: ") for line in lines)


def test_any_mapping_loads_and_nothing_else(base):
    doc = MappingProxyType(base.model_dump(mode="json"))
    assert sim.load_scenario(doc).sha256() == base.sha256()
    with pytest.raises(TypeError, match="a scenario is the path of a file or a dict, not list"):
        sim.load_scenario([doc])


def test_a_dict_names_a_missing_parameter_file(base, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    doc = base.model_dump(mode="json")
    doc["population"]["parameters"] = "nowhere.yaml"
    with pytest.raises(ScenarioError, match=r"^<dict>: population.parameters: no such file"):
        sim.load_scenario(doc)


def test_dict_values_are_not_read_as_yaml(base):
    doc = {**base.model_dump(mode="json"), "title": "no", "description": "a: b"}
    s = sim.load_scenario(doc)
    assert (s.title, s.description) == ("no", "a: b")


# ---------------------------------------------------------------- validate_scenario
def test_validate_scenario_is_public_and_agrees_with_load_scenario(base):
    from simulator.scenario import loading

    assert sim.validate_scenario is loading.validate_scenario
    assert "validate_scenario" in sim.__all__
    doc = yaml.safe_load(SCENARIO_2014.read_text(encoding="utf-8"))
    validated = sim.validate_scenario(MappingProxyType(doc))
    assert validated.sha256() == base.sha256() == sim.load_scenario(doc).sha256()
    assert validated.source_path == "<dict>"


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.update(grant={"rat": 0.5}),
        lambda d: d["retroactivity"].update(effective="2014-13-01"),
        lambda d: d.update(seed=-1, unknown=1),
        lambda d: d["population"].update(parameters="nowhere.yaml"),
    ],
)
def test_validate_scenario_raises_the_messages_of_load_scenario(
    base, change, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    doc = base.model_dump(mode="json")
    change(doc)
    with pytest.raises(ScenarioError) as expected:
        sim.load_scenario(doc)
    with pytest.raises(ScenarioError) as got:
        sim.validate_scenario(doc)
    assert str(got.value) == str(expected.value)
    assert str(got.value).startswith("<dict>: ")


def test_validate_scenario_takes_only_a_mapping():
    with pytest.raises(TypeError, match="a scenario to validate is a dict, not str"):
        sim.validate_scenario("scenarios/2014_guidelines.yaml")


def test_a_file_loads_as_before(tmp_path, base):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO_2014.read_text(encoding="utf-8").replace("rate:", "rat:", 1))
    with pytest.raises(ScenarioError, match=r"bad.yaml:\d+:\d+: grant.rat: unknown key"):
        sim.load_scenario(str(bad))
    assert sim.load_scenario(SCENARIO_2014).source_path == str(SCENARIO_2014)


# ---------------------------------------------------------------- with_updates
def test_with_updates_validates(base):
    with pytest.raises(ScenarioError, match=r"^<updates>: grant.rate: Input should be less"):
        base.with_updates({"grant.rate": 1.5})
    with pytest.raises(ScenarioError, match=r"<updates>: grant.rat: unknown key; did you mean"):
        base.with_updates({"grant.rat": 0.5})
    with pytest.raises(ScenarioError, match=r"<updates>: sed: unknown key; did you mean 'seed'"):
        base.with_updates(sed=1)
    with pytest.raises(ScenarioError, match=r"<updates>: title.x: title is not a mapping"):
        base.with_updates({"title.x": 1})


def test_with_updates_takes_python_values_as_they_are(base):
    day = dt.date(2015, 1, 1)
    t = base.with_updates(
        {"retroactivity.earliest_release": day, "changes.0.drugs": ["heroin"]}, title="2015", seed=4
    )
    assert t.retroactivity.earliest_release == day
    assert t.changes[0].drugs == ["heroin"]
    assert (t.title, t.seed) == ("2015", 4)  # text stays text: "2015" is not read as a number
    assert base.title != "2015" and base.seed != 4  # the original is unchanged
    assert t.source_path == base.source_path
    assert t.population.parameters_path() == base.population.parameters_path()


def test_with_updates_agrees_with_overrides(base):
    a = base.with_updates({"grant.rate": 0.5, "retroactivity.earliest_release": None})
    b = sim.with_overrides(base, {"grant.rate": "0.5", "retroactivity.earliest_release": "null"})
    assert a == b and a.sha256() == b.sha256()


def test_keywords_win_over_the_mapping(base):
    assert base.with_updates({"seed": 1}, seed=2).seed == 2


@given(rate=st.floats(0, 1), seed=st.integers(0, 2**31))
def test_with_updates_round_trips(base, rate, seed):
    t = base.with_updates({"grant.rate": rate}, seed=seed)
    assert (t.grant.rate, t.seed) == (rate, seed)
    back = t.with_updates({"grant.rate": base.grant.rate}, seed=base.seed)
    assert back == base and back.sha256() == base.sha256()
    assert sim.load_scenario(t.model_dump(mode="json")).sha256() == t.sha256()


def test_no_update_changes_nothing(base):
    assert base.with_updates().sha256() == base.with_updates({}).sha256() == base.sha256()


# ---------------------------------------------------------------- run and Result
def test_run_gives_the_figures_of_simulate_run_json(result):
    out = CliRunner().invoke(
        main, ["run", str(SCENARIO_2014), "--seed", str(SEED), "--size", str(SIZE), "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(to_json(result.summary)) == json.loads(out.stdout)


def test_run_takes_a_path_a_dict_or_a_population(base, result):
    assert sim.run(str(SCENARIO_2014), seed=SEED, size=SIZE).summary == result.summary
    doc = base.model_dump(mode="json")
    assert sim.run(doc, seed=SEED, size=SIZE).summary["eligible"] == result.summary["eligible"]
    again = sim.run(base, result.population)
    assert again.summary == result.summary
    with pytest.raises(InputError, match="seed and size"):
        sim.run(base, result.population, size=0.5)


def test_run_defaults_to_the_scenarios_seed(base):
    small = base.with_updates({"population.size": SIZE})
    assert sim.run(small).summary["seed"] == base.seed
    assert sim.run(small).summary["size"] == SIZE


def test_people_have_categoricals_for_coded_columns(result):
    people = result.people
    expected = {
        "drug": list(DRUGS),
        "race": list(RACES),
        "category": list(CATEGORIES),
        "drug_type": sorted(set(DRUG_GROUPS.values())),
    }
    for column, categories in expected.items():
        assert isinstance(people[column].dtype, pd.CategoricalDtype), column
        assert list(people[column].cat.categories) == categories, column
    assert len(people) == result.summary["population"]
    assert int(people["eligible"].sum()) == result.summary["eligible"]
    assert (people["drug_type"].astype(str) == people["drug"].map(DRUG_GROUPS)).all()


def test_waves_are_indexed_by_month(result):
    waves = result.waves
    assert isinstance(waves.index, pd.PeriodIndex) and waves.index.freqstr == "M"
    assert waves.index.name == "month"
    assert list(waves.columns) == ["releases", "baseline", "scenario"]
    assert waves.index[0] == pd.Period(result.scenario.retroactivity.effective, "M")
    assert (waves.index[1:] - waves.index[:-1] == waves.index.freq).all()  # every month
    plain = result.outcome.waves
    assert list(waves.index.astype(str)) == list(plain["month"])
    assert waves["releases"].tolist() == plain["releases"].tolist()
    summary = [w["releases"] for w in result.summary["waves"]]
    assert waves["releases"].tolist() == summary


def test_to_parquet_writes_the_files_with_their_provenance(result, tmp_path):
    paths = result.to_parquet(tmp_path / "out")
    assert [p.name for p in paths] == ["people.parquet", "waves.parquet", "summary.json"]
    assert sorted(os.listdir(tmp_path / "out")) == sorted(p.name for p in paths)  # no temp files
    people = pd.read_parquet(paths[0])
    pd.testing.assert_frame_equal(people, result.people, check_dtype=False)
    assert isinstance(people["drug"].dtype, pd.CategoricalDtype)
    waves = pd.read_parquet(paths[1]).set_index("month")
    assert waves.index[0] == pd.Timestamp(result.scenario.retroactivity.effective).replace(day=1)
    assert waves["scenario"].tolist() == result.waves["scenario"].tolist()
    for path in paths[:2]:
        meta = json.loads(pq.read_schema(path).metadata[b"simulator"])
        assert meta == result.provenance()
        assert meta["seed"] == SEED and meta["scenario_sha256"] == result.scenario.sha256()
        assert meta["version"] == sim.__version__
    assert json.loads(paths[2].read_text()) == json.loads(to_json(result.summary))


def test_to_parquet_refuses_to_overwrite_unless_forced(result, tmp_path):
    result.to_parquet(tmp_path)
    before = (tmp_path / "waves.parquet").read_bytes()
    with pytest.raises(OutputExistsError):
        result.to_parquet(tmp_path)
    assert result.to_parquet(tmp_path, force=True)
    assert (tmp_path / "waves.parquet").read_bytes() == before  # the same run, the same bytes


def test_a_failed_write_leaves_the_old_file_whole(result, tmp_path, monkeypatch):
    result.to_parquet(tmp_path)
    before = (tmp_path / "people.parquet").read_bytes()

    def broken(table, fh):
        fh.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(result_module.pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        result.to_parquet(tmp_path, force=True)
    assert (tmp_path / "people.parquet").read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["people.parquet", "summary.json", "waves.parquet"]


def test_the_notebook_table_shows_the_headline_figures_escaped(result, base):
    page = result._repr_html_()
    assert page.startswith("<table>") and page.endswith("</table>")
    assert f"{result.summary['eligible']:,}" in page
    assert result.summary["scenario_sha256"][:12] in page
    evil = sim.run(base.with_updates(title="<script>alert(1)</script> & co"), result.population)
    page = evil._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "eligible" in repr(result)


# ---------------------------------------------------------------- compare
def test_compare_of_scenarios_is_the_command_lines(base):
    more = base.with_updates({"grant.rate": 1.0}, title="All granted")
    table = sim.compare([base, more], size=SIZE)
    rows, notes = cli_compare.compare([base, more], seed=base.seed, size=SIZE)
    pd.testing.assert_frame_equal(table, cli_compare.frame(rows))
    assert table.attrs["notes"] == notes == []
    assert list(table["scenario"]) == [base.title, "All granted"]
    assert table.loc[0, "granted_vs_baseline"] == 0
    assert table.loc[1, "granted"] == table.loc[1, "eligible"] == table.loc[0, "eligible"]


def test_compare_takes_results_and_scenarios(base, result):
    more = base.with_updates({"grant.rate": 1.0})
    table = sim.compare([result, more], size=SIZE)
    assert table.loc[0, "granted"] == result.summary["granted"]
    assert table.loc[0, "seed"] == table.loc[1, "seed"] == SEED  # the first result's seed
    assert table.loc[1, "population"] == result.summary["population"]  # the same people
    mixed = sim.compare([more, result], size=SIZE)
    assert mixed.loc[1, "granted"] == result.summary["granted"]
    assert any("seed 11" in note for note in mixed.attrs["notes"])  # run with another seed
    with pytest.raises(InputError):
        sim.compare([])


def test_the_public_names(result):
    assert sim.run is result_module.run and sim.Result is result_module.Result
    assert sim.compare is result_module.compare
    assert np.issubdtype(result.waves["releases"].dtype, np.integer)


def test_the_tutorial_python_example_runs_as_written(tmp_path, monkeypatch):
    page = (ROOT / "docs" / "tutorial" / "python.md").read_text(encoding="utf-8")
    section = page.split("\n## 1. Load, run, read\n", 1)[1].split("\n## ", 1)[0]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    monkeypatch.chdir(tmp_path)
    space: dict = {}
    exec(compile(example, "docs/tutorial/python.md", "exec"), space)
    assert space["table"]["granted_vs_baseline"].iloc[1] < 0
    assert sorted(p.name for p in (tmp_path / "results").iterdir()) == [
        "people.parquet",
        "summary.json",
        "waves.parquet",
    ]
