"""Small made-up datafiles in the Sentencing Commission's variable names and codes.

No real datafile is used by the tests (there is no network here). A fixture's cases are drawn
by the synthetic generator (every case sentenced in the fiscal year, released since or not),
written in the codebook's variables as ``data/mappings/ussc.yaml`` reads them, with the file's
own guideline calculation (``BASEHI``, ``XFOLSOR``, ``GLMIN``, ``GLMAX``, ``XCRHISSR``) as the
engine computes it from the facts the file holds. With ``awkward=True`` the first rows are the
cases real files hold and a reader must handle (:data:`AWKWARD`): missing-value sentinels,
several drugs, life coded as a number, probation alone, a drug or a unit the engine cannot use.

``python tests/ussc_fixture.py DIR`` writes a two-year stack (FY2013, FY2014) as CSV and, with
pyreadstat installed, as SAS transport (``.xpt``) and SPSS (``.sav``) files.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from simulator.calendar import day
from simulator.inputs.mapping import load_mapping
from simulator.inputs.parameters import load_parameters
from simulator.inputs.synthesis import drawn_cases
from simulator.law import DRUGS, conventions, load_law
from simulator.model.sentencing import guideline

#: The awkward rows a fixture starts with (row number in the file: what it holds).
AWKWARD = {
    1: "probation alone (SENTIMP 3, SENTTOT 0)",
    2: "criminal history points missing (TOTCHPTS 99)",
    3: "age missing (AGE 999)",
    4: "a drug the engine does not score alone (DRUGTYP1 77)",
    5: "two drugs: 500 g of cocaine and 28 g of crack",
    6: "life coded as 470 months",
    7: "life coded as 9996",
    8: "weight in a unit the engine cannot use (UNIT1 5, pills), no converted weight",
    9: "weight in pills, with the file's converted weight (MWGT)",
    10: "sentencing month missing (SENTMON 99)",
    11: "a drug the engine does not score beside heroin (DRUGTYP2 77)",
    12: "kilograms (UNIT1 2)",
    13: "not detained before sentencing (PRESENT 0)",
    14: "the file's level 2 above the engine's (an adjustment the file does not give)",
}
#: Rows of :data:`AWKWARD` rejected by the row checks.
REJECTED = (2, 3, 4, 8, 10)


@functools.cache
def _inverse(role: str) -> dict:
    codes = getattr(load_mapping("ussc").variables, role).codes
    return {v: k for k, v in codes.items()}


@functools.cache
def _cases(until_fy: int) -> pd.DataFrame:
    """Every case the generator draws through ``until_fy`` (one draw, shared by the fixtures)."""
    until = conventions().fiscal_year_end(until_fy)
    pop = drawn_cases(load_parameters(), seed=0, size=0.02, until=until)
    frame = pop.to_frame(labels=False)
    frame["fy"] = [conventions().fiscal_year(int(d)) for d in pop.sentencing_date]
    return frame


def fixture_frame(
    fiscal_year: int, cases: int, seed: int = 0, awkward: bool = True
) -> pd.DataFrame:
    """``cases`` cases sentenced in ``fiscal_year`` in the codebook's variables."""
    law = load_law()
    everyone = _cases(max(fiscal_year, 2014))
    pool = everyone[everyone["fy"] == fiscal_year]
    rng = np.random.default_rng(seed)
    c = pool.iloc[np.sort(rng.choice(len(pool), size=cases, replace=False))].reset_index(drop=True)
    n = len(c)
    sent = c["sentencing_date"].to_numpy().astype("datetime64[D]")
    month = sent.astype("datetime64[M]")
    mid = (month.astype("datetime64[D]") + 14).astype(np.int64)  # the reader's day rule
    years = month.astype("datetime64[Y]").astype(int) + 1970
    months = month.astype(int) % 12 + 1
    held = np.maximum(np.rint((mid - c["custody_start"].to_numpy()) / 30.436875), 0)
    drug = c["drug"].to_numpy()
    # the facts as the file holds them, then the engine's guideline calculation of them
    facts = {k: c[k].to_numpy() for k in (
        "drug", "grams", "weapon", "role", "acceptance", "safety_valve", "sub_assist", "career",
        "chp", "mm_charged", "priors_851")}  # fmt: skip
    facts["obstruction"] = np.zeros(n, dtype=bool)
    g = guideline(law, facts, edition=law.edition_on(drug, mid), statute_day=mid)
    base = law.base_offense_level(drug, facts["grams"], law.edition_on(drug, mid))
    minimum = np.where(g.minimum >= law.life_months, 9996, g.minimum)
    drug_code = np.array([_inverse("drug_types")[DRUGS[d]] for d in drug])
    term = c["term"].to_numpy()
    out = pd.DataFrame({
        "USSCIDN": np.arange(n) + fiscal_year * 100_000,
        "SENTMON": months, "SENTYR": years,
        "DRUGTYP1": drug_code, "WGT1": np.round(c["grams"].to_numpy(np.float64), 3),
        "UNIT1": 1, "DRUGTYP2": 0, "WGT2": np.nan, "UNIT2": 0, "NODRUG": 1,
        "COMBDRG2": np.where(np.isin(drug_code, (1, 2, 3, 4, 6)), drug_code, 77),
        "MWGT": np.nan,
        "BASEHI": base, "XFOLSOR": g.level, "GLMIN": g.range_min, "GLMAX": g.range_max,
        "XCRHISSR": g.category + 1,
        "WEAPSOC": facts["weapon"].astype(int) * 2,
        "AGGROLHI": np.maximum(facts["role"], 0), "MITROLHI": np.maximum(-facts["role"], 0),
        "ACCTRESP": np.where(facts["acceptance"], 3, 0), "SAFE": facts["safety_valve"] * 1,
        "CAROFFAP": facts["career"] * 1, "TOTCHPTS": facts["chp"],
        "DRUGMIN": minimum, "STATMIN": minimum,
        "BOOKERCD": np.where(facts["sub_assist"], 3, 0),
        "SENTTOT": np.where(term >= law.life_months, 470, term), "SENTIMP": 1,
        "PRESENT": 1, "TIMSERVM": held,
        "AGE": c["age"], "MONSEX": c["female"] * 1,
        "NEWRACE": [(1, 2, 3, 6)[r] for r in c["race"]], "NEWCIT": c["noncitizen"] * 1,
    }).astype(np.float64)  # fmt: skip
    if awkward:
        _spoil(out, law)
    return out


def _spoil(out: pd.DataFrame, law) -> None:
    """The rows of :data:`AWKWARD` (the frame has at least as many rows)."""
    row = {k: k - 1 for k in AWKWARD}
    out.loc[row[1], ["SENTIMP", "SENTTOT"]] = (3, 0)
    out.loc[row[2], "TOTCHPTS"] = 99
    out.loc[row[3], "AGE"] = 999
    out.loc[row[4], ["DRUGTYP1", "COMBDRG2"]] = (77, 77)
    # two drugs: cocaine 500 g and crack 28 g; the converted weight in grams of the primary one
    r = row[5]
    out.loc[r, ["DRUGTYP1", "WGT1", "UNIT1", "DRUGTYP2", "WGT2", "UNIT2", "NODRUG"]] = (
        1, 500.0, 1, 2, 28.0, 1, 2)  # fmt: skip
    out.loc[row[6], "SENTTOT"] = 470
    out.loc[row[7], "SENTTOT"] = 9996
    out.loc[row[8], ["UNIT1", "MWGT"]] = (5, np.nan)
    r = row[9]
    out.loc[r, ["DRUGTYP1", "UNIT1", "MWGT"]] = (3, 5, 100_000.0)  # heroin: 100 g
    out.loc[row[10], "SENTMON"] = 99
    out.loc[row[11], ["DRUGTYP1", "UNIT1", "DRUGTYP2", "WGT2", "UNIT2", "NODRUG"]] = (
        3, 1, 77, 10.0, 1, 2)  # fmt: skip
    r = row[12]
    out.loc[r, ["WGT1", "UNIT1"]] = (out.loc[r, "WGT1"] / 1000, 2)
    out.loc[row[13], ["PRESENT", "TIMSERVM"]] = (0, 0)
    _recompute(out, [row[5], row[9], row[11]], law)
    out.loc[row[14], "XFOLSOR"] += 2


def _recompute(out: pd.DataFrame, rows: list[int], law) -> None:
    """The file's level and range of rows whose drugs were changed, as the reader reads them."""
    equiv = load_law().equivalency
    for r in rows:
        slots = [(out.loc[r, f"DRUGTYP{k}"], out.loc[r, f"WGT{k}"], out.loc[r, f"UNIT{k}"])
                 for k in (1, 2)]  # fmt: skip
        drugs = load_mapping("ussc").variables.drug_types.codes
        known = [(drugs[int(t)], w) for t, w, u in slots if int(t) in drugs and u == 1]
        if out.loc[r, "MWGT"] == out.loc[r, "MWGT"]:  # the file's converted weight
            d = drugs[int(out.loc[r, "DRUGTYP1"])]
            known = [(d, out.loc[r, "MWGT"] / equiv[d])]
        converted = [w * equiv[d] for d, w in known]
        primary = known[int(np.argmax(converted))][0]
        grams = sum(converted) / equiv[primary]
        when = day(f"{int(out.loc[r, 'SENTYR'])}-{int(out.loc[r, 'SENTMON']):02d}-15")
        facts = {
            "drug": np.array([DRUGS.index(primary)], np.int8), "grams": np.array([grams]),
            "weapon": np.array([out.loc[r, "WEAPSOC"] > 0]),
            "role": np.array([out.loc[r, "AGGROLHI"] - out.loc[r, "MITROLHI"]], np.int8),
            "obstruction": np.array([False]), "acceptance": np.array([out.loc[r, "ACCTRESP"] > 0]),
            "safety_valve": np.array([out.loc[r, "SAFE"] == 1]),
            "sub_assist": np.array([out.loc[r, "BOOKERCD"] == 3]),
            "career": np.array([out.loc[r, "CAROFFAP"] == 1]),
            "chp": np.array([out.loc[r, "TOTCHPTS"]], np.int8),
            "mm_charged": np.array([10], np.int8), "priors_851": np.array([0], np.int8),
        }  # fmt: skip
        when_a = np.array([when])
        g = guideline(law, facts, edition=law.edition_on(facts["drug"], when_a), statute_day=when_a)
        out.loc[r, ["XFOLSOR", "GLMIN", "GLMAX"]] = (g.level[0], g.range_min[0], g.range_max[0])
        base = law.base_offense_level(facts["drug"], facts["grams"],
                                      law.edition_on(facts["drug"], when_a))  # fmt: skip
        out.loc[r, "BASEHI"] = base[0]
        minimum = 9996 if g.minimum[0] >= law.life_months else int(g.minimum[0])
        out.loc[r, ["DRUGMIN", "STATMIN"]] = (minimum, minimum)


def write_fixture(
    path: str | Path, *, fiscal_year: int, cases: int, seed: int = 0, awkward: bool = True
) -> Path:
    """Write a fixture datafile (``.csv``, ``.xpt`` or ``.sav``, by the suffix)."""
    path = Path(path)
    frame = fixture_frame(fiscal_year, cases, seed, awkward)
    if path.suffix == ".csv":
        frame.convert_dtypes().to_csv(path, index=False)  # whole numbers without ".0"
    else:
        import pyreadstat  # a test tool: the readers of the package never write these files

        frame = frame.astype(np.float64)
        if path.suffix == ".xpt":
            # version 5, the transport format pandas reads too (names of up to 8 characters)
            pyreadstat.write_xport(frame, str(path), table_name="USSC", file_format_version=5)
        else:
            pyreadstat.write_sav(frame, str(path))
    return path


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for fy in (2013, 2014):
        for suffix in (".csv", ".xpt", ".sav"):
            print(write_fixture(folder / f"opafy{fy % 100:02d}nid{suffix}", fiscal_year=fy,
                                cases=200, seed=fy))  # fmt: skip
