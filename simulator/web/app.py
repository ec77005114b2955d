"""The explorer's web application (Starlette): the page, its assets, and the JSON API it uses.

Routes
------
``GET /``
    The page (``static/index.html``); its script and style sheet come from ``/static/``.
``GET /api/scenarios``
    The scenario library: names, titles, references, defaults and knobs
    (:func:`simulator.web.catalog.catalog`).
``GET /api/run?scenario=NAME&set=KEY=VALUE&seed=N&size=X``
    The summary of ``simulate run NAME --json --seed N --size X --set KEY=VALUE``, the same
    numbers. ``POST`` with a scenario file's YAML as the body runs that scenario instead
    (validated as any scenario file; at most ``max_upload`` bytes).
``GET /api/published?scenario=NAME``
    The published figures the scenario is checked against (fitted and out of sample).
``GET /api/download/FILE?...``
    A run's ``summary.json``, ``waves.csv``, or its outputs as ``--out`` writes them, zipped
    (``outputs-csv.zip``, ``outputs-parquet.zip``: data files and ``meta.json`` with the
    provenance). ``POST`` as for ``/api/run``.

Bad input gets HTTP 400 and ``{"error": message, "field": field}``, the message the command
line gives for the same input; a full queue 503, a run past the time limit 504, anything else
500 with one line. No response ever holds a traceback, and no request can name a file on the
server: a scenario is a shipped one's name, or an upload.

Examples
--------
>>> from starlette.testclient import TestClient
>>> with TestClient(create_app(Settings(workers=1))) as client:
...     r = client.get("/api/run", params={"scenario": "equal_act", "seed": "-1"})
>>> r.status_code, r.json()["field"]
(400, 'seed')
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from simulator.errors import InputError
from simulator.files import to_json
from simulator.version import __version__
from simulator.web import jobs
from simulator.web.catalog import catalog
from simulator.web.queries import FieldError, RunRequest, parse_run_query
from simulator.web.workers import Busy, JobFailed, TimeLimit, WorkerPool

#: The page and its assets, inside the package (no network at run time).
STATIC = Path(__file__).resolve().parent / "static"
#: Query parameters of a run.
RUN_PARAMETERS = ("scenario", "set", "seed", "size")
#: What every response says about where the page may load things from: only this server.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@dataclass(frozen=True)
class Settings:
    """What ``simulate serve`` configures.

    Attributes
    ----------
    workers : int
        Worker processes: runs at the same time.
    max_size : float
        The largest population ``size`` a request may ask for (1: the calibrated stock).
    time_limit : float
        Seconds a run may take before its worker is killed (HTTP 504).
    queue_limit : int
        Requests that may wait for a worker; more get HTTP 503 at once.
    max_upload : int
        The largest uploaded scenario file, in bytes.
    """

    workers: int = 1
    max_size: float = 1.0
    time_limit: float = 60.0
    queue_limit: int = 64
    max_upload: int = 64 * 1024


def _json(value: Any, status: int = 200) -> Response:
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return Response(to_json(value), status, headers, media_type="application/json")


def _error(message: str, status: int, field: str | None = None) -> Response:
    return _json({"error": message, "field": field}, status)


def create_app(settings: Settings | None = None) -> Starlette:
    """The explorer's application: the page, its assets and the JSON API, with a worker pool.

    Parameters
    ----------
    settings : Settings, optional
        Workers, size cap, time limit, queue and upload limits (the defaults of ``simulate
        serve``).

    Returns
    -------
    starlette.applications.Starlette
        An ASGI application; its worker processes start and stop with it (its lifespan).
    """
    cfg = settings or Settings()
    state: dict[str, WorkerPool] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with WorkerPool(cfg.workers, cfg.time_limit, cfg.queue_limit) as pool:
            state["pool"] = pool
            await asyncio.to_thread(catalog)  # read the library once, before the first page
            yield

    async def submitted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        """The job's value; its errors as HTTP errors (raised as :class:`_Http`)."""
        try:
            return await state["pool"].submit(fn, *args, **kwargs)
        except FieldError as exc:
            raise _Http(_error(str(exc), 400, exc.field)) from None
        except InputError as exc:
            raise _Http(_error(str(exc), 400)) from None
        except Busy as exc:
            raise _Http(_error(str(exc), 503)) from None
        except TimeLimit as exc:
            raise _Http(_error(str(exc), 504)) from None
        except JobFailed as exc:
            raise _Http(_error(str(exc), 500)) from None

    async def run_request(request: Request) -> RunRequest:
        """The run a request asks for: its query, and an uploaded scenario for a POST."""
        params = request.query_params
        unknown = sorted(set(params) - set(RUN_PARAMETERS))
        if unknown:
            raise _Http(
                _error(
                    f"{unknown[0]}: unknown parameter; expected {', '.join(RUN_PARAMETERS)}",
                    400,
                    unknown[0],
                )
            )
        upload = await _upload(request, cfg.max_upload) if request.method == "POST" else None
        try:
            return parse_run_query(
                {k: params.getlist(k) for k in params}, max_size=cfg.max_size, upload=upload
            )
        except FieldError as exc:
            raise _Http(_error(str(exc), 400, exc.field)) from None

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS)

    async def scenarios(request: Request) -> Response:
        return _json({"scenarios": catalog(), "limits": _limits(cfg), "version": __version__})

    async def run(request: Request) -> Response:
        req = await run_request(request)
        body = await submitted(jobs.summary_json, req, max_size=cfg.max_size)
        headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
        return Response(body, 200, headers, media_type="application/json")

    async def published(request: Request) -> Response:
        req = await run_request(request)
        if req.scenario is None:
            return _json({"rows": []})
        rows = await submitted(jobs.published_checks, req.scenario, max_size=cfg.max_size)
        return _json({"rows": rows})

    async def download(request: Request) -> Response:
        name = request.path_params["file"]
        if name not in jobs.DOWNLOADS:
            return _error(f"file: {name!r} is not one of {', '.join(jobs.DOWNLOADS)}", 404)
        req = await run_request(request)
        body = await submitted(jobs.download, req, name, max_size=cfg.max_size)
        stem = req.scenario or "upload"
        headers = {
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{stem}-{name}"',
        }
        return Response(body, 200, headers, media_type=jobs.DOWNLOADS[name])

    def guarded(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except _Http as exc:
                return exc.response

        return endpoint

    async def server_error(request: Request, exc: Exception) -> Response:
        return _error(f"error: {type(exc).__name__}: {exc}", 500)

    routes = [
        Route("/", page),
        Route("/api/scenarios", guarded(scenarios)),
        Route("/api/run", guarded(run), methods=["GET", "POST"]),
        Route("/api/published", guarded(published)),
        Route("/api/download/{file}", guarded(download), methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={Exception: server_error})


class _Http(Exception):
    """A response to send instead of the handler's (an error found on the way)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


async def _upload(request: Request, limit: int) -> str:
    """The uploaded scenario's text: at most ``limit`` bytes, UTF-8 (400 otherwise)."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise _Http(
                _error(
                    f"upload: the scenario file is larger than this server's limit of {limit:,} "
                    "bytes (simulate serve --max-upload)",
                    413,
                    "upload",
                )
            )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Http(
            _error(
                f"upload: not UTF-8 text (byte {exc.start}): a scenario is a YAML file",
                400,
                "upload",
            )
        ) from None


def _limits(cfg: Settings) -> dict[str, Any]:
    return {
        "max_size": cfg.max_size,
        "time_limit": cfg.time_limit,
        "max_upload": cfg.max_upload,
        "workers": cfg.workers,
    }


__all__ = ["Settings", "create_app"]
