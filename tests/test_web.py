"""The explorer (``simulate serve``): its JSON API against ``simulate run --json``, bad input,
uploads, the size cap, the time limit, the queue, and a burst of concurrent requests.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import sys
import time
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from simulator.cli import main
from simulator.cli.options import FiniteRange
from simulator.resources import scenarios_dir
from simulator.web.app import STATIC, Settings, create_app
from simulator.web.queries import FieldError, parse_seed, parse_size
from simulator.web.workers import Busy, TimeLimit, WorkerPool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from web_load import burst, get, serving

SMALL = "0.02"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Settings(workers=1, max_size=1.0))) as c:
        yield c


def cli_json(*args: str) -> str:
    res = CliRunner().invoke(main, ["run", *args, "--json"])
    assert res.exit_code == 0, res.output
    return res.stdout


def cli_error(*args: str) -> str:
    res = CliRunner().invoke(main, ["run", *args, "--json"])
    assert res.exit_code == 2, res.output
    return res.stderr.strip().splitlines()[-1].removeprefix("Error: ")


@pytest.mark.parametrize(
    ("scenario", "sets", "seed"),
    [
        ("2014_guidelines", ["grant.rate=1"], "5"),
        ("equal_act", ["changes.0.ratio=2.5", "retroactivity.earliest_release=2026-05-01"], "7"),
        ("2014_clemency_initiative", [], None),
    ],
)
def test_api_run_is_the_command_lines_json(client, scenario, sets, seed):
    params = [("scenario", scenario), ("size", SMALL), *[("set", s) for s in sets]]
    args = [scenario, "--size", SMALL, *[a for s in sets for a in ("--set", s)]]
    if seed is not None:
        params.append(("seed", seed))
        args += ["--seed", seed]
    r = client.get("/api/run", params=params)
    assert r.status_code == 200, r.text
    expected = cli_json(*args)
    assert r.text + "\n" == expected  # the same bytes, so the same numbers
    assert json.loads(r.text)["size"] == float(SMALL)


@pytest.mark.parametrize(
    ("params", "cli_args", "field"),
    [
        ({"seed": "-1"}, ["--seed", "-1"], "seed"),
        ({"seed": "x"}, ["--seed", "x"], "seed"),
        ({"size": "0"}, ["--size", "0"], "size"),
        ({"size": "nan"}, ["--size", "nan"], "size"),
        ({"size": "300"}, ["--size", "300"], "size"),
        ({"set": "grant.rate=2"}, ["--set", "grant.rate=2"], "set:grant.rate"),
        ({"set": "grant.rat=1"}, ["--set", "grant.rat=1"], "set:grant.rat"),
        ({"set": "grant.rate"}, ["--set", "grant.rate"], "set"),
        ({"set": "changes.0.ratio=-3"}, ["--set", "changes.0.ratio=-3"], "set:changes.0.ratio"),
        ({"set": "grant.rate=[1"}, ["--set", "grant.rate=[1"], "set:grant.rate"),
    ],
)
def test_bad_input_gets_400_and_the_command_lines_message(client, params, cli_args, field):
    r = client.get("/api/run", params={"scenario": "equal_act", **params})
    assert r.status_code == 400
    body = r.json()
    assert body["field"] == field
    cli = cli_error("equal_act", *cli_args)
    # the command line names its options --seed and --size; the page's fields are seed and size
    assert body["error"] == cli.replace("'--seed'", "'seed'").replace("'--size'", "'size'")
    assert "Traceback" not in r.text


@pytest.mark.parametrize(
    "name", ["../scenarios/equal_act.yaml", "/etc/passwd", str(scenarios_dir() / "equal_act.yaml")]
)
def test_no_request_names_a_file_on_the_server(client, name):
    r = client.get("/api/run", params={"scenario": name, "size": SMALL})
    assert r.status_code == 400 and r.json()["field"] == "scenario"
    r = client.get(
        "/api/run",
        params={"scenario": "equal_act", "set": "population.parameters=/etc/passwd"},
    )
    assert r.status_code == 400 and r.json()["field"] == "set:population.parameters"


def test_unknown_parameters_and_files_are_refused(client):
    r = client.get("/api/run", params={"scenario": "equal_act", "sed": "3"})
    assert r.status_code == 400 and r.json()["error"].startswith("sed: unknown parameter")
    assert (
        client.get("/api/download/secret.txt", params={"scenario": "equal_act"}).status_code == 404
    )
    assert client.get("/static/../app.py").status_code == 404


def test_an_uploaded_scenario_runs_as_its_file_does(client):
    text = (scenarios_dir() / "equal_act.yaml").read_text(encoding="utf-8")
    r = client.post("/api/run", params={"size": SMALL, "set": "grant.rate=1"}, content=text)
    assert r.status_code == 200, r.text
    shipped = json.loads(cli_json("equal_act", "--size", SMALL, "--set", "grant.rate=1"))
    assert json.loads(r.text) == shipped


def test_a_bad_upload_is_named_by_line_and_key(client):
    text = (scenarios_dir() / "equal_act.yaml").read_text(encoding="utf-8")
    bad = text.replace("rate: 0.68", "rate: 1.5")
    r = client.post("/api/run", params={"size": SMALL}, content=bad)
    assert r.status_code == 400 and r.json()["field"] == "upload"
    line = next(i for i, s in enumerate(bad.splitlines(), 1) if "rate: 1.5" in s)
    assert r.json()["error"].startswith(f"upload.yaml:{line}:")
    assert "grant.rate: Input should be less than or equal to 1" in r.json()["error"]
    r = client.post(
        "/api/run", content=text.replace("size: 1.0", "size: 1.0\n  parameters: /etc/x")
    )
    assert r.status_code == 400 and "population.parameters" in r.json()["error"]
    r = client.post("/api/run", content=b"title: \xff")
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]


def test_uploads_and_sizes_are_capped():
    with TestClient(create_app(Settings(max_size=0.05, max_upload=100))) as c:
        r = c.post("/api/run", content="x" * 101)
        assert r.status_code == 413 and r.json()["field"] == "upload"
        r = c.get("/api/run", params={"scenario": "equal_act", "size": "0.1"})
        assert r.status_code == 400 and "limit of 0.05" in r.json()["error"]
        # the scenario's own size counts when no size is asked for
        r = c.get("/api/run", params={"scenario": "equal_act", "set": "population.size=0.5"})
        assert r.status_code == 400 and r.json()["field"] == "size"
        r = c.get("/api/run", params={"scenario": "equal_act", "size": SMALL})
        assert r.status_code == 200


def test_downloads_carry_the_provenance(client):
    params = {"scenario": "2014_guidelines", "size": SMALL, "seed": "3", "set": "grant.rate=1"}
    r = client.get("/api/download/outputs-csv.zip", params=params)
    assert r.status_code == 200
    assert r.headers["content-disposition"] == (
        'attachment; filename="2014_guidelines-outputs-csv.zip"'
    )
    z = zipfile.ZipFile(io.BytesIO(r.content))
    meta = json.loads(z.read("meta.json"))
    assert meta["seed"] == 3 and meta["command"] == (
        "simulate run 2014_guidelines --seed 3 --size 0.02 --set grant.rate=1"
    )
    summary = json.loads(client.get("/api/download/summary.json", params=params).text)
    assert summary == json.loads(z.read("summary.json"))
    waves = client.get("/api/download/waves.csv", params=params).text
    assert waves.encode() == z.read("waves.csv")


def test_scenarios_and_published_figures(client):
    body = client.get("/api/scenarios").json()
    names = [e["name"] for e in body["scenarios"]]
    assert names == sorted(p.stem for p in scenarios_dir().glob("*.yaml"))
    assert body["limits"]["max_size"] == 1.0
    rows = client.get("/api/published", params={"scenario": "2014_guidelines"}).json()["rows"]
    assert {r["role"] for r in rows} == {"fitted", "check"}
    assert client.get("/api/published", params={"scenario": "equal_act"}).json()["rows"] == []


def test_the_page_loads_nothing_from_elsewhere(client):
    r = client.get("/")
    assert r.status_code == 200 and "default-src 'self'" in r.headers["content-security-policy"]
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in text and "//cdn" not in text, path.name
        assert client.get(f"/static/{path.name}").status_code == 200


def test_a_job_past_the_time_limit_is_killed_and_its_worker_replaced():
    async def scenario():
        async with WorkerPool(workers=1, time_limit=0.5, queue_limit=4) as pool:
            before = pool._all[0].process
            with pytest.raises(TimeLimit, match=r"longer than this server's limit of 0\.5 s"):
                await pool.submit(time.sleep, 600)
            assert not before.is_alive() and pool.killed == 1
            assert await pool.submit(os.getpid) != before.pid  # a new worker answers

    asyncio.run(scenario())


def test_a_full_queue_refuses_at_once_and_the_rest_are_served():
    async def scenario():
        async with WorkerPool(workers=1, time_limit=60, queue_limit=1) as pool:
            jobs = [pool.submit(time.sleep, 0.3) for _ in range(3)]
            return await asyncio.gather(*jobs, return_exceptions=True)

    done = asyncio.run(scenario())
    assert done[:2] == [None, None]
    assert isinstance(done[2], Busy)


def test_a_burst_of_concurrent_runs_is_queued_and_each_gets_its_own():
    n = 50
    with serving("--workers", "2", "--queue", str(n), "--max-size", "0.05") as base:
        rows = burst(base, n, size=0.01)
        status, body, _ = get(f"{base}/api/run?scenario=2014_guidelines&size=0.01&seed=7")
        after, _, _ = get(f"{base}/api/scenarios")  # the server still answers
    assert [r["status"] for r in rows] == [200] * n
    assert [r["answered_seed"] for r in rows] == list(range(n))
    assert status == 200 and body == rows[7]["body"]  # the same run, the same bytes
    assert after == 200


@settings(max_examples=200)
@given(
    st.one_of(
        st.integers(-(10**6), 10**6).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(min_size=1, max_size=8),
    )
)
def test_seed_and_size_are_read_as_the_command_line_reads_them(text):
    """Whatever is typed, the page accepts what --seed and --size accept, or words it alike."""
    for name, option, web in (
        ("seed", click.IntRange(min=0), lambda t: parse_seed(t)),
        ("size", FiniteRange(min=0, min_open=True, max=200), lambda t: parse_size(t, 200)),
    ):
        try:
            expected, message = option.convert(text, None, None), None
        except click.BadParameter as exc:
            expected, message = None, f"Invalid value for '{name}': {exc.message}"
        if message is None:
            assert web(text) == expected
        else:
            with pytest.raises(FieldError) as caught:
                web(text)
            assert str(caught.value) == message and caught.value.field == name
