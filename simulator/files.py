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

from simulator.errors import InputError, OutputExistsError

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
    """``obj`` as JSON holds it: containers walked, numpy numbers plain, NaN and infinities None.

    Anything else (a date, a path) becomes its text.
    """
    if isinstance(obj, dict):
        return {(k.item() if isinstance(k, np.generic) else k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_plain(v) for v in obj]
    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, float | np.floating):
        return float(obj) if np.isfinite(obj) else None
    return str(obj)


def to_json(summary: dict, indent: int | None = None) -> str:
    """A summary as one line of JSON (NaN and infinities become null, numpy numbers plain).

    ``indent`` spreads it over indented lines instead.

    Examples
    --------
    >>> to_json({"x": [float("inf"), np.float32(0.5)], "s": "NaN stays text"})
    '{"x":[null,0.5],"s":"NaN stays text"}'
    """
    separators = (",", ":") if indent is None else None
    return json.dumps(_plain(summary), indent=indent, separators=separators, allow_nan=False)


def read_user_text(
    path: Path, error: type[InputError], what: str, *, limit: int | None = None
) -> str:
    r"""The text of a file a user gave, read as UTF-8 (newlines as text mode reads them).

    ``what`` names the file in errors. With ``limit``, a file of more bytes is refused after
    reading no more than that (``/dev/zero`` would fill the memory).

    Raises
    ------
    InputError
        Of the class ``error``: the file cannot be read, is larger than ``limit``, or is not
        UTF-8 (with the byte offset and line of the first byte that is not).

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     (Path(d) / "s.yaml").write_bytes(b"title: caf\xe9\n")
    ...     try:
    ...         read_user_text(Path(d) / "s.yaml", InputError, "scenario")
    ...     except InputError as exc:
    ...         print(str(exc).replace(d, "D"))
    12
    D/s.yaml: scenario is not UTF-8 text: byte 0xe9 at offset 10 (line 1); save it as UTF-8
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    if limit is not None and len(data) > limit:
        raise error(f"{path}: {what} is larger than {limit:,} bytes")
    try:
        return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            f"{path}: {what} is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start} (line {line}); save it as UTF-8"
        ) from None
