"""``simulate screen``: the worksheet of one case typed on the command line.

It builds a one-row population from the case and runs the same engine on it, so a defender can
check one client in seconds.
"""

from __future__ import annotations

from collections.abc import Callable

import click

from simulator.cli.common import load
from simulator.cli.explain import show_worksheet
from simulator.cli.options import Fail, epilog, sets_option
from simulator.law import CATEGORIES, load_law
from simulator.model.apply import apply
from simulator.model.population import SCHEMA
from simulator.resources import scenarios_dir
from simulator.runs.worksheet import DRUG_ALIASES, case_population


def _default_scenario() -> str:
    return str(scenarios_dir() / "2014_guidelines.yaml")


def _count(
    option: str, column: str, meaning: str, default: str | None = "0"
) -> Callable[[Callable], Callable]:
    """An option for a whole number, checked with the bounds of its column of the schema."""
    col = SCHEMA[column]
    return click.option(option, default=default, show_default=default is not None, metavar="N",
                        help=f"{meaning} ({col.lo:g} to {col.hi:g}).")  # fmt: skip


#: Our columns as the options of the command call them, in the error messages.
OPTIONS = {
    "drug": "--drug", "grams": "--grams", "role": "--role", "mm_charged": "--mm-tier",
    "priors_851": "--priors-851", "status_points": "--status-points", "term": "--term",
    "sentencing_date": "--sentenced", "custody_start": "--custody-start",
    "offense_date": "--offense-date", "infractions": "--infractions",
    "one_point": "--one-point", "prior_3pt": "--prior-3pt",
    "prior_2pt_violent": "--prior-2pt-violent", "firearm_924c_months": "--firearm-924c",
    "drug2": "--drug2", "grams2": "--grams2",
}  # fmt: skip


@click.command("screen", epilog=epilog())
@click.option("--drug", required=True, help="Drug: crack, powder, heroin, meth, marijuana, ...")
@click.option("--grams", required=True, help="Quantity in grams (more than 0).")
@click.option("--drug2", help="A second drug of the offense, its counts grouped with the first's "
              "(USSG §3D1.2(d)); names as for --drug.")  # fmt: skip
@click.option("--grams2", help="Quantity of the second drug in grams (with --drug2).")
@click.option("--chc", type=click.Choice(CATEGORIES), help="Criminal history category.")
@_count("--points", "chp", "Criminal history points, 0 if neither this nor --chc", None)
@_count("--role", "role", "Role adjustment in levels, -4 minimal … +4 leader")
@click.option("--weapon", is_flag=True, help="Dangerous weapon enhancement.")
@click.option("--firearm-924c", "firearm_924c", default="0", show_default=True, metavar="MONTHS",
              help="Consecutive 18 U.S.C. §924(c) term in months, part of --term (60: possession, "
                   "84 brandished, 120 discharged, 300 a second count before 2018-12-21); "
                   "implies --weapon, without the §2D1.1(b)(1) levels (§2K2.4 n.4).")  # fmt: skip
@click.option("--obstruction", is_flag=True, help="Obstruction of justice.")
@click.option("--acceptance/--no-acceptance", default=True, show_default=True,
              help="Acceptance of responsibility.")  # fmt: skip
@click.option("--safety-valve", is_flag=True, help="Safety valve applied at sentencing.")
@click.option(
    "--sv-conditions/--no-sv-conditions",
    default=None,
    help="Meets the safety valve's conditions other than criminal history, 18 U.S.C. "
    "§3553(f)(2)-(5) (default: as --safety-valve).",
)
@_count(
    "--one-point",
    "one_point",
    "Of the points, those from 1-point offenses (default: as many as the points allow)",
    None,
)
@click.option("--prior-3pt", is_flag=True, help="A prior 3-point offense (USSG §4A1.1(a)).")
@click.option(
    "--prior-2pt-violent", is_flag=True, help="A prior 2-point violent offense (USSG §4A1.1(b))."
)
@click.option("--zero-point-excluded", is_flag=True,
              help="Violence or threats, death or serious injury, or a victim adjustment in the "
                   "offense (USSG §4C1.1(a)(3), (4), (9)).")  # fmt: skip
@click.option("--sub-assist", is_flag=True, help="Substantial-assistance motion.")
@click.option("--career", is_flag=True, help="Career offender.")
@click.option(
    "--mm-tier",
    type=click.Choice([str(t) for t in SCHEMA["mm_charged"].allowed or ()]),
    help="Mandatory-minimum tier charged, years (default: what the quantity reached).",
)
@_count("--priors-851", "priors_851", "Prior drug felonies in a §851 information")
@_count("--status-points", "status_points", "Of the points, those for offending under a sentence")
@click.option("--sentenced", required=True, help="Sentencing date, YYYY-MM-DD.")
@click.option("--term", required=True, help="Term imposed in months, or 'life'.")
@click.option("--custody-start", help="Custody began, YYYY-MM-DD (default: sentencing date).")
@click.option(
    "--offense-date", help="Offense date (default: custody start, or sentencing if earlier)."
)
@_count("--infractions", "infractions", "Serious infractions in prison")
@click.option(
    "--rdap",
    is_flag=True,
    help="Completes the Residential Drug Abuse Program (leaves early if the law lets).",
)
@click.option(
    "--time-credits",
    is_flag=True,
    help="Earns First Step Act time credits (at minimum or low risk; if the law lets).",
)
@click.option("--scenario", type=click.Path(dir_okay=False),
              help="Scenario file or shipped name (default: 2014_guidelines).")  # fmt: skip
@sets_option
@click.option("--json", "as_json", is_flag=True, help="Print the worksheet's figures as JSON.")
def screen_command(**kw) -> None:
    """Worksheet for one case typed on the command line, run through the same engine.

    The case is checked as a row of a population file is (the same checks and bounds); a
    problem is exit 2, one line per problem, naming the option.
    """
    sc = load(kw["scenario"] or _default_scenario(), kw["sets"])
    law = load_law()
    drug = kw["drug"].lower().replace(" ", "_")
    if drug not in DRUG_ALIASES:
        raise Fail(f"--drug {kw['drug']}: unknown; choose from {', '.join(DRUG_ALIASES)}", 2)
    if kw["chc"] and kw["points"] is not None:
        raise Fail("give --chc or --points, not both", 2)
    drug2 = kw["drug2"].lower().replace(" ", "_") if kw["drug2"] else None
    if drug2 is not None and drug2 not in DRUG_ALIASES:
        raise Fail(f"--drug2 {kw['drug2']}: unknown; choose from {', '.join(DRUG_ALIASES)}", 2)
    chp = kw["points"] if kw["points"] is not None else 0
    if kw["chc"]:
        chp = int(law.chc_points[CATEGORIES.index(kw["chc"])])
    term = str(kw["term"]).strip()
    pop = case_population(
        law, drug=drug, grams=kw["grams"], drug2=drug2, grams2=kw["grams2"], chp=chp,
        sentenced=kw["sentenced"],
        term=law.life_months if term.lower() == "life" else term,
        custody_start=kw["custody_start"], offense_date=kw["offense_date"],
        role=kw["role"], obstruction=kw["obstruction"],
        weapon=kw["weapon"] or str(kw["firearm_924c"]).strip() not in ("", "0"),
        firearm_924c=kw["firearm_924c"],
        acceptance=kw["acceptance"], safety_valve=kw["safety_valve"],
        sub_assist=kw["sub_assist"], career=kw["career"], mm_tier=kw["mm_tier"],
        priors_851=kw["priors_851"], infractions=kw["infractions"],
        status_points=kw["status_points"], zero_point_excluded=kw["zero_point_excluded"],
        rdap=kw["rdap"], ftc=kw["time_credits"], sv_conditions=kw["sv_conditions"],
        one_point=kw["one_point"], prior_3pt=kw["prior_3pt"],
        prior_2pt_violent=kw["prior_2pt_violent"],
        names={**OPTIONS, "chp": f"--chc {kw['chc']}" if kw["chc"] else "--points"},
    )  # fmt: skip
    show_worksheet(apply(pop, sc), 0, kw["as_json"])
    if not kw["as_json"]:
        click.echo(
            "(screening: if eligible, the motion is counted as granted whenever the scenario "
            "grants any; the probability above is the scenario's assumption)",
            err=True,
        )


command = screen_command
