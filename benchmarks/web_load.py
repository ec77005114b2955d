"""A bounded load test of ``simulate serve``: a burst of concurrent runs against localhost.

Run it (it starts its own server on a free port, and stops it)::

    uv run python benchmarks/web_load.py                     # 50 requests at once, size 0.02
    uv run python benchmarks/web_load.py --requests 50 --size 0.1 --workers 2

It prints the latency percentiles (p50, p90, p99: from sending a request to its whole answer,
waiting in the server's queue included) and how many answers were not HTTP 200. Each request
asks for its own seed, and its answer must carry that seed: no request sees another's result.
``tests/test_web.py`` runs the same burst, small, without timing it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def serving(
    *options: str,
    command: Sequence[str] = (sys.executable, "-m", "simulator.cli", "serve"),
    cwd: Path = ROOT,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """``simulate serve --port 0 OPTIONS`` in a subprocess; yields its address, then stops it.

    ``command`` is how ``simulate serve`` is started (an installed wheel's ``simulate``,
    say), in ``cwd`` with the environment ``env`` (default: this process's).
    """
    env = {**(os.environ if env is None else env), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [*command, "--port", "0", *options],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=cwd, env=env,
    )  # fmt: skip
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if "http://" not in line:
            proc.kill()
            raise RuntimeError(f"simulate serve did not start: {line}{proc.stderr.read()}")
        address = line.split("http://", 1)[1].split()[0].rstrip("/")
        wait_until_ready(f"http://{address}")
        yield f"http://{address}"
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until_ready(base: str) -> None:
    """Wait for the server's first answer (its workers start with it)."""
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{base}/api/scenarios", timeout=30):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{base} never answered")


def get(url: str) -> tuple[int, bytes, float]:
    """Status, body and seconds of one GET (an HTTP error's status and body too)."""
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=600) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read()
    return status, body, time.perf_counter() - start


def burst(base: str, n: int, *, size: float, scenario: str = "2014_guidelines") -> list[dict]:
    """``n`` runs sent at once, seed ``i`` for request ``i``: status, seed answered, seconds."""
    urls = [f"{base}/api/run?scenario={scenario}&size={size:g}&seed={i}" for i in range(n)]
    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(get, urls))
    out = []
    for i, (status, body, seconds) in enumerate(answers):
        summary = json.loads(body) if status == 200 else {}
        out.append({"seed": i, "status": status, "answered_seed": summary.get("seed"),
                    "seconds": seconds, "body": body})  # fmt: skip
    return out


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50, p90 and p99 of the latencies, in seconds."""
    return {f"p{q}": float(np.percentile(seconds, q)) for q in (50, 90, 99)}


def main() -> None:
    """Start a server, send the burst, print the percentiles."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--size", type=float, default=0.02)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    with serving("--workers", str(args.workers), "--queue", str(args.requests)) as base:
        get(f"{base}/api/run?scenario=2014_guidelines&size={args.size:g}")  # warm the workers
        start = time.perf_counter()
        rows = burst(base, args.requests, size=args.size)
        wall = time.perf_counter() - start
    bad = [r for r in rows if r["status"] != 200 or r["answered_seed"] != r["seed"]]
    p = percentiles([r["seconds"] for r in rows])
    print(
        f"{args.requests} concurrent requests, size {args.size:g}, {args.workers} worker(s): "
        f"p50 {p['p50']:.2f} s, p90 {p['p90']:.2f} s, p99 {p['p99']:.2f} s; "
        f"all answered in {wall:.2f} s ({args.requests / wall:.1f} runs/s); "
        f"{len(bad)} not HTTP 200 with their own seed"
    )


if __name__ == "__main__":
    main()
