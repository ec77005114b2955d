"""Admission cohorts: the cases of each fiscal year drawn from the generator's parameters.

Each fiscal year from ``first_cohort`` brings its number of drug-trafficking cases (the
admissions series times the fitted scale), each with a drug, quantity, role, weapon (and for some
a consecutive §924(c) firearm count instead of the weapon enhancement), criminal
history, charges, relief, departures, dates and the person's traits. Nothing is sentenced here
(:mod:`simulator.inputs.synthesis` does that under the law of each sentencing date).

Randomness comes from one :class:`numpy.random.SeedSequence` per seed; each attribute draws from
its own child stream (keyed by the attribute's name), so changing how one attribute is drawn
leaves every other draw as it was.

Examples
--------
>>> from simulator.inputs.parameters import load_parameters
>>> cases = draw_cases(load_parameters(), seed=5, size=0.01, last_fy=2014)
>>> len(cases["drug"]) == len(cases["sentencing_date"]) > 0
True
"""

from __future__ import annotations

import functools
import zlib

import numpy as np

from simulator.calendar import NEVER, day
from simulator.errors import PopulationError
from simulator.inputs.exits import compassionate_days, death_days
from simulator.inputs.parameters import Parameters, default_parameters_path
from simulator.law import DRUGS, conventions, load_law
from simulator.model.population import RACES
from simulator.numeric import expit, softmax

GROUPS = ("heroin", "cocaine", "cocaine_base", "methamphetamine", "marijuana", "other")
#: The drug code each group is drawn as (``other`` as oxycodone, some of it fentanyl later).
_GROUP_DRUG = np.array(
    [DRUGS.index("oxycodone" if g == "other" else g) for g in GROUPS], dtype=np.int8
)


class Streams:
    """One independent generator per named attribute, all children of one seed.

    Each stream is drawn from once, in case order (several values a person as one
    ``(n, k)`` draw), so a case's draws do not depend on how many cases follow it: a series
    cut at a later day sees the same people in the cohorts both hold.
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def __call__(self, name: str) -> np.random.Generator:
        """The generator of the attribute ``name``."""
        ss = np.random.SeedSequence(self.seed, spawn_key=(zlib.crc32(name.encode()),))
        return np.random.default_rng(ss)

    def uniform(self, name: str, n: int) -> np.ndarray:
        """``n`` uniform draws in [0, 1) of the attribute ``name``.

        Float32: its resolution (6e-8) is far finer than any rate the generator uses.
        """
        return self(name).random(n, dtype=np.float32)


def _cohort_sizes(params: Parameters, last_year: int, size: float) -> tuple[np.ndarray, ...]:
    a = params.assumed
    years = np.arange(int(a["first_cohort"]), last_year + 1)
    counts = _by_year(a["admissions"], years) * params.fitted["admissions_scale"] * size
    return years, np.rint(counts).astype(np.int64)


def early_mix(params: Parameters) -> np.ndarray:
    """The drug mix of cohorts up to ``assumed.early_mix_year`` (shares of :data:`GROUPS`).

    Crack's share is the published one of that year (``assumed.early_crack_share``); the other
    groups split the rest by the fitted log-weights ``early_mix.*`` (``other`` is 0).

    Examples
    --------
    >>> from simulator.inputs.parameters import load_parameters
    >>> mix = early_mix(load_parameters())
    >>> round(float(mix.sum()), 6), float(mix[GROUPS.index("cocaine_base")])
    (1.0, 0.244)
    """
    crack = float(params.assumed["early_crack_share"])
    weights = [params.fitted.get(f"early_mix.{g}", 0.0) for g in GROUPS if g != "cocaine_base"]
    rest = list(softmax(weights) * (1.0 - crack))
    rest.insert(GROUPS.index("cocaine_base"), crack)
    return np.array(rest)


def _drug_mix(params: Parameters, years: np.ndarray) -> np.ndarray:
    """Cumulative shares of the six drug groups for each cohort year ([n_years, 6]).

    The anchors are the early mix (:func:`early_mix`, held before its year) and the published
    mixes of ``assumed.mix_by_year``; between anchors each share moves linearly, after the last
    it stays.
    """
    a = params.assumed
    anchors = {int(a["early_mix_year"]): early_mix(params)}
    for year, mix in a["mix_by_year"].items():
        shares = np.array([float(mix[g]) for g in GROUPS])
        anchors[int(year)] = shares / shares.sum()
    known = sorted(anchors)
    table = np.array([anchors[y] for y in known])
    mix = np.column_stack([np.interp(years, known, table[:, g]) for g in range(len(GROUPS))])
    return np.cumsum(mix, axis=1)


def _by_year(anchors: dict, years: np.ndarray) -> np.ndarray:
    """Values given for some fiscal years, for each of ``years``: linear between, held outside.

    Examples
    --------
    >>> _by_year({2013: 0.05, 2021: 0.7}, np.array([2000, 2013, 2017, 2024])).round(3).tolist()
    [0.05, 0.05, 0.375, 0.7]
    """
    known = sorted((int(k), float(v)) for k, v in anchors.items())
    return np.interp(years, [k for k, _ in known], [v for _, v in known])


def _ramp(years: np.ndarray, span: list) -> np.ndarray:
    """0 up to fiscal year ``span[0]``, 1 from ``span[1]``, linear between.

    Examples
    --------
    >>> _ramp(np.array([2010, 2012, 2016, 2020]), [2012, 2020]).tolist()
    [0.0, 0.0, 0.5, 1.0]
    """
    return _by_year({span[0]: 0.0, span[1]: 1.0}, years)


def _race_weights(params: Parameters) -> np.ndarray:
    w = {d: np.array(v, dtype=float) for d, v in params.assumed["race_weights"].items()}
    f = params.fitted
    w["cocaine_base"][1] = f["race.crack_black"]
    w["cocaine"][2] = f["race.powder_hispanic"]
    for drug in ("heroin", "cocaine", "marijuana", "oxycodone", "fentanyl"):
        w[drug][1] += f["race.black_other"]
    for meth in ("methamphetamine", "methamphetamine_actual"):
        w[meth][0], w[meth][2] = f["race.meth_white"], f["race.meth_hispanic"]
    return np.cumsum(softmax(np.array([w[d] for d in DRUGS]), axis=1), axis=1)


def _categorical(
    u: np.ndarray, cumulative: np.ndarray, rows: np.ndarray | None = None
) -> np.ndarray:
    """Index (int8) drawn from rows of cumulative shares by uniforms ``u`` (inverse CDF).

    ``cumulative`` is one row of cumulative shares for everyone, or a table of rows of which
    ``rows`` picks each person's. The index counts the cumulative shares ``u`` exceeds, a column
    at a time (no ``[n, k]`` temporaries). Float32 draws are compared in float32 with each
    share rounded down to a float32 (:func:`_float32_at_or_below`): the same answer, without
    converting the draws to float64 once per column.

    Examples
    --------
    >>> _categorical(np.array([0.1, 0.5, 0.99]), np.array([0.2, 0.7, 1.0])).tolist()
    [0, 1, 2]
    >>> table = np.array([[0.5, 1.0], [0.9, 1.0]])
    >>> _categorical(np.array([0.6, 0.6]), table, rows=np.array([0, 1])).tolist()
    [1, 0]
    """
    table = np.atleast_2d(cumulative)
    if u.dtype == np.float32:
        table = _float32_at_or_below(table)
    # exceeding the last share (1) is clipped to the last index
    columns = np.ascontiguousarray(table.T[:-1])
    out = np.zeros(u.shape, dtype=np.int8)
    for column in columns:
        out += u > (column if rows is None else column.take(rows))
    return out


def _float32_at_or_below(x: np.ndarray) -> np.ndarray:
    """The largest float32 at or below each value: ``u > x`` exactly when ``u > result``.

    For a float32 ``u`` above the result, the next float32 after the result is above ``x``,
    so ``u`` is too.

    Examples
    --------
    >>> x = np.array([0.1, 0.5])
    >>> y = _float32_at_or_below(x)
    >>> bool((y <= x).all()), y.dtype.name, bool(y[1] == 0.5)
    (True, 'float32', True)
    """
    y = np.asarray(x).astype(np.float32)
    return np.where(y > x, np.nextafter(y, np.float32(-np.inf)), y)


def draw_cases(
    params: Parameters, seed: int, size: float, last_fy: int, *, exits: bool = True
) -> dict[str, np.ndarray]:
    """Draw every admission cohort's cases through fiscal year ``last_fy`` (not yet sentenced).

    A case's draws depend only on the seed, the parameters and the cases before it (each
    attribute's stream is drawn once, in case order), never on the day a caller cuts the series
    at: a series cut at a later day holds the same people in the cohorts both hold.

    With ``exits`` false the days of death and of a compassionate release are not computed:
    the cases carry the draws :func:`exit_days` computes them from (``u_death``,
    ``u_compassionate``), so that a caller computes them only for the cases it needs.

    Raises
    ------
    PopulationError
        When a user's parameter file (not the committed one) holds a value the draws cannot
        use, such as a beta parameter that is not positive; it names the file.
    """
    try:
        cases = _draw_cases(params, seed, size, last_fy)
        if exits:
            cases.update(exit_days(params, cases))
            del cases["u_death"], cases["u_compassionate"]
        return cases
    except (ValueError, IndexError, ZeroDivisionError) as exc:
        if params.path is None or params.path == default_parameters_path():
            raise
        raise PopulationError(f"{params.path}: the generator cannot use it: {exc}") from None


def exit_days(
    params: Parameters,
    cases: dict[str, np.ndarray],
    at: np.ndarray | None = None,
    *,
    release: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Days of death in custody and of a compassionate release of the cases ``at`` (default all).

    From the cases' draws (``u_death``, ``u_compassionate``, as :func:`draw_cases` leaves them
    with ``exits`` false), their age and custody start, and the assumptions ``deaths`` and
    ``compassionate_release`` (:func:`simulator.inputs.exits.death_days`,
    :func:`simulator.inputs.exits.compassionate_days`). Returns ``death_date`` and
    ``compassionate_date``, one per case of ``at``.

    ``release`` may give the cases' release days without these exits: a compassionate release
    then counts only for the cases still in custody when the provision began (it comes no
    sooner), and is :data:`~simulator.calendar.NEVER` for the others, whose custody ends first.
    """
    a = params.assumed

    def of(name: str) -> np.ndarray:
        return cases[name] if at is None else cases[name].take(at)

    custody, sent = of("custody_start"), of("sentencing_date")
    dies = a["deaths"]
    death = death_days(
        custody, of("age") - (sent - custody) / conventions().days_per_year, of("u_death"),
        rate_at_40=dies["rate_at_40"], doubling_years=dies["doubling_years"],
    )  # fmt: skip
    cr = a["compassionate_release"]
    since = day(cr["from"])
    rates = {int(y): float(r) for y, r in cr["yearly_rate"].items()}
    if release is None:
        compassionate = compassionate_days(custody, of("u_compassionate"), rates, since=since)
    else:
        compassionate = np.full(len(custody), NEVER, dtype=np.int32)
        later = np.flatnonzero(release > since)
        compassionate[later] = compassionate_days(
            custody.take(later), of("u_compassionate").take(later), rates, since=since
        )
    return {"death_date": death, "compassionate_date": compassionate}


def _draw_cases(params: Parameters, seed: int, size: float, last_fy: int) -> dict[str, np.ndarray]:
    a, f = params.assumed, params.fitted
    rng = Streams(seed)
    years, counts = _cohort_sizes(params, last_fy, size)
    n = int(counts.sum())
    cohort = np.repeat(np.arange(len(years)), counts)  # each case's index in years
    fy_start = np.array([conventions().fiscal_year_start(y) for y in years])
    start = np.repeat(fy_start, counts)
    span = int(a["sentencing_day_span"])
    sent = (start + rng("sentencing_date").integers(0, span, n)).astype(np.int32)

    group = _categorical(rng.uniform("drug", n), _drug_mix(params, years), rows=cohort)
    drug = _GROUP_DRUG[group]
    sub = rng.uniform("drug_form", n)
    meth, actual = DRUGS.index("methamphetamine"), DRUGS.index("methamphetamine_actual")
    oxy, fentanyl = DRUGS.index("oxycodone"), DRUGS.index("fentanyl")
    drug[np.flatnonzero((drug == meth) & (sub < a["methamphetamine_actual_share"]))] = actual
    to_fentanyl = sub < _by_year(a["fentanyl_share_of_other"], years)[cohort]
    drug[np.flatnonzero((drug == oxy) & to_fentanyl)] = fentanyl

    # each drug's shift of its log10 quantity, computed once per drug code and looked up
    code = np.arange(len(DRUGS))
    median = np.array([a["median_grams"][d] for d in DRUGS], dtype=float)
    shift = (
        f["quantity.shift"]
        + f["quantity.crack_shift"] * (code == DRUGS.index("cocaine_base"))
        + f.get("quantity.marijuana_shift", 0.0) * (code == DRUGS.index("marijuana"))
        + f.get("quantity.methamphetamine_shift", 0.0) * ((code == meth) | (code == actual))
    )
    # methamphetamine's rise over the assumed years, added to each case's centre (0 elsewhere)
    recent = f.get("quantity.methamphetamine_recent", 0.0)
    rise = recent * _ramp(years, a["recent_trends"]["methamphetamine_quantity"])
    is_meth = (drug == meth) | (drug == actual)
    centre = np.log10(median)[drug] + (shift[drug] + is_meth * rise[cohort])
    log10 = centre + f["quantity.sd"] * rng("grams").standard_normal(n)
    grams = 10.0**log10

    drug2, grams2 = _second_drugs(a.get("second_drug"), params, years, cohort, drug, grams, rng)

    female = rng.uniform("female", n) < expit(f["female"])
    is_crack = drug == DRUGS.index("cocaine_base")
    # the chance of a weapon for each of (crack, female): [no, no], [no, yes], [yes, no], ...
    crack_female = np.array([[False, False], [False, True], [True, False], [True, True]])
    p_weapon = expit(
        f["weapon.base"] + f["weapon.crack"] * crack_female[:, 0]
        + a["weapon_female_logodds"] * crack_female[:, 1]
    )  # fmt: skip
    weapon = rng.uniform("weapon", n) < p_weapon[2 * is_crack.view(np.int8) + female]
    role_cdf = np.cumsum(a["role"]["shares"])
    role = np.array(a["role"]["levels"], dtype=np.int8)[
        _categorical(rng.uniform("role", n), role_cdf)
    ]
    obstruction = rng.uniform("obstruction", n) < a["obstruction"]
    acceptance = rng.uniform("acceptance", n) < a["acceptance"]

    law = load_law()
    minimal_logit = f["history.minimal"] + f.get("history.minimal_recent", 0.0) * _ramp(
        years, a["recent_trends"]["history"]
    )
    minimal = rng.uniform("history", n) < expit(minimal_logit[cohort])
    chp = np.empty(n, dtype=np.int8)
    zero = rng.uniform("history.zero", int(minimal.sum())) < a["history_minimal_zero_share"]
    chp[np.flatnonzero(minimal)] = ~zero
    # 2 + a negative binomial count (failures before 2 successes, mean mean_hi): each
    # success's failures are a geometric count of trials less one, so 2 + NB = G1 + G2
    mean_hi = a["history_points_mean_above_one"] - 2.0
    trials = rng("history.points").geometric(2.0 / (2.0 + mean_hi), size=(n - len(zero), 2))
    high = trials[:, 0] + trials[:, 1]
    chp[np.flatnonzero(~minimal)] = np.minimum(high, a["history_points_max"])
    # the chance of a career offender who has the points, without crack and with it
    p_career = expit(f["career.rate"] + f.get("career.crack", 0.0) * np.array([False, True]))
    career = (chp >= a["career_min_points"]) & (
        rng.uniform("career", n) < p_career[is_crack.view(np.int8)]
    )
    status_points = _status_points(a["criminal_history"], chp, rng)
    vio = a["violent"]
    p_violent = np.array([vio["base"], vio["career"]])  # not a career offender, one
    violent = rng.uniform("violent", n) < p_violent[career.view(np.int8)]
    one_point, prior_3pt, prior_2pt_violent = criminal_history_composition(
        a["criminal_history"]["composition"],
        chp - status_points,
        violent,
        rng.uniform("history.composition", n),
        rng.uniform("history.violent_two_point", n),
        int(a["history_points_max"]),
        law.one_point_max,
    )

    # a §924(c) count instead of the weapon enhancement for a share of the cases with a weapon
    # (USSG §2K2.4, Application Note 4: not both); the term is the statute's of the sentencing day
    fa = a["firearm_924c"]
    counted = weapon & (rng.uniform("firearm_924c", n) < fa["share_of_weapon"])
    firearm = np.zeros(n, dtype=np.int16)
    at = np.flatnonzero(counted)
    firearm[at] = law.firearms.minimum(fa["kind"], sent[at])
    # each count's tier: a second drug's quantity is its own count's (21 U.S.C. §841(b)(1))
    supported = law.grouped_tier(drug, grams, drug2.astype(np.int16) - 1, grams2, sent)
    # the chance a minimum supported is charged, before the charging policy and from it
    p_charged = expit(
        f["mandatory.charge"] + f["mandatory.charge_recent"] * np.array([False, True])
    )
    recent = (sent >= day(a["charging_policy_from"])).view(np.int8)
    u_charged = rng.uniform("mm_charged", n)
    mm = supported * (u_charged < p_charged[recent])
    u851 = rng.uniform("priors_851", n)
    priors = priors_851(a["priors_851"], mm, chp, u851)

    # the safety valve: its other conditions (18 U.S.C. §3553(f)(2)-(5)) are the case's; whether
    # the criminal history allows it is the statute in force on the sentencing date
    sv_conditions = ~weapon & (role <= 0) & ~career
    sv_conditions &= rng.uniform("safety_valve", n) < expit(f["relief.safety_valve"])
    # the criminal history the statute reads, judged for those who meet the other conditions
    at = np.flatnonzero(sv_conditions)
    safety_valve = np.zeros(n, dtype=bool)
    safety_valve[at] = law.safety_valve.statute.met(
        chp=law.criminal_history_points(chp[at], status_points[at], sent[at]),
        one_point=one_point[at], prior_3pt=prior_3pt[at],
        prior_2pt_violent=prior_2pt_violent[at], when=sent[at],
    )  # fmt: skip
    zp_excluded = zero_point_excluded(
        a["criminal_history"]["zero_point_exclusions"],
        safety_valve,
        rng.uniform("zp_excluded", n),
    )
    sa = a["substantial_assistance"]
    sub_assist = rng.uniform("sub_assist", n) < expit(f["relief.sub_assist"])
    var = a["variance"]
    var_rate = np.array([var["rate_before"], var["rate_after"]])  # before Booker, after
    booker = (sent >= day(var["booker"])).view(np.int8)
    varies = ~sub_assist & (rng.uniform("departure", n) < var_rate[booker])
    departure = np.zeros(n)
    cut = f.get("relief.sub_assist_cut", sa["beta"][0] / sum(sa["beta"]))
    concentration = sum(sa["beta"])
    at = np.flatnonzero(sub_assist)
    departure[at] = rng("departure.assist").beta(
        concentration * cut, concentration * (1.0 - cut), len(at)
    )
    at = np.flatnonzero(varies)
    departure[at] = rng("departure.variance").beta(*var["beta"], len(at))
    # a substantial-assistance motion under 18 U.S.C. §3553(e) lets the court go below the
    # §924(c) minimum too: the consecutive term imposed is cut by the drug term's share
    at = np.flatnonzero(sub_assist & (firearm > 0))
    firearm[at] = np.maximum(np.rint(firearm[at] * (1.0 - departure[at])), 1)
    position = rng("position").beta(*a["position_beta"], n)

    scale = (f["age.mean"] - a["age_min"]) / a["age_shape"]
    age = np.clip(
        a["age_min"] + rng("age").gamma(a["age_shape"], scale, n), a["age_min"], a["age_max"]
    )
    race = _categorical(rng.uniform("race", n), _race_weights(params), rows=drug)
    p_noncitizen = np.full(len(RACES), float(a["noncitizen_other"]))
    p_noncitizen[RACES.index("hispanic")] = expit(f["noncitizen.hispanic"])
    noncitizen = rng.uniform("noncitizen", n) < p_noncitizen[race]
    infractions = np.minimum(
        rng("infractions").poisson(a["infractions_mean"], n), a["infractions_max"]
    )

    pre = a["pretrial_detention"]
    detained = rng.uniform("custody_start", n) < pre["rate"]
    custody = sent.copy()
    days = rng("custody_start.days").integers(pre["min_days"], pre["max_days"], int(detained.sum()))
    custody[np.flatnonzero(detained)] -= days.astype(custody.dtype)
    lag = rng("offense_date").integers(*a["offense_lag_days"], n)
    rdap = rng.uniform("rdap", n) < a["rdap"]["share"]
    tc = a["time_credits"]
    ftc = (chp <= tc["max_points"]) & (rng.uniform("time_credits", n) < tc["share"])
    # the draws of the days custody ends in death or on compassionate grounds (exit_days)
    u_death = rng.uniform("death", n)
    u_compassionate = rng.uniform("compassionate_release", n)

    ant = a["anticipatory_variance"]
    law_ed = law.edition_index(ant["edition"])
    window = (sent >= day(ant["from"])) & (sent < day(ant["until"]))
    anticipates = np.full(n, -1)
    anticipates[np.flatnonzero(window & (rng.uniform("anticipates", n) < ant["share"]))] = law_ed

    return dict(
        anticipates=anticipates, drug=drug, grams=grams, weapon=weapon, role=role,
        obstruction=obstruction,
        acceptance=acceptance, safety_valve=safety_valve, sub_assist=sub_assist, career=career,
        chp=chp, mm_charged=mm, priors_851=priors, position=position, departure=departure,
        offense_date=sent - lag, sentencing_date=sent, custody_start=custody, table_date=sent,
        age=age, female=female, race=race, noncitizen=noncitizen, infractions=infractions,
        violent=violent, u_grant=rng.uniform("u_grant", n), status_points=status_points,
        zp_excluded=zp_excluded, mm_supported=supported, u_mm_charged=u_charged,
        u_priors_851=u851, rdap=rdap, ftc=ftc, u_death=u_death,
        u_compassionate=u_compassionate, sv_conditions=sv_conditions, one_point=one_point,
        prior_3pt=prior_3pt, prior_2pt_violent=prior_2pt_violent, firearm_924c_months=firearm,
        drug2=drug2, grams2=grams2,
    )  # fmt: skip


def _second_drugs(
    rule: dict | None,
    params: Parameters,
    years: np.ndarray,
    cohort: np.ndarray,
    drug: np.ndarray,
    grams: np.ndarray,
    rng: Streams,
) -> tuple[np.ndarray, np.ndarray]:
    """A second drug for a share of the cases (``drug2`` codes, 0: none) and its grams.

    The second drug is drawn from the year's drug mix (a draw of the first drug's own type
    leaves the case with one drug), and its converted weight (marijuana grams, the
    equivalency table's factors) is a uniform share of the first's. Nothing is drawn when the
    share is 0, so the other draws stay as they were (each draw has its own stream).
    """
    n = len(drug)
    drug2, grams2 = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.float64)
    if not rule or not rule.get("share"):
        return drug2, grams2
    at = np.flatnonzero(rng.uniform("drug2", n) < rule["share"])
    group = _categorical(rng.uniform("drug2.type", len(at)), _drug_mix(params, years),
                         rows=cohort[at])  # fmt: skip
    second = _GROUP_DRUG[group]
    other = second != drug[at]
    at, second = at[other], second[other]
    factor = load_law().marijuana_factors  # marijuana grams per gram (crack at 18:1)
    share = rng("drug2.share").uniform(*rule["converted_share"], len(at))
    drug2[at] = second + 1
    grams2[at] = grams[at] * factor[drug[at]] * share / factor[second]
    return drug2, grams2


def priors_851(rule: dict, mm: np.ndarray, chp: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Prior drug felonies in a §851 information: only with a mandatory minimum charged.

    ``rule`` is ``assumed.priors_851`` (``rate``, ``two_or_more``, ``min_points``); ``u`` the
    cases' own uniform draws.

    Examples
    --------
    >>> rule = {"rate": 0.5, "two_or_more": 0.5, "min_points": 2}
    >>> priors_851(rule, np.array([10, 10, 0, 5]), np.array([3, 3, 3, 1]),
    ...            np.array([0.1, 0.4, 0.1, 0.1])).tolist()
    [2, 1, 0, 0]
    """
    has = (mm > 0) & (chp >= rule["min_points"]) & (u < rule["rate"])
    return (np.int8(1) + (u < rule["rate"] * rule["two_or_more"])) * has  # 1 or 2, with one


def _status_points(a: dict, chp: np.ndarray, rng: Streams) -> np.ndarray:
    """Status points (part of ``chp``): 2 for an offense committed under a sentence.

    Status points (USSG §4A1.1(d) before Amendment 821: 2 points for an offense committed under
    any criminal justice sentence) need a prior sentence that itself scored, so only people with
    at least ``status.min_points`` points can have them; the share is an assumption.
    """
    st = a["status"]
    has = (chp >= st["min_points"]) & (rng.uniform("status_points", len(chp)) < st["share"])
    return np.int8(st["points"]) * has


def zero_point_excluded(shares: dict, safety_valve: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Who has one of the USSG §4C1.1(a) exclusions that no other column carries.

    ``shares`` (``assumed.criminal_history.zero_point_exclusions``) are the shares of violence
    or credible threats (a)(3), death or serious bodily injury (a)(4) and a victim adjustment
    (a)(9), each among the cases without the safety valve, drawn independently: a case has at
    least one with probability ``1 - Π(1 - share)``. The safety valve is barred by the same
    conduct (18 U.S.C. §3553(f)(2), (3)), so a safety-valve case has none. ``u`` are the
    cases' own uniform draws.

    Examples
    --------
    >>> shares = {"violence": 0.5, "death_or_injury": 0.0, "vulnerable_victim": 0.0}
    >>> zero_point_excluded(shares, np.array([False, False, True]),
    ...                     np.array([0.2, 0.7, 0.2])).tolist()
    [True, False, False]
    """
    none = np.prod([1.0 - float(v) for v in shares.values()])
    return ~safety_valve & (u < 1.0 - none)


def composition_table(means: dict, max_points: int, one_point_max: int) -> tuple[np.ndarray, ...]:
    """Every split of a total of points into prior sentences, with its chance given the total.

    A split is a count of 3-point and of 2-point sentences and the points of 1-point ones (at
    most ``one_point_max`` count, USSG §4A1.1(c)); the counts are independent Poisson counts
    with ``means``
    (``one_point``, ``two_point``, ``three_point``), conditioned on the total. Returns, sorted
    by total: each split's total, 1-point points, 2-point and 3-point counts, and the key
    ``total + cumulative chance within the total`` that :func:`criminal_history_composition`
    searches.

    Examples
    --------
    >>> total, one, two, three, key = composition_table(
    ...     {"one_point": 1.0, "two_point": 1.0, "three_point": 1.0}, 3, 4)
    >>> [(int(o), int(w), int(t)) for o, w, t in zip(one[total == 3], two[total == 3],
    ...                                              three[total == 3])]
    [(3, 0, 0), (1, 1, 0), (0, 0, 1)]
    >>> key[total == 3].round(3).tolist()   # 1/6, 1 and 1 (of 13/6) for the three splits
    [3.077, 3.538, 4.0]
    """
    cap = int(one_point_max)
    k = np.arange(max(max_points, cap) + 1)
    log_fact = np.concatenate([[0.0], np.cumsum(np.log(np.maximum(k[1:], 1)))])

    def pmf(mean: float) -> np.ndarray:
        return np.exp(k * np.log(mean) - mean - log_fact)

    ones = pmf(float(means["one_point"]))[: cap + 1].copy()
    ones[cap] = 1.0 - ones[:cap].sum()  # the cap, for that many 1-point sentences or more
    three, two, one = np.meshgrid(k[: max_points // 3 + 1], k[: max_points // 2 + 1],
                                  k[: cap + 1], indexing="ij")  # fmt: skip
    total = (3 * three + 2 * two + one).ravel()
    chance = (pmf(float(means["three_point"]))[three] * pmf(float(means["two_point"]))[two]
              * ones[one]).ravel()  # fmt: skip
    keep = total <= max_points
    # by total; within a total, fewer 3-point and then fewer 2-point sentences first
    order = np.lexsort((two.ravel()[keep], three.ravel()[keep], total[keep]))
    total, chance = total[keep][order], chance[keep][order]
    one, two, three = (x.ravel()[keep][order] for x in (one, two, three))
    cumulative = np.cumsum(chance)
    before = np.concatenate([[0.0], cumulative])[np.searchsorted(total, total, side="left")]
    within = np.bincount(total, weights=chance)[total]
    key = total + (cumulative - before) / within
    return total, one, two, three, key


def criminal_history_composition(
    rule: dict,
    points: np.ndarray,
    violent: np.ndarray,
    u: np.ndarray,
    u_violent: np.ndarray,
    max_points: int,
    one_point_max: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each person's 1-point points, prior 3-point offense and prior 2-point violent offense.

    ``points`` are the criminal history points besides status points; the split is drawn from
    :func:`composition_table` with the person's uniform ``u`` (in [0, 1)). A 2-point prior is a
    violent one for a share ``rule["violent_two_point"]`` of the people with a history of
    violence (``u_violent``).

    The split is the first of the total's whose key exceeds ``points + u``
    (:func:`composition_table`); :func:`_composition_lookup` has it for whole buckets of ``u``
    and the table is searched only for the few people whose bucket holds a key.

    Examples
    --------
    >>> rule = {"one_point": 1.2, "two_point": 0.8, "three_point": 0.9, "violent_two_point": 1.0}
    >>> one, three, violent = criminal_history_composition(
    ...     rule, np.array([0, 1, 2, 3, 3]), np.array([False, False, True, False, False]),
    ...     np.array([0.5, 0.5, 0.99, 0.01, 0.99]), np.array([0.5] * 5), 40, 4)
    >>> one.tolist(), three.tolist(), violent.tolist()
    ([0, 1, 0, 3, 0], [False, False, False, False, True], [False, False, True, False, False])
    """
    means = tuple(sorted((str(k), float(v)) for k, v in rule.items()))
    splits, by_bucket = _composition_lookup(means, int(max_points), int(one_point_max))
    one, two, three, first, last, key = splits
    p = np.clip(points, 0, max_points).astype(np.intp)
    u = np.asarray(u)
    bucket = (u * _BUCKETS).astype(np.intp)  # exact: u is below 1 and _BUCKETS a power of two
    np.clip(bucket, 0, _BUCKETS - 1, out=bucket)
    at = by_bucket[p * _BUCKETS + bucket]
    search = np.flatnonzero(at < 0)  # a key inside the bucket: the split depends on u itself
    if u.size and not (u.min() >= 0 and u.max() < 1):  # not uniforms in [0, 1): search all
        search = np.arange(len(at))
    q = p[search]
    draw = np.searchsorted(key, q + u[search].astype(np.float64), side="right")
    at[search] = np.clip(draw, first[q], last[q])
    violent_two = violent & two[at] & (u_violent < rule["violent_two_point"])
    return one[at], three[at], violent_two


#: Buckets of ``u`` per total in :func:`_composition_lookup` (a power of two).
_BUCKETS = 2048


@functools.lru_cache(maxsize=8)
def _composition_lookup(
    means: tuple[tuple[str, float], ...], max_points: int, one_point_max: int
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """:func:`composition_table` and each total's split for each bucket of ``u``.

    Returns the splits (1-point points as int8, whether there are 2-point and 3-point
    sentences, each total's first and last split, the search keys) and, at
    ``total * _BUCKETS + floor(u * _BUCKETS)``, the split every ``u`` of that bucket draws,
    or -1 when a key falls inside the bucket. Cached: it depends on the parameters only.
    """
    total, one, two, three, key = composition_table(dict(means), max_points, one_point_max)
    totals = np.arange(max_points + 1)
    first = np.searchsorted(total, totals, side="left")
    last = np.searchsorted(total, totals, side="right") - 1
    # points + u over a bucket [t + b / B, t + (b + 1) / B): sums exact in float64
    edges = totals[:, None] + np.arange(_BUCKETS + 1) / _BUCKETS
    low = np.searchsorted(key, edges[:, :-1], side="right")  # keys up to the bucket's start
    high = np.searchsorted(key, edges[:, 1:], side="left")  # keys before the next bucket
    low = np.clip(low, first[:, None], last[:, None])  # 0 and 1 point split one way only
    high = np.clip(high, first[:, None], last[:, None])
    index = np.int16 if len(total) < 2**15 else np.int32
    by_bucket = np.where(low == high, low, -1).astype(index).ravel()
    splits = (one.astype(np.int8), two > 0, three > 0, first, last, key)
    return splits, by_bucket
