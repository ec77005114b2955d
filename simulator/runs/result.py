"""For research code: :func:`run` a scenario into a :class:`Result`; :func:`compare` them.

A :class:`Result` is an :class:`~simulator.model.outcomes.Outcome` in the shapes pandas and
notebooks expect: the summary as the command line's ``--json`` prints it, the people with
categorical columns, the waves indexed by month (a :class:`pandas.PeriodIndex`), Parquet
files with their provenance, and a table of headline figures in a notebook.

Examples
--------
>>> import simulator as sim
>>> scenario = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> result = sim.run(scenario, size=0.02)
>>> result.summary["eligible"] <= result.summary["population"] == len(result.people)
True
>>> result.waves.index[0], list(result.waves.columns)
(Period('2014-11', 'M'), ['releases', 'baseline', 'scenario'])
>>> half = sim.run(scenario.with_updates({"grant.rate": 0.34}, title="Fewer grants"), size=0.02)
>>> table = sim.compare([result, half])
>>> list(table["scenario"]) == [scenario.title, "Fewer grants"]
True
>>> bool(table.loc[1, "granted_vs_baseline"] < 0)
True
"""

from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from simulator import lazy
from simulator.errors import InputError
from simulator.files import atomic_write, refuse_existing, to_json
from simulator.inputs.synthesis import synthesize
from simulator.law import DRUG_GROUPS
from simulator.model.apply import apply
from simulator.model.outcomes import Outcome
from simulator.model.population import Population
from simulator.runs import compare as comparing
from simulator.runs.blocks import draw_blocks, runs_in_blocks
from simulator.scenario import Scenario, load_scenario

pd = lazy.module("pandas")
pa = lazy.module("pyarrow")
pq = lazy.module("pyarrow.parquet")

#: The files :meth:`Result.to_parquet` writes.
PARQUET_FILES = ("people.parquet", "waves.parquet", "summary.json")
#: The key of the provenance in each Parquet file's metadata.
PROVENANCE_KEY = b"simulator"
#: Figures of :meth:`Result._repr_html_`: summary key, label, format.
HEADLINE: tuple[tuple[str, str, str], ...] = (
    ("population", "People in custody", "{:,}"),
    ("eligible", "Eligible", "{:,}"),
    ("granted", "Granted", "{:,}"),
    ("mean_reduction_months", "Mean reduction, months", "{:.1f}"),
    ("released_first_day", "Released on the first possible day", "{:,}"),
    ("released_first_year", "Released in the following 12 months", "{:,}"),
    ("bed_years_saved", "Bed-years saved", "{:,.0f}"),
    ("cost_saved_usd", "Cost saved, USD", "{:,.0f}"),
)

ScenarioLike = Scenario | str | os.PathLike[str] | Mapping[str, Any]


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else load_scenario(scenario)


def run(
    scenario: ScenarioLike,
    population: Population | None = None,
    *,
    seed: int | None = None,
    size: float | None = None,
) -> Result:
    """Apply a scenario to a population, synthesized or given, as ``simulate run`` does.

    Parameters
    ----------
    scenario : Scenario, path or dict
        A loaded scenario, or what :func:`~simulator.scenario.load_scenario` reads.
    population : Population, optional
        The people (say, from :func:`~simulator.inputs.population_files.read_population`);
        by default the synthetic stock of the scenario's ``population`` section.
    seed : int, optional
        Seed of the synthetic population (default: the scenario's ``seed``).
    size : float, optional
        Scale of the synthetic population (default: the scenario's ``population.size``).

    Returns
    -------
    Result
        The same figures as ``simulate run SCENARIO --seed SEED --size SIZE``. A size above
        one block is drawn as the command draws it, block by block with each block's own seed
        (:func:`~simulator.runs.blocks.draw_blocks`), but held whole: the people of every
        block are in :attr:`Result.people`.

    Raises
    ------
    ScenarioError
        A scenario that does not load.
    InputError
        ``seed`` or ``size`` with a given population: they only make a synthetic one.

    Examples
    --------
    >>> import simulator as sim
    >>> result = run("scenarios/2014_guidelines.yaml", seed=3, size=0.02)
    >>> result.summary["seed"], result.summary["size"]
    (3, 0.02)
    >>> same = run(result.scenario, result.population)
    >>> same.summary == result.summary
    True
    """
    sc = _scenario(scenario)
    if population is None:
        seed = sc.seed if seed is None else seed
        total = sc.population.size if size is None else size
        if runs_in_blocks(sc, total):  # the command line's blocks, with their people
            population = draw_blocks(sc, seed=seed, size=total)
        else:
            population = synthesize(sc.population, seed=seed, size=size)
    elif seed is not None or size is not None:
        raise InputError("seed and size build a synthetic population: leave them out with one")
    return Result(apply(population, sc))


class Result:
    """A scenario applied to a population: figures, people and waves for pandas and notebooks.

    Parameters
    ----------
    outcome : Outcome
        What :func:`~simulator.model.apply.apply` returned.

    Attributes
    ----------
    outcome : Outcome
        The engine's result (breakdowns: ``result.outcome.breakdown("race")``).
    scenario : Scenario
    population : Population
    """

    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome
        self.scenario = outcome.scenario
        self.population = outcome.population

    @property
    def summary(self) -> dict:
        """Headline figures, provenance and breakdowns: what ``simulate run --json`` prints."""
        return self.outcome.summary

    @cached_property
    def people(self) -> pd.DataFrame:
        """One row per person: attributes, old and new ranges, terms and release dates.

        Coded columns (``drug``, ``drug_type``, ``race``, ``category``) are pandas
        categoricals with every possible value as a category, present or not; dates are
        ``datetime64``.
        """
        df = self.outcome.people.copy()
        groups = sorted(set(DRUG_GROUPS.values()))
        df["drug_type"] = pd.Categorical(df["drug"].map(DRUG_GROUPS).astype(str), groups)
        return df

    @cached_property
    def waves(self) -> pd.DataFrame:
        """Releases by month from the effective date, indexed by a monthly ``PeriodIndex``.

        ``releases`` counts people released earlier than before, by their new release month;
        ``baseline`` and ``scenario`` count every release from the stock without and with the
        change.
        """
        counts = dict(self.outcome.wave_counts)
        month = pd.PeriodIndex(counts.pop("month"), freq="M", name="month")
        return pd.DataFrame(counts, index=month)

    def provenance(self) -> dict[str, Any]:
        """What identifies the run: scenario title and hash, seed, size, snapshot, version."""
        s = self.summary
        keys = ("scenario", "scenario_sha256", "seed", "size", "snapshot", "version")
        return {k: s.get(k) for k in keys}

    def to_parquet(self, directory: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
        """Write ``people.parquet``, ``waves.parquet`` and ``summary.json`` into ``directory``.

        Each file is written to a temporary file beside it and renamed into place, so none is
        ever half-written. Each Parquet file carries the provenance (:meth:`provenance`) as
        JSON under the ``simulator`` key of its metadata; ``summary.json`` holds it among the
        figures. In ``waves.parquet`` the month is a column of the month's first day.

        Parameters
        ----------
        directory : path
            Created if missing.
        force : bool
            Replace the files if they exist (otherwise :class:`~simulator.errors.OutputExistsError`,
            before anything is written).

        Returns
        -------
        list of Path
            The files written.

        Examples
        --------
        >>> import json, tempfile, pandas as pd, pyarrow.parquet as pq
        >>> result = run("scenarios/2014_guidelines.yaml", seed=3, size=0.02)
        >>> with tempfile.TemporaryDirectory() as d:
        ...     paths = result.to_parquet(d)
        ...     people = pd.read_parquet(paths[0])
        ...     meta = json.loads(pq.read_schema(paths[1]).metadata[b"simulator"])
        >>> [p.name for p in paths], len(people) == len(result.people), meta["seed"]
        (['people.parquet', 'waves.parquet', 'summary.json'], True, 3)
        """
        folder = Path(directory)
        paths = [folder / name for name in PARQUET_FILES]
        refuse_existing(paths, force)
        folder.mkdir(parents=True, exist_ok=True)
        waves = self.waves.copy()
        waves.index = waves.index.to_timestamp()
        frames = {"people.parquet": self.people, "waves.parquet": waves.reset_index()}
        for name, frame in frames.items():
            atomic_write(folder / name, lambda fh, f=frame: self._write_parquet(f, fh))
        text = to_json(self.summary, indent=1) + "\n"
        atomic_write(folder / "summary.json", lambda fh: fh.write(text.encode()))
        return paths

    def _write_parquet(self, frame: pd.DataFrame, fh: IO[bytes]) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        meta = {**(table.schema.metadata or {}), PROVENANCE_KEY: to_json(self.provenance())}
        pq.write_table(table.replace_schema_metadata(meta), fh)

    def __repr__(self) -> str:
        s = self.summary
        return (
            f"<Result {s['scenario']!r}: {s['eligible']:,} eligible, {s['granted']:,} granted "
            f"of {s['population']:,}; seed {s['seed']}, size {s['size']}>"
        )

    def _repr_html_(self) -> str:
        """A compact table of the headline figures, for notebooks."""
        s = self.summary
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
            f"<td style='text-align:right'>{html.escape(fmt.format(s[key]))}</td></tr>"
            for key, label, fmt in HEADLINE
        )
        foot = (
            f"seed {s['seed']} · size {s['size']} · snapshot {s['snapshot']} · scenario "
            f"{str(s['scenario_sha256'])[:12]} · simulator {s['version']}"
        )
        return (
            f"<table><caption style='text-align:left'><b>{html.escape(str(s['scenario']))}"
            f"</b></caption><tbody>{rows}</tbody><tfoot><tr><td colspan='2' "
            f"style='font-size:smaller'>{html.escape(foot)}</td></tr></tfoot></table>"
        )


def compare(
    items: Sequence[Result | ScenarioLike],
    *,
    seed: int | None = None,
    size: float | None = None,
) -> pd.DataFrame:
    """Scenarios or results side by side, the first as the baseline: one row each.

    Scenarios (or what :func:`~simulator.scenario.load_scenario` reads) run with one seed and,
    where their ``population`` sections agree, on the very same people (common random
    numbers, as ``simulate compare``); results are taken as they are.

    Parameters
    ----------
    items : sequence of Result, Scenario, path or dict
    seed : int, optional
        Seed of the scenarios' populations (default: the first item's seed).
    size : float, optional
        Scale of the scenarios' populations (default: each scenario's).

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario_file``, ``scenario``, each headline figure and its difference from
        the first row (``<figure>_vs_baseline``), ``seed``, ``scenario_sha256``, ``version``.
        ``.attrs["notes"]`` says which populations were synthesized apart, or which results
        have another seed.

    Examples
    --------
    >>> import simulator as sim
    >>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
    >>> table = compare([s, s.with_updates({"grant.rate": 1.0})], size=0.02)
    >>> table[["granted", "granted_vs_baseline"]].iloc[1].tolist() == [
    ...     table.loc[1, "eligible"], table.loc[1, "eligible"] - table.loc[0, "granted"]]
    True
    """
    if not items:
        raise InputError("compare needs at least one scenario or result")
    loaded = [it if isinstance(it, Result) else _scenario(it) for it in items]
    first = loaded[0]
    if seed is None:
        seed = first.summary["seed"] if isinstance(first, Result) else first.seed
    scenarios = [it for it in loaded if isinstance(it, Scenario)]
    rows, notes = comparing.compare(scenarios, seed=seed, size=size) if scenarios else ([], [])
    ran = iter(rows)
    out = []
    for it in loaded:
        if isinstance(it, Result):
            if it.summary["seed"] != seed:
                notes.append(f"{it.summary['scenario']}: ran with seed {it.summary['seed']}")
            out.append({"scenario_file": it.scenario.source_path, **it.summary})
        else:
            out.append(next(ran))
    table = comparing.frame(out)
    table.attrs["notes"] = notes
    return table


__all__ = ["Result", "compare", "run"]
