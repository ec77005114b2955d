"""``simulate explain``: the worksheet of one person of a scenario's population, by id.

``simulate screen`` (:mod:`simulator.cli.screen`) shows the same worksheet for a case typed on
the command line.
"""

from __future__ import annotations

import click

from simulator.cli.common import load, show
from simulator.cli.options import NAMES, Fail, epilog, seed_option, sets_option, size_option
from simulator.files import to_json
from simulator.inputs.synthesis import synthesize
from simulator.model.apply import apply
from simulator.model.outcomes import Outcome
from simulator.report.worksheet import WORKSHEET_WIDTH, worksheet_screen
from simulator.runs.worksheet import person_index, worksheet


def show_worksheet(outcome: Outcome, index: int, as_json: bool) -> None:
    """The worksheet of the person in row ``index``, as tables or as JSON."""
    ws = worksheet(outcome, index)
    if as_json:
        s = outcome.summary
        prov = {k: s[k] for k in ("seed", "scenario_sha256", "version")}
        click.echo(to_json({"person": ws.person_id, **ws.values, **prov}))
    else:
        show(worksheet_screen(ws), width=WORKSHEET_WIDTH)


@click.command("explain", epilog=epilog(NAMES))
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--person", "person_id", type=int, required=True, help="Person id (people.csv).")
@seed_option
@size_option
@sets_option
@click.option("--json", "as_json", is_flag=True, help="Print the worksheet's figures as JSON.")
def explain_command(
    scenario: str,
    person_id: int,
    seed: int | None,
    size: float | None,
    sets: tuple[str, ...],
    as_json: bool,
) -> None:
    """Worksheet of one person of SCENARIO's population: facts, guideline, eligibility, dates."""
    sc = load(scenario, sets)
    pop = synthesize(sc.population, seed=sc.seed if seed is None else seed, size=size)
    try:
        index = person_index(pop, person_id)
    except KeyError as exc:
        raise Fail(f"error: {exc.args[0]}", 2) from None
    show_worksheet(apply(pop, sc), index, as_json)


command = explain_command
