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

import zlib

import numpy as np

from simulator.calendar import day
from simulator.errors import PopulationError
from simulator.inputs.exits import compassionate_days, death_days
from simulator.inputs.parameters import Parameters, default_parameters_path
from simulator.law import DRUGS, conventions, load_law
from simulator.model.population import RACES
from simulator.numeric import expit, softmax

GROUPS = ("heroin", "cocaine", "cocaine_base", "methamphetamine", "marijuana", "other")


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
    known = sorted((int(k), float(v)) for k, v in a["admissions"].items())
    counts = np.interp(years, [k for k, _ in known], [v for _, v in known])
    counts = counts * params.fitted["admissions_scale"] * size
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
    """Index drawn from rows of cumulative shares by uniforms ``u`` (inverse CDF).

    ``cumulative`` is one row of cumulative shares for everyone, or a table of rows of which
    ``rows`` picks each person's. The index counts the cumulative shares ``u`` exceeds, a column
    at a time (no ``[n, k]`` temporaries).

    Examples
    --------
    >>> _categorical(np.array([0.1, 0.5, 0.99]), np.array([0.2, 0.7, 1.0])).tolist()
    [0, 1, 2]
    >>> table = np.array([[0.5, 1.0], [0.9, 1.0]])
    >>> _categorical(np.array([0.6, 0.6]), table, rows=np.array([0, 1])).tolist()
    [1, 0]
    """
    table = np.atleast_2d(cumulative)
    out = np.zeros(u.shape, dtype=np.int8)
    for column in table.T[:-1]:  # exceeding the last share (1) is clipped to the last index
        out += u > (column if rows is None else column[rows])
    return out.astype(np.int64)


def draw_cases(params: Parameters, seed: int, size: float, last_fy: int) -> dict[str, np.ndarray]:
    """Draw every admission cohort's cases through fiscal year ``last_fy`` (not yet sentenced).

    A case's draws depend only on the seed, the parameters and the cases before it (each
    attribute's stream is drawn once, in case order), never on the day a caller cuts the series
    at: a series cut at a later day holds the same people in the cohorts both hold.

    Raises
    ------
    PopulationError
        When a user's parameter file (not the committed one) holds a value the draws cannot
        use, such as a beta parameter that is not positive; it names the file.
    """
    try:
        return _draw_cases(params, seed, size, last_fy)
    except (ValueError, IndexError, ZeroDivisionError) as exc:
        if params.path is None or params.path == default_parameters_path():
            raise
        raise PopulationError(f"{params.path}: the generator cannot use it: {exc}") from None


def _draw_cases(params: Parameters, seed: int, size: float, last_fy: int) -> dict[str, np.ndarray]:
    a, f = params.assumed, params.fitted
    rng = Streams(seed)
    years, counts = _cohort_sizes(params, last_fy, size)
    n = int(counts.sum())
    year = np.repeat(years, counts)
    fy_start = np.array([conventions().fiscal_year_start(y) for y in years])
    start = np.repeat(fy_start, counts)
    span = int(a["sentencing_day_span"])
    sent = (start + rng("sentencing_date").integers(0, span, n)).astype(np.int32)

    group = _categorical(rng.uniform("drug", n), _drug_mix(params, years), rows=year - years[0])
    drug = np.empty(n, dtype=np.int8)
    for g, name in enumerate(GROUPS):
        drug[group == g] = DRUGS.index(name) if name != "other" else DRUGS.index("oxycodone")
    sub = rng.uniform("drug_form", n)
    cohort = year - years[0]
    drug[(drug == DRUGS.index("methamphetamine")) & (sub < a["methamphetamine_actual_share"])] = (
        DRUGS.index("methamphetamine_actual")
    )
    fentanyl = _by_year(a["fentanyl_share_of_other"], years)[cohort]
    drug[(drug == DRUGS.index("oxycodone")) & (sub < fentanyl)] = DRUGS.index("fentanyl")

    median = np.array([a["median_grams"][d] for d in DRUGS], dtype=float)
    meth = (drug == DRUGS.index("methamphetamine")) | (
        drug == DRUGS.index("methamphetamine_actual")
    )
    shift = (
        f["quantity.shift"]
        + f["quantity.crack_shift"] * (drug == DRUGS.index("cocaine_base"))
        + f.get("quantity.marijuana_shift", 0.0) * (drug == DRUGS.index("marijuana"))
        + f.get("quantity.methamphetamine_shift", 0.0) * meth
    )
    recent = f.get("quantity.methamphetamine_recent", 0.0)
    if recent:  # the rise of methamphetamine quantities, reached over the assumed years
        rise = recent * _ramp(years, a["recent_trends"]["methamphetamine_quantity"])
        shift = shift + meth * rise[cohort]
    log10 = np.log10(median[drug]) + shift + f["quantity.sd"] * rng("grams").standard_normal(n)
    grams = 10.0**log10

    female = rng.uniform("female", n) < expit(f["female"])
    is_crack = drug == DRUGS.index("cocaine_base")
    weapon = rng.uniform("weapon", n) < expit(
        f["weapon.base"] + f["weapon.crack"] * is_crack + a["weapon_female_logodds"] * female
    )
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
    chp[minimal] = np.where(zero, 0, 1)
    # 2 + a negative binomial count (failures before 2 successes, mean mean_hi): each
    # success's failures are a geometric count of trials less one, so 2 + NB = G1 + G2
    mean_hi = a["history_points_mean_above_one"] - 2.0
    trials = rng("history.points").geometric(2.0 / (2.0 + mean_hi), size=(n - len(zero), 2))
    high = trials.sum(axis=1)
    chp[~minimal] = np.minimum(high, a["history_points_max"])
    career_logit = f["career.rate"] + f.get("career.crack", 0.0) * is_crack
    career = (chp >= a["career_min_points"]) & (rng.uniform("career", n) < expit(career_logit))
    status_points = _status_points(a["criminal_history"], chp, rng)
    vio = a["violent"]
    violent = rng.uniform("violent", n) < np.where(career, vio["career"], vio["base"])
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
    firearm = np.where(counted, law.firearms.minimum(fa["kind"], sent), 0).astype(np.int16)
    supported = law.mandatory_tier(drug, grams, sent)
    charge_logit = f["mandatory.charge"] + f["mandatory.charge_recent"] * (
        sent >= day(a["charging_policy_from"])
    )
    u_charged = rng.uniform("mm_charged", n)
    mm = np.where(u_charged < expit(charge_logit), supported, 0).astype(np.int8)
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
    var_rate = np.where(sent >= day(var["booker"]), var["rate_after"], var["rate_before"])
    varies = ~sub_assist & (rng.uniform("departure", n) < var_rate)
    departure = np.zeros(n)
    cut = f.get("relief.sub_assist_cut", sa["beta"][0] / sum(sa["beta"]))
    concentration = sum(sa["beta"])
    departure[sub_assist] = rng("departure.assist").beta(
        concentration * cut, concentration * (1.0 - cut), int(sub_assist.sum())
    )
    departure[varies] = rng("departure.variance").beta(*var["beta"], int(varies.sum()))
    # a substantial-assistance motion under 18 U.S.C. §3553(e) lets the court go below the
    # §924(c) minimum too: the consecutive term imposed is cut by the drug term's share
    assisted = sub_assist & (firearm > 0)
    firearm[assisted] = np.maximum(np.rint(firearm[assisted] * (1.0 - departure[assisted])), 1)
    position = rng("position").beta(*a["position_beta"], n)

    scale = (f["age.mean"] - a["age_min"]) / a["age_shape"]
    age = np.clip(
        a["age_min"] + rng("age").gamma(a["age_shape"], scale, n), a["age_min"], a["age_max"]
    )
    race = _categorical(rng.uniform("race", n), _race_weights(params), rows=drug).astype(np.int8)
    noncitizen = rng.uniform("noncitizen", n) < np.where(
        race == RACES.index("hispanic"), expit(f["noncitizen.hispanic"]), a["noncitizen_other"]
    )
    infractions = np.minimum(
        rng("infractions").poisson(a["infractions_mean"], n), a["infractions_max"]
    )

    pre = a["pretrial_detention"]
    detained = rng.uniform("custody_start", n) < pre["rate"]
    custody = sent.copy()
    days = rng("custody_start.days").integers(pre["min_days"], pre["max_days"], int(detained.sum()))
    custody[detained] -= days.astype(custody.dtype)
    lag = rng("offense_date").integers(*a["offense_lag_days"], n)
    rdap = rng.uniform("rdap", n) < a["rdap"]["share"]
    tc = a["time_credits"]
    ftc = (chp <= tc["max_points"]) & (rng.uniform("time_credits", n) < tc["share"])
    dies = a["deaths"]
    death = death_days(
        custody, age - (sent - custody) / conventions().days_per_year, rng.uniform("death", n),
        rate_at_40=dies["rate_at_40"], doubling_years=dies["doubling_years"],
    )  # fmt: skip
    cr = a["compassionate_release"]
    compassionate = compassionate_days(
        custody, rng.uniform("compassionate_release", n),
        {int(y): float(r) for y, r in cr["yearly_rate"].items()}, since=day(cr["from"]),
    )  # fmt: skip

    ant = a["anticipatory_variance"]
    law_ed = law.edition_index(ant["edition"])
    window = (sent >= day(ant["from"])) & (sent < day(ant["until"]))
    anticipates = np.where(window & (rng.uniform("anticipates", n) < ant["share"]), law_ed, -1)

    return dict(
        anticipates=anticipates, drug=drug, grams=grams, weapon=weapon, role=role,
        obstruction=obstruction,
        acceptance=acceptance, safety_valve=safety_valve, sub_assist=sub_assist, career=career,
        chp=chp, mm_charged=mm, priors_851=priors, position=position, departure=departure,
        offense_date=sent - lag, sentencing_date=sent, custody_start=custody, table_date=sent,
        age=age, female=female, race=race, noncitizen=noncitizen, infractions=infractions,
        violent=violent, u_grant=rng.uniform("u_grant", n), status_points=status_points,
        zp_excluded=zp_excluded, mm_supported=supported, u_mm_charged=u_charged,
        u_priors_851=u851, rdap=rdap, ftc=ftc, death_date=death,
        compassionate_date=compassionate, sv_conditions=sv_conditions, one_point=one_point,
        prior_3pt=prior_3pt, prior_2pt_violent=prior_2pt_violent, firearm_924c_months=firearm,
    )  # fmt: skip


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
    return np.where(
        (mm > 0) & (chp >= rule["min_points"]) & (u < rule["rate"]),
        np.where(u < rule["rate"] * rule["two_or_more"], 2, 1),
        0,
    ).astype(np.int8)


def _status_points(a: dict, chp: np.ndarray, rng: Streams) -> np.ndarray:
    """Status points (part of ``chp``): 2 for an offense committed under a sentence.

    Status points (USSG §4A1.1(d) before Amendment 821: 2 points for an offense committed under
    any criminal justice sentence) need a prior sentence that itself scored, so only people with
    at least ``status.min_points`` points can have them; the share is an assumption.
    """
    st = a["status"]
    return np.where(
        (chp >= st["min_points"]) & (rng.uniform("status_points", len(chp)) < st["share"]),
        st["points"],
        0,
    ).astype(np.int8)


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
    :func:`composition_table` with the person's uniform ``u``. A 2-point prior is a violent
    one for a share ``rule["violent_two_point"]`` of the people with a history of violence
    (``u_violent``).

    Examples
    --------
    >>> rule = {"one_point": 1.2, "two_point": 0.8, "three_point": 0.9, "violent_two_point": 1.0}
    >>> one, three, violent = criminal_history_composition(
    ...     rule, np.array([0, 1, 2, 3, 3]), np.array([False, False, True, False, False]),
    ...     np.array([0.5, 0.5, 0.99, 0.01, 0.99]), np.array([0.5] * 5), 40, 4)
    >>> one.tolist(), three.tolist(), violent.tolist()
    ([0, 1, 0, 3, 0], [False, False, False, False, True], [False, False, True, False, False])
    """
    total, one, two, three, key = composition_table(rule, max_points, one_point_max)
    p = np.clip(points, 0, max_points).astype(np.intp)
    totals = np.arange(max_points + 1)
    first = np.searchsorted(total, totals, side="left")[p]  # each total's splits: a slice
    last = np.searchsorted(total, totals, side="right")[p] - 1
    at = first.copy()
    several = last > first  # 0 and 1 point split one way only
    draw = np.searchsorted(key, p[several] + u[several].astype(np.float64), side="right")
    at[several] = np.clip(draw, first[several], last[several])
    violent_two = violent & (two[at] > 0) & (u_violent < rule["violent_two_point"])
    return one[at].astype(np.int8), three[at] > 0, violent_two
