"""Plots of a run, drawn with matplotlib's object API (no pyplot state, headless).

Each function returns a :class:`matplotlib.figure.Figure`; :func:`write_plots` saves them all
as PNG and SVG, as one output folder (:mod:`simulator.outputs_folder`), and :func:`svg_text`
gives an SVG to inline in a web page. Text is drawn as paths, so the SVG needs no font, and
files carry no date, so the same run draws the same bytes.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.05), s)
>>> fig = releases_by_month(out.waves)
>>> fig.axes[0].get_ylabel()
'people released'
>>> svg_text(reduction_distribution(out)).startswith("<svg")
True
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator import lazy
from simulator.calendar import EPOCH
from simulator.files import Writer
from simulator.law import conventions
from simulator.model.outcomes import Outcome
from simulator.outputs_folder import write_folder
from simulator.report.outputs import clemency_by_month

if TYPE_CHECKING:  # for annotations only: matplotlib loads on first use, projections with them
    from matplotlib.figure import Figure

    from simulator.runs.projection import Projection

pd = lazy.module("pandas")
mpl = lazy.module("matplotlib")  # matplotlib costs over half a second; only plots need it
figure = lazy.module("matplotlib.figure")
ticker = lazy.module("matplotlib.ticker")

#: Plot name -> what it shows (the files are ``<name>.png`` and ``<name>.svg``).
PLOTS: dict[str, str] = {
    "releases_by_month": "People released earlier than before, by month of release",
    "cumulative_bed_years_saved": "Bed-years saved, cumulative",
    "eligible_by_drug_type": "Eligible and granted by drug type",
    "eligible_by_race": "Eligible and granted by race",
    "reduction_distribution": "Distribution of reductions, months",
}
#: Plots only a clemency scenario draws, besides :data:`PLOTS`.
CLEMENCY_PLOTS: dict[str, str] = {
    "clemency_by_month": "Clemency: petitions pending and grants so far, by month",
}
COLORS = {"eligible": "#4c72b0", "granted": "#dd8452", "population": "#c8ccd4", "band": "#4c72b0"}
_RC = {
    "svg.fonttype": "path",
    "svg.hashsalt": "simulator",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _figure(width: float = 7.0, height: float = 3.4) -> Figure:
    return figure.Figure(figsize=(width, height), dpi=100, layout="constrained")


def _thousands(axis: Any) -> None:
    axis.set_major_formatter(ticker.StrMethodFormatter("{x:,.0f}"))


def _months(labels: Any) -> np.ndarray:
    """``YYYY-MM`` labels as ``datetime64[D]`` (first of the month), for a date axis."""
    return np.asarray(labels, dtype="datetime64[M]").astype("datetime64[D]")


def _provenance(fig: Figure, outcome: Outcome | None) -> None:
    if outcome is not None:
        _stamp(fig, outcome.summary)


def _stamp(fig: Figure, s: dict) -> None:
    """Seed, scenario hash and version in the bottom-left corner, clear of the titles."""
    fig.text(
        0.005,
        0.005,
        f"seed {s['seed']} · scenario {s['scenario_sha256'][:12]} · simulator {s['version']}",
        ha="left",
        va="bottom",
        fontsize=6,
        color="#888888",
    )


def releases_by_month(
    waves: pd.DataFrame | dict, bands: pd.DataFrame | None = None, *, title: str | None = None
) -> Figure:
    """Releases by month: people released earlier than before, by the month they now leave.

    Parameters
    ----------
    waves : DataFrame or dict
        ``month`` (``YYYY-MM``) and ``releases`` columns (:attr:`Outcome.waves`).
    bands : DataFrame, optional
        Replicate intervals with columns ``month``, ``median``, ``lo``, ``hi``: drawn as a
        shaded band with the median as a line.
    title : str, optional
        Title of the plot.
    """
    with mpl.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        x = _months(waves["month"])
        y = np.asarray(waves["releases"], dtype=np.float64)
        ax.bar(x, y, width=25, color=COLORS["eligible"], label="this run", align="edge")
        if bands is not None and len(bands):
            bx = _months(bands["month"]) + np.timedelta64(14, "D")
            ax.fill_between(
                bx,
                np.asarray(bands["lo"], dtype=np.float64),
                np.asarray(bands["hi"], dtype=np.float64),
                color=COLORS["granted"],
                alpha=0.35,
                linewidth=0,
                label="replicate interval",
            )
            ax.plot(bx, np.asarray(bands["median"], dtype=np.float64), color=COLORS["granted"],
                    linewidth=1.2, label="replicate median")  # fmt: skip
            ax.legend(frameon=False)
        _thousands(ax.yaxis)
        ax.set_ylabel("people released")
        ax.set_xlabel("month of release")
        ax.set_title(title or PLOTS["releases_by_month"], loc="left")
        ax.set_ylim(bottom=0)
    return fig


def saved_until(new_release: np.ndarray, old_release: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Bed-years saved by each day in ``days``: custody between the new and old release dates.

    For people with ``new <= old``, by day *t* each has saved ``max(0, min(old, t) - new)``
    days, which is ``sum(t - new | new < t) - sum(t - old | old < t)``: two sorted cumulative
    sums, no loop over people.

    Examples
    --------
    >>> saved_until(np.array([0, 10]), np.array([365, 20]), np.array([0, 15, 400])) * 365.2425
    array([  0.,  20., 375.])
    """
    days = np.asarray(days, dtype=np.float64)

    def before(release: np.ndarray) -> np.ndarray:
        r = np.sort(release.astype(np.float64))
        k = np.searchsorted(r, days, side="left")
        total = np.concatenate([[0.0], np.cumsum(r)])
        return k * days - total[k]

    return (before(new_release) - before(old_release)) / conventions().days_per_year


def cumulative_bed_years_saved(outcome: Outcome) -> Figure:
    """Bed-years saved by each month since the change took effect, cumulative."""
    moved = outcome.moved
    new = outcome.reduction.release[moved].astype(np.int64)
    old = outcome.population.release_date[moved].astype(np.int64)
    months = outcome.wave_counts["month"]
    ends = _months(months) + np.timedelta64(31, "D")  # about the end of each month
    ends = ends.astype("datetime64[M]").astype("datetime64[D]")
    end_days = (ends - EPOCH).astype(np.int64)
    saved = saved_until(new, old, end_days)
    with mpl.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        ax.fill_between(ends, saved, color=COLORS["eligible"], alpha=0.25, linewidth=0)
        ax.plot(ends, saved, color=COLORS["eligible"], linewidth=1.5)
        total = outcome.summary["bed_years_saved"]
        ax.axhline(total, color="#555555", linewidth=0.8, linestyle="--")
        ax.annotate(
            f"all: {total:,.0f} bed-years",
            (ends[0], total),
            xytext=(0, 3),
            textcoords="offset points",
            fontsize=8,
            color="#555555",
        )
        _thousands(ax.yaxis)
        ax.set_ylabel("bed-years saved")
        ax.set_xlabel("date")
        ax.set_ylim(bottom=0, top=max(total, float(saved.max(initial=0))) * 1.1 or 1)
        ax.set_title(PLOTS["cumulative_bed_years_saved"], loc="left")
        _provenance(fig, outcome)
    return fig


def eligible_by(outcome: Outcome, by: str = "drug_type") -> Figure:
    """People in custody, eligible and granted by group (``drug_type``, ``race``, ...)."""
    cols = outcome.breakdown_columns(by)
    names = [str(n) for n in cols[by]]
    y = np.arange(len(names))
    with mpl.rc_context(_RC):
        fig = _figure(7.0, 0.45 * len(names) + 1.4)
        ax = fig.add_subplot()
        h = 0.27
        for i, (key, label) in enumerate(
            (("population", "in custody"), ("eligible", "eligible"), ("granted", "granted"))
        ):
            values = np.asarray(cols[key], dtype=np.float64)
            bars = ax.barh(y + (i - 1) * h, values, height=h, color=COLORS[key], label=label)
            if key == "eligible":
                pct = [f"{p:.0f}%" if np.isfinite(p) else "" for p in cols["eligible_pct"]]
                ax.bar_label(bars, labels=pct, padding=2, fontsize=7, color="#333333")
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        _thousands(ax.xaxis)
        ax.set_xlabel("people")
        fig.legend(frameon=False, loc="outside lower right", ncols=3)
        ax.set_title(PLOTS.get(f"eligible_by_{by}", f"Eligible by {by}"), loc="left")
        _provenance(fig, outcome)
    return fig


def reduction_distribution(outcome: Outcome) -> Figure:
    """Histogram of the months cut from the terms of the people granted."""
    red = outcome.reduction
    g = red.granted
    cut = (outcome.population.term.astype(np.float64) - red.term)[g]
    with mpl.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        if cut.size:
            top = max(float(np.percentile(cut, 99.5)), 1.0)
            bins = np.linspace(0, top, 40)
            ax.hist(np.minimum(cut, top), bins=bins, color=COLORS["eligible"])
            if (cut > top).any():
                ax.annotate(
                    f"last bar: {top:.0f} months or more",
                    (1, 0.5),
                    xycoords="axes fraction",
                    ha="right",
                    fontsize=7,
                    color="#555555",
                )
            mean = float(cut.mean())
            ax.axvline(mean, color=COLORS["granted"], linewidth=1.5)
            ax.annotate(
                f"mean {mean:.1f}",
                (mean, 1),
                xycoords=("data", "axes fraction"),
                xytext=(3, -10),
                textcoords="offset points",
                fontsize=8,
                color=COLORS["granted"],
            )
        else:
            ax.text(0.5, 0.5, "nobody granted", transform=ax.transAxes, ha="center")
        ax.set_xlabel("months cut from the term (granted)")
        _thousands(ax.yaxis)
        ax.set_ylabel("people")
        ax.set_title(PLOTS["reduction_distribution"], loc="left")
        _provenance(fig, outcome)
    return fig


def clemency_flow(outcome: Any) -> Figure | None:
    """Petitions pending and grants so far at each month's end; None without clemency.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_clemency_initiative.yaml")
    >>> fig = clemency_flow(sim.apply(sim.synthesize(s.population, seed=1, size=0.02), s))
    >>> fig.axes[0].get_ylabel()
    'petitions or grants'
    """
    frame = clemency_by_month(outcome.summary)
    if frame is None:
        return None
    x = _months(frame["month"]) + np.timedelta64(27, "D")  # about the end of each month
    with mpl.rc_context(_RC):
        fig = _figure()
        ax = fig.add_subplot()
        ax.plot(x, frame["backlog"], color=COLORS["eligible"], linewidth=1.5, label="pending")
        ax.plot(x, frame["grants_cumulative"], color=COLORS["granted"], linewidth=1.5,
                label="granted so far")  # fmt: skip
        ax.legend(frameon=False)
        _thousands(ax.yaxis)
        ax.set_ylabel("petitions or grants")
        ax.set_xlabel("end of month")
        ax.set_ylim(bottom=0)
        ax.set_title(CLEMENCY_PLOTS["clemency_by_month"], loc="left")
        _provenance(fig, outcome)
    return fig


def figures(outcome: Outcome, bands: pd.DataFrame | None = None) -> dict[str, Figure]:
    """Every plot of :data:`PLOTS` for a run, and of :data:`CLEMENCY_PLOTS` for clemency."""
    waves = releases_by_month(outcome.waves, bands)
    _provenance(waves, outcome)
    figs = {
        "releases_by_month": waves,
        "cumulative_bed_years_saved": cumulative_bed_years_saved(outcome),
        "eligible_by_drug_type": eligible_by(outcome, "drug_type"),
        "eligible_by_race": eligible_by(outcome, "race"),
        "reduction_distribution": reduction_distribution(outcome),
    }
    flow = clemency_flow(outcome)
    if flow is not None:
        figs["clemency_by_month"] = flow
    return figs


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    with mpl.rc_context(_RC):
        metadata = {"Date": None} if fmt == "svg" else {"Software": None}
        fig.savefig(buf, format=fmt, dpi=110 if fmt == "png" else None, metadata=metadata)
    return buf.getvalue()


def svg_text(fig: Figure) -> str:
    """The figure as an ``<svg>`` element to inline in HTML (no XML prolog or doctype)."""
    text = _save(fig, "svg").decode("utf-8")
    return text[text.index("<svg") :]


def _files(figs: dict[str, Figure]) -> dict[str, Writer]:
    """``<name>.png`` and ``<name>.svg`` of each figure: name -> writer (drawn when written)."""
    return {
        f"{name}.{ext}": lambda fh, fig=fig, ext=ext: fh.write(_save(fig, ext))
        for name, fig in figs.items()
        for ext in ("png", "svg")
    }


def plot_files(outcome: Outcome, bands: pd.DataFrame | None = None) -> dict[str, Writer]:
    """Every plot of :data:`PLOTS` as PNG and SVG files: name -> writer."""
    return _files(figures(outcome, bands))


def write_plots(
    outcome: Outcome,
    directory: Path | str,
    bands: pd.DataFrame | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Write every plot as PNG and SVG into ``directory``, one output folder; returns the paths.

    Raises :class:`~simulator.errors.OutputExistsError` (before writing anything) if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    return write_folder(directory, plot_files(outcome, bands), outcome.summary, force=force)


# ----------------------------------------------------------------------------- projections
#: Plots of a projection (``simulate project --plots``): name -> what it shows.
PROJECTION_PLOTS: dict[str, str] = {
    "projection": "Population in custody by month, baseline and reform, and the difference",
}


def projection_population(projection: Projection) -> Figure:
    """Population in custody by month, baseline and reform, and the difference.

    The top panel shows the population at the end of each month under the baseline and the
    reform, the bottom one reform minus baseline, from a
    :class:`~simulator.runs.projection.Projection`.

    Examples
    --------
    >>> import simulator as sim
    >>> from simulator.runs.projection import project
    >>> s = sim.load_scenario("scenarios/2014_guidelines_prospective.yaml")
    >>> fig = projection_population(project(s, size=0.02, years=2))
    >>> [ax.get_ylabel() for ax in fig.axes]
    ['people in custody', 'reform - baseline']
    """
    m = projection.monthly
    x = _months(m["month"]) + np.timedelta64(27, "D")  # about the end of each month
    with mpl.rc_context(_RC):
        fig = _figure(7.0, 5.0)
        top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=[2, 1])
        top.plot(x, m["baseline"], color="#555555", linewidth=1.5, label="baseline")
        top.plot(x, m["reform"], color=COLORS["eligible"], linewidth=1.5, label="reform")
        top.legend(frameon=False)
        _thousands(top.yaxis)
        top.set_ylabel("people in custody")
        top.set_title(PROJECTION_PLOTS["projection"], loc="left")
        diff = np.asarray(m["difference"], dtype=np.float64)
        bottom.fill_between(x, diff, color=COLORS["granted"], alpha=0.35, linewidth=0)
        bottom.plot(x, diff, color=COLORS["granted"], linewidth=1.2)
        bottom.axhline(0, color="#555555", linewidth=0.8)
        _thousands(bottom.yaxis)
        bottom.set_ylabel("reform - baseline")
        bottom.set_xlabel("end of month")
        _stamp(fig, projection.summary)
    return fig


def projection_plot_files(projection: Projection) -> dict[str, Writer]:
    """The plots of :data:`PROJECTION_PLOTS` as PNG and SVG files: name -> writer."""
    return _files({"projection": projection_population(projection)})


def write_projection_plots(
    projection: Projection, directory: Path | str, *, force: bool = False
) -> list[Path]:
    """Write the projection plots as PNG and SVG into ``directory``, one output folder.

    Raises :class:`~simulator.errors.OutputExistsError` (before writing anything) if the folder
    exists and ``force`` is false, or holds files that are not the outputs of a run.
    """
    files = projection_plot_files(projection)
    return write_folder(directory, files, projection.summary, force=force)
