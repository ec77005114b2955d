"""Output folders and faults: whole folders with a manifest, a lock, checks before any work,
signals that unwind, stale temporaries removed, and SIGKILL at random moments.

Each test here failed before output folders were written whole (``simulator.outputs_folder``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import filelock
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIO_2014

from simulator.cli import main
from simulator.errors import ManifestError
from simulator.outputs_folder import MANIFEST, lock_path, verify_manifest
from simulator.report import outputs as report

SIZE = "0.02"
PROSPECTIVE = ROOT / "scenarios" / "2014_guidelines_prospective.yaml"


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def run(out: Path, *args: object):
    return invoke("run", SCENARIO_2014, "--size", SIZE, "--out", out, *args)


def beside(folder: Path) -> list[str]:
    """What sits beside an output folder: the folder itself and its lock, nothing else."""
    return sorted(p.name for p in folder.parent.iterdir())


def seeds_in(folder: Path) -> set[int]:
    """The seeds a run's folder names: one for a complete set, more for a mix.

    ``summary.json`` and ``meta.json`` name the seed; ``waves.csv`` must hold the summary's
    waves (``-1`` joins the set if it holds another run's).
    """
    summary = json.loads((folder / "summary.json").read_text())
    seeds = {summary["seed"], json.loads((folder / "meta.json").read_text())["seed"]}
    waves = pd.read_csv(folder / "waves.csv")
    if list(waves["releases"]) != [w["releases"] for w in summary["waves"]]:
        seeds.add(-1)
    return seeds


@pytest.fixture(scope="module")
def population_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "people.csv"
    assert invoke("export-population", "--seed", "4", "--size", SIZE, "-o", path).exit_code == 0
    return path


# ----------------------------------------------------------- 11: --force replaces the whole set
def test_force_leaves_no_stale_file_of_an_earlier_run(tmp_path, population_file):
    out = tmp_path / "out"
    assert (
        invoke("run", SCENARIO_2014, "--population", population_file, "--out", out).exit_code == 0
    )
    assert (out / "people.csv.gz").exists()
    again = invoke(
        "run", SCENARIO_2014, "--population", population_file, "--chunk-rows", "500",
        "--out", out, "--force",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert not (out / "people.csv.gz").exists()  # a chunked run writes none
    assert {p.name for p in out.iterdir()} == {MANIFEST, *verify_manifest(out)["files"]}


@pytest.mark.parametrize(
    ("ours", "force"),
    [(False, False), (False, True), (True, True)],
    ids=["not-ours", "not-ours-force", "ours-plus-a-file-force"],
)
def test_a_folder_holding_files_we_did_not_write_is_refused(tmp_path, ours, force):
    out = tmp_path / "out"
    if ours:
        assert run(out).exit_code == 0
        before = verify_manifest(out)
    else:
        out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = run(out, "--seed", "3", *(["--force"] if force else []))
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"{out} holds files simulate did not write (no manifest.json lists them); name a new or "
        "empty folder (--force replaces only a folder simulate wrote)"
    ]
    assert (out / "notes.txt").read_text() == "mine"
    if ours:
        assert json.loads((out / "summary.json").read_text())["seed"] == before["seed"]
    else:
        assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_out_and_plots_in_one_folder_share_one_manifest(tmp_path):
    out = tmp_path / "both"
    assert run(out, "--plots", out).exit_code == 0
    names = set(verify_manifest(out)["files"])
    assert {"summary.json", "releases_by_month.svg"} <= names


# ------------------------------------------------------ 12: one folder, one manifest, one swap
def test_outputs_carry_a_manifest_that_verifies(tmp_path):
    out = tmp_path / "out"
    result = run(out, "--seed", "5", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    manifest = verify_manifest(out)
    assert manifest["seed"] == 5
    assert manifest["scenario_sha256"] == summary["scenario_sha256"]
    assert manifest["version"] == summary["version"]
    assert set(manifest["files"]) == {p.name for p in out.iterdir()} - {MANIFEST}
    assert manifest["files"]["summary.json"]["bytes"] == (out / "summary.json").stat().st_size
    assert (out / "people.csv.gz").read_bytes()[3] == 0  # no file name in the gzip header


@pytest.mark.parametrize("tamper", ["change", "remove", "add"])
def test_verify_manifest_refuses_a_folder_that_is_not_the_set_it_lists(tmp_path, tamper):
    out = tmp_path / "out"
    assert run(out).exit_code == 0
    if tamper == "change":
        (out / "waves.csv").write_text("month,releases\n")
    elif tamper == "remove":
        (out / "waves.csv").unlink()
    else:
        (out / "extra.csv").write_text("x\n")
    with pytest.raises(ManifestError, match=r"waves\.csv|extra\.csv"):
        verify_manifest(out)


def test_a_folder_without_its_manifest_is_not_trusted(tmp_path):
    out = tmp_path / "out"
    assert run(out).exit_code == 0
    verify_manifest(out)
    (out / MANIFEST).unlink()
    with pytest.raises(ManifestError, match=r"no manifest\.json"):
        verify_manifest(out)


def test_a_crash_at_any_rename_leaves_one_complete_set(
    tmp_path, small_outcome, scenario_2014, monkeypatch
):
    import simulator as sim

    people = sim.synthesize(scenario_2014.population, seed=77, size=float(SIZE))
    other = sim.apply(people, scenario_2014)
    out = tmp_path / "out"
    report.write_outputs(small_outcome, out)
    seeds = {small_outcome.summary["seed"], other.summary["seed"]}
    assert len(seeds) == 2
    rename, replace = os.rename, os.replace
    for crash_at in range(1, 100):
        calls = {"n": 0}

        def counted(real, *args, calls=calls, crash_at=crash_at, **kwargs):
            calls["n"] += 1
            if calls["n"] == crash_at:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        monkeypatch.setattr(os, "rename", lambda *a, **k: counted(rename, *a, **k))
        monkeypatch.setattr(os, "replace", lambda *a, **k: counted(replace, *a, **k))
        try:
            report.write_outputs(other, out, force=True)
            finished = True
        except KeyboardInterrupt:
            finished = False
        monkeypatch.setattr(os, "rename", rename)
        monkeypatch.setattr(os, "replace", replace)
        (found,) = seeds_in(out)  # never a mix
        assert verify_manifest(out)["seed"] == found, crash_at
        assert found in seeds, crash_at
        assert beside(out) == [".out.lock", "out"], crash_at
        if finished:
            break
    assert verify_manifest(out)["seed"] == other.summary["seed"]


# ------------------------------------------------------------ 13, 14: locked, checked, at once
#: Every command that writes an output: its arguments (OUT stands for the output) and the
#: name of the output.
WRITERS = {
    "run --out": ("run 2014 --size S --out OUT", "out"),
    "run --plots": ("run 2014 --size S --plots OUT", "out"),
    "run --replicates --out": ("run 2014 --size S --replicates 2 --quiet --out OUT", "out"),
    "project --out": ("project PROSPECTIVE --size S --years 1 --out OUT", "out"),
    "project --plots": ("project PROSPECTIVE --size S --years 1 --plots OUT", "out"),
    "report -o": ("report 2014 --size S -o OUT", "r.html"),
    "export-population -o": ("export-population --size S -o OUT", "p.csv"),
    "compare --out": ("compare 2014 2014 --size S --out OUT", "c.csv"),
    "schema -o": ("schema -o OUT", "s.json"),
    "calibrate --output": ("calibrate --size S --max-evals 1 --output OUT", "g.yaml"),
}


def arguments(command: str, out: Path) -> list[object]:
    words = {"2014": SCENARIO_2014, "PROSPECTIVE": PROSPECTIVE, "S": SIZE, "OUT": out}
    return [words.get(w, w) for w in WRITERS[command][0].split()]


@pytest.mark.parametrize("command", list(WRITERS))
def test_a_second_command_on_a_locked_output_exits_2_at_once(tmp_path, command):
    target = tmp_path / WRITERS[command][1]
    stale = tmp_path / f".{target.name}.tmp-0123abcd"  # the other run's temporary folder
    stale.mkdir()
    with filelock.FileLock(lock_path(target), timeout=0):
        result = invoke(*arguments(command, target))
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().splitlines() == [
        f"{target} is being written by another run (it holds {lock_path(target)}); wait for "
        "it, or use --lock-timeout SECONDS"
    ]
    assert not target.exists()
    assert stale.is_dir()  # another run's: left alone


def test_lock_timeout_waits_for_the_other_run(tmp_path):
    out = tmp_path / "out"
    lock = filelock.FileLock(lock_path(out), timeout=0, thread_local=False)
    lock.acquire()
    threading.Timer(0.5, lock.release).start()
    result = run(out, "--lock-timeout", "60")
    assert result.exit_code == 0, result.output
    verify_manifest(out)


def test_an_existing_out_is_refused_before_any_work(tmp_path, monkeypatch, population_file):
    from simulator.cli import run as run_module
    from simulator.cli import run_file

    out = tmp_path / "out"
    assert run(out).exit_code == 0

    def work(*args, **kwargs):
        raise AssertionError("work started before --out was checked")

    monkeypatch.setattr(run_module, "run_synthetic", work)
    monkeypatch.setattr(run_file, "run_file", work)
    monkeypatch.setattr(run_file, "chunk_rows_for", work)
    for extra in ([], ["--population", population_file]):
        result = invoke("run", SCENARIO_2014, "--out", out, *extra)
        assert result.exit_code == 2, result.output
        assert result.stderr.strip() == f"{out} exists; use --force to overwrite"


def test_plots_with_chunk_rows_are_refused_before_reading(tmp_path, monkeypatch, population_file):
    from simulator.cli import run_file

    def work(*args, **kwargs):
        raise AssertionError("the file was read before the options were checked")

    monkeypatch.setattr(run_file, "run_file", work)
    result = invoke("run", SCENARIO_2014, "--population", population_file, "--chunk-rows", "9",
                    "--plots", tmp_path / "p")  # fmt: skip
    assert result.exit_code == 2
    assert "--plots needs the whole population in memory" in result.stderr


# ------------------------------------------------------------------- 15: signals and leftovers
class _Stray(Exception):
    """Raised by the test's own handler, so a signal the command does not catch fails the test."""


@pytest.fixture
def signals_caught():
    """SIGINT raises KeyboardInterrupt (Python's default); SIGTERM, if the command lets it
    through, fails the test instead of ending the test run."""

    def stray(signum, frame):
        raise _Stray(signum)

    previous = {
        signal.SIGINT: signal.signal(signal.SIGINT, signal.default_int_handler),
        signal.SIGTERM: signal.signal(signal.SIGTERM, stray),
    }
    yield
    for s, handler in previous.items():
        signal.signal(s, handler)


@pytest.mark.parametrize(
    ("signum", "code", "line"),
    [(signal.SIGINT, 130, "interrupted (SIGINT)"), (signal.SIGTERM, 143, "terminated (SIGTERM)")],
)
def test_a_signal_mid_write_unwinds_and_leaves_the_previous_set(
    tmp_path, monkeypatch, signals_caught, signum, code, line
):
    out = tmp_path / "out"
    assert run(out, "--seed", "1").exit_code == 0
    real = report._write_people

    def interrupted(people, fh):
        real(people, fh)
        os.kill(os.getpid(), signum)
        time.sleep(5)  # the handler raises at once; never reached

    monkeypatch.setattr(report, "_write_people", interrupted)
    result = run(out, "--seed", "2", "--force")
    assert result.exit_code == code, result.output
    assert result.stderr.strip().splitlines() == [line]
    assert verify_manifest(out)["seed"] == 1
    assert beside(out) == [".out.lock", "out"]  # no temporary folder


def test_sigterm_during_a_single_file_write_leaves_no_temporary(
    tmp_path, monkeypatch, signals_caught
):
    real = pd.DataFrame.to_csv

    def interrupted(self, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupted)
    result = invoke("export-population", "--size", SIZE, "-o", tmp_path / "p.csv")
    assert result.exit_code == 143, result.output
    assert result.stderr.strip() == "terminated (SIGTERM)"
    assert beside(tmp_path / "p.csv") == [".p.csv.lock"]


def test_a_later_run_removes_stale_temporaries_of_its_own(tmp_path):
    out = tmp_path / "out"
    assert run(out).exit_code == 0
    ours = [".out.tmp-0123abcd", ".out.old-89abcdef"]
    others = [".out.tmp-notours", ".other.tmp-0123abcd", "out.tmp-0123abcd"]
    for name in ours + others:
        (tmp_path / name).mkdir()
        (tmp_path / name / "summary.json").write_text("{}")
    (tmp_path / ".out.q1w2e3r4.tmp").write_text("half")  # a single-file temporary's name
    assert run(out, "--force").exit_code == 0
    assert beside(out) == sorted([".out.lock", "out", *others])


def test_a_later_run_puts_back_the_previous_set_found_aside(tmp_path):
    out = tmp_path / "out"
    assert run(out, "--seed", "1").exit_code == 0
    out.rename(tmp_path / ".out.old-0123abcd")  # killed between the two renames of a swap
    result = run(out, "--seed", "2")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{out} exists; use --force to overwrite"
    assert verify_manifest(out)["seed"] == 1
    assert beside(out) == [".out.lock", "out"]


# --------------------------------------------------------------- 16: SIGKILL at random moments
TRIALS = 30


def start_writing(proc: subprocess.Popen, folder: Path) -> float:
    """Wait until a run starts writing (its temporary folder appears); the time it did."""
    while proc.poll() is None and not any(folder.parent.glob(f".{folder.name}.tmp-*")):
        time.sleep(0.001)
    return time.monotonic()


@pytest.mark.slow
def test_sigkill_at_random_moments_leaves_the_previous_or_the_new_set(tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "-m", "simulator.cli", "run", str(SCENARIO_2014), "--size", SIZE,
               "--out", str(out), "--force", "--seed"]  # fmt: skip
    start = time.monotonic()
    first = subprocess.Popen([*command, "1"], stdout=subprocess.DEVNULL)
    writing = start_writing(first, out)
    assert first.wait() == 0
    end = time.monotonic()
    rng = random.Random(int(os.environ.get("FAULT_SEED", "20140718")))
    previous = 1
    landed = {"previous": 0, "new": 0, "absent": 0}
    for trial in range(TRIALS):
        seed = 100 + trial
        proc = subprocess.Popen([*command, str(seed)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        if trial % 3 == 1:  # while writing: from the moment the temporary folder appears
            start_writing(proc, out)
            time.sleep(rng.uniform(0, 1.2 * (end - writing)))
        else:  # any moment of the run
            time.sleep(rng.uniform(0, 1.1 * (end - start)))
        proc.kill()
        proc.wait()
        if not out.exists():  # killed between the two renames: the previous set is aside
            (aside,) = tmp_path.glob(".out.old-*")
            assert verify_manifest(aside)["seed"] == previous, trial
            landed["absent"] += 1
            continue
        (found,) = seeds_in(out)  # never a mix
        assert verify_manifest(out)["seed"] == found, trial
        assert found in (previous, seed), (trial, found)
        landed["previous" if found == previous else "new"] += 1
        previous = found
    done = subprocess.run([*command, "999"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert verify_manifest(out)["seed"] == 999
    assert beside(out) == [".out.lock", "out"]  # stale temporaries removed
    assert landed["previous"] and landed["new"], landed
