"""Plots: files produced, non-empty, drawn from the run's numbers; bands; --plots on run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import SCENARIO_2014
from hypothesis import given
from hypothesis import strategies as st

from simulator.cli import main
from simulator.report.plots import (
    PLOTS,
    cumulative_bed_years_saved,
    eligible_by,
    releases_by_month,
    saved_until,
    svg_text,
    write_plots,
)

DAYS_PER_YEAR = 365.2425  # the mean Gregorian year (data/law/conventions.yaml)


@pytest.fixture(scope="module")
def written(small_outcome, tmp_path_factory):
    directory = tmp_path_factory.mktemp("plots")
    return directory, write_plots(small_outcome, directory)


def test_every_plot_is_written_as_png_and_svg(written):
    directory, paths = written
    assert sorted(p.name for p in paths) == sorted(
        f"{name}.{ext}" for name in PLOTS for ext in ("png", "svg")
    )
    for path in paths:
        data = path.read_bytes()
        assert len(data) > 5000, path
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG")
        else:
            assert b"<svg" in data[:2000]
    assert not list(directory.glob(".*.tmp"))  # atomic writes leave no temporaries


def test_png_is_not_blank(written):
    from matplotlib.image import imread

    directory, _ = written
    pixels = imread(directory / "releases_by_month.png")
    assert pixels.std() > 0.05


def test_existing_plots_are_not_overwritten_without_force(written, small_outcome):
    directory, paths = written
    before = paths[0].stat().st_mtime_ns
    with pytest.raises(FileExistsError, match="--force"):
        write_plots(small_outcome, directory)
    assert paths[0].stat().st_mtime_ns == before
    write_plots(small_outcome, directory, force=True)


def test_same_run_draws_the_same_svg(small_outcome):
    a = svg_text(eligible_by(small_outcome, "race"))
    b = svg_text(eligible_by(small_outcome, "race"))
    assert a == b


def test_release_bars_are_the_wave_counts(small_outcome):
    fig = releases_by_month(small_outcome.waves)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [float(v) for v in small_outcome.wave_counts["releases"]]


def test_bands_are_drawn(small_outcome):
    waves = small_outcome.waves
    n = len(waves)
    bands = pd.DataFrame(
        {
            "month": waves["month"],
            "median": waves["releases"],
            "lo": waves["releases"] * 0.8,
            "hi": waves["releases"] * 1.2,
        }
    )
    fig = releases_by_month(waves, bands)
    ax = fig.axes[0]
    assert ax.get_legend() is not None
    assert len(ax.lines) == 1 and len(ax.lines[0].get_xdata()) == n
    assert len(ax.collections) == 1  # the shaded interval


def test_cumulative_curve_ends_near_the_total_and_never_falls(small_outcome):
    fig = cumulative_bed_years_saved(small_outcome)
    y = np.asarray(fig.axes[0].lines[0].get_ydata())
    assert (np.diff(y) >= -1e-9).all()
    assert y[-1] <= small_outcome.summary["bed_years_saved"] + 1e-6
    assert y[-1] > 0.5 * small_outcome.summary["bed_years_saved"]


@given(
    st.lists(st.tuples(st.integers(0, 5000), st.integers(0, 3000)), min_size=1, max_size=30),
    st.lists(st.integers(-100, 9000), min_size=1, max_size=10),
)
def test_saved_until_matches_the_person_by_person_sum(pairs, days):
    new = np.array([a for a, _ in pairs])
    old = new + np.array([b for _, b in pairs])
    t = np.array(days)
    expected = [sum(max(0, min(o, d) - n) for n, o in zip(new, old, strict=True)) for d in days]
    assert np.allclose(saved_until(new, old, t) * DAYS_PER_YEAR, expected)


def test_run_writes_plots(tmp_path):
    result = CliRunner().invoke(
        main,
        ["run", str(SCENARIO_2014), "--size", "0.03", "--plots", str(tmp_path / "p")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "releases_by_month.png").stat().st_size > 5000
    again = CliRunner().invoke(
        main, ["run", str(SCENARIO_2014), "--size", "0.03", "--plots", str(tmp_path / "p")]
    )
    assert again.exit_code == 2 and "--force" in again.output


def test_help_does_not_import_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys; from click.testing import CliRunner; from simulator.cli import main; "
        "CliRunner().invoke(main, ['--help']); "
        "print(sorted(m for m in ('matplotlib', 'pandas', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_run_writes_nothing_when_a_plot_exists(tmp_path):
    plots, out = tmp_path / "p", tmp_path / "o"
    plots.mkdir()
    (plots / "reduction_distribution.svg").write_text("keep")
    res = CliRunner().invoke(
        main,
        ["run", str(SCENARIO_2014), "--size", "0.03", "--plots", str(plots), "--out", str(out)],
    )
    assert res.exit_code == 2 and "--force" in res.output
    assert not out.exists()
    assert (plots / "reduction_distribution.svg").read_text() == "keep"
