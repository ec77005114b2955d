"""Reading the law tables from ``data/law/`` into a :class:`~simulator.law.tables.Law`.

Every file names its legal source; this module only turns their rows into arrays (periods by
effective date, thresholds by edition and drug), padded so that lookups are plain gathers.

Examples
--------
>>> law = load_law()
>>> law.editions[:2], law.life_months
(('pre2014', '1987'), 470)
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from pathlib import Path

import numpy as np

from simulator.calendar import NEVER, day
from simulator.law.codes import CATEGORIES, DRUGS
from simulator.law.conventions import conventions
from simulator.law.firearms import Firearms
from simulator.law.safety_valve import NO_CAP, HistoryRule, SafetyValve
from simulator.law.tables import Law
from simulator.resources import data_dir, read_csv, read_yaml


def _months(value: int | str, life: int) -> int:
    return life if str(value) == "life" else int(value)


@functools.cache
def load_law(directory: str | None = None) -> Law:
    """Load the law tables from ``data/law`` (cached: the arrays are built once per process)."""
    root = Path(directory) if directory else data_dir() / "law"
    conv = conventions(directory)
    life = conv.life_months

    adjustments = read_yaml(root / "adjustments.yaml")
    shape = (int(adjustments["max_level"]) + 1, len(CATEGORIES))  # rows 0..43; row 0 unused
    rmin = np.zeros(shape, dtype=np.int16)
    rmax = np.zeros(shape, dtype=np.int16)
    for row in read_csv(root / "sentencing_table.csv"):
        c = CATEGORIES.index(row["criminal_history_category"])
        rmin[int(row["offense_level"]), c] = _months(row["min_months"], life)
        rmax[int(row["offense_level"]), c] = _months(row["max_months"], life)
    chc = np.array(conv.chc_points, dtype=np.int8)

    ed_doc = read_yaml(root / "drug_quantity_editions.yaml")["editions"]
    groups: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for row in read_csv(root / "drug_quantity_tables.csv"):
        groups[row["edition"], row["drug"]].append(
            (float(row["min_grams"]), int(row["offense_level"]))
        )
    editions = tuple(e["name"] for e in ed_doc)
    width = max(len(rows) for rows in groups.values())
    thr = np.full((len(editions), len(DRUGS), width), np.inf)
    lev = np.zeros((len(editions), len(DRUGS), width), dtype=np.int8)
    for (ed, drug), rows in groups.items():
        rows.sort()
        e, d, n = editions.index(ed), DRUGS.index(drug), len(rows)
        thr[e, d, :n] = [g for g, _ in rows]
        lev[e, d, :n] = [lvl for _, lvl in rows]
        lev[e, d, n:] = lev[e, d, n - 1]

    equiv = read_yaml(root / "drug_equivalency.yaml")["marijuana_grams_per_gram"]
    own = {drug for _, drug in groups}
    table_drug = np.array([DRUGS.index(d if d in own else "marijuana") for d in DRUGS], np.int8)
    factor = np.array([1.0 if d in own else float(equiv[d]) for d in DRUGS])

    periods: list[list[tuple[int, int]]] = [[] for _ in DRUGS]
    for i, e in enumerate(ed_doc):
        for drug in e["drugs"]:
            periods[DRUGS.index(drug)].append((day(e["from"]), i))
    for d in range(len(DRUGS)):
        if not periods[d]:
            periods[d] = periods[DRUGS.index("marijuana")]
        periods[d].sort()
    ed_from, ed_of = _pad_periods(periods)
    # the powder table that scored cocaine beside each edition's crack table: the edition's
    # own, or the one in force on the day the edition took effect
    cocaine = DRUGS.index("cocaine")
    companion = np.array(
        [
            i if np.isfinite(thr[i, cocaine]).any() else _in_force(periods[cocaine], day(e["from"]))
            for i, e in enumerate(ed_doc)
        ],
        dtype=np.int8,
    )

    mm_doc = read_yaml(root / "mandatory_minimums.yaml")
    mm_periods: list[list[tuple[int, tuple[float, float]]]] = []
    for name in DRUGS:
        rows = mm_doc["thresholds"].get(name, [{"from": "1986-10-27"}])
        mm_periods.append(
            sorted(
                (
                    day(r["from"]),
                    (float(r.get("five_year", np.inf)), float(r.get("ten_year", np.inf))),
                )
                for r in rows
            )
        )
    mm_from, mm_grams = _pad_periods(mm_periods, fill=(np.inf, np.inf))

    pen = sorted(mm_doc["penalties"], key=lambda p: day(p["from"]))
    pen_from = np.array([day(p["from"]) for p in pen], dtype=np.int32)
    tiers = ("none", "five_year", "ten_year")
    floor = np.array(
        [[[_months(v, life) for v in p[t]["floor"]] for t in tiers] for p in pen], np.int16
    )
    pmax = np.array(
        [[[_months(v, life) for v in p[t]["maximum"]] for t in tiers] for p in pen], np.int16
    )

    co = read_yaml(root / "career_offender.yaml")["levels"]
    co_max = np.array([_months(r["max_months"], life) for r in co], dtype=np.int16)
    co_lev = np.array([r["level"] for r in co], dtype=np.int8)

    gct = read_yaml(root / "good_conduct_time.yaml")
    early = read_yaml(root / "early_release.yaml")
    rdap_from, rdap_max, rdap_months, rdap_excluded = _early_release(early)
    tc = early["time_credits"]
    ch = read_yaml(root / "criminal_history.yaml")
    rules = sorted(gct["rules"], key=lambda r: day(r["from"]))

    return Law(
        conventions=conv,
        range_min=rmin,
        range_max=rmax,
        chc_points=chc,
        editions=editions,
        dqt_thresholds=thr,
        dqt_levels=lev,
        edition_from=ed_from,
        edition_of=ed_of.astype(np.int8),
        table_drug=table_drug,
        table_factor=factor,
        powder_edition=companion,
        mm_from=mm_from,
        mm_grams=mm_grams,
        penalty_from=pen_from,
        penalty_floor=floor,
        penalty_max=pmax,
        career_max_months=co_max,
        career_levels=co_lev,
        adjustments=adjustments,
        gct_from=np.array([day(r["from"]) for r in rules], dtype=np.int32),
        gct_days_per_year=np.array([float(r["days_per_year"]) for r in rules]),
        gct_min_term=int(gct["minimum_term_months"]),
        gct_days_lost_per_infraction=int(gct["days_lost_per_infraction"]),
        gct_days_per_term_year=float(gct["days_per_term_year"]),
        equivalency=equiv,
        status_rule=(
            day(ch["status_points"]["from"]),
            int(ch["status_points"]["points"]),
            int(ch["status_points"]["min_other_points"]),
        ),
        zero_point_rule=(day(ch["zero_point"]["from"]), int(ch["zero_point"]["levels"])),
        zero_point_conditions=tuple(
            (
                str(c["clause"]),
                str(c["label"]),
                c.get("column"),
                int(c.get("excluded_above", 0)),
                str(c.get("not_modeled", "")),
            )
            for c in ch["zero_point"]["conditions"]
        ),
        one_point_max=int(ch["one_point_max"]),
        lesser_max=tuple(
            (
                DRUGS.index(r["drug"]),
                float(r["below_grams"]),
                tuple(_months(v, life) for v in r["maximum"]),
            )
            for r in mm_doc.get("lesser_maxima", [])
        ),
        rdap_from=rdap_from,
        rdap_max_term=rdap_max,
        rdap_months=rdap_months,
        rdap_excluded=rdap_excluded,
        ftc={
            "earned_from": day(tc["earned_from"]),
            "applied_from": day(tc["applied_from"]),
            "rate": float(tc["days_per_30"]) / 30.0,
            "max_days": int(tc["max_release_days"]),
            "excluded": tuple(str(x) for x in tc["excluded"]),
        },
        safety_valve=_safety_valve(read_yaml(root / "safety_valve.yaml")),
        firearms=_firearms(read_yaml(root / "firearms.yaml")),
    )


def _firearms(doc: dict) -> Firearms:
    """The §924(c) consecutive terms by period (``firearms.yaml``)."""
    rows, kinds = _by_day(doc["periods"]), tuple(str(k) for k in doc["kinds"])
    return Firearms(
        start=np.array([day(r["from"]) for r in rows], dtype=np.int32),
        kinds=kinds,
        first=np.array([[int(r["first"][k]) for k in kinds] for r in rows], dtype=np.int16),
        second=np.array([int(r["second_or_subsequent"]) for r in rows], dtype=np.int16),
        needs_final=np.array([bool(r["second_needs_final_prior"]) for r in rows]),
        source=str(doc["source"]),
    )


def _by_day(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda r: day(r["from"]))


def _history_rule(rows: list[dict]) -> HistoryRule:
    """The criminal-history condition of ``safety_valve.yaml`` (``statute`` or ``guideline``)."""
    rows = _by_day(rows)

    def caps(key: str) -> np.ndarray:
        return np.array([NO_CAP if r.get(key) is None else int(r[key]) for r in rows], np.int16)

    return HistoryRule(
        start=np.array([day(r["from"]) for r in rows], dtype=np.int32),
        exists=np.array([bool(r["exists"]) for r in rows]),
        max_points=caps("max_points"),
        max_without_one_point=caps("max_points_without_one_point"),
        bars_three_point=np.array([bool(r.get("prior_three_point", False)) for r in rows]),
        bars_two_point_violent=np.array(
            [bool(r.get("prior_two_point_violent", False)) for r in rows]
        ),
        text=tuple(str(r["text"]) for r in rows),
        source=tuple(str(r["source"]) for r in rows),
    )


def _safety_valve(doc: dict) -> SafetyValve:
    """The safety valve's rules, periods by the day of sentencing (``safety_valve.yaml``)."""
    red, floor, cites = _by_day(doc["reduction"]), _by_day(doc["level_floor"]), doc["numbering"]
    cites = _by_day(cites)

    def starts(rows: list[dict]) -> np.ndarray:
        return np.array([day(r["from"]) for r in rows], dtype=np.int32)

    def ints(rows: list[dict], key: str) -> np.ndarray:
        return np.array([int(r[key] or 0) for r in rows], dtype=np.int16)

    return SafetyValve(
        statute=_history_rule(doc["statute"]),
        guideline=_history_rule(doc["guideline"]),
        reduction_from=starts(red),
        reduction_levels=ints(red, "levels"),
        reduction_min_level=ints(red, "min_level"),
        reduction_source=tuple(str(r["source"]) for r in red),
        floor_from=starts(floor),
        floor_level=ints(floor, "level"),
        floor_min_months=ints(floor, "min_floor_months"),
        floor_source=tuple(str(r["source"]) for r in floor),
        numbering_from=starts(cites),
        numbering=tuple(str(r["cite"]) for r in cites),
    )


def _early_release(doc: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[str, ...]]:
    """RDAP reduction rules as arrays: start days, steps of term (padded) and months."""
    rules = sorted(doc["rules"], key=lambda r: day(r["from"]))
    width = max(len(r["months"]) for r in rules)
    top = np.iinfo(np.int16).max
    max_term = np.full((len(rules), width), top, dtype=np.int16)
    months = np.zeros((len(rules), width), dtype=np.int16)
    for i, r in enumerate(rules):
        steps = r["months"]
        for j in range(width):
            step = steps[min(j, len(steps) - 1)]
            if j < len(steps) and step["max_term_months"] is not None:
                max_term[i, j] = int(step["max_term_months"])
            months[i, j] = int(step["months"])
    starts = np.array([day(r["from"]) for r in rules], dtype=np.int32)
    return starts, max_term, months, tuple(str(x) for x in doc["excluded"])


def _in_force(periods: list[tuple[int, int]], on: int) -> int:
    """The edition of a drug's sorted ``(from day, edition)`` periods in force on day ``on``."""
    starts = [start for start, _ in periods]
    return periods[max(0, bisect.bisect_right(starts, on) - 1)][1]


def _pad_periods(periods: list[list[tuple]], fill=0) -> tuple[np.ndarray, np.ndarray]:
    """Pad per-drug lists of (start day, value) into rectangular arrays."""
    width = max(len(p) for p in periods)
    starts = np.full((len(periods), width), NEVER, dtype=np.int32)
    first = periods[0][0][1]
    shape = (len(periods), width, *np.shape(first))
    values = np.zeros(shape, dtype=np.asarray(first).dtype)
    for i, rows in enumerate(periods):
        for j, (start, value) in enumerate(rows):
            starts[i, j] = start
            values[i, j] = value
        for j in range(len(rows), width):
            values[i, j] = rows[-1][1] if rows else fill
    return starts, values
