"""The HTML report: self-contained, and rendered by a real headless browser (Debian chromium).

The browser tests need the ``chromium`` command (``.ci/run`` installs it). Without it they are
skipped, except under CI (the ``CI`` environment variable), where they must run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import SCENARIO_2014

from simulator.cli import main
from simulator.report.html import build_report
from simulator.report.plots import PLOTS
from simulator.report.tables import count, money
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
    other = small_outcome.scenario.model_copy(update={"source_path": "scenarios/equal_act.yaml"})
    assert target_file_for(other) is None


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
