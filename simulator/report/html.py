"""One self-contained HTML report of a run: no network, no script, plots as inline SVG.

Sections: what the scenario changes and assumes (from the scenario file), headline figures,
their definitions (:mod:`simulator.report.definitions`), downloads of the waves and the summary
(``data:`` links, no script), plots, breakdown tables, the model against published figures
with their sources, fitted and out-of-sample checks apart (when ``data/targets`` has figures
for the scenario; see :mod:`simulator.runs.published`), the model's assumptions and
limitations, provenance (scenario file and hash, seed, size, snapshot, simulator version, hash
of the law tables) and how to cite.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = sim.apply(sim.synthesize(s.population, seed=1, size=0.05), s)
>>> page = build_report(out, calibration=[])
>>> page.startswith("<!DOCTYPE html>"), "<script" in page, 'id="eligible"' in page
(True, False, True)
"""

from __future__ import annotations

import base64
import hashlib
from html import escape
from typing import Any

from simulator import lazy
from simulator.model.outcomes import Outcome
from simulator.report.definitions import DEFINED, DEFINITIONS, LIMITATIONS, citation
from simulator.report.outputs import DOWNLOADS, download_files
from simulator.report.plots import (
    CLEMENCY_PLOTS,
    PLOTS,
    PROJECTION_PLOTS,
    figures,
    projection_population,
    svg_text,
)
from simulator.report.projection import YEARLY_HEADER, yearly_rows
from simulator.report.tables import (
    BREAKDOWN_TITLES,
    HEADLINE,
    RUN_BREAKDOWNS,
    breakdown_rows,
    count,
    headline_rows,
    money,
    months,
)
from simulator.resources import data_dir
from simulator.runs.projection import project
from simulator.runs.published import Row

pd = lazy.module("pandas")

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;
 max-width:1060px;margin:0 auto;padding:24px;background:#fff}
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.8em;
 border-bottom:2px solid #e3e6ec;padding-bottom:.2em}h3{font-size:1.05em;margin:1.2em 0 .4em}
.ref{color:#555}.muted{color:#666;font-size:.9em}
table{border-collapse:collapse;margin:.4em 0 1em;font-variant-numeric:tabular-nums}
th,td{padding:.28em .7em;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th{background:#f4f6f9}td.n,th.n{text-align:right}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:1em 0}
.card{border:1px solid #dde1e8;border-radius:8px;padding:10px 14px;min-width:170px}
.card .v{font-size:1.5em;font-weight:600}.card .l{color:#555;font-size:.85em}
figure{margin:1em 0 2em}figure svg{width:min(100%,860px);height:auto}
figcaption{color:#555;font-size:.9em}
dt{font-weight:600;margin-top:.5em}dd{margin:0 0 .3em 1.2em}
tr.group th{background:#e9edf3;text-align:left}
pre{background:#f4f6f9;padding:.6em;overflow-x:auto;font-size:.85em}
.downloads a{margin-right:1.5em}
.fail{color:#a40000;font-weight:600}.gap{color:#8a5a00}.pass{color:#1c6b2a}
code{background:#f4f6f9;padding:0 .25em;border-radius:3px}
"""
#: Headline figures shown as cards: summary key and element id.
CARDS = ("eligible", "granted", "mean_reduction_months", "released_first_day",
         "released_first_year", "bed_years_saved", "cost_saved_usd")  # fmt: skip


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], numeric_from: int = 1) -> str:
    def cls(i: int) -> str:
        return ' class="n"' if i >= numeric_from else ""

    head = "".join(f"<th{cls(i)}>{escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f"<td{cls(i)}>{escape(str(c))}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _change_text(change: Any) -> str:
    data = change.model_dump(mode="json", exclude_none=True)
    kind = data.pop("type")
    label = data.pop("label", None)

    def text(v: Any) -> str:
        if isinstance(v, list):
            return ", ".join(text(x) for x in v)
        if isinstance(v, dict):
            return "; ".join(f"{k} {text(x)}" for k, x in v.items())
        return str(v)

    parts = "; ".join(
        f"{k.replace('_', ' ')}: {text(v)}"
        for k, v in data.items()
        if not (k == "retroactive" and v)
    )
    name = f"<b>{escape(label)}</b> " if label else ""
    return f"{name}<code>{escape(kind)}</code> — {escape(parts)}"


def scenario_section(outcome: Outcome) -> str:
    """What the scenario changes and what it assumes, from the scenario file."""
    sc = outcome.scenario
    r = sc.retroactivity
    changes = "".join(f"<li>{_change_text(ch)}</li>" for ch in sc.changes)
    assumptions = "".join(f"<li>{escape(a)}</li>" for a in sc.assumptions) or "<li>none</li>"
    mods = ", ".join(f"{k} {v:+g} log-odds" for k, v in sc.grant.modifiers.items())
    when = f"effective {r.effective}" + (
        f"; nobody released under it before {r.earliest_release}" if r.earliest_release else ""
    )
    return (
        "<section id='scenario'><h2>What the scenario changes and assumes</h2>"
        f"<p>{escape(' '.join(sc.description.split()))}</p>"
        f"<h3>Changes</h3><ul>{changes}</ul>"
        f"<p><b>When:</b> {escape(when)}. <b>Grants:</b> rate {sc.grant.rate:g}"
        f"{escape('; ' + mods if mods else '')}. <b>Cost per bed-year:</b> "
        f"${sc.costs.per_bed_year:,.2f}.</p>"
        f"<h3 id='assumptions'>Assumptions</h3><ul>{assumptions}</ul></section>"
    )


def headline_section(outcome: Outcome) -> str:
    """Headline figures as cards and as a table."""
    s = outcome.summary
    fmt = {key: (label, f) for key, label, f in HEADLINE}
    cards = "".join(
        f'<div class="card"><div class="v" id="{key}">'
        f"{escape(fmt[key][1](s[key]))}</div>"
        f"<div class='l'>{escape(fmt[key][0])}</div></div>"
        for key in CARDS
    )
    return (
        "<section id='headline'><h2>Headline figures</h2>"
        f"<div class='cards'>{cards}</div>{_table(('figure', 'value'), headline_rows(s))}"
        "</section>"
    )


def plots_section(outcome: Outcome, bands: pd.DataFrame | None = None) -> str:
    """Every plot as inline SVG."""
    figs, captions = figures(outcome, bands), {**PLOTS, **CLEMENCY_PLOTS}
    body = "".join(
        f"<figure id='plot-{name}'>{svg_text(fig)}<figcaption>{escape(captions[name])}"
        "</figcaption></figure>"
        for name, fig in figs.items()
    )
    return f"<section id='plots'><h2>Plots</h2>{body}</section>"


def projection_section(outcome: Outcome) -> str:
    """The projection, when the scenario has a ``projection`` block (see ``simulate project``).

    It follows the run's own people (its seed and size) and the new cases after them, month by
    month, baseline against reform: the plot and one row a year. Empty otherwise.
    """
    if getattr(outcome.scenario, "projection", None) is None:
        return ""
    pop = outcome.population
    proj = project(
        outcome.scenario,
        seed=pop.meta.get("seed"),
        size=pop.meta.get("size"),
        population=pop,
    )
    s = proj.summary
    fig = projection_population(proj)
    return (
        "<section id='projection'><h2>Projection</h2>"
        f"<p>Population in custody from {escape(s['start'])} "
        f"({count(s['opening_population'])} people) for {s['years']} years, with the new "
        "cases of each year; the baseline is the world without the scenario's changes. "
        f"Bed-years saved: {count(s['bed_years_saved'])} ({escape(money(s['cost_saved_usd']))})."
        "</p>"
        f"<figure id='plot-projection'>{svg_text(fig)}<figcaption>"
        f"{escape(PROJECTION_PLOTS['projection'])}</figcaption></figure>"
        + _table(YEARLY_HEADER, yearly_rows(s), numeric_from=2)
        + "</section>"
    )


def breakdown_section(outcome: Outcome) -> str:
    """Breakdown tables, and the figures of some change types (each change alone, clemency)."""
    parts = []
    for by in (*RUN_BREAKDOWNS, "sex"):
        header, rows = breakdown_rows(outcome, by)
        parts.append(f"<h3>{escape(BREAKDOWN_TITLES[by])}</h3>{_table(header, rows)}")
    s = outcome.summary
    if "by_change" in s:
        rows = [(r["change"], count(r["eligible"]), count(r["granted"]),
                 months(r["mean_reduction_months"])) for r in s["by_change"]]  # fmt: skip
        header = ("change", "eligible", "granted", "mean cut, months")
        parts.append(f"<h3>Each change alone</h3>{_table(header, rows)}")
    if "clemency" in s:
        c = s["clemency"]
        rows = [(k.replace("_", " "), count(v)) for k, v in c["criteria"].items()]
        rows += [(label, count(c[key])) for label, key in (
            ("all of them", "met_all"), ("petitions", "petitions"), ("decided", "decided"),
            ("granted", "granted"), ("granted, serving life", "granted_life"))]  # fmt: skip
        parts.append(f"<h3>Clemency: people meeting each criterion, and the flow</h3>"
                     f"{_table(('criterion or step', 'people'), rows)}")  # fmt: skip
    return f"<section id='breakdowns'><h2>Breakdowns</h2>{''.join(parts)}</section>"


#: The two roles of a published figure, in the order the report shows them.
ROLES = {
    "fitted": "Fitted (in sample): the generator is calibrated to these figures",
    "check": "Checks (out of sample): nothing is fitted to these figures",
}


def calibration_section(rows: list[Row], size: float | None) -> str:
    """Model against published figures with their sources and tolerances, by role."""
    if not rows:
        return (
            "<section id='calibration'><h2>Model against published figures</h2><p>No published "
            "figures for this scenario in <code>data/targets/</code>.</p></section>"
        )
    head = "".join(f"<th>{h}</th>" for h in ("figure", "role", "model", "published",
                                             "tolerance", "status", "source"))  # fmt: skip
    groups = []
    for role, title in ROLES.items():
        mine = [r for r in rows if r.role == role]
        if not mine:
            continue
        table_rows = [f"<tr class='group' id='role-{role}'><th colspan='7'>{escape(title)} "
                      f"({len(mine)})</th></tr>"]  # fmt: skip
        for r in mine:
            fmt = "{:,.0f}" if abs(r.published) >= 100 else "{:,.2f}"
            cls = {"pass": "pass", "known gap": "gap", "known miss": "gap"}.get(r.status, "fail")
            table_rows.append(
                f"<tr><td>{escape(r.figure)}</td><td>{escape(r.role)}</td>"
                f"<td class='n'>{fmt.format(r.model)}</td><td class='n'>{fmt.format(r.published)}"
                f"</td><td>{escape(r.tolerance)}</td><td class='{cls}'>{escape(r.status)}</td>"
                f"<td>{escape(r.source)}</td></tr>"
            )  # fmt: skip
        groups.append(f"<tbody>{''.join(table_rows)}</tbody>")
    notes = "".join(f"<li><b>{escape(r.figure)}</b>: {escape(r.note)}</li>" for r in rows if r.note)
    n_fit = sum(r.role == "fitted" for r in rows)
    return (
        "<section id='calibration'><h2>Model against published figures</h2>"
        f"<p class='muted'>The scenario's own seed and published settings, population size "
        f"{size or 1:g}; counts per unit of size. Figures and tolerances from "
        f"<code>data/targets/</code>. {n_fit} of {len(rows)} figures are fitted (the generator "
        "is calibrated to them, so they are expected to agree); the other "
        f"{len(rows) - n_fit} are out-of-sample checks.</p>"
        f"<table><thead><tr>{head}</tr></thead>{''.join(groups)}</table>"
        + (f"<h3>Where the model is off, and why</h3><ul>{notes}</ul>" if notes else "")
        + "</section>"
    )


def definitions_section() -> str:
    """What each headline figure means (:data:`simulator.report.definitions.DEFINITIONS`)."""
    labels = {key: label for key, label, _ in HEADLINE}
    items = "".join(
        f"<dt id='def-{key}'>{escape(labels.get(key, key.replace('_', ' ')))} "
        f"<code>{escape(key)}</code></dt><dd>{escape(DEFINITIONS[key])}</dd>"
        for key in DEFINED
    )
    return f"<section id='definitions'><h2>Definitions</h2><dl>{items}</dl></section>"


def limitations_section() -> str:
    """The model's general limitations; the scenario's own assumptions are in its section."""
    general = "".join(f"<li>{escape(x)}</li>" for x in LIMITATIONS)
    return (
        "<section id='limitations'><h2>Assumptions and limitations</h2>"
        "<p>The scenario's own assumptions are listed with <a href='#assumptions'>what it "
        "changes</a>. What holds for every scenario:</p>"
        f"<ul>{general}</ul></section>"
    )


def downloads_section(outcome: Outcome) -> str:
    """The waves (CSV) and the summary (JSON) as ``data:`` links: downloads with no script."""
    links = "".join(
        f"<a download='{name}' href='data:{DOWNLOADS[name]};base64,"
        f"{base64.b64encode(data).decode('ascii')}'>{escape(name)}</a>"
        for name, data in download_files(outcome).items()
    )
    return (
        "<section id='downloads'><h2>Data</h2><p class='downloads'>"
        f"{links}</p><p class='muted'>Releases by month and the summary of this run, the same "
        "files <code>simulate run --out</code> writes.</p></section>"
    )


def cite_section() -> str:
    """How to cite the simulator, from ``CITATION.cff``."""
    c = citation()
    return (
        "<section id='cite'><h2>How to cite</h2>"
        f"<p>{escape(c['text'])}</p><pre>{escape(c['bibtex'])}</pre></section>"
    )


def law_hash() -> str:
    """SHA-256 of the law tables in ``data/law`` (file names and contents, sorted)."""
    h = hashlib.sha256()
    for path in sorted((data_dir() / "law").glob("*")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def provenance_section(outcome: Outcome) -> str:
    """Where every figure came from: scenario and hash, seed, size, version, law tables."""
    s = outcome.summary
    rows = [
        ("scenario file", outcome.scenario.source_path or "-"),
        ("scenario sha256", s["scenario_sha256"]),
        ("seed", str(s["seed"])),
        ("population size (1 = calibrated)", str(s["size"])),
        ("snapshot", str(s["snapshot"])),
        ("simulator version", s["version"]),
        ("law tables (data/law) sha256", law_hash()),
        ("reference", outcome.scenario.reference),
    ]
    table = _table(("item", "value"), rows, numeric_from=9)
    return f"<section id='provenance'><h2>Provenance</h2>{table}</section>"


def build_report(
    outcome: Outcome,
    *,
    calibration: list[Row] | None = None,
    calibration_size: float | None = None,
    bands: pd.DataFrame | None = None,
) -> str:
    """The whole report as one HTML document.

    ``calibration`` holds rows of :mod:`simulator.runs.published`; ``bands`` replicate
    intervals of the monthly releases (see :func:`simulator.report.plots.releases_by_month`).
    """
    sc = outcome.scenario
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{escape(sc.title)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>{escape(sc.title)}</h1><p class='ref'>{escape(sc.reference)}</p></header>"
        + scenario_section(outcome)
        + headline_section(outcome)
        + definitions_section()
        + downloads_section(outcome)
        + plots_section(outcome, bands)
        + projection_section(outcome)
        + breakdown_section(outcome)
        + calibration_section(calibration or [], calibration_size)
        + limitations_section()
        + provenance_section(outcome)
        + cite_section()
        + "</body></html>\n"
    )
