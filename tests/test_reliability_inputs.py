"""What users give that is hostile or out of range: refused with exit 2 and one line, never a hang.

Alias bombs and recursive aliases in YAML, files that are not UTF-8, options and overrides that
are NaN, infinite or huge, dates far from any real case, malformed generator parameter files,
and numbers JSON cannot hold.
"""

from __future__ import annotations

import json
import math
import re
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIO_2014

from simulator.calendar import iso
from simulator.cli import main
from simulator.errors import InputError, PopulationError, ScenarioError
from simulator.files import read_user_text, to_json
from simulator.inputs.mapping import load_mapping
from simulator.inputs.parameters import default_parameters_path, load_parameters
from simulator.inputs.synthesis import stock_days
from simulator.report.replicates import to_json as replicates_json
from simulator.scenario import load_scenario, with_overrides
from simulator.scenario.yaml_source import MAX_BYTES, MAX_NODES, parse_yaml

SIZE = "0.01"
TEXT_2014 = SCENARIO_2014.read_text(encoding="utf-8")


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def one_line_error(result, *fragments: str) -> str:
    """The error of a run that must have exited 2 with one line holding every fragment."""
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in message, (fragment, message)
    return message


def scenario_with(tmp_path: Path, old: str, new: str, name: str = "s.yaml") -> Path:
    assert old in TEXT_2014
    path = tmp_path / name
    path.write_text(TEXT_2014.replace(old, new, 1), encoding="utf-8")
    return path


def laughs(levels: int = 9, width: int = 9) -> list[str]:
    """Flow sequences of a "billion laughs": each level holds ``width`` aliases of the last."""
    rows = [f"&l0 [{', '.join(['lol'] * width)}]"]
    rows += [f"&l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return rows


BOMB_PLACES = {
    # a key the model accepts, so validation would walk the expanded tree
    "assumptions": ("assumptions:\n", "assumptions:\n" + "".join(f"  - {r}\n" for r in laughs())),
    "description": ("description: >", f"description: [{', '.join(laughs())}]\nx_description: >"),
    "changes item": (
        "changes:\n",
        "changes:\n  - type: drug_table\n    edition: '2014'\n    drugs: [heroin]\n"
        + "".join(f"    x{i}: {r}\n" for i, r in enumerate(laughs())),
    ),
}


@pytest.mark.parametrize("place", BOMB_PLACES)
def test_yaml_alias_bomb_refused_fast(tmp_path, place):
    # 9 levels of 9 aliases: 9**9 (387 million) values once expanded; minutes to walk before
    path = scenario_with(tmp_path, *BOMB_PLACES[place])
    start = time.perf_counter()
    result = invoke("run", path, "--size", SIZE)
    assert time.perf_counter() - start < 5
    one_line_error(result, str(path), "(yaml)", f"more than {MAX_NODES:,} values")


def test_yaml_alias_bomb_in_a_set_value_refused_fast():
    bomb = "{" + ", ".join(f"x{i}: {r}" for i, r in enumerate(laughs())) + "}"
    start = time.perf_counter()
    with pytest.raises(ScenarioError, match=r"--set grant\.modifiers:.*more than"):
        with_overrides(load_scenario(SCENARIO_2014), {"grant.modifiers": bomb})
    assert time.perf_counter() - start < 5


def test_yaml_alias_bomb_in_mapping_and_parameters_files_refused(tmp_path):
    bomb = "".join(f"x{i}: {r}\n" for i, r in enumerate(laughs()))
    for load in (load_mapping, load_parameters):
        path = tmp_path / f"{load.__name__}.yaml"
        path.write_text(bomb, encoding="utf-8")
        start = time.perf_counter()
        with pytest.raises(PopulationError, match=re.escape(str(path)) + r":\d+:\d+: \(yaml\)"):
            load(path)
        assert time.perf_counter() - start < 5


def test_aliases_of_modest_size_still_load():
    _, doc = parse_yaml("a: &a [1, 2]\nb: [*a, *a]\n", "x.yaml")
    assert doc == {"a": [1, 2], "b": [[1, 2], [1, 2]]}


@pytest.mark.parametrize(
    "value",
    ["&a [*a]", "&a {x: *a}", "&a [1, [2, *a]]"],
    ids=["list", "mapping", "nested"],
)
def test_recursive_alias_refused_with_one_line(tmp_path, value):
    path = scenario_with(tmp_path, "description: >", f"description: {value}\nx_description: >")
    one_line_error(invoke("run", path, "--size", SIZE), str(path), "alias *a is inside the node")


def test_deep_nesting_refused(tmp_path):
    path = scenario_with(tmp_path, "description: >", "x: " + "[" * 5000 + "]" * 5000 + "\nd: >")
    one_line_error(invoke("run", path, "--size", SIZE), str(path), "nested deeper than")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("!!int abc", "cannot read 'abc'"),
        ("!!float abc", "cannot read 'abc'"),
        ("!!timestamp x", "cannot read 'x'"),
        ("!!timestamp 2014-13-01", "cannot read '2014-13-01'"),
        ("a\x00b", "the character #x0000 is not allowed"),
    ],
)
def test_yaml_values_the_loader_cannot_read_are_input_errors(tmp_path, value, fragment):
    path = scenario_with(tmp_path, "title: ", f"x: {value}\ntitle: ")
    one_line_error(invoke("run", path, "--size", SIZE), f"{path}:1:", fragment)


def test_scenario_not_utf8_names_file_and_byte_offset(tmp_path):
    path = tmp_path / "latin1.yaml"
    data = TEXT_2014.encode().replace(b"Amendment 782", b"Amendment 782 \xe9", 1)
    path.write_bytes(data)
    offset = data.index(b"\xe9")
    one_line_error(
        invoke("run", path, "--size", SIZE), str(path), "not UTF-8", f"0xe9 at offset {offset}"
    )


def test_mapping_and_parameters_files_not_utf8(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"columns:\n  drug: dr\xf6g\n")
    with pytest.raises(
        PopulationError, match=r"m\.yaml: mapping is not UTF-8.*offset 19 \(line 2\)"
    ):
        load_mapping(path)
    params = tmp_path / "p.yaml"
    params.write_bytes(b"snapshot: \xff\n")
    with pytest.raises(PopulationError, match=r"p\.yaml: parameters file is not UTF-8.*offset 10"):
        load_parameters(params)


def test_read_user_text(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("caf\u00e9\r\nx\r".encode())
    assert read_user_text(path, InputError, "file") == "caf\u00e9\nx\n"
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        read_user_text(tmp_path / "missing.yaml", ScenarioError, "scenario")
    with pytest.raises(ScenarioError, match="cannot read scenario"):
        read_user_text(tmp_path, ScenarioError, "scenario")


# --- numbers on the command line ----------------------------------------------------------

NON_FINITE_OPTIONS = [
    ("run", SCENARIO_2014, "--size"),
    ("run", SCENARIO_2014, "--size", SIZE, "--replicates", "2", "--interval"),
    ("compare", SCENARIO_2014, "--size"),
    ("explain", SCENARIO_2014, "--person", "0", "--size"),
    ("project", SCENARIO_2014, "--size"),
    ("report", SCENARIO_2014, "-o", "x.html", "--size"),
    ("sensitivity", SCENARIO_2014, "--size"),
    ("sensitivity", SCENARIO_2014, "--confidence"),
    ("export-population", "-o", "x.csv", "--size"),
    ("validate", "--size"),
    ("calibrate", "--size"),
]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_screen_grams_refuse_nan_and_infinities(value):
    """screen checks --grams as a population row's grams: one line naming the option."""
    args = ("screen", "--drug", "crack", "--sentenced", "2010-01-01", "--term", "60", "--grams")
    result = invoke(*args, value)
    assert result.exit_code == 2, result.output
    assert (result.output + result.stderr).strip().startswith("--grams")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
@pytest.mark.parametrize("args", NON_FINITE_OPTIONS, ids=lambda a: f"{a[0]} {a[-1]}")
def test_float_options_refuse_nan_and_infinities(args, value):
    result = invoke(*args, value)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{args[-1]}'" in result.output


def test_huge_sizes_and_grams_are_refused():
    assert invoke("calibrate", "--size", "1000").exit_code == 2
    assert invoke("screen", "--drug", "crack", "--sentenced", "2010-01-01", "--term", "60",
                  "--grams", "1e308").exit_code == 2  # fmt: skip


# --- the synthetic stock's snapshot, from the generator's data -------------------------------


def test_stock_days_follow_the_parameter_file():
    params = load_parameters()
    assert [iso(d) for d in stock_days(params)] == ["1987-10-01", "2054-09-30"]
    params.assumed = {**params.assumed, "first_cohort": 1995}
    params.assumed["admissions"] = {**params.assumed["admissions"], 2030: 1}
    assert [iso(d) for d in stock_days(params)] == ["1994-10-01", "2060-09-30"]


@pytest.mark.parametrize("snapshot", ["1900-01-01", "1960-06-30", "1987-09-30", "2054-10-01",
                                      "9999-12-31"])  # fmt: skip
def test_snapshot_outside_the_stock_range_is_a_validation_error(snapshot):
    result = invoke(
        "run", SCENARIO_2014, "--size", SIZE, "--set", f"population.snapshot={snapshot}"
    )
    one_line_error(
        result,
        f"population.snapshot: {snapshot}",
        "from 1987-10-01 to 2054-09-30",
        "fiscal year 1988",
    )


def test_snapshot_with_no_one_in_custody_yet_runs_and_explain_says_empty():
    args = ("--size", SIZE, "--set", "population.snapshot=1987-10-01")
    result = invoke("run", SCENARIO_2014, *args, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["population"] == 0
    one_line_error(invoke("explain", SCENARIO_2014, "--person", "0", *args), "population is empty")


# --- generator parameter files ---------------------------------------------------------------

COMMITTED = default_parameters_path().read_text(encoding="utf-8")


def parameters_scenario(tmp_path: Path, text: str | bytes) -> tuple[Path, Path]:
    params = tmp_path / "params.yaml"
    if isinstance(text, bytes):
        params.write_bytes(text)
    else:
        params.write_text(text, encoding="utf-8")
    path = scenario_with(tmp_path, "  size: 1.0\n", "  size: 1.0\n  parameters: params.yaml\n")
    return path, params


def test_a_copy_of_the_committed_parameters_builds_the_same_stock(tmp_path):
    path, _ = parameters_scenario(tmp_path, COMMITTED)
    mine = invoke("run", path, "--size", SIZE, "--json")
    committed = invoke("run", SCENARIO_2014, "--size", SIZE, "--json")
    assert mine.exit_code == committed.exit_code == 0
    keys = ("population", "eligible", "granted", "bed_years_saved")
    assert [json.loads(mine.stdout)[k] for k in keys] == [
        json.loads(committed.stdout)[k] for k in keys
    ]


def _edit(old: str, new: str) -> str:
    assert old in COMMITTED, old
    return COMMITTED.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("- a list\n", [":1:1: (top): expected a mapping"]),
        ("", [":1:1: (top): expected a mapping"]),
        ("fitted: [unclosed\n", [":2:1: (yaml)"]),
        (_edit("snapshot: 2014-11-01", "snapshot: 2014-13-01"), ["snapshot: expected a date"]),
        (_edit("  admissions_scale: 0", "  admissions_scale: .nan #"),
         ["fitted.admissions_scale: expected a finite number"]),
        (_edit("  admissions_scale: 0", "  admissions_scale: 1e3 #"),
         ["fitted.admissions_scale: 1e3 is read as text"]),
        (_edit("  first_cohort: 1988", "  first_cohort: [1988]"),
         ["assumed.first_cohort: expected a finite number"]),
        (_edit("  acceptance: 0.90", "  acceptanse: 0.90"), ["assumed.acceptance: missing"]),
        (_edit("    levels: [-4, -3, -2, 0, 2, 3, 4]", "    levels: [-4, 4]"),
         ["assumed.role.levels: expected a list of 7 values"]),
        (_edit("    1988: 9000", "    FY1988: 9000"),
         ["assumed.admissions.FY1988: expected a fiscal year"]),
        (_edit("  position_beta: [0.6, 2.4]", "  position_beta: [-1, 2.4]"),
         ["params.yaml: the generator cannot use it: a <= 0"]),
        (_edit('edition: "2014", share', 'edition: "1900", share'),
         ["no Drug Quantity Table edition '1900'"]),
        (_edit("  first_cohort: 1988", "  first_cohort: 2020"),
         ["population.snapshot: 2014-11-01", "from 2019-10-01"]),
        (b"snapshot: \xe9\n", ["parameters file is not UTF-8"]),
    ],
)  # fmt: skip
def test_malformed_parameters_file_is_an_input_error(tmp_path, text, fragments):
    path, params = parameters_scenario(tmp_path, text)
    result = invoke("run", path, "--size", SIZE)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "SIMULATOR_DEBUG" not in result.output
    message = result.stderr.strip()
    if not fragments[0].startswith("population.snapshot"):
        assert message.startswith(str(params)), message
    for fragment in fragments:
        assert fragment in message, message


def test_every_problem_of_a_parameters_file_on_its_own_line(tmp_path):
    text = _edit("  female: ", "  female: x #").replace("  age_shape: 4.0", "  age_shape: y")
    text = text.replace("  weapon.base: ", "  weapon.base: 1\n  weapon.base: ")
    _, params = parameters_scenario(tmp_path, text)
    with pytest.raises(PopulationError) as exc:
        load_parameters(params)
    lines = str(exc.value).splitlines()
    assert len(lines) == 3, lines
    assert all(re.match(rf"{re.escape(str(params))}:\d+:\d+: ", line) for line in lines)
    assert "duplicate key 'weapon.base'" in lines[0] and "fitted.female" in lines[1]


# --- dates a scenario or the command line names --------------------------------------------

DATE_KEYS = [
    "retroactivity.effective",
    "retroactivity.earliest_release",
    "changes.0.effective",
    "changes.0.offenses_before",
]


@pytest.mark.parametrize("when", ["0001-01-01", "1900-01-01", "2101-01-01", "9999-12-31"])
@pytest.mark.parametrize("key", DATE_KEYS)
def test_scenario_dates_far_from_any_case_are_refused(key, when):
    result = invoke("run", SCENARIO_2014, "--size", SIZE, "--set", f"{key}={when}")
    one_line_error(result, f"--set {key}: expected a date from 1950-01-01 to 2100-12-31")


@pytest.mark.parametrize(
    "change",
    [
        "{type: mandatory_minimum, drugs: [heroin], thresholds_on: 1900-01-01}",
        "{type: enhancement_851, terms_on: 9999-12-31}",
        "{type: clemency, criteria: {}, review: {capacity_per_month: 10, until: 9999-12-31}}",
    ],
)
def test_change_dates_far_from_any_case_are_refused(change):
    with pytest.raises(ScenarioError, match="expected a date from 1950-01-01 to 2100-12-31"):
        with_overrides(load_scenario(SCENARIO_2014), {"changes.0": change})


@pytest.mark.parametrize(
    ("option", "value", "fragment"),
    [
        ("--sentenced", "9999-12-31", "--sentenced: outside 1950-01-01..2100-12-31"),
        ("--sentenced", "2010-13-01", "--sentenced: expected a date YYYY-MM-DD (got 2010-13-01)"),
        ("--custody-start", "1900-01-01", "--custody-start: outside 1950-01-01..2100-12-31"),
        ("--offense-date", "2200-01-01", "--offense-date: outside 1950-01-01..2100-12-31"),
    ],
)
def test_screen_dates_far_from_any_case_are_refused(option, value, fragment):
    args = {"--sentenced": "2010-01-01", option: value}
    flat = [x for kv in args.items() for x in kv]
    result = invoke("screen", "--drug", "crack", "--grams", "10", "--term", "60", *flat)
    one_line_error(result, fragment)


# --- numbers JSON cannot hold ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("costs.per_bed_year", ".inf"),
        ("grant.modifiers.weapon", ".nan"),
        ("grant.modifiers.weapon", "-.inf"),
        ("grant.rate", "{normal: [.nan, 0.1]}"),
        ("costs.per_bed_year", "{uniform: [0, .inf]}"),
        ("population.size", ".nan"),
        ("seed", ".inf"),
        ("outputs.wave_years", ".nan"),
        ("projection.trend", ".nan"),
        ("projection.mix", "{heroin: .inf}"),
        ("projection.admissions", "{2020: .nan}"),
        ("changes.0", "{type: mandatory_minimum, drugs: [heroin], floors: {five_year: .inf}}"),
        ("changes.0", "{type: level_shift, levels: .nan, drugs: [heroin]}"),
    ],
)
def test_non_finite_scenario_values_are_refused(key, value):
    with pytest.raises(ScenarioError, match=r"finite|takes \d numbers"):
        with_overrides(load_scenario(SCENARIO_2014), {key: value})


def test_non_finite_values_in_a_scenario_file_are_refused(tmp_path):
    path = scenario_with(tmp_path, "per_bed_year: 30619.85", "per_bed_year: .inf")
    path2 = scenario_with(tmp_path, "weapon: -0.4", "weapon: .nan", "s2.yaml")
    for p, key in ((path, "costs.per_bed_year"), (path2, "grant.modifiers.weapon")):
        one_line_error(
            invoke("run", p, "--size", SIZE, "--json"), f"{key}: Input should be a finite"
        )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("costs.per_bed_year", "1.0e+308"),
        ("grant.modifiers.weapon", "1.0e+308"),
        ("grant.modifiers.infractions", "-1.0e+300"),
        ("changes.0", "{type: mandatory_minimum, drugs: [heroin], floors: {five_year: 1.0e+10}}"),
    ],
)
def test_finite_values_whose_products_overflow_are_refused(key, value):
    with pytest.raises(ScenarioError, match=r"(less|greater) than or equal"):
        with_overrides(load_scenario(SCENARIO_2014), {key: value})


def test_a_set_into_an_unset_section_fills_its_defaults():
    s = with_overrides(load_scenario(SCENARIO_2014), {"projection.years": "3"})
    assert s.projection.years == 3 and s.projection.trend_years == 10


def test_yaml_11_number_hint_is_itself_a_number():
    with pytest.raises(ScenarioError, match=r"write 1\.0e\+300$") as exc:
        with_overrides(load_scenario(SCENARIO_2014), {"costs.per_bed_year": "1e300"})
    hint = str(exc.value).rsplit("write ", 1)[1]
    assert isinstance(parse_yaml(hint, "x")[1], float)


def test_to_json_writes_null_for_non_finite_and_leaves_text_alone():
    doc = {
        "a": float("nan"),
        "b": [float("inf"), -math.inf],
        "c": {"d": 1.5},
        "text": "NaN and Infinity are words here",
    }
    out = to_json(doc)
    assert json.loads(out) == {
        "a": None,
        "b": [None, None],
        "c": {"d": 1.5},
        "text": "NaN and Infinity are words here",
    }
    assert "NaN" not in out.replace("NaN and", "")


def test_replicates_json_is_valid_json_with_non_finite_draws():
    frame = pd.DataFrame({"figure": ["x"], "median": [float("nan")], "lo": [float("-inf")]})
    reps = SimpleNamespace(
        meta={"seed": 1, "interval": 0.9}, intervals=frame, wave_intervals=frame,
        assumptions=frame, draws=frame, waves=frame,
    )  # fmt: skip
    doc = json.loads(replicates_json(reps), parse_constant=lambda c: pytest.fail(c))
    assert doc["intervals"] == [{"figure": "x", "median": None, "lo": None}]


# --- sizes and factors ----------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_file_is_refused_after_a_bounded_read():
    one_line_error(invoke("run", "/dev/zero"), "/dev/zero: scenario is larger than")


def test_a_file_over_the_byte_limit_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(TEXT_2014 + "#" * MAX_BYTES, encoding="utf-8")
    with pytest.raises(ScenarioError, match=f"scenario is larger than {MAX_BYTES:,} bytes"):
        load_scenario(path)
    assert read_user_text(path, InputError, "file").startswith("title:")  # no limit by default


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize(
    ("factor", "fragment"),
    [("0", "scale.grams: Input should be greater than 0"), (".inf", "finite number"),
     ("1.0e+308", "grams (qty_kg): must be at most")],
)  # fmt: skip
def test_mapping_scale_factors_are_positive_finite_and_never_warn(tmp_path, factor, fragment):
    text = (EXAMPLES / "caseload_mapping.yaml").read_text(encoding="utf-8")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(re.sub(r"(?m)^  grams: 1000", f"  grams: {factor}", text), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow warning would be a line on stderr
        result = invoke("run", SCENARIO_2014, "--population", EXAMPLES / "caseload.csv",
                        "--mapping", mapping)  # fmt: skip
    assert result.exit_code == 2, result.output
    assert fragment in result.stderr and "Warning" not in result.stderr, result.stderr


# --- projections ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "admissions",
    ["{2025: 0}", "{" + ", ".join(f"{y}: 0" for y in range(2016, 2026)) + "}"],
    ids=["last year", "ten years"],
)
def test_a_projection_whose_admissions_stop_has_no_trend_and_runs(admissions):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # log(0) warned, then the cohorts could not be drawn
        result = invoke("project", SCENARIO_2014, "--size", SIZE, "--json",
                        "--set", f"projection={{years: 15, admissions: {admissions}}}")  # fmt: skip
    assert result.exit_code == 0, result.output


def test_projection_admissions_beyond_any_real_year_are_refused():
    with pytest.raises(ScenarioError, match="count from 0 to 1,000,000"):
        with_overrides(load_scenario(SCENARIO_2014), {"projection.admissions": "{2016: 1.0e+300}"})
    result = invoke("project", SCENARIO_2014, "--size", SIZE,
                    "--set", "projection={trend: 0.5, years: 30}")  # fmt: skip
    one_line_error(result, "projection: admissions reach", "at most 1,000,000 a year")


def test_projection_mix_shares_whose_sum_overflows_are_refused():
    with pytest.raises(ScenarioError, match="with a finite sum"):
        with_overrides(
            load_scenario(SCENARIO_2014),
            {"projection.mix": "{heroin: 1.0e+308, cocaine: 1.0e+308}"},
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: &x 1\nb: &x 2\n", "2:4: (yaml): found duplicate anchor 'x'; first occurrence at "
         "line 1, second occurrence"),
        ("a: 1\n---\nb: 2\n", "2:1: (yaml): expected a single document in the stream at line 1, "
         "but found another document"),
    ],
)  # fmt: skip
def test_yaml_errors_with_a_context_say_both_parts(text, message):
    with pytest.raises(InputError) as exc:
        parse_yaml(text, "x.yaml")
    assert str(exc.value) == f"x.yaml:{message}"


@pytest.mark.parametrize("value", ["\x1e", "a\rb", "x\u2028y", "\x85"])
def test_a_quoted_value_holding_a_line_boundary_stays_on_its_line(tmp_path, value):
    """A value with a character ``str.splitlines`` breaks on is quoted as its escape."""
    doc = SCENARIO_2014.read_text(encoding="utf-8").replace(
        "type: drug_table", f"type: {json.dumps(value)}"
    )
    path = tmp_path / "odd.yaml"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert all(line.startswith(str(path)) for line in str(err.value).splitlines())
    result = CliRunner().invoke(main, ["run", str(path)])
    assert result.exit_code == 2
    assert all(line.startswith(str(path)) for line in result.stderr.splitlines())
