"""Writing files safely: atomically, never over a file without ``force``.

Every single-file output is written to a temporary file in its own directory and renamed into
place, so a crash or Ctrl-C never leaves a half-written file. Folders of outputs, which must
appear together or not at all, are :mod:`simulator.outputs_folder`'s.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     atomic_write_text(Path(d) / "a.txt", "hello")
...     (Path(d) / "a.txt").read_text()
'hello'
>>> to_json({"x": float("nan"), "n": np.int64(3)})
'{"x":null,"n":3}'
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

import numpy as np

from simulator.errors import OutputExistsError

Writer = Callable[[IO[bytes]], None]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temporary(path: Path) -> tuple[int, str]:
    """A temporary file beside ``path``, with the permissions of an ordinary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; outputs are ordinary files
    return fd, tmp


def _fill(fd: int, write: Writer) -> None:
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write(path: Path, write: Writer) -> None:
    """Write a file through ``write(handle)`` into a temporary file, then rename it into place."""
    fd, tmp = _temporary(path)
    try:
        _fill(fd, write)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write text atomically (UTF-8)."""
    atomic_write(path, lambda fh: fh.write(text.encode("utf-8")))


def refuse_existing(paths: Iterable[Path | str], force: bool = False) -> None:
    """Raise :class:`~simulator.errors.OutputExistsError` for the first path that exists.

    Called before any work, so a run that would overwrite a file stops before it starts.
    """
    if force:
        return
    for path in paths:
        if Path(path).exists():
            raise OutputExistsError.at(path)


def _plain(obj: object) -> object:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return None if np.isnan(obj) else float(obj)
    if isinstance(obj, float) and np.isnan(obj):
        return None
    return str(obj)


def to_json(summary: dict) -> str:
    """A summary as one line of JSON (NaN becomes null, numpy numbers plain numbers)."""
    clean = json.loads(json.dumps(summary, default=_plain).replace("NaN", "null"))
    return json.dumps(clean, separators=(",", ":"))
