"""``simulate serve``: the explorer, a web page for people who will never open a terminal.

The application is :mod:`simulator.web` (Starlette, served by uvicorn); this module reads the
options, prints the address and runs the server until Ctrl-C.
"""

from __future__ import annotations

import click
import uvicorn

from simulator.cli.options import FiniteRange, epilog
from simulator.web.app import Settings, create_app
from simulator.web.queries import SIZE_LIMIT


@click.command("serve", epilog=epilog())
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every network; mind who can reach it).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free one).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes: runs at the same time.",
)
@click.option(
    "--max-size",
    type=FiniteRange(min=0, min_open=True, max=SIZE_LIMIT),
    default=1.0,
    show_default=True,
    help="Largest population size a request may ask for.",
)
@click.option(
    "--time-limit",
    type=FiniteRange(min=0, min_open=True),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="A run taking longer is stopped (its worker process killed).",
)
@click.option(
    "--queue",
    "queue_limit",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    help="Requests that may wait for a worker; more get HTTP 503.",
)
@click.option(
    "--max-upload",
    type=click.IntRange(min=1),
    default=64 * 1024,
    show_default=True,
    metavar="BYTES",
    help="Largest scenario file a user may upload.",
)
def serve(
    host: str, port: int, workers: int, max_size: float, time_limit: float, queue_limit: int,
    max_upload: int,
) -> None:  # fmt: skip
    """Serve the explorer: choose a scenario, change its assumptions, run it, in a web page."""
    settings = Settings(
        workers=workers, max_size=max_size, time_limit=time_limit, queue_limit=queue_limit,
        max_upload=max_upload,
    )  # fmt: skip
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, log_level="warning", lifespan="on"
    )
    _Announcing(config).run()


class _Announcing(uvicorn.Server):
    """A server that prints its address once it listens (the port, when ``--port 0``)."""

    async def startup(self, sockets: list | None = None) -> None:
        """Start, then print the address on stdout."""
        await super().startup(sockets)
        if self.started:
            address = self.servers[0].sockets[0].getsockname()
            click.echo(f"The explorer: http://{address[0]}:{address[1]}/  (Ctrl-C stops it)")


command = serve
