"""The Sentencing Commission's Individual Offender Datafiles as a population.

A fiscal year's datafile holds one row per sentenced case, in the variables and codes of the
Commission's codebook. A :class:`~simulator.inputs.mapping.Codebook` (the shipped one:
``data/mappings/ussc.yaml``) names them; this module computes our columns from them and checks
every row as any population file's rows are checked (:func:`~simulator.inputs.rows.parse_frame`).

Computed fields, each with its rule:

- **sentencing date**: the file's month and year, on the codebook's ``sentencing_day``;
  the offense date is taken as the sentencing date (the files have none).
- **custody start**: the sentencing date less the months detained before it (``TIMSERVM``,
  at :attr:`~simulator.law.conventions.Conventions.days_per_month`); the sentencing date for
  a person not detained or whose months are unknown (counted).
- **release day**: from the term and the law on good-conduct time
  (:meth:`simulator.law.Law.release_day`, as for any population file without one).
- **role**: aggravating levels less mitigating levels (a decrease recorded as 2 or -2 alike).
- **drugs** (USSG §3D1.2(d), §2D1.1 Application Note 8(B)): each drug's weight in grams
  (weight times its unit) converted with the Drug Equivalency Tables
  (``data/law/drug_equivalency.yaml``); the drug of the largest converted weight is the first
  (``drug``), the next the second (``drug2``, ``grams2``), which the engine groups with it
  (:meth:`simulator.law.Law.grouped_base_level`: each scored by its own table, crack by the
  table of its date); a third or later drug's converted weight is added to the first's
  quantity, in grams of the first drug. A drug the engine does not score is left out (counted);
  a case whose weights are missing takes the file's converted weight (``MWGT``) where it has
  one, as one drug.
- **statutory tier**: the drug count's mandatory minimum in months read as tier charged and
  prior §851 convictions (the codebook's ``minimum_tier`` and ``minimum_priors``).

Cases without a prison term (probation alone, a term of 0) are left out and counted. Several
fiscal years stack into one population; :func:`read_ussc` with a snapshot keeps the stock in
custody on that day, the earlier retroactive amendments replayed on it
(:func:`simulator.inputs.synthesis.replay_amendments`) as on the synthetic stock.

Examples
--------
>>> from simulator.inputs.mapping import load_mapping
>>> raw = pd.DataFrame({"WGT1": ["500", "2"], "UNIT1": ["1", "2"], "DRUGTYP1": ["1", "3"],
...                     "DRUGTYP2": ["2", ""], "WGT2": ["28", ""], "UNIT2": ["1", ""]})
>>> drugs = drug_list(raw, load_mapping("ussc").variables)
>>> [DRUGS[d] for d in drugs.drug], drugs.grams.round(1).tolist(), drugs.several.tolist()
(['cocaine', 'heroin'], [500.0, 2000.0], [True, False])
>>> drugs.drug2.tolist(), drugs.grams2.round(1).tolist()   # 28 g of crack beside the cocaine
([2, -1], [28.0, 0.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from simulator import lazy
from simulator.calendar import day
from simulator.errors import PopulationError
from simulator.inputs.datafiles import read_datafile
from simulator.inputs.mapping import Codebook, CodebookVariables, Variable, load_mapping
from simulator.inputs.rows import MAX_LISTED, parse_frame, rejected_rows, report
from simulator.inputs.synthesis import replay_amendments
from simulator.law import DRUGS, Law, conventions, load_law
from simulator.model.population import Population, in_custody

pd = lazy.module("pandas")

#: The code a codebook gives a drug, a unit or a term the engine cannot use.
UNSUPPORTED = "unsupported"
#: The code a codebook gives a life term, range or minimum.
LIFE = "life"


# ------------------------------------------------------------------------ one variable
class _Source:
    """The file's frame and the codebook's variables: each variable's values, and its name."""

    def __init__(self, frame: pd.DataFrame, variables: CodebookVariables, path: Path) -> None:
        self.frame, self.variables, self.path = frame, variables, path
        self.n = len(frame)

    def columns(self, role: str) -> list[str]:
        """Every one of ``role``'s columns the file has, in the mapping's order.

        Raises :class:`PopulationError` when the file has none of a required variable's.
        """
        var: Variable = getattr(self.variables, role)
        found = [c.upper() for c in var.columns if c.upper() in self.frame.columns]
        if not found and var.required and var.columns:
            raise PopulationError(
                f"{self.path}: no column for {role} (the mapping names "
                f"{', '.join(var.columns)}); correct its name in the mapping if your file "
                "calls it otherwise"
            )
        return found

    def column(self, role: str) -> str | None:
        """The file's column for ``role``: the first of its names the file has."""
        found = self.columns(role)
        return found[0] if found else None

    def cells(self, role: str, column: str | None = None) -> Cells:
        """The values of ``role`` (from ``column``, or its first column the file has)."""
        col = column if column is not None else self.column(role)
        raw = self.frame[col] if col is not None else pd.Series(np.full(self.n, "", object))
        return coded(raw, getattr(self.variables, role))


@dataclass(frozen=True)
class Cells:
    """A variable's values: numbers (NaN where missing) and cells as a population file holds them.

    ``value`` is the column our frame gets: for a variable with codes, the translated codes as
    text (``true``, ``cocaine``, ``5``), or the file's own value where the codebook does not list
    it; for one without, its numbers (NaN where missing), with any cell that is no number kept
    as text for the row checks to name.
    """

    number: np.ndarray  # float64; NaN where missing, a sentinel, or not a number
    value: np.ndarray  # float64, or object where some cells are codes or text
    missing: np.ndarray  # bool: blank or a sentinel code


def as_cells(values: np.ndarray | pd.Series) -> np.ndarray:
    """A column of numbers or text as text cells: whole numbers without ``.0``, blanks empty.

    Examples
    --------
    >>> as_cells(np.array([3.0, 2.5, np.nan])).tolist(), as_cells(pd.Series(["x ", "4.0"])).tolist()
    (['3', '2.5', ''], ['x', '4'])
    """
    s = values.reset_index(drop=True) if isinstance(values, pd.Series) else pd.Series(values)
    number = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    finite = np.isfinite(number)
    whole = finite & (np.abs(number) < 2**53)
    whole &= number == np.round(np.where(whole, number, 0))
    text = s.astype(str).str.strip().to_numpy(dtype=object)
    out = np.where(finite, number.astype(str), text)
    out = np.where(whole, np.where(whole, number, 0).astype(np.int64).astype(str), out)
    return np.where(s.isna().to_numpy(), "", out).astype(object)


def code_cell(code: object) -> str:
    """One code of a codebook as a cell: ``true`` for True, ``3`` for 3.0, text stripped.

    Examples
    --------
    >>> code_cell(True), code_cell(3.0), code_cell(" life ")
    ('true', '3', 'life')
    """
    if isinstance(code, bool):
        return str(code).lower()
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code).strip()


def _as_number(code: object) -> float | None:
    """A codebook's code as a number (None for text such as ``life``, and for flags)."""
    if isinstance(code, bool):
        return None
    try:
        return float(code)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def coded(raw: pd.Series, var: Variable) -> Cells:
    """A column's cells read with a variable's sentinel codes and code table.

    Numbers are looked up as numbers (3, 3.0 and "3" are code 3), text as text; only a cell
    that is no number is ever turned into text, so a column of numbers costs no text at all.

    Examples
    --------
    >>> v = Variable(columns=["X"], codes={1: "a", 2: True, "life": 9}, missing=[9], other="z")
    >>> c = coded(pd.Series(["1", "9", "", "3.0", "x", 2.0, "life"]), v)
    >>> c.value.tolist(), c.missing.tolist()
    (['a', '', '', 'z', 'z', 'true', '9'], [False, True, True, False, False, False, False])
    >>> coded(pd.Series([5.0, 99.0, np.nan]), Variable(columns=["Y"], missing=[99])).value
    array([ 5., nan, nan])
    """
    s = raw.reset_index(drop=True)
    numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
    number = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = s.isna().to_numpy().copy()
    is_text = np.zeros(len(s), dtype=bool)
    text = stripped = np.empty(0, dtype=object)
    if not numeric:  # text cells: blanks, and the cells that are no number
        stripped = s.astype(str).str.strip().to_numpy(dtype=object)
        missing |= np.isin(stripped, _BLANK)
        is_text = np.isnan(number) & ~missing
        text = stripped[is_text]
    numbers = [x for x in map(_as_number, var.missing) if x is not None]
    missing |= np.isin(number, numbers)
    if is_text.any():
        said = np.isin(text, [code_cell(m) for m in var.missing])
        missing[np.flatnonzero(is_text)[said]] = True
        is_text &= ~missing
        text = text[~said]
    number = np.where(missing, np.nan, number)
    if not var.codes:
        value = number
        if is_text.any():  # kept as they are, for the row checks to name
            value = number.astype(object)
            value[is_text] = text
        return Cells(number, value, missing)
    pairs = [(_as_number(k), code_cell(k), code_cell(v)) for k, v in var.codes.items()]
    numeric_codes = [(x, v) for x, _, v in pairs if x is not None]
    keys = pd.Index([x for x, _ in numeric_codes], dtype=np.float64)
    found = keys.get_indexer(number) if len(keys) else np.full(len(s), -1)
    table = np.array([v for _, v in numeric_codes] + [""], dtype=object)
    value = table[found]  # -1 takes the trailing "": not listed (fixed below)
    listed = found >= 0
    if is_text.any():
        by_text = {k: v for _, k, v in pairs}
        mapped = pd.Series(text, dtype=object).map(by_text).to_numpy(dtype=object)
        at = np.flatnonzero(is_text)
        value[at] = np.where(pd.isna(mapped), "", mapped)
        listed[at] = ~pd.isna(mapped)
    unlisted = ~listed & ~missing
    if var.other is not None:
        value[unlisted] = code_cell(var.other)
    elif unlisted.any():  # the file's own value: a number (whole ones as ints) or text
        at = np.flatnonzero(unlisted & ~is_text)
        x = number[at]
        whole = x == np.round(x)
        value[at] = np.where(whole, np.where(whole, x, 0).astype(np.int64).astype(object), x)
        if is_text.any():
            value[unlisted & is_text] = stripped[unlisted & is_text]
    value[missing] = ""
    return Cells(number, value, missing)


#: Cells that are blank: empty, SAS's "." and the usual spellings of not available.
_BLANK = ("", ".", "nan", "NaN", "NA", "None", "<NA>")


# ------------------------------------------------------------------------ the drugs
@dataclass(frozen=True)
class Drugs:
    """Each case's primary drug (index into DRUGS, -1: none) and quantity in its grams."""

    drug: np.ndarray
    grams: np.ndarray  # NaN where unknown
    drug2: np.ndarray  # the second drug (index into DRUGS, -1: none), grouped with the first
    grams2: np.ndarray  # its grams (0 without one)
    several: np.ndarray  # more than one drug (grouped, or summed as converted weight)
    left_out: np.ndarray  # a drug the engine does not score was left out of the sum
    from_file_weight: np.ndarray  # quantity from the file's converted weight
    first_code: np.ndarray  # the first drug's code as the file held it (for the row message)


def drug_list(frame: pd.DataFrame, variables: CodebookVariables, path: Path = Path("")) -> Drugs:
    """The primary drug and quantity of each case (USSG §2D1.1, Application Note 8(B))."""
    src = _Source(frame, variables, path)
    law = load_law()
    equiv = law.marijuana_factors
    types, weights, units = (src.columns(r) for r in ("drug_types", "drug_weights", "weight_units"))
    slots = min(len(types), len(weights), len(units)) if weights and units else len(types)
    n = src.n
    count = src.cells("drug_count").number if src.column("drug_count") else np.full(n, np.inf)
    code = np.full((n, max(slots, 1)), -2, dtype=np.int64)  # -2 none, -1 not scored
    grams = np.full((n, max(slots, 1)), np.nan)
    for k in range(slots):
        d = src.cells("drug_types", types[k]).value
        idx = pd.Index(DRUGS).get_indexer(d)
        code[:, k] = np.where(idx >= 0, idx, np.where(d == "", -2, -1))
        code[count <= k, k] = -2  # past the number of drugs the file gives
        if k < len(weights) and k < len(units):
            factor = pd.to_numeric(
                pd.Series(src.cells("weight_units", units[k]).value, dtype=object),
                errors="coerce",
            ).to_numpy(dtype=np.float64)
            grams[:, k] = src.cells("drug_weights", weights[k]).number * factor
    scored = code >= 0
    safe = np.where(scored, code, 0)
    converted = np.where(scored, grams * equiv[safe], 0.0)
    weighed = scored & np.isfinite(grams) & (grams > 0)
    all_weighed = (weighed == scored).all(axis=1) & scored.any(axis=1)
    first = np.argmax(np.where(weighed, converted, -1.0), axis=1)
    primary = np.where(scored.any(axis=1), np.take_along_axis(safe, first[:, None], 1)[:, 0], -1)
    # a case whose weights are missing: its first scored drug, weighed by the file's converted
    # weight where the file has one
    first_scored = np.take_along_axis(safe, np.argmax(scored, axis=1)[:, None], 1)[:, 0]
    primary = np.where(all_weighed, primary, np.where(scored.any(axis=1), first_scored, -1))
    combined = src.cells("combined_drug").value if src.column("combined_drug") else None
    if combined is not None:  # no drug list: the combined drug type
        idx = pd.Index(DRUGS).get_indexer(combined)
        primary = np.where((primary < 0) & (idx >= 0), idx, primary)
    # the drugs' converted weights by drug (a drug listed twice is one drug); the two largest
    # are the first and second drug, grouped by the engine (Law.grouped_base_level); a third
    # or later drug's converted weight is added to the first's quantity
    by_drug = np.zeros((n, len(DRUGS)))
    for k in range(code.shape[1]):
        np.add.at(by_drug, (np.arange(n), safe[:, k]), np.where(weighed[:, k], converted[:, k], 0))
    order = np.argsort(-by_drug, axis=1, kind="stable")
    second = np.where(
        all_weighed & (np.take_along_axis(by_drug, order[:, 1:2], 1)[:, 0] > 0), order[:, 1], -1
    )
    second = np.where(second == primary, -1, second)
    grams2 = np.where(second >= 0, by_drug[np.arange(n), np.maximum(second, 0)], 0.0)
    total = converted.sum(axis=1) - grams2  # the second drug's converted weight is its own
    grams2 = grams2 / equiv[np.maximum(second, 0)]
    out = np.where(all_weighed, total / equiv[np.maximum(primary, 0)], np.nan)
    mwgt = src.cells("converted_weight").number if src.column("converted_weight") else None
    from_file = np.zeros(n, dtype=bool)
    if mwgt is not None:
        from_file = ~all_weighed & (primary >= 0) & np.isfinite(mwgt) & (mwgt > 0)
        out = np.where(from_file, mwgt / equiv[np.maximum(primary, 0)], out)
    first_text = np.full(n, "", dtype=object)  # the first drug's code, where none is scored
    if types:
        unscored = np.flatnonzero(primary < 0)
        first_text[unscored] = as_cells(frame[types[0]].iloc[unscored])
    return Drugs(
        drug=primary.astype(np.int64), grams=np.where(primary >= 0, out, np.nan),
        drug2=np.where(primary >= 0, second, -1).astype(np.int64),
        grams2=np.where(primary >= 0, grams2, 0.0),
        several=all_weighed & (weighed.sum(axis=1) > 1),
        left_out=(code == -1).any(axis=1) & (primary >= 0), from_file_weight=from_file,
        first_code=first_text,
    )  # fmt: skip


# ------------------------------------------------------------------------ the cases
@dataclass
class Converted:
    """A datafile's cases in our columns (text cells), and what the row checks do not hold."""

    frame: pd.DataFrame  # our columns, as a population file holds them
    labels: dict[str, str]  # our column -> the file's variables it came from
    recorded: pd.DataFrame  # the file's own guideline calculation: level, range, category
    drugs: Drugs
    imprisoned: np.ndarray  # bool: a prison term was imposed
    custody_assumed: np.ndarray  # bool: custody start unknown, taken as the sentencing date
    tier_from_quantity: np.ndarray  # bool: the minimum read as a lower tier with priors


def convert(frame: pd.DataFrame, codebook: Codebook, path: Path, first_id: int = 0) -> Converted:
    """Our columns computed from a datafile's variables (every rule in the module's text)."""
    law = load_law()
    life = law.life_months
    src = _Source(frame, codebook.variables, path)
    n = src.n
    labels: dict[str, str] = {}

    def cells(role: str, ours: str | None = None) -> Cells:
        col = src.column(role)
        if ours is not None and col is not None:
            labels[ours] = col
        return src.cells(role)

    out: dict[str, np.ndarray] = {"id": np.arange(first_id, first_id + n)}
    # when: the month and year on the codebook's day
    month, year = cells("sentencing_month").number, cells("sentencing_year").number
    labels["sentencing_date"] = f"{src.column('sentencing_month')}, {src.column('sentencing_year')}"
    ok = np.isfinite(month) & np.isfinite(year) & (month >= 1) & (month <= 12) & (year >= 1900)
    ok &= year <= 2200
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype(np.int64)
    sent = months.astype("datetime64[M]").astype("datetime64[D]") + (codebook.sentencing_day - 1)
    sent_day = sent.astype(np.int64)
    out["sentencing_date"] = np.where(ok, np.datetime_as_string(sent, unit="D"), "").astype(object)
    bad_date = ~ok & np.isfinite(month) & np.isfinite(year)
    if bad_date.any():  # a month or year that is no date: shown as it was
        at = np.flatnonzero(bad_date)
        m, y = (frame[src.column(r)].iloc[at] for r in ("sentencing_month", "sentencing_year"))
        out["sentencing_date"][at] = as_cells(m) + "/" + as_cells(y)
    out["offense_date"] = out["sentencing_date"]
    labels["offense_date"] = labels["sentencing_date"]
    labels["custody_start"] = ", ".join(
        c for c in (labels["sentencing_date"], src.column("months_detained")) if c
    )
    # custody before sentencing
    detained = cells("detained").value if src.column("detained") else np.full(n, "")
    held = cells("months_detained").number if src.column("months_detained") else np.full(n, np.nan)
    known = np.isfinite(held) & (held >= 0) & (detained != "false")
    before = np.where(known, np.rint(held * conventions().days_per_month), 0).astype(np.int64)
    start = (sent_day - before).astype("datetime64[D]")
    out["custody_start"] = np.where(ok, np.datetime_as_string(start, unit="D"), "")
    custody_assumed = ok & ~known & (detained != "false")
    # the drugs
    drugs = drug_list(frame, codebook.variables, path)
    types = src.columns("drug_types")
    labels["drug"] = f"{types[0]}..{types[-1]}" if len(types) > 1 else (types or ["drug"])[0]
    weights, units = src.columns("drug_weights"), src.columns("weight_units")
    labels["grams"] = f"{weights[0]}.., {units[0]}.." if weights and units else "MWGT"
    out["drug"] = np.where(
        drugs.drug >= 0, np.asarray(DRUGS, dtype=object)[np.maximum(drugs.drug, 0)],
        np.where(drugs.first_code == "", "", drugs.first_code),
    )  # fmt: skip
    grams = np.where(np.isfinite(drugs.grams), drugs.grams, np.nan)
    out["grams"] = np.where(np.isfinite(grams), grams.astype(str), "")  # shortest round trip
    labels["drug2"], labels["grams2"] = labels["drug"], labels["grams"]
    out["drug2"] = np.where(
        drugs.drug2 >= 0, np.asarray(DRUGS, dtype=object)[np.maximum(drugs.drug2, 0)], ""
    )
    out["grams2"] = np.where(drugs.drug2 >= 0, drugs.grams2.astype(str), "")
    # case facts
    for ours, role in (
        ("weapon", "weapon"), ("acceptance", "acceptance"), ("safety_valve", "safety_valve"),
        ("career", "career"), ("chp", "points"), ("age", "age"), ("female", "female"),
        ("race", "race"), ("noncitizen", "noncitizen"),
    ):  # fmt: skip
        out[ours] = cells(role, ours).value
    agg, mit = cells("aggravating_role").number, cells("mitigating_role").number
    labels["role"] = f"{src.column('aggravating_role')} - {src.column('mitigating_role')}"
    role = agg - np.abs(mit)
    out["role"] = role
    if src.column("sub_assist"):
        out["sub_assist"] = cells("sub_assist", "sub_assist").value
    else:
        out["sub_assist"] = np.full(n, "false", dtype=object)
    minimum = cells("minimum_months", "mm_charged").value
    labels["priors_851"] = labels["mm_charged"]
    tier = coded(pd.Series(minimum), codebook.variables.minimum_tier).value
    priors = coded(pd.Series(minimum), codebook.variables.minimum_priors).value
    # where the law reads the minimum as a lower tier the quantity reaches, with priors
    reach, by_law = statutory_tier(law, _months(minimum, life), drugs, sent_day, ok)
    out["mm_charged"] = np.where(by_law, reach[0], tier)
    out["priors_851"] = np.where(by_law, reach[1], priors)
    # the sentence
    term = cells("term", "term").value
    number = _months(term, life)  # 470 or more is life
    out["term"] = np.where(np.isfinite(number), number, term)
    # 0 months is no prison term; a missing term or one that is no number is kept, for the
    # row checks to reject (unless the sentence type says there was no prison term)
    imprisoned = ~(np.isfinite(number) & (number == 0))
    if src.column("sentence_type"):
        kind = cells("sentence_type").value
        imprisoned &= kind != "false"  # probation alone
    out.update(obstruction="false", infractions="0", violent="false")
    ours = pd.DataFrame({k: np.broadcast_to(v, n) for k, v in out.items()})
    recorded = pd.DataFrame({
        "base_level": cells("base_level").number,
        "final_level": cells("final_level").number,
        "range_min": _months(cells("range_min").value, life),
        "range_max": _months(cells("range_max").value, life),
        "category": cells("category").number,
    })  # fmt: skip
    recorded.attrs["names"] = {
        role: src.column(role) for role in ("base_level", "final_level", "range_min",
                                            "range_max", "category")
    }  # fmt: skip
    labels = {k: v for k, v in labels.items() if v}
    return Converted(ours, labels, recorded, drugs, imprisoned, custody_assumed, by_law)


def statutory_tier(
    law: Law, minimum: np.ndarray, drugs: Drugs, when: np.ndarray, dated: np.ndarray
) -> tuple[tuple[np.ndarray, np.ndarray], np.ndarray]:
    """The tier and prior §851 convictions of a minimum the quantity's tier explains.

    A 120-month minimum is the 10-year tier, or the 5-year tier with one prior conviction
    (21 U.S.C. §841(b)(1)(B)); the codebook's tables read it as the first. Where the quantity
    reaches only the 5-year tier on the sentencing date and the law of that date gives that
    tier 120 months with one prior, the case is read so. Returns ``(tier, priors)`` and the
    cases read by the law (the others keep the codebook's reading).

    Examples
    --------
    >>> from simulator.law import load_law
    >>> from simulator.calendar import day
    >>> d = Drugs(drug=np.array([1, 1]), grams=np.array([600.0, 6000.0]),
    ...           drug2=np.array([-1, -1]), grams2=np.zeros(2),
    ...           several=None, left_out=None, from_file_weight=None, first_code=None)
    >>> (t, p), read = statutory_tier(load_law(), np.array([120.0, 120.0]), d,
    ...                               np.full(2, day("2012-05-15")), np.ones(2, bool))
    >>> t.tolist(), p.tolist(), read.tolist()
    ([5, 10], [1, 0], [True, False])
    """
    n = len(minimum)
    known = dated & np.isfinite(minimum) & (drugs.drug >= 0) & np.isfinite(drugs.grams)
    drug = np.where(known, drugs.drug, 0)
    reach = law.grouped_tier(
        drug, np.where(known, drugs.grams, 0), np.where(known, drugs.drug2, -1), drugs.grams2, when
    ).astype(np.int8)  # each count's tier, the higher one
    tier, priors = reach.copy(), np.zeros(n, dtype=np.int8)
    found = np.zeros(n, dtype=bool)
    lower = known & (reach == 5)  # the only lower tier a longer minimum can hide
    for p in range(3):  # the fewest priors that give the minimum
        floor, _ = law.penalties(reach, np.full(n, p), when)
        hit = lower & ~found & (floor == minimum)
        priors[hit] = p
        found |= hit
    found &= priors > 0  # with no prior the codebook's reading is the same
    return (tier, priors), found


def _months(values: np.ndarray, life: int) -> np.ndarray:
    """Months of a term or range bound, life (the code, or more) as ``life``; NaN if missing."""
    v = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(np.float64, na_value=np.nan)
    if values.dtype == object:
        v = np.where(values == LIFE, life, v)
    return np.minimum(v, life)


# ------------------------------------------------------------------------ files to a stock
@dataclass
class UsscRead:
    """What reading datafiles gave: the people, the rows left out, and why."""

    population: Population
    rejected: pd.DataFrame  # file, row, reason, and the row's variables
    rows_read: int
    counts: dict[str, int]  # rows read, not imprisoned, rejected, valid, in the stock ...
    recorded: pd.DataFrame  # the file's own guideline calculation of the valid cases, by id
    drugs: pd.DataFrame  # several, left_out, from_file_weight of the valid cases, by id
    cases: Population  # every valid case (before the snapshot), for the agreement report


def read_ussc(
    paths: str | Path | Sequence[str | Path],
    mapping: str | Path | Codebook = "ussc",
    on_bad_rows: Literal["fail", "skip"] = "fail",
    *,
    snapshot: str | int | None = None,
    seed: int = 0,
) -> UsscRead:
    """Read one or several fiscal years' datafiles as people, the stock on ``snapshot`` if given.

    Parameters
    ----------
    paths : path or list of paths
        Datafiles (``.csv``, ``.csv.gz``, ``.sas7bdat``, ``.xpt``, ``.sav``), stacked in order.
    mapping : str, Path or Codebook
        The codebook mapping: ``"ussc"`` (the shipped ``data/mappings/ussc.yaml``) or a path.
    on_bad_rows : {"fail", "skip"}
        ``fail`` raises listing the bad rows; ``skip`` keeps the others.
    snapshot : date text, day number or None
        Keep only the people in custody on this day, the earlier retroactive amendments
        replayed up to it; None keeps every case with a prison term.
    seed : int
        Seed of the per-person grant draws (and of the replayed amendments' draws).

    Returns
    -------
    UsscRead
        ``population`` (ids number the rows of the stacked files from 0), rejected rows with
        their file and row, and the counts of every step.

    Raises
    ------
    PopulationError
        For a file that cannot be read, a variable the file lacks, or (``fail``) a bad row.

    Examples
    --------
    >>> read = read_ussc("examples/ussc_sample.csv", on_bad_rows="skip")
    >>> read.counts["rows_read"], read.counts["not_imprisoned"], read.counts["rejected"]
    (60, 1, 5)
    >>> stock = read_ussc("examples/ussc_sample.csv", on_bad_rows="skip", snapshot="2014-11-01")
    >>> len(stock.population) == stock.counts["in_custody"] < read.counts["valid"]
    True
    """
    codebook = mapping if isinstance(mapping, Codebook) else load_mapping(mapping)
    if not isinstance(codebook, Codebook):
        raise PopulationError(f"{mapping}: not a codebook mapping (it has no format: ussc)")
    if on_bad_rows not in ("fail", "skip"):
        raise PopulationError(f"on_bad_rows must be 'fail' or 'skip', not {on_bad_rows!r}")
    files = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not files:
        raise PopulationError("no datafile given")
    wanted = {c for var in codebook.variables.__dict__.values() for c in var.columns}
    parts, rejected, recorded, drugs = [], [], [], []
    counts = dict.fromkeys(
        (
            "rows_read",
            "not_imprisoned",
            "rejected",
            "valid",
            "custody_start_assumed",
            "tier_from_quantity",
        ),
        0,
    )
    first_id = 0
    for path in files:
        raw = read_datafile(path, wanted)
        if not len(raw):
            raise PopulationError(f"{path}: no rows")
        conv = convert(raw, codebook, path, first_id)
        keep = np.flatnonzero(conv.imprisoned)
        chunk = parse_frame(
            conv.frame.iloc[keep].reset_index(drop=True), source=path, seed=seed,
            labels=conv.labels, shown=raw.iloc[keep],
        )  # fmt: skip
        bad = chunk.rejected
        if len(bad):
            bad.insert(0, "file", str(path))
            bad["row"] = keep[bad["row"].to_numpy() - 1] + 1  # the row in the file
        rejected.append(bad)
        parts.append(chunk.population)
        ids = chunk.population.id - first_id
        recorded.append(conv.recorded.iloc[ids].set_axis(chunk.population.id))
        drugs.append(pd.DataFrame({
            "several": conv.drugs.several[ids], "left_out": conv.drugs.left_out[ids],
            "from_file_weight": conv.drugs.from_file_weight[ids],
        }, index=chunk.population.id))  # fmt: skip
        counts["rows_read"] += len(raw)
        counts["not_imprisoned"] += len(raw) - len(keep)
        counts["rejected"] += len(bad)
        counts["valid"] += len(chunk.population)
        counts["custody_start_assumed"] += int(conv.custody_assumed[ids].sum())
        counts["tier_from_quantity"] += int(conv.tier_from_quantity[ids].sum())
        first_id += len(raw)
    bad_rows = rejected_rows(rejected)
    where = files[0] if len(files) == 1 else Path(f"{files[0]} (and {len(files) - 1} more)")
    if len(bad_rows) and (on_bad_rows == "fail" or not counts["valid"]):
        message = _report(bad_rows, where, counts["rows_read"])
        raise PopulationError(message + ("" if on_bad_rows == "fail" else "\nno valid rows"))
    if not counts["valid"]:
        raise PopulationError(f"{where}: no case with a prison term")
    cases = _stack(parts, seed, files)
    counts["several_drugs"] = int(sum(d["several"].sum() for d in drugs))
    counts["drug_left_out"] = int(sum(d["left_out"].sum() for d in drugs))
    counts["converted_weight_from_file"] = int(sum(d["from_file_weight"].sum() for d in drugs))
    people = cases
    if snapshot is not None:
        on = day(snapshot) if isinstance(snapshot, str) else int(snapshot)
        sentenced = cases.take(cases.sentencing_date <= on)
        replayed = replay_amendments(load_law(), sentenced, on, seed)
        counts["reduced_by_earlier_amendments"] = int((replayed.reduced_by != 0).sum())
        people = replayed.take(in_custody(replayed, on))
        people.meta["snapshot"] = str(snapshot)
        counts["sentenced_after_snapshot"] = len(cases) - len(sentenced)
        counts["in_custody"] = len(people)
    return UsscRead(
        population=people, rejected=bad_rows, rows_read=counts["rows_read"], counts=counts,
        recorded=pd.concat(recorded), drugs=pd.concat(drugs), cases=cases,
    )  # fmt: skip


def _stack(parts: list[Population], seed: int, files: list[Path]) -> Population:
    arrays = {name: np.concatenate([getattr(p, name) for p in parts]) for name in parts[0].arrays()}
    meta = {"seed": int(seed), "size": None, "snapshot": None,
            "source": ", ".join(str(f) for f in files)}  # fmt: skip
    return Population.from_arrays(arrays, meta)


def _report(bad: pd.DataFrame, where: Path, total: int) -> str:
    """The row messages, each naming its own file when several were read."""
    if bad["file"].nunique() == 1:
        return report(bad, Path(bad["file"].iloc[0]), total)
    head, *lines = report(bad, where, total).split("\n")
    listed = [
        f"{f}: row {r}: {why}"
        for f, r, why in zip(bad["file"][:MAX_LISTED], bad["row"][:MAX_LISTED],
                             bad["reason"][:MAX_LISTED], strict=True)
    ]  # fmt: skip
    return "\n".join([head, *listed, *lines[len(listed) :]])
