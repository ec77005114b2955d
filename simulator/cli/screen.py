"""``simulate screen``: the worksheet of one case typed on the command line.

It builds a one-row population from the case and runs the same engine on it, so a defender can
check one client in seconds.
"""

from __future__ import annotations

import click

from simulator.cli.common import load
from simulator.cli.explain import show_worksheet
from simulator.cli.options import Fail, FiniteRange, sets_option
from simulator.law import CATEGORIES, load_law
from simulator.model.apply import apply
from simulator.model.population import SCHEMA
from simulator.resources import scenarios_dir
from simulator.runs.worksheet import DRUG_ALIASES, case_population


def _default_scenario() -> str:
    return str(scenarios_dir() / "2014_guidelines.yaml")


@click.command("screen")
@click.option("--drug", required=True, help="Drug: crack, powder, heroin, meth, marijuana, ...")
@click.option(
    "--grams", type=FiniteRange(min=0, min_open=True, max=SCHEMA["grams"].hi), required=True
)
@click.option("--chc", type=click.Choice(CATEGORIES), help="Criminal history category.")
@click.option("--points", type=click.IntRange(0, 40), help="Criminal history points.")
@click.option("--role", type=click.IntRange(-4, 4), default=0, show_default=True,
              help="Role adjustment in levels (-4 minimal … +4 leader).")  # fmt: skip
@click.option("--weapon", is_flag=True, help="Dangerous weapon enhancement.")
@click.option("--obstruction", is_flag=True, help="Obstruction of justice.")
@click.option("--acceptance/--no-acceptance", default=True, show_default=True,
              help="Acceptance of responsibility.")  # fmt: skip
@click.option("--safety-valve", is_flag=True, help="Safety valve applied.")
@click.option("--sub-assist", is_flag=True, help="Substantial-assistance motion.")
@click.option("--career", is_flag=True, help="Career offender.")
@click.option(
    "--mm-tier",
    type=click.Choice(["0", "5", "10"]),
    help="Mandatory-minimum tier charged, years (default: what the quantity reached).",
)
@click.option("--priors-851", type=click.IntRange(0, 2), default=0, show_default=True)
@click.option("--status-points", type=click.IntRange(0, 2), default=0, show_default=True,
              help="Of the points, those for offending under a sentence.")  # fmt: skip
@click.option("--sentenced", required=True, help="Sentencing date, YYYY-MM-DD.")
@click.option("--term", required=True, help="Term imposed in months, or 'life'.")
@click.option("--custody-start", help="Custody began, YYYY-MM-DD (default: sentencing date).")
@click.option("--offense-date", help="Offense date (default: custody start).")
@click.option("--infractions", type=click.IntRange(0, 50), default=0, show_default=True)
@click.option("--scenario", type=click.Path(dir_okay=False),
              help="Scenario file (default: scenarios/2014_guidelines.yaml).")  # fmt: skip
@sets_option
@click.option("--json", "as_json", is_flag=True, help="Print the worksheet's figures as JSON.")
def screen_command(**kw) -> None:
    """Worksheet for one case typed on the command line, run through the same engine."""
    sc = load(kw["scenario"] or _default_scenario(), kw["sets"])
    law = load_law()
    drug = kw["drug"].lower().replace(" ", "_")
    if drug not in DRUG_ALIASES:
        raise Fail(f"--drug {kw['drug']}: unknown; choose from {', '.join(DRUG_ALIASES)}", 2)
    if kw["chc"] and kw["points"] is not None:
        raise Fail("give --chc or --points, not both", 2)
    chp = kw["points"] if kw["points"] is not None else 0
    if kw["chc"]:
        chp = int(law.chc_points[CATEGORIES.index(kw["chc"])])
    term_text = str(kw["term"]).strip().lower()
    try:
        term = law.life_months if term_text == "life" else int(term_text)
    except ValueError:
        raise Fail(f"--term {kw['term']}: expected whole months or 'life'", 2) from None
    if not 1 <= term <= law.life_months:
        raise Fail(f"--term {term}: expected 1 to {law.life_months} months or 'life'", 2)
    if kw["status_points"] > chp:
        raise Fail(f"--status-points {kw['status_points']} is more than the points ({chp})", 2)
    try:
        pop = case_population(
            law, drug=drug, grams=kw["grams"], chp=chp, sentenced=kw["sentenced"], term=term,
            custody_start=kw["custody_start"], offense_date=kw["offense_date"],
            role=kw["role"], weapon=kw["weapon"], obstruction=kw["obstruction"],
            acceptance=kw["acceptance"], safety_valve=kw["safety_valve"],
            sub_assist=kw["sub_assist"], career=kw["career"],
            mm_tier=None if kw["mm_tier"] is None else int(kw["mm_tier"]),
            priors_851=kw["priors_851"], infractions=kw["infractions"],
            status_points=kw["status_points"],
        )  # fmt: skip
    except ValueError as exc:
        raise Fail(f"error: {exc}", 2) from None
    show_worksheet(apply(pop, sc), 0, kw["as_json"])
    if not kw["as_json"]:
        click.echo(
            "(screening: if eligible, the motion is counted as granted whenever the scenario "
            "grants any; the probability above is the scenario's assumption)",
            err=True,
        )


command = screen_command
