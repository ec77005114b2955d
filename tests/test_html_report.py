"""The HTML report: self-contained, and rendered by a real headless browser (Debian chromium).

The browser tests need the ``chromium`` command (``.ci/run`` installs it). Without it they are
skipped, except under CI (the ``CI`` environment variable), where they must run.
"""

from __future__ import annotations

import base64
import html as html_lib
import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SCENARIO_2014

import simulator as sim
from simulator.cli import main
from simulator.report.definitions import DEFINED, DEFINITIONS, LIMITATIONS, citation
from simulator.report.html import build_report
from simulator.report.outputs import write_outputs
from simulator.report.plots import PLOTS
from simulator.report.tables import HEADLINE, count, money
from simulator.resources import citation_file, read_yaml
from simulator.runs.published import calibration_rows, target_file_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_browser = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="chromium is not installed (bash .ci/run installs it; under CI this test must run)",
)


@pytest.fixture(scope="module")
def page(small_outcome):
    rows = calibration_rows(small_outcome.scenario, 0.05)
    return build_report(small_outcome, calibration=rows, calibration_size=0.05)


@pytest.fixture(scope="module")
def report_file(page, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(page, encoding="utf-8")
    return path


def test_report_is_self_contained(page):
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page, re.I)
    assert "@import" not in page
    assert not re.search(r"url\((?!#)", page)  # only references inside the page
    assert page.count("<svg") == len(PLOTS)


def test_report_sections_and_figures(page, small_outcome):
    s = small_outcome.summary
    for section in ("scenario", "headline", "plots", "breakdowns", "calibration", "provenance"):
        assert f"id='{section}'" in page
    assert f'id="eligible">{count(s["eligible"])}<' in page
    assert money(s["cost_saved_usd"]) in page
    assert s["scenario_sha256"] in page and str(s["seed"]) in page and s["version"] in page
    for assumption in small_outcome.scenario.assumptions[:2]:
        assert assumption.split("(")[0].strip()[:40] in page.replace("&#x27;", "'")
    assert "USSC news release, July 18, 2014" in page  # a source of the calibration table


def test_target_file_is_found_only_for_scenarios_with_figures(small_outcome):
    assert target_file_for(small_outcome.scenario)[0] == "2014_guidelines"
    assert target_file_for(sim.load_scenario("equal_act")) is None
    # the same content under another file's name is still the 2014 scenario
    moved = small_outcome.scenario.model_copy(update={"source_path": "scenarios/equal_act.yaml"})
    assert target_file_for(moved)[0] == "2014_guidelines"


def test_targets_are_found_for_a_copied_scenario(tmp_path):
    """A scenario file moved out of the repository keeps its published figures."""
    text = SCENARIO_2014.read_text(encoding="utf-8")
    copy = tmp_path / "elsewhere" / SCENARIO_2014.name
    copy.parent.mkdir()
    copy.write_text(text, encoding="utf-8")
    assert target_file_for(sim.load_scenario(copy))[0] == "2014_guidelines"
    renamed = tmp_path / "mine.yaml"  # another name, the same content (hash)
    renamed.write_text(text, encoding="utf-8")
    assert target_file_for(sim.load_scenario(renamed))[0] == "2014_guidelines"
    changed = tmp_path / "changed.yaml"  # another name, title and content: not the 2014 one
    changed.write_text(re.sub(r"^title: .*$", "title: Something else", text, flags=re.M),
                       encoding="utf-8")  # fmt: skip
    assert target_file_for(sim.load_scenario(changed)) is None

    out = tmp_path / "r.html"
    res = CliRunner().invoke(main, ["report", str(copy), "--size", "0.03", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert "USSC news release, July 18, 2014" in page
    assert "No published figures" not in page


def test_report_defines_every_headline_figure(page):
    headline = {key for key, _, _ in HEADLINE} - {"first_release_date"}
    assert headline <= set(DEFINITIONS)
    for key in ("bed_years_saved_undelayed", "bed_years_saved_projected"):
        assert key in DEFINITIONS
    assert "id='definitions'" in page
    for key in DEFINED:
        assert f"id='def-{key}'" in page
        assert html_lib.escape(DEFINITIONS[key]) in page


def test_report_states_the_models_limitations(page, small_outcome):
    assert 5 <= len(LIMITATIONS) <= 8
    section = page[page.index("id='limitations'") :]
    for item in LIMITATIONS:
        assert html_lib.escape(item) in section
    assert "synthetic" in LIMITATIONS[0] and "published marginals" in LIMITATIONS[0]
    assert "id='assumptions'" in page  # the scenario's own list, which the section links to


def test_published_figures_are_grouped_fitted_and_out_of_sample(page, small_outcome):
    rows = calibration_rows(small_outcome.scenario, 0.05)
    roles = {r.role for r in rows}
    assert roles == {"fitted", "check"}
    section = page[page.index("id='calibration'") : page.index("id='limitations'")]
    fitted, check = section.index("id='role-fitted'"), section.index("id='role-check'")
    assert fitted < check
    for r in rows:
        row = f"<td>{html_lib.escape(r.figure)}</td><td>{r.role}</td>"
        at = section.index(row)
        assert (fitted < at < check) if r.role == "fitted" else (at > check), r.figure
    n_fit = sum(r.role == "fitted" for r in rows)
    assert f"{n_fit} of {len(rows)} figures are fitted" in section


def test_report_says_how_to_cite_from_citation_cff(page):
    cff = read_yaml(citation_file())
    c = citation()
    assert c["title"] == cff["title"] and c["version"] == cff["version"] == sim.__version__
    assert c["year"] == str(cff["date-released"])[:4]
    section = page[page.index("id='cite'") :]
    assert html_lib.escape(c["text"]) in section
    assert html_lib.escape(cff["title"]) in section and "@software{" in section


def test_report_embeds_the_waves_and_the_summary(page, small_outcome, tmp_path):
    links = dict(re.findall(r"<a download='([^']+)' href='data:[^;]+;base64,([^']+)'>", page))
    assert sorted(links) == ["summary.json", "waves.csv"]
    assert "data:text/csv;base64," in page and "data:application/json;base64," in page
    write_outputs(small_outcome, tmp_path / "out")
    for name, data in links.items():
        assert base64.b64decode(data) == (tmp_path / "out" / name).read_bytes(), name
    summary = json.loads(base64.b64decode(links["summary.json"]))
    assert summary["eligible"] == small_outcome.summary["eligible"]


def _chromium(*args: str, tmp_path) -> subprocess.CompletedProcess:
    assert CHROMIUM, "chromium is required under CI"
    cmd = [CHROMIUM, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
           *args]  # fmt: skip
    env = {**os.environ, "HOME": str(tmp_path)}  # chromium writes caches under HOME
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False, env=env)


def _page_errors(stderr: str) -> list[str]:
    bad = ("Uncaught", "CONSOLE", "net::ERR", "Failed to load", "ERR_FILE_NOT_FOUND")
    return [line for line in stderr.splitlines() if any(b in line for b in bad)]


@needs_browser
def test_browser_renders_the_report(report_file, small_outcome, tmp_path):
    s = small_outcome.summary
    dom = _chromium("--dump-dom", report_file.as_uri(), tmp_path=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _page_errors(dom.stderr) == []
    html = dom.stdout
    assert "Headline figures" in html
    for title in ("Definitions", "Assumptions and limitations", "How to cite"):
        assert title in html
    assert 'download="waves.csv"' in html  # the embedded download survives parsing
    for key in ("eligible", "granted", "released_first_day"):
        assert re.search(rf'id="{key}">{re.escape(count(s[key]))}<', html), key
    assert html.count("<svg") == len(PLOTS)

    shot = tmp_path / "report.png"
    res = _chromium(f"--screenshot={shot}", "--window-size=1200,3000", report_file.as_uri(),
                    tmp_path=tmp_path)  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    assert _page_errors(res.stderr) == []
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[:2] == (3000, 1200)
    gray = pixels[..., :3].mean(axis=2)
    assert gray.std() > 0.05  # not a blank page
    assert (gray < 0.5).mean() > 0.005  # there is dark text and drawing on it
    top = gray[:1000]
    assert np.unique(np.round(top, 2)).size > 20  # text, cards and a plot, not a flat colour


def test_cli_writes_report(tmp_path):
    out = tmp_path / "r.html"
    args = ["report", str(SCENARIO_2014), "--size", "0.03", "-o", str(out)]
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("<!DOCTYPE html>")
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 2 and "--force" in again.output
    forced = CliRunner().invoke(main, [*args, "--force", "--set", "grant.rate=1"])
    assert forced.exit_code == 0, forced.output


@needs_browser
def test_browser_check_sees_console_errors(tmp_path):
    """The console check above can fail: a page with a script error is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text("<html><body><script>undefinedFunction();</script></body></html>")
    res = _chromium("--dump-dom", bad.as_uri(), tmp_path=tmp_path)
    assert any("Uncaught" in line for line in _page_errors(res.stderr))
