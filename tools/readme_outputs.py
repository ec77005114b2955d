r"""Refresh the parts of README.md and docs/ that are program output, after results move on purpose.

The files are README.md and every Markdown page under docs/ (:func:`documents`). Two kinds of
part are refreshed:

- **command blocks**: a fenced block whose first line is ``$ uv run simulate ...`` (a
  command, continued over lines ending in ``\``) holds that command's output; a fenced
  ``bash`` block holding one ``uv run simulate ...`` command and followed by a ``text`` block
  has its output in the ``text`` block; so has a ``text`` block right after a line
  ``<!-- output: uv run simulate ... -->`` (``<!-- output: uv run simulate ... | head -n N -->``
  keeps the output's first N lines). Blocks marked ``(excerpt`` on their second line, and
  commands that write files (``--out``, ``-o``, ``--output``) or never end (``serve``), are
  left alone;
- **tables**: the lines between ``<!-- table: NAME -->`` and ``<!-- /table -->`` are replaced
  by the table of that name (:data:`TABLES`).

Prose that quotes numbers is not touched: the script prints every table it wrote so the prose
can be checked against them, and ``--sheet`` prints the figures the hand-written tables and prose
quote (every ``simulate validate`` row, and each library scenario's headline figures).

Usage::

    uv run python tools/readme_outputs.py            # rewrite README.md and docs/ in place
    uv run python tools/readme_outputs.py --check    # exit 1 if anything would change
    uv run python tools/readme_outputs.py --only calibration,bjs   # some parts only
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def documents() -> list[Path]:
    """README.md and every Markdown page under docs/, the files whose generated parts are kept."""
    return [README, *sorted(DOCS.rglob("*.md"))]


WRITES = ("--out", "-o", "--plots")
TIMING = re.compile(r"^[\d,]+ runs in [\d.]+ s \([\d,]+ a second\)$")


# ----------------------------------------------------------------------------- commands
def run_command(command: str) -> str:
    """The output of a ``uv run simulate ...`` command as a reader at an 80-column terminal sees."""
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[:3] == ["uv", "run", "simulate"], command
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"}
    env.pop("CI", None)
    done = subprocess.run(
        [sys.executable, "-m", "simulator.cli", *argv[3:]],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    # a timing line on stderr (``simulate sensitivity``'s "1,280 runs in 6.2 s (205 a second)")
    # differs run to run and is no result: left out, so the shown output stays fixed
    stderr = "".join(line for line in done.stderr.splitlines(True) if not TIMING.match(line))
    text = stderr + done.stdout
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


def _writes_files(command: str) -> bool:
    """Whether to leave a command's block alone: it writes files, or never ends (``serve``)."""
    argv = shlex.split(command.replace("\\\n", " "))
    return any(tok in WRITES for tok in argv) or argv[3:4] == ["serve"]


def refresh_commands(text: str, only: set[str] | None) -> str:
    """Rerun every command block (see the module docstring) and put in its output."""
    if only is not None and "commands" not in only:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if (
            line.startswith("```")
            and i + 1 < len(lines)
            and lines[i + 1].startswith("$ uv run simulate")
        ):
            end = lines.index("```", i + 1)
            block = lines[i + 1 : end]
            cmd_lines = [block[0]]
            while cmd_lines[-1].endswith("\\") and len(cmd_lines) < len(block):
                cmd_lines.append(block[len(cmd_lines)])
            command = "\n".join(cmd_lines)[2:]
            rest = block[len(cmd_lines) :]
            if (rest and rest[0].startswith("(excerpt")) or _writes_files(command):
                out.extend(lines[i : end + 1])
            else:
                print(f"running: {command.splitlines()[0]}", file=sys.stderr)
                out.extend([line, *cmd_lines, run_command(command), "```"])
            i = end + 1
            continue
        marker = re.fullmatch(r"<!-- output: (uv run simulate .*?)(?: \| head -n (\d+))? -->", line)
        if marker and i + 1 < len(lines) and lines[i + 1] == "```text":
            stop = lines.index("```", i + 2)
            print(f"running: {marker.group(1)}", file=sys.stderr)
            shown = run_command(marker.group(1))
            if marker.group(2):
                shown = "\n".join(shown.split("\n")[: int(marker.group(2))])
            out.extend([line, "```text", shown, "```"])
            i = stop + 1
            continue
        if line == "```bash":
            end = lines.index("```", i + 1)
            block = [b for b in lines[i + 1 : end] if b.strip()]
            follows = end + 2 < len(lines) and lines[end + 1] == "" and lines[end + 2] == "```text"
            command = "\n".join(block)
            single = (
                block
                and block[0].startswith("uv run simulate")
                and all(b.endswith("\\") for b in block[:-1])
            )
            if follows and single and not _writes_files(command):
                stop = lines.index("```", end + 3)
                print(f"running: {block[0]}", file=sys.stderr)
                out.extend([*lines[i : end + 1], "", "```text", run_command(command), "```"])
                i = stop + 1
                continue
        out.append(line)
        i += 1
    return "\n".join(out)


# ------------------------------------------------------------------------------- tables
def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}".replace("-", "−")


def table_calibration() -> list[str]:
    """Every fitted figure of the calibration at its seed, size 1."""
    from simulator.inputs.calibration import compare, load_targets, statistics
    from simulator.inputs.parameters import load_parameters

    params, targets = load_parameters(), load_targets()
    table = compare(statistics(params, seed=params.calibration_seed, size=1.0, targets=targets),
                    targets)  # fmt: skip
    rows = ["| figure | model | published | tolerance | within |", "|---|---:|---:|---:|---|"]
    for r in table.itertuples():
        big = abs(r.published) >= 1000
        share = not r.relative and r.published < 1
        digits = 0 if big else (3 if share else (1 if r.published >= 10 else 2))
        tol = f"±{r.tolerance:.0%}" if r.relative else f"±{r.tolerance:.2f}".rstrip("0")
        if not r.relative and r.tolerance >= 1:
            tol = f"±{r.tolerance:.2f}"
        within = "yes" if r.ok else "no, see below"
        rows.append(f"| `{r.figure}` | {_fmt(r.model, digits)} | {_fmt(r.published, digits)} "
                    f"| {tol} | {within} |")  # fmt: skip
    return rows


def table_bjs() -> list[str]:
    """The stock on every September 30 of the BJS series, as BJS counts it."""
    from simulator.calendar import day
    from simulator.inputs.calibration import counted
    from simulator.inputs.parameters import load_parameters
    from simulator.inputs.synthesis import admissions
    from simulator.model.population import in_custody
    from simulator.resources import data_dir, read_yaml

    params = load_parameters()
    doc = read_yaml(data_dir() / "targets" / "population_snapshots.yaml")
    figs = [{**f, "snapshot": str(f["snapshot"])} for f in doc["figures"]]
    figs = [f for f in figs if "Prisoners series" in f["source"] and int(f["snapshot"][:4]) >= 2000]
    last = max(day(f["snapshot"]) for f in figs)
    everyone = admissions(params, seed=params.calibration_seed, size=1.0, until=last)
    years, pub, model, gap = [], [], [], []
    for f in sorted(figs, key=lambda f: f["snapshot"]):
        people = float(in_custody(everyone, day(f["snapshot"])).sum())
        m = counted(people, "bjs", params)
        years.append(f["snapshot"][:4])
        pub.append(_fmt(f["published"]))
        model.append(_fmt(m))
        g = m / f["published"] - 1
        gap.append(f"{'+' if g >= 0 else '−'}{abs(g):.1%}")
    return [
        "| Sep 30 | " + " | ".join(years) + " |",
        "|---|" + "---:|" * len(years),
        "| BJS | " + " | ".join(pub) + " |",
        "| model | " + " | ".join(model) + " |",
        "| gap | " + " | ".join(gap) + " |",
    ]


def table_snapshots() -> list[str]:
    """People and the crack share of stocks on several days (seed 1)."""
    from simulator.calendar import day
    from simulator.inputs.parameters import load_parameters
    from simulator.inputs.synthesis import generate
    from simulator.law import DRUGS

    days = ["2000-01-01", "2005-01-01", "2008-03-03", "2011-11-01", "2014-11-01", "2018-12-21",
            "2023-11-01", "2025-01-17"]  # fmt: skip
    params = load_parameters()
    people, crack = [], []
    for d in days:
        stock = generate(params, seed=1, size=1.0, snapshot=day(d))
        people.append(_fmt(len(stock)))
        crack.append(f"{(stock.drug == DRUGS.index('cocaine_base')).mean():.0%}")
    return [
        "| snapshot | " + " | ".join(d[:7] for d in days) + " |",
        "|---|" + "---:|" * len(days),
        "| people (seed 1) | " + " | ".join(people) + " |",
        "| crack share | " + " | ".join(crack) + " |",
    ]


TABLES: dict[str, Callable[[], list[str]]] = {
    "calibration": table_calibration,
    "bjs": table_bjs,
    "snapshots": table_snapshots,
}


def refresh_tables(text: str, only: set[str] | None) -> str:
    """Replace each marked table by its fresh version."""

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in TABLES:
            raise SystemExit(f"no table named {name!r} (tables: {', '.join(TABLES)})")
        if only is not None and name not in only:
            return match.group(0)
        print(f"table: {name}", file=sys.stderr)
        lines = TABLES[name]()
        print("\n".join(lines), file=sys.stderr)
        return f"<!-- table: {name} -->\n" + "\n".join(lines) + "\n<!-- /table -->"

    return re.sub(r"<!-- table: ([\w-]+) -->\n.*?\n<!-- /table -->", fill, text, flags=re.S)


def sheet() -> None:
    """Print every validate row and each library scenario's headline figures (stdout)."""
    from simulator.model.apply import apply
    from simulator.runs.published import population_for, validate
    from simulator.scenario import load_scenario

    def num(x: float) -> str:
        return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"

    for r in validate(size=1.0):
        print(f"{r.scenario} | {r.figure} | {num(r.model)} | {num(r.published)} | "
              f"{r.tolerance} | {r.status} | {r.role}")  # fmt: skip
    keys = ("population", "eligible", "granted", "mean_reduction_months", "mean_reduction_pct",
            "released_first_day", "released_first_year", "bed_years_saved")  # fmt: skip
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        sc = load_scenario(path)
        out = apply(population_for(sc, 1.0), sc).summary
        head = ", ".join(f"{k} {num(out[k])}" for k in keys if k in out)
        print(f"{path.stem} ({sc.population.snapshot}): {head}")
        for extra in ("by_change", "clemency", "motions"):
            if extra in out:
                print(f"  {extra}: {out[extra]}")


def main() -> int:
    """Refresh README.md and docs/ (or, with ``--check``, say whether they are up to date)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if anything would change")
    parser.add_argument("--only", help="comma-separated parts: commands and/or table names")
    parser.add_argument("--sheet", action="store_true", help="print the figures prose quotes")
    args = parser.parse_args()
    if args.sheet:
        sheet()
        return 0
    only = set(args.only.split(",")) if args.only else None
    stale = []
    for path in documents():
        before = path.read_text(encoding="utf-8")
        after = refresh_tables(refresh_commands(before, only), only)
        if after == before:
            continue
        name = path.relative_to(ROOT).as_posix()
        stale.append(name)
        if args.check:
            print(f"{name}: generated parts are out of date", file=sys.stderr)
        else:
            path.write_text(after, encoding="utf-8")
            print(f"{name}: refreshed", file=sys.stderr)
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
