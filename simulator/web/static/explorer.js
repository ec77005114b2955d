// The explorer's page: it asks the server's JSON API (/api/...) and draws what comes back.
// No library and nothing from another site: the server's Content-Security-Policy forbids it.
"use strict";

const HEADLINE = [
  ["population", "People in custody on the snapshot date", "int"],
  ["eligible", "Eligible for a reduction", "int"],
  ["granted", "Granted", "int"],
  ["mean_reduction_months", "Mean reduction, months", "dec"],
  ["mean_reduction_pct", "Mean reduction, % of term", "dec"],
  ["released_first_day", "Released on the first possible day", "int"],
  ["released_first_year", "Released in the following 12 months", "int"],
  ["bed_years_saved", "Bed-years saved", "int"],
  ["cost_saved_usd", "Cost saved, USD", "int"],
  ["first_release_date", "First possible release", "text"],
];
const DOWNLOADS = [
  ["summary.json", "Summary (JSON, with provenance)"],
  ["waves.csv", "Releases by month (CSV)"],
  ["outputs-csv.zip", "Every table as CSV, with meta.json (zip)"],
  ["outputs-parquet.zip", "Every table as Parquet, with meta.json (zip)"],
];
const BREAKDOWN_TITLES = {drug_type: "By drug", race: "By race", category: "By criminal history category"};

let CATALOG = [];
let LIMITS = {};

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs = {}) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
}

function fmt(value, kind) {
  if (value === null || value === undefined) return "–";
  if (kind === "text" || typeof value !== "number") return String(value);
  if (kind === "dec") return value.toLocaleString("en-US", {maximumFractionDigits: 1, minimumFractionDigits: 1});
  return Math.round(value).toLocaleString("en-US");
}

function entry(name) { return CATALOG.find((e) => e.name === name); }

function knobText(value) { return value === null || value === undefined ? "" : String(value); }

function renderScenario(name, sets) {
  const e = entry(name);
  $("scenario-title").textContent = e.title;
  $("scenario-reference").textContent = e.reference;
  $("scenario-description").textContent = e.description || "";
  $("scenario-assumptions").replaceChildren(...(e.assumptions || []).map((a) => el("li", {text: a})));
  const given = new Map(sets.map((s) => [s.slice(0, s.indexOf("=")), s.slice(s.indexOf("=") + 1)]));
  const common = [], own = [];
  e.knobs.forEach((k, i) => {
    const id = `knob-${i}`;
    const value = given.has(k.key) ? given.get(k.key) : knobText(k.value);
    given.delete(k.key);
    const input = el("input", {id, "data-key": k.key, "data-default": knobText(k.value),
      inputmode: k.kind === "number" ? "decimal" : "text",
      placeholder: k.kind === "date" ? "YYYY-MM-DD" : ""});
    input.value = value;
    const box = el("div", {class: "knob"}, el("label", {for: id, text: k.label}), input,
      el("div", {class: "error", id: `error-${id}`, role: "alert"}));
    (k.key.startsWith("changes.") ? own : common).push(box);
  });
  $("knobs").replaceChildren(...common);
  $("change-knobs").replaceChildren(...own);
  $("change-knobs-box").hidden = own.length === 0;
  $("sets").value = [...given].map(([k, v]) => `${k}=${v}`).join("\n");
  $("size").placeholder = String(e.size);
  $("seed").placeholder = String(e.seed);
}

function collect() {
  const sets = [];
  for (const input of document.querySelectorAll("#knobs input, #change-knobs input")) {
    const value = input.value.trim();
    if (value === input.dataset.default) continue;
    sets.push(`${input.dataset.key}=${value === "" ? "null" : value}`);
  }
  for (const line of $("sets").value.split("\n")) if (line.trim()) sets.push(line.trim());
  const params = new URLSearchParams();
  params.append("scenario", $("scenario").value);
  if ($("seed").value.trim()) params.append("seed", $("seed").value.trim());
  if ($("size").value.trim()) params.append("size", $("size").value.trim());
  for (const s of sets) params.append("set", s);
  return params;
}

function clearErrors() {
  for (const node of document.querySelectorAll(".error")) node.textContent = "";
  for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

function showError(field, message) {
  let box = null, input = null;
  if (field && field.startsWith("set:")) {
    input = document.querySelector(`input[data-key="${CSS.escape(field.slice(4))}"]`);
    box = input ? $(`error-${input.id}`) : $("error-set");
    if (!input) input = $("sets");
  } else if (field && $(`error-${field}`)) {
    box = $(`error-${field}`);
    input = $(field);
  } else {
    box = $("error-run");
  }
  box.textContent = message;
  if (input) input.setAttribute("aria-invalid", "true");
  if (input && input.closest("details")) input.closest("details").open = true;
}

class ApiError extends Error {
  constructor(message, field) { super(message); this.field = field; }
}

async function call(path, params, upload) {
  const url = `${path}?${params}`;
  const response = upload === null ? await fetch(url) : await fetch(url, {method: "POST", body: upload});
  const body = await response.json().catch(() => ({error: `HTTP ${response.status}`}));
  if (!response.ok) throw new ApiError(body.error || `HTTP ${response.status}`, body.field);
  return body;
}

async function uploadText() {
  const file = $("upload").files[0];
  return file ? await file.text() : null;
}

function compareParams(params) {
  const choice = $("compare").value;
  if (!choice) return null;
  const other = new URLSearchParams();
  const name = params.get("scenario");
  other.append("scenario", choice === "=shipped" ? name : choice);
  // one seed for both runs (common random numbers): the first scenario's, unless one was given
  const seed = params.get("seed") || (entry(name) ? String(entry(name).seed) : null);
  if (seed !== null) other.append("seed", seed);
  if (params.has("size")) other.append("size", params.get("size"));
  return other;
}

async function run(event) {
  if (event) event.preventDefault();
  clearErrors();
  const params = collect();
  const upload = await uploadText();
  if (upload !== null) params.delete("scenario");
  $("status").textContent = "Running…";
  $("run").disabled = true;
  try {
    const main = await call("/api/run", params, upload);
    const againstParams = compareParams(params);
    const against = againstParams ? await call("/api/run", againstParams, null) : null;
    render(main, against, params, upload !== null);
    $("status").textContent = "Done.";
  } catch (err) {
    $("status").textContent = "";
    $("results").classList.add("stale");  // the figures shown are not of the values shown
    showError(err.field, err.message);
  } finally {
    $("run").disabled = false;
  }
}

function render(main, against, params, uploaded) {
  $("results").hidden = false;
  $("results").classList.remove("stale");
  $("result-title").textContent = main.scenario;
  const head = [el("th", {text: "figure"}), el("th", {text: uploaded ? "your scenario" : "this run"})];
  if (against) head.push(el("th", {text: against.scenario === main.scenario ? "as shipped" : against.scenario}), el("th", {text: "difference"}));
  $("headline-head").replaceChildren(...head);
  const rows = HEADLINE.map(([key, label, kind]) => {
    const cells = [el("th", {text: label}), el("td", {id: `fig-${key}`, text: fmt(main[key], kind)})];
    if (against) {
      cells.push(el("td", {id: `cmp-${key}`, text: fmt(against[key], kind)}));
      const diff = typeof main[key] === "number" && typeof against[key] === "number" ? main[key] - against[key] : null;
      cells.push(el("td", {text: diff === null ? "" : (diff > 0 ? "+" : "") + fmt(diff, kind)}));
    }
    return el("tr", {}, ...cells);
  });
  document.querySelector("#headline tbody").replaceChildren(...rows);
  drawWaves(main, against);
  drawBreakdowns(main);
  const query = params.toString();
  const compare = $("compare").value ? `&compare=${encodeURIComponent($("compare").value)}` : "";
  if (!uploaded) {
    const link = `${location.pathname}?${query}${compare}`;
    $("permalink").href = link;
    $("permalink").parentElement.hidden = false;
    history.replaceState(null, "", link);
    $("command").textContent = "The same run on the command line: " + command(params);
    $("downloads").replaceChildren(...DOWNLOADS.map(([file, label]) =>
      el("li", {}, el("a", {href: `/api/download/${file}?${query}`, download: "", text: label}))));
  } else {
    $("permalink").parentElement.hidden = true;
    $("command").textContent = "An uploaded scenario has no link: save the file, and run it with simulate run FILE.";
    $("downloads").replaceChildren();
  }
  loadPublished(uploaded ? null : params.get("scenario"));
}

function command(params) {
  const quote = (s) => /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\"'\"'")}'`;
  const args = ["simulate", "run", params.get("scenario"), "--json"];
  if (params.has("seed")) args.push("--seed", params.get("seed"));
  if (params.has("size")) args.push("--size", params.get("size"));
  for (const s of params.getAll("set")) args.push("--set", s);
  return args.map(quote).join(" ");
}

function drawWaves(main, against) {
  const series = [main.waves || []];
  if (against) series.push(against.waves || []);
  const months = [...new Set(series.flat().map((w) => w.month))].sort();
  const value = (s, m) => { const w = s.find((x) => x.month === m); return w ? w.releases : 0; };
  let last = 0;
  months.forEach((m, i) => { if (series.some((s) => value(s, m) > 0)) last = i; });
  const shown = months.slice(0, Math.min(months.length, last + 2, 180));
  const max = Math.max(1, ...shown.flatMap((m) => series.map((s) => value(s, m))));
  const W = 760, H = 240, left = 60, bottom = 30, top = 10;
  const bw = (W - left - 10) / Math.max(1, shown.length);
  const chart = svg("svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "Releases by month", class: "chart"});
  chart.append(svg("line", {x1: left, x2: W - 10, y1: H - bottom, y2: H - bottom, class: "axis"}));
  const y = (v) => H - bottom - (H - bottom - top) * v / max;
  for (const t of [0, max / 2, max]) {
    chart.append(svg("line", {x1: left - 4, x2: W - 10, y1: y(t), y2: y(t), class: "grid"}));
    const label = svg("text", {x: left - 8, y: y(t) + 4, "text-anchor": "end"});
    label.textContent = Math.round(t).toLocaleString("en-US");
    chart.append(label);
  }
  shown.forEach((m, i) => {
    series.forEach((s, j) => {
      const v = value(s, m), w = bw / series.length;
      const bar = svg("rect", {x: left + i * bw + j * w, y: y(v), width: Math.max(0.5, w - 0.5), height: H - bottom - y(v), class: j ? "bar other" : "bar"});
      const tip = svg("title"); tip.textContent = `${m}: ${v.toLocaleString("en-US")}`;
      bar.append(tip); chart.append(bar);
    });
    if (m.endsWith("-01") && bw * (shown.length - i) > 24) {
      const label = svg("text", {x: left + i * bw, y: H - bottom + 16});
      label.textContent = m.slice(0, 4);
      chart.append(label);
    }
  });
  const box = $("waves-chart");
  box.replaceChildren(chart);
  if (against) box.append(el("p", {class: "legend"}, el("span", {class: "key"}), " this run  ", el("span", {class: "key other"}), " compared with"));
}

function drawBreakdowns(main) {
  const tables = Object.entries(main.breakdowns || {}).map(([by, rows]) => {
    if (!rows.length) return el("p", {text: `${by}: no rows`});
    const cols = Object.keys(rows[0]);
    const head = el("tr", {}, ...cols.map((c) => el("th", {text: c.replaceAll("_", " ")})));
    const body = rows.map((r) => el("tr", {}, ...cols.map((c, i) => el(i ? "td" : "th", {text: fmt(r[c], /months|pct/.test(c) ? "dec" : "int")}))));
    return el("div", {class: "breakdown"}, el("h4", {text: BREAKDOWN_TITLES[by] || by}),
      el("table", {id: `by-${by}`}, el("thead", {}, head), el("tbody", {}, ...body)));
  });
  $("breakdowns").replaceChildren(...tables);
}

async function loadPublished(name) {
  const box = $("published-box");
  const e = name ? entry(name) : null;
  if (!e || !e.published) { box.hidden = true; return; }
  try {
    const body = await call("/api/published", new URLSearchParams({scenario: name}), null);
    const rows = body.rows.map((r) => el("tr", {class: r.status === "pass" ? "" : "miss"},
      el("th", {text: r.figure}), el("td", {text: fmt(r.model, "dec")}), el("td", {text: fmt(r.published, "dec")}),
      el("td", {text: r.tolerance}), el("td", {text: r.status}),
      el("td", {text: r.role === "fitted" ? "fitted" : "out of sample"}), el("td", {class: "source", text: r.source})));
    document.querySelector("#published tbody").replaceChildren(...rows);
    box.hidden = rows.length === 0;
  } catch (err) {
    box.hidden = true;
  }
}

async function init() {
  const body = await (await fetch("/api/scenarios")).json();
  CATALOG = body.scenarios;
  LIMITS = body.limits;
  $("version").textContent = body.version;
  const select = $("scenario");
  select.replaceChildren(...CATALOG.map((e) => el("option", {value: e.name, text: `${e.name} — ${e.title}`})));
  for (const e of CATALOG) $("compare").append(el("option", {value: e.name, text: `${e.name} — ${e.title}`}));
  $("size").title = `At most ${LIMITS.max_size} on this server`;
  const url = new URLSearchParams(location.search);
  const name = entry(url.get("scenario")) ? url.get("scenario") : (entry("2014_guidelines") ? "2014_guidelines" : CATALOG[0].name);
  select.value = name;
  $("seed").value = url.get("seed") || "";
  $("size").value = url.get("size") || "";
  if (url.get("compare")) $("compare").value = url.get("compare");
  renderScenario(name, url.getAll("set"));
  select.addEventListener("change", () => { clearErrors(); renderScenario(select.value, []); });
  $("upload").addEventListener("change", () => clearErrors());
  $("controls").addEventListener("submit", run);
  document.body.dataset.ready = "true";
  if (url.get("scenario")) await run(null);
}

document.addEventListener("DOMContentLoaded", () => {
  init().catch((err) => { $("error-run").textContent = `The page could not start: ${err.message}`; });
});
