"""A worksheet for one person: why the engine finds them eligible or not, and by how much.

Every figure of a worksheet is read from the engine's own arrays for that person (the
:class:`~simulator.model.reduction.Reduction` of a run), or computed with the engine's public
functions on that person's row: the base offense level is the guideline level of the same
case with every adjustment switched off, and each adjustment is the difference it makes
through :func:`simulator.model.sentencing.offense_level`. Nothing is re-implemented, so the
worksheet cannot disagree with the run (the tests check it person by person).

:func:`case_population` builds a one-row population from typed-in facts, for
``simulate screen``.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> pop = sim.synthesize(s.population, seed=1, size=0.05)
>>> out = sim.apply(pop, s)
>>> ws = worksheet(out, 0)
>>> ws.values["eligible"] == bool(out.reduction.eligible[0])
True
>>> ws.values["old"]["level"] == int(out.reduction.old.level[0])
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from simulator import lazy
from simulator.calendar import day, iso
from simulator.errors import PopulationError
from simulator.inputs.rows import parse_frame
from simulator.law import (
    CATEGORIES,
    DRUG_GROUPS,
    DRUGS,
    SECOND_DRUGS,
    Law,
    conventions,
    retroactive_amendments,
)
from simulator.model.apply import covariate
from simulator.model.changes import Resolved, amendment_for, resolve_changes
from simulator.model.clemency import schedule
from simulator.model.outcomes import Outcome
from simulator.model.population import SCHEMA, Population
from simulator.model.reduction import (
    Reduction,
    amended_guideline,
    current_guideline,
    grant_probability,
)
from simulator.model.sentencing import Guideline, drug_term, offense_level, weapon_levels
from simulator.scenario import Scenario

pd = lazy.module("pandas")

GuidelineOf = Callable[[Population], Guideline]

#: Names a user may type for a drug on the command line.
DRUG_ALIASES: dict[str, str] = {
    **{d: d for d in DRUGS},
    "crack": "cocaine_base",
    "powder": "cocaine",
    "meth": "methamphetamine",
    "ice": "methamphetamine_actual",
}
#: Step, at sentencing, under the change, note.
Row = tuple[str, str, str, str]
#: A fact of a typed-in case, as typed or as a number.
Value = str | int | float | bool


@dataclass(frozen=True)
class Worksheet:
    """One person's worksheet: printable rows and the raw figures (``values``)."""

    person_id: int
    scenario: str
    facts: list[tuple[str, str]]
    guideline: list[Row]
    eligibility: list[tuple[str, bool, str]]
    decided_by: str
    result: list[tuple[str, str]]
    values: dict = field(default_factory=dict)


def person_index(population: Population, person_id: int) -> int:
    """Row of the person with this ``id``; ``KeyError`` naming the id when there is none."""
    hits = np.flatnonzero(population.id == person_id)
    if not len(population):
        raise KeyError(f"no person {person_id}: this population is empty")
    if not hits.size:
        raise KeyError(
            f"no person {person_id} in this population (ids {int(population.id.min())}"
            f"..{int(population.id.max())}, {len(population):,} people)"
        )
    return int(hits[0])


def _g(g: Guideline, i: int = 0) -> dict[str, int]:
    keys = ("level", "category", "range_min", "range_max", "floor", "statutory_max", "tier",
            "table_min", "table_max")  # fmt: skip
    return {k: int(getattr(g, k)[i]) for k in keys}


def _neutral(pop: Population) -> Population:
    """The same cases with every Chapter Two/Three adjustment and career status switched off."""
    n = len(pop)
    off = np.zeros(n, dtype=bool)
    return pop.replace(
        weapon=off,
        role=np.zeros(n, np.int8),
        obstruction=off,
        acceptance=off,
        safety_valve=off,
        sv_conditions=off,
        career=off,
        zp_excluded=np.ones(n, dtype=bool),
    )


def _resolved(outcome: Outcome) -> Resolved | None:
    """The scenario's changes resolved as the engine resolved them (None: a plain amendment)."""
    law, sc = outcome.law, outcome.scenario
    if any(ch.type == "clemency" for ch in sc.changes):
        others = [ch for ch in sc.changes if ch.type != "clemency"]
        start = outcome.effective
        return resolve_changes(law, others, effective=start, as_of=start)
    rescore = amendment_for(law, sc.changes, effective=outcome.effective).rescore
    return rescore if isinstance(rescore, Resolved) else None


def _guideline_fn(outcome: Outcome) -> tuple[GuidelineOf, GuidelineOf]:
    """(old, new) functions ``f(pop) -> Guideline`` computing what the engine computed."""
    law, sc = outcome.law, outcome.scenario

    def old(pop: Population) -> Guideline:
        return current_guideline(law, pop)

    res = _resolved(outcome)
    if res is not None:

        def new(pop: Population) -> Guideline:
            return res(law, pop, None)

    else:
        amendment = amendment_for(law, sc.changes, effective=outcome.effective)

        def new(pop: Population) -> Guideline:
            return amended_guideline(law, pop, amendment)

    return old, new


def _steps(law: Law, pop: Population, fn: GuidelineOf) -> dict[str, int]:
    """Base offense level and each adjustment of the one-row ``pop`` under ``fn``."""
    base = fn(_neutral(pop)).level.astype(np.int16)
    g = fn(pop)
    cases = pop.cases()
    adj = law.adjustments
    steps = {
        "base": int(base[0]),
        "weapon": int(weapon_levels(law, cases)[0]),  # none with a §924(c) count
        "role": int(cases["role"][0]),
        "obstruction": int(adj["obstruction"] * cases["obstruction"][0]),
        "safety_valve": -int(g.safety_valve_levels[0]),
    }
    chapter_23 = int(offense_level(law, cases, base, g.safety_valve_levels)[0])
    steps["acceptance"] = chapter_23 - sum(steps.values())
    floor = int(g.safety_valve_floor[0])
    steps["safety_valve_floor"] = floor - chapter_23 if floor else 0
    steps["chapter_two_three"] = chapter_23 + steps["safety_valve_floor"]
    without_career = fn(pop.replace(career=np.zeros(1, dtype=bool))).level
    clipped = np.clip(steps["chapter_two_three"], adj["min_level"], adj["max_level"])
    steps["chapter_four"] = int(without_career[0]) - int(clipped)
    return steps


def _zero_point_rows(law: Law, one: Population, scenario: Scenario) -> list[Row]:
    """Each condition of USSG §4C1.1(a), met or not, where the decrease is in question.

    Shown when the scenario changes the zero-point rule or the range rests on guidelines that
    have it (``table_date`` from Amendment 821). A condition the population carries reads its
    column; the others say why none does (``data/law/criminal_history.yaml``).
    """
    start, _ = law.zero_point_rule
    changes = any(getattr(ch, "zero_point", None) is not None for ch in scenario.changes)
    if not changes and int(one.table_date[0]) < start:
        return []
    failed = law.zero_point_failed(one.cases())
    by_column: dict[str, list[tuple[str, str]]] = {}
    for clause, label, column, _, _ in law.zero_point_conditions:
        if column is not None:
            by_column.setdefault(column, []).append((clause, label))
    rows: list[Row] = []
    for clause, label, column, _, why in law.zero_point_conditions:
        if column is None:
            rows.append((f"  §4C1.1{clause} {label}", "n/a", "n/a", why))
            continue
        shared = by_column[column]
        if shared[0][0] != clause:  # conditions one column carries share one row
            continue
        met = "not met" if bool(failed[clause][0]) else "met"
        note = f"column {column}" + (": any one fails them all" if len(shared) > 1 else "")
        clauses = ", ".join(c for c, _ in shared)
        labels = "; ".join(lab for _, lab in shared)
        rows.append((f"  §4C1.1{clauses} {labels}", met, met, note))
    return rows


def _safety_valve_rows(outcome: Outcome, i: int) -> tuple[list[Row], dict]:
    """The safety valve at sentencing and under the change: its rule, relief and levels.

    The rule is the one of the sentencing day, or the one a ``safety_valve`` change (or
    "today's law" of clemency) applies to the person; the criminal history is judged with the
    engine's own lookup (:attr:`simulator.law.Law.safety_valve`), the relief and levels are
    the engine's.
    """
    pop, red, law = outcome.population, outcome.reduction, outcome.law
    sv = law.safety_valve
    one = pop.take(np.array([i]))
    sent = one.sentencing_date
    history = {"one_point": one.one_point, "prior_3pt": one.prior_3pt,
               "prior_2pt_violent": one.prior_2pt_violent}  # fmt: skip
    points_then = law.criminal_history_points(one.chp, one.status_points, sent)
    met_old = bool(sv.statute.met(chp=points_then, **history, when=sent)[0])
    statute_day, guideline_day, met_new = sent, sent, met_old
    res = _resolved(outcome)
    if res is not None:  # a safety_valve change, or today's law, may judge it anew
        statute_day, by_statute, guideline_day, _ = res.safety_valve_rules(one)
        if res.as_of is not None or by_statute[0]:
            points = red.new.points[i : i + 1]
            met_new = bool(sv.statute.met(chp=points, **history, when=statute_day)[0])
    old_day, new_day, rule_day = int(sent[0]), int(guideline_day[0]), int(statute_day[0])
    text_old, source_old = sv.statute.describe(old_day)
    text_new, source_new = sv.statute.describe(rule_day)
    rule_note = f"{text_old} ({source_old})"
    if (text_new, source_new) != (text_old, source_old):
        rule_note += f"; under the change: {text_new} ({source_new})"
    history_note = (
        f"{int(points_then[0])} points, {int(one.one_point[0])} from 1-point offenses; prior "
        f"3-point offense {'yes' if one.prior_3pt[0] else 'no'}, prior 2-point violent offense "
        f"{'yes' if one.prior_2pt_violent[0] else 'no'}"
    )

    def reduction(when: int) -> str:
        criteria, _ = sv.guideline.describe(when)
        return f"{sv.cite(when)}: {sv.describe_reduction(when)}; §5C1.2(a)(1): {criteria}"

    reduction_note, floor_note = reduction(old_day), sv.describe_floor(old_day)
    if new_day != old_day:
        reduction_note += f"; under the change {reduction(new_day)}"
        floor_note += f"; under the change: {sv.describe_floor(new_day)}"
    relief_old, relief_new = bool(red.old.relief[i]), bool(red.new.relief[i])
    conditions = "met" if one.sv_conditions[0] else "not met"
    rows: list[Row] = [
        ("safety valve: criminal history (18 U.S.C. §3553(f)(1))",
         "allows it" if met_old else "bars it", "allows it" if met_new else "bars it",
         rule_note),
        ("  the criminal history it reads", "", "", history_note),
        ("safety valve: relief from the minimum (§3553(f))", "yes" if relief_old else "no",
         "yes" if relief_new else "no", f"other conditions, §3553(f)(2)-(5): {conditions}"),
    ]  # fmt: skip
    values = {
        "history_allows": {"old": met_old, "new": met_new},
        "relief": {"old": relief_old, "new": relief_new},
        "rule": {"old": text_old, "new": text_new},
        "source": {"old": source_old, "new": source_new},
        "reduction_note": reduction_note,
        "floor_note": floor_note,
    }
    return rows, values


def _months(m: int, life: int) -> str:
    """A term as the law says it: ``life`` is the life code, 480 months are 40 years.

    Examples
    --------
    >>> _months(470, 470), _months(480, 470), _months(60, 470)
    ('life', '480 months (40 years)', '60 months')
    """
    if m == life:
        return "life"
    years = f" ({m // 12} years)" if m % 12 == 0 and m >= 120 else ""
    return f"{m} months{years}"


def _range(lo: int, hi: int, life: int) -> str:
    if lo == hi:
        return _months(lo, life)
    top = "life" if hi == life else str(hi)
    return f"{lo}–{top} months"


def _grams(g: float) -> str:
    """A quantity, never shown as 0 when it is not: ``1,234.5 g``, ``0.004 g``."""
    return f"{g:,.1f} g" if g >= 0.1 else f"{g:.2g} g"


def _signed(v: int) -> str:
    return f"{v:+d}" if v else "0"


def worksheet(outcome: Outcome, index: int) -> Worksheet:
    """The worksheet of the person in row ``index`` of the outcome's population."""
    pop, red, law, sc = outcome.population, outcome.reduction, outcome.law, outcome.scenario
    life = law.life_months
    one = pop.take(np.array([index]))
    old_fn, new_fn = _guideline_fn(outcome)
    old, new = _g(red.old, index), _g(red.new, index)
    s_old, s_new = _steps(law, one, old_fn), _steps(law, one, new_fn)

    drug = DRUGS[int(pop.drug[index])]
    facts = [
        ("person", str(int(pop.id[index]))),
        ("drug", f"{drug.replace('_', ' ')} ({DRUG_GROUPS[drug]})"),
        ("quantity", _grams(float(pop.grams[index]))),
        *_second_drug_facts(pop, index),
        ("criminal history points", str(int(pop.chp[index]))
         + (f" (of which {int(pop.status_points[index])} status points)"
            if pop.status_points[index] else "")),
        ("career offender", "yes" if pop.career[index] else "no"),
        ("mandatory-minimum tier charged", f"{int(pop.mm_charged[index])} years"),
        ("§851 priors", str(int(pop.priors_851[index]))),
        ("safety valve", "yes" if pop.safety_valve[index] else "no"),
        ("substantial assistance", "yes" if pop.sub_assist[index] else "no"),
        ("offense date", iso(int(pop.offense_date[index]))),
        ("sentenced", iso(int(pop.sentencing_date[index]))),
        ("in custody since", iso(int(pop.custody_start[index]))),
        ("term imposed", _months(int(pop.term[index]), life)),
        *_firearm_facts(law, pop, index),
        ("serious infractions in prison", str(int(pop.infractions[index]))),
    ]  # fmt: skip

    sv_rows, sv_values = _safety_valve_rows(outcome, index)
    rows: list[Row] = [
        *sv_rows,
        *_grouping_rows(law, one, old_fn, new_fn),
        ("base offense level (§2D1.1(c))", str(s_old["base"]), str(s_new["base"]),
         "Drug Quantity Table, with any level shift of the change"),
        ("dangerous weapon (§2D1.1(b)(1))", _signed(s_old["weapon"]), _signed(s_new["weapon"]),
         "not applied with a §924(c) sentence (USSG §2K2.4, App. Note 4)"
         if pop.firearm_924c_months[index] > 0 and pop.weapon[index] else ""),
        ("role (§3B1.1, §3B1.2)", _signed(s_old["role"]), _signed(s_new["role"]), ""),
        ("obstruction (§3C1.1)", _signed(s_old["obstruction"]), _signed(s_new["obstruction"]), ""),
        ("safety valve reduction (§2D1.1(b))", _signed(s_old["safety_valve"]),
         _signed(s_new["safety_valve"]), sv_values["reduction_note"]),
        ("acceptance of responsibility (§3E1.1)", _signed(s_old["acceptance"]),
         _signed(s_new["acceptance"]), ""),
        ("safety-valve level floor (§5C1.2(b))", _signed(s_old["safety_valve_floor"]),
         _signed(s_new["safety_valve_floor"]), sv_values["floor_note"]),
        ("zero-point offender (§4C1.1)", _signed(s_old["chapter_four"]),
         _signed(s_new["chapter_four"]), "Amendment 821 Part B, from 2023-11-01, when every "
         "condition of §4C1.1(a) below is met"),
        *_zero_point_rows(law, one, sc),
        ("career offender (§4B1.1)", "applies" if pop.career[index] else "-",
         "applies" if pop.career[index] else "-", "level at least the career table's"),
        ("total offense level", str(old["level"]), str(new["level"]), ""),
        ("criminal history category", CATEGORIES[old["category"]], CATEGORIES[new["category"]],
         ""),
        ("guideline range (sentencing table)", _range(old["table_min"], old["table_max"], life),
         _range(new["table_min"], new["table_max"], life), "within the statutory maximum"),
        ("statutory tier", f"{old['tier']} years", f"{new['tier']} years", ""),
        ("mandatory minimum (floor)", _months(old["floor"], life) if old["floor"] else "none",
         _months(new["floor"], life) if new["floor"] else "none", "none with safety valve"),
        ("statutory maximum", _months(old["statutory_max"], life),
         _months(new["statutory_max"], life), ""),
        ("applicable range (§5G1.1)", _range(old["range_min"], old["range_max"], life),
         _range(new["range_min"], new["range_max"], life), "the floor lifts the range"),
    ]  # fmt: skip

    eligibility = _eligibility(outcome, index, one)
    eligible, granted = bool(red.eligible[index]), bool(red.granted[index])
    # the engine decides; the rules say why (clemency criteria on the decision day, as judged)
    failed = None if eligible else next((r for r, ok, _ in eligibility if not ok), None)
    decided_by = f"not met: {failed}" if failed else "every rule is met"
    covariates = {name: covariate(one, name) for name in sc.grant.modifiers}
    prob = float(grant_probability(sc.grant.rate, sc.grant.modifiers, covariates, 1)[0])
    term, reduced, after = int(pop.term[index]), int(red.reduced_term[index]), int(red.term[index])
    before_day, after_day = int(pop.release_date[index]), int(red.release[index])
    clemency = any(ch.type == "clemency" for ch in sc.changes)
    result = [
        ("eligible", "yes" if eligible else f"no ({decided_by})"),
        ("term imposed", _months(term, life)),
        ("reduced earlier by", earlier_reductions(int(pop.reduced_by[index]))),
        ("motion denied earlier under", earlier_reductions(int(pop.denied_by[index]))),
        ("commuted term (today's law)" if clemency else "full reduction (§1B1.10(b))",
         (_months(reduced, life) + _comparable(term, old, new, life, bool(pop.sub_assist[index])))
         if eligible else "-"),
        ("probability the motion is granted", f"{prob:.0%} (scenario's grant assumptions)"),
        ("granted in this run", "yes" if granted else "no"),
        *_motion_rows(red, index),
        ("term after the decision", _months(after, life)),
        *_firearm_result(law, pop, index, after),
        ("RDAP early release (18 U.S.C. §3621(e)(2)(B); 28 C.F.R. §550.55)",
         _rdap(law, pop, index, after_day)),
        ("First Step Act time credits (18 U.S.C. §3632(d)(4), §3624(g)(3))",
         "up to 12 months earlier from 2022-01-13 (counted in both release dates)"
         if bool(pop.ftc[index]) else "no (not earned, or the law excludes the person)"),
        ("release date before", iso(before_day)),
        ("release date under the change", iso(after_day)),
        ("earlier by", f"{(before_day - after_day) / law.conventions.days_per_year * 12:.1f} months"
         if after_day < before_day else "not earlier"),
        ("life counted as", life_convention(life)),
    ]  # fmt: skip
    values = {
        "old": old,
        "new": new,
        "steps_old": s_old,
        "steps_new": s_new,
        "eligible": eligible,
        "granted": granted,
        "rules": {rule: ok for rule, ok, _ in eligibility},
        "safety_valve": sv_values,
        "grant_probability": prob,
        "term": term,
        "firearm_924c_months": int(pop.firearm_924c_months[index]),
        "drug_term": int(
            drug_term(law, pop.term[index : index + 1], pop.firearm_924c_months[index : index + 1])[
                0
            ]
        ),
        "reduced_term": reduced,
        "term_after": after,
        "release_before": before_day,
        "release_after": after_day,
    }
    return Worksheet(int(pop.id[index]), sc.title, facts, rows, eligibility, decided_by, result,
                     values)  # fmt: skip


def _rdap(law: Law, pop: Population, index: int, release: int) -> str:
    """The RDAP line of a worksheet: the months off the release, or why there are none."""
    if not bool(pop.rdap[index]):
        return "no (does not complete the program, or the law excludes the person)"
    months = int(law.rdap_reduction(pop.term[index : index + 1], np.array([release]))[0])
    return f"{months} months earlier (counted in both release dates)" if months else "none"


def _second_drug_facts(pop: Population, index: int) -> list[tuple[str, str]]:
    """The second drug of the offense and its quantity, if there is one."""
    code = int(pop.drug2[index])
    if not code:
        return []
    drug = SECOND_DRUGS[code]
    return [
        ("second drug", f"{drug.replace('_', ' ')} ({DRUG_GROUPS[drug]})"),
        ("second quantity", _grams(float(pop.grams2[index]))),
    ]


def _grouping_rows(
    law: Law, one: Population, old_fn: GuidelineOf, new_fn: GuidelineOf
) -> list[Row]:
    """Each drug's own base level, before the quantities are added (one-row ``one``)."""
    if not int(one.drug2[0]):
        return []
    alone = one.replace(drug2=np.zeros(1, np.int8), grams2=np.zeros(1, np.float32))
    second = one.replace(
        drug=(one.drug2 - 1).astype(np.int8), grams=one.grams2,
        drug2=np.zeros(1, np.int8), grams2=np.zeros(1, np.float32),
    )  # fmt: skip
    first_name, second_name = DRUGS[int(one.drug[0])], SECOND_DRUGS[int(one.drug2[0])]
    rows: list[Row] = []
    for label, pop in ((first_name, alone), (second_name, second)):
        old = _steps(law, pop, old_fn)["base"]
        new = _steps(law, pop, new_fn)["base"]
        rows.append((f"  {label.replace('_', ' ')} alone (§2D1.1(c))", str(old), str(new), ""))
    rows.append(
        (
            "  drugs grouped (§3D1.2(d), §2D1.1 n.8(B))",
            "",
            "",
            "the quantities added as converted drug weight (marijuana equivalents), "
            "never below either drug's own level; each count keeps its own statutory tier",
        )
    )
    return rows


def _firearm_facts(law: Law, pop: Population, index: int) -> list[tuple[str, str]]:
    """The consecutive §924(c) term and the drug term, for a person who has one."""
    months = int(pop.firearm_924c_months[index])
    if not months:
        return [("consecutive §924(c) term", "none")]
    drug = int(drug_term(law, pop.term[index : index + 1], months)[0])
    life, total = law.life_months, int(pop.term[index])
    return [
        ("consecutive §924(c) term",
         f"{months} months, after the drug term (18 U.S.C. §924(c)(1)(A), (D)(ii); the guideline "
         "sentence is the statutory minimum, USSG §2K2.4(b); no drug-guideline change reduces it)"),
        ("drug term / total term", f"{_months(drug, life)} / {_months(total, life)}"),
    ]  # fmt: skip


def _firearm_result(law: Law, pop: Population, index: int, after: int) -> list[tuple[str, str]]:
    """The drug term after the decision, and the §924(c) months kept, for such a person."""
    months = int(pop.firearm_924c_months[index])
    if not months:
        return []
    drug = int(drug_term(law, np.array([after], np.int16), months)[0])
    return [("drug term after the decision (§924(c) term kept)",
             f"{_months(drug, law.life_months)} + {months} months")]  # fmt: skip


def _comparable(term: int, old: dict, new: dict, life: int, sub_assist: bool) -> str:
    """The arithmetic of a comparable cut below a life minimum, where it counts life.

    Examples
    --------
    >>> _comparable(235, {"range_min": 600}, {"table_min": 188}, 600, True)
    ' (235 × 188 / 600: comparably below the amended range, §1B1.10(b)(2)(B))'
    """
    if not sub_assist or old["range_min"] != life or term >= life:
        return ""
    return (f" ({term} × {new['table_min']} / {life}: comparably below the amended range, "
            "§1B1.10(b)(2)(B))")  # fmt: skip


def life_convention(months: int) -> str:
    """How a worksheet counts life, and on whose authority.

    Examples
    --------
    >>> life_convention(470)
    "470 months (the Sentencing Commission's convention, data/law/conventions.yaml)"
    >>> life_convention(600)
    "600 months (the scenario's conventions.life_months; the Commission counts 470)"
    """
    code = conventions().life_months
    if months == code:
        return (f"{months} months (the Sentencing Commission's convention, "
                "data/law/conventions.yaml)")  # fmt: skip
    return f"{months} months (the scenario's conventions.life_months; the Commission counts {code})"


def earlier_reductions(bits: int) -> str:
    """The earlier retroactive changes a ``reduced_by`` or ``denied_by`` value names, or none.

    Examples
    --------
    >>> earlier_reductions(0), earlier_reductions(0b100)
    ('none', 'A782 (effective 2014-11-01)')
    """
    names = [
        f"{am.name} (effective {iso(am.effective)})"
        for bit, am in enumerate(retroactive_amendments())
        if bits & (1 << bit)
    ]
    return ", ".join(names) or "none"


def _motion_rows(red: Reduction, i: int) -> list[tuple[str, str]]:
    """The motion's filing and decision, when the scenario has a court process."""
    docket = red.docket
    if docket is None:
        return []
    if not docket.filed[i]:
        return [("motion", "none filed")]
    return [("motion decided on", iso(int(docket.decided_on[i])))]


def _eligibility(outcome: Outcome, i: int, one: Population) -> list[tuple[str, bool, str]]:
    """The rules of eligibility in the engine's order, each met or not, with the figures."""
    pop, red, sc = outcome.population, outcome.reduction, outcome.scenario
    eff, first = outcome.effective, outcome.first_day
    if any(ch.type == "clemency" for ch in sc.changes):
        return _clemency_rules(outcome, i, one)
    life = outcome.law.life_months
    sa = " (compared before the mandatory minimum, §1B1.10(c))" if pop.sub_assist[i] else ""
    o, n = red.old, red.new
    return [
        ("the change lowers the applicable range (§1B1.10(a)(2))", bool(red.lowered[i]),
         f"{_range(int(o.range_min[i]), int(o.range_max[i]), life)} → "
         f"{_range(int(n.range_min[i]), int(n.range_max[i]), life)}{sa}"),
        ("sentenced before the change took effect", bool(pop.sentencing_date[i] < eff),
         f"sentenced {iso(int(pop.sentencing_date[i]))}, effective {iso(eff)}"),
        ("in custody on the effective date", bool(pop.custody_start[i] <= eff),
         f"custody since {iso(int(pop.custody_start[i]))}"),
        ("still in custody on the first day a release may happen",
         bool(pop.release_date[i] > first),
         f"release due {iso(int(pop.release_date[i]))}, first release {iso(first)}"),
        ("a reduction is possible (the reduced term is shorter)",
         bool(red.reduced_term[i] < pop.term[i]),
         f"{int(red.reduced_term[i])} against {int(pop.term[i])} months"),
    ]  # fmt: skip


def _clemency_rules(outcome: Outcome, i: int, one: Population) -> list[tuple[str, bool, str]]:
    red, sc = outcome.reduction, outcome.scenario
    clem = next(ch for ch in sc.changes if ch.type == "clemency")
    start = outcome.effective
    # the engine's own review of everyone: petitions and the queue are each person's draws
    flow = schedule(outcome.law, outcome.population, clem, start=start, new_term=red.reduced_term)
    decided = bool(flow.decided[i])
    when = int(flow.decided_on[i]) if decided else start
    masks = flow.at_decision if decided else flow.at_start
    c, pop = clem.criteria, outcome.population
    served = (when - int(pop.custody_start[i])) / outcome.law.conventions.days_per_year
    figures = {
        "lower_sentence_today": f"{int(red.reduced_term[i])} months today against "
        f"{int(pop.term[i])} (needs {c.lower_sentence_today or 0:.0%} lower)",
        "non_violent_offense": f"weapon {'yes' if pop.weapon[i] else 'no'}, role "
        f"{int(pop.role[i]):+d}",
        "min_years_served": f"{served:.1f} years served (needs {c.min_years_served})",
        "max_category": f"category {CATEGORIES[int(one.category()[0])]} (at most {c.max_category})",
        "max_infractions": f"{int(pop.infractions[i])} (at most {c.max_infractions})",
        "no_violence_history": "history of violence" if pop.violent[i] else "none",
        "drugs": f"{DRUGS[int(pop.drug[i])]} (one of {', '.join(c.drugs or [])})",
    }
    if decided and clem.review.arrival_months is not None:
        when = int(flow.filed_on[i])
        on = f"on the filing day, {iso(when)}"
    else:
        on = f"on the decision day, {iso(when)}" if decided else f"at the start, {iso(start)}"
    sel = clem.selection
    if sel is None:
        rules = [
            (f"criterion {name.replace('_', ' ')} ({on})", bool(m[i]), figures[name])
            for name, m in masks.items()
        ]
    else:  # a score: only the required criteria decide; the others shift the odds
        rules = [
            (f"criterion {name.replace('_', ' ')} ({on})",
             bool(m[i]) or name not in sel.required,
             f"{'met' if m[i] else 'not met'}: {figures[name]}; "
             + ("required" if name in sel.required else
                f"log-odds of a grant {getattr(sel.weights, name):+.2f} if met"))
            for name, m in masks.items()
        ]  # fmt: skip
    until = iso(day(clem.review.until)) if clem.review.until else "the end"
    petitioned = "petitioned" if flow.petition[i] else "did not petition"
    every = "every criterion" if sel is None else "every required criterion"
    rules.append(
        ("petitioned, decided by " + until + " and meeting " + every,
         bool(red.eligible[i]),
         f"{petitioned}; " + (f"decided {iso(int(flow.decided_on[i]))}" if decided
                              else "not decided"))
    )  # fmt: skip
    return rules


def case_population(
    law: Law,
    *,
    drug: str,
    grams: Value,
    chp: Value,
    sentenced: str,
    term: Value,
    custody_start: str | None = None,
    offense_date: str | None = None,
    role: Value = 0,
    weapon: bool = False,
    obstruction: bool = False,
    acceptance: bool = True,
    safety_valve: bool = False,
    sub_assist: bool = False,
    career: bool = False,
    mm_tier: Value | None = None,
    priors_851: Value = 0,
    infractions: Value = 0,
    status_points: Value = 0,
    zero_point_excluded: bool = False,
    violent: bool = False,
    rdap: bool = False,
    ftc: bool = False,
    sv_conditions: bool | None = None,
    one_point: Value | None = None,
    prior_3pt: bool = False,
    prior_2pt_violent: bool = False,
    firearm_924c: Value = 0,
    drug2: str | None = None,
    grams2: Value | None = None,
    names: dict[str, str] | None = None,
) -> Population:
    """A one-row population from a typed-in case (``simulate screen``).

    The case is read as a row of a population file is (:func:`simulator.inputs.rows.parse_frame`):
    every value is checked against the population schema (numbers, bounds, dates from 1950,
    the offense not after sentencing, ...), and the columns a file may leave out are derived
    as for a file (the safety valve's other conditions as ``safety_valve``, as many points from
    1-point offenses as the points allow). The Drug Quantity Table and statutes are those in
    force on ``sentenced``; ``term`` is the total term, with any consecutive §924(c) months
    (``firearm_924c``) in it; ``drug2`` and ``grams2`` give a second drug of the offense (its
    counts grouped with the first's, USSG §3D1.2(d));
    the tier charged defaults to what the quantity supports then; the custody start to the
    sentencing date, and the offense date to the earlier of the two.

    Raises
    ------
    PopulationError
        One line per problem of the case, each column called as ``names`` calls it (e.g.
        ``{"grams": "--grams"}``).

    Examples
    --------
    >>> from simulator.law import load_law
    >>> p = case_population(load_law(), drug="crack", grams=50, chp=5, sentenced="2010-05-01",
    ...                     term=120, custody_start="2009-11-01")
    >>> int(p.mm_charged[0]), int(p.term[0]), str(p.to_frame()["release_date"][0].date())
    (10, 120, '2018-07-20')
    >>> case_population(load_law(), drug="crack", grams=float("inf"), chp=5,
    ...                 sentenced="1800-01-01", term=120, names={"grams": "--grams"})
    Traceback (most recent call last):
    ...
    simulator.errors.PopulationError: --grams: not a finite number (got inf)
    sentencing_date: outside 1950-01-01..2100-12-31 (got 1800-01-01)
    """
    start = custody_start or sentenced
    row: dict[str, Value] = {
        "id": 0, "drug": DRUG_ALIASES.get(drug, drug), "grams": grams, "weapon": weapon,
        "role": role, "obstruction": obstruction, "acceptance": acceptance,
        "safety_valve": safety_valve, "sub_assist": sub_assist, "career": career, "chp": chp,
        "mm_charged": 0 if mm_tier is None else mm_tier, "priors_851": priors_851,
        "offense_date": offense_date or _earlier(start, sentenced),
        "sentencing_date": sentenced, "custody_start": start, "term": term, "age": 35,
        "female": False, "race": "white", "noncitizen": False, "infractions": infractions,
        "violent": violent, "u_grant": 0.0, "status_points": status_points,
        "zp_excluded": zero_point_excluded, "rdap": rdap, "ftc": ftc, "prior_3pt": prior_3pt,
        "prior_2pt_violent": prior_2pt_violent, "firearm_924c_months": firearm_924c,
    }  # fmt: skip
    if drug2 is not None or grams2 is not None:
        row["drug2"] = "" if drug2 is None else DRUG_ALIASES.get(drug2, drug2)
        row["grams2"] = "" if grams2 is None else grams2
    # left out, the safety valve's other conditions and the 1-point offenses are derived as for
    # a file (as the safety valve applied; as many 1-point points as the points allow)
    if sv_conditions is not None:
        row["sv_conditions"] = sv_conditions
    if one_point is not None:
        row["one_point"] = one_point
    names = names or {}
    quiet = {name for name, given in (("custody_start", custody_start),
                                      ("offense_date", offense_date)) if not given}  # fmt: skip
    pop = _one_row(row, names, quiet)
    if mm_tier is None:  # the tier the quantities reach on the sentencing date
        second = pop.drug2.astype(np.int16) - 1
        tier = int(law.grouped_tier(pop.drug, pop.grams, second, pop.grams2,
                                    pop.sentencing_date)[0])  # fmt: skip
        if tier:
            pop = _one_row({**row, "mm_charged": tier}, names, quiet)
    return pop


def _earlier(a: str, b: str) -> str:
    try:
        return a if day(a) <= day(b) else b
    except ValueError:  # not a date: the row check says so
        return a


def _one_row(row: dict[str, Value], names: dict[str, str], quiet: set[str]) -> Population:
    """The row checked and completed as a population file's row, or the error.

    The error has one line per problem, none about the ``quiet`` columns (defaults taken from
    others, whose problems are reported under their own names).
    """
    text = {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in row.items()}
    chunk = parse_frame(pd.DataFrame({k: [v] for k, v in text.items()}), source=Path("case"))
    if not len(chunk.rejected):
        pop = chunk.population
        return Population.from_arrays(
            pop.arrays(), meta={"source": "simulate screen", "seed": None, "size": None}
        )
    reasons = re.split(rf"; (?=(?:{'|'.join(SCHEMA)}):)", str(chunk.rejected["reason"][0]))
    lines = [r for r in reasons if r.split(":")[0] not in quiet]
    if names:  # the user's names for our columns, but not inside the values quoted
        words = re.compile(r"\(got [^)]*\)|\b(" + "|".join(map(re.escape, names)) + r")\b")
        lines = [words.sub(lambda m: names[m[1]] if m[1] else m[0], line) for line in lines]
    raise PopulationError("\n".join(lines))
