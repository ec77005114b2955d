"""Worker processes for the explorer's runs: bounded, isolated, and killed when too slow.

A numpy computation cannot be interrupted in a thread, but a process can be killed. A
:class:`WorkerPool` keeps a few long-lived worker processes (started with ``spawn``, each with
the engine imported once); a job goes to an idle one, and a job that runs past the time limit
has its process killed and replaced, so the time limit really ends the work. Requests beyond
the workers wait in a queue of bounded length; one more gets :class:`Busy` at once instead
of piling up. Each job's result goes back to the request that sent it only.

Examples
--------
>>> import asyncio, operator
>>> async def demo():
...     async with WorkerPool(workers=1, time_limit=30, queue_limit=4) as pool:
...         return await pool.submit(operator.add, 2, 3)
>>> asyncio.run(demo())
5
"""

from __future__ import annotations

import asyncio
import multiprocessing
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from simulator.errors import InputError, SimulatorError
from simulator.web.queries import FieldError


class Busy(SimulatorError):
    """Every worker is busy and the queue of waiting requests is full (HTTP 503)."""


class TimeLimit(SimulatorError):
    """A job ran past the time limit; its worker process was killed (HTTP 504)."""


class JobFailed(SimulatorError):
    """A job raised an unexpected error, or its worker process died (HTTP 500)."""


def _serve(conn: Connection) -> None:
    """A worker's loop: receive ``(function, args, kwargs)``, send back ``(status, value)``."""
    # the worker loads the engine once, before its first job, so no job pays for the imports
    import simulator.web.jobs  # noqa: F401

    conn.send(("ready", None))  # the time limit of the first job starts from here
    while True:
        try:
            job = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            reply: tuple[str, Any] = ("ok", fn(*args, **kwargs))
        except FieldError as exc:
            reply = ("input", (str(exc), exc.field))
        except InputError as exc:
            reply = ("input", (str(exc), None))
        except Exception as exc:
            last = traceback.extract_tb(exc.__traceback__)[-1:]
            where = f" at {last[0].filename}:{last[0].lineno}" if last else ""
            reply = ("error", f"{type(exc).__name__}: {exc}{where}")
        conn.send(reply)


class _Worker:
    """One worker process and the pipe to it."""

    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        self.ready = False

    def call(self, job: tuple, time_limit: float) -> tuple[str, Any]:
        """Send a job, wait at most ``time_limit`` seconds; ``("timeout", None)`` after that."""
        try:
            if not self.ready:  # a new worker imports the engine first; that is not the job's time
                self.ready = self.conn.recv()[0] == "ready"
            self.conn.send(job)
            if not self.conn.poll(time_limit):
                return "timeout", None
            return self.conn.recv()
        except (EOFError, OSError):
            return "died", None

    def kill(self) -> None:
        """End the process at once (a job past its time) and wait for it."""
        self.process.kill()
        self.process.join()
        self.conn.close()

    def stop(self) -> None:
        """Ask the process to finish, and kill it if it does not within a few seconds."""
        try:
            self.conn.send(None)
        except OSError:
            pass
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


class WorkerPool:
    """A fixed number of worker processes, a bounded queue, and a time limit that kills.

    Parameters
    ----------
    workers : int
        Worker processes (runs at the same time).
    time_limit : float
        Seconds a job may run; past them its process is killed and :class:`TimeLimit` raised.
    queue_limit : int
        Requests that may wait for a worker; one more raises :class:`Busy` at once.

    Use it as an async context manager (``async with WorkerPool(...) as pool``), which starts
    the workers and stops them at the end.
    """

    def __init__(self, workers: int = 1, time_limit: float = 60.0, queue_limit: int = 64) -> None:
        if workers < 1 or queue_limit < 0 or not time_limit > 0:
            raise ValueError("workers >= 1, queue_limit >= 0 and time_limit > 0")
        self.workers, self.time_limit, self.queue_limit = workers, time_limit, queue_limit
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: list[_Worker] = []
        self._waiting = 0
        #: Jobs that ran past the time limit (their workers were replaced).
        self.killed = 0

    async def __aenter__(self) -> WorkerPool:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the worker processes."""
        for _ in range(self.workers):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._context)
        self._all.append(worker)
        self._idle.put_nowait(worker)

    async def stop(self) -> None:
        """Stop every worker process."""
        workers, self._all = self._all, []
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in workers))

    async def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn(*args, **kwargs)`` in a worker process and return its value.

        ``fn`` and its arguments are pickled: a function of a module, plain values.

        Raises
        ------
        Busy
            The queue is full.
        TimeLimit
            The job ran past the time limit (its worker was killed and replaced).
        FieldError, InputError
            The job's own error about its input, with its message (and field).
        JobFailed
            Any other error of the job (one line), or a worker that died.
        """
        if self._idle.empty() and self._waiting >= self.queue_limit:
            raise Busy(
                f"the server is busy: {self.workers} run(s) going and {self._waiting} waiting; "
                "try again in a moment"
            )
        self._waiting += 1
        try:
            worker = await self._idle.get()
        finally:
            self._waiting -= 1
        status, value = "died", None
        try:
            status, value = await asyncio.to_thread(
                worker.call, (fn, args, kwargs), self.time_limit
            )
        finally:
            if status in ("timeout", "died"):
                await asyncio.to_thread(worker.kill)
                self._all.remove(worker)
                self._add()
            else:
                self._idle.put_nowait(worker)
        if status == "ok":
            return value
        if status == "input":
            message, field = value
            raise FieldError(message, field) if field else InputError(message)
        if status == "timeout":
            self.killed += 1
            raise TimeLimit(
                f"the run took longer than this server's limit of {self.time_limit:g} s and "
                "was stopped (simulate serve --time-limit); try a smaller size"
            )
        if status == "died":
            raise JobFailed("the worker running this request stopped unexpectedly")
        raise JobFailed(f"error: {value}")


__all__ = ["Busy", "JobFailed", "TimeLimit", "WorkerPool"]
