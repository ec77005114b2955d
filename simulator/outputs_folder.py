"""Outputs reserved before the work, locked, and written whole: folders with a manifest.

A command names its outputs first (:class:`Outputs`), before computing anything. For each one
(a folder such as ``--out`` or ``--plots``, or a single file such as ``report -o``) it then:

1. **takes the lock** ``.<name>.lock`` beside it (a ``flock`` the system releases when the
   process ends, however it ends; the empty file stays). A second command writing the same
   output fails at once with :class:`~simulator.errors.OutputBusyError` (exit 2), or waits up to
   ``lock_timeout`` seconds;
2. **removes stale temporaries** an earlier run on the same output left when it was killed
   (``.<name>.tmp-XXXXXXXX`` folders, ``.<name>.old-XXXXXXXX`` folders, ``.<name>.XXXXXXXX.tmp``
   files): holding the lock, nothing else can be writing them. A previous set found aside with no
   folder in its place (a kill between the two renames below) is put back first;
3. **checks the target**, by this rule for folders:

   - no folder, or an empty one: written;
   - a folder that is ours (its ``manifest.json`` lists every file in it): refused without
     ``force``; with ``force`` replaced as a whole, so no file of the earlier run survives;
   - any other folder (no manifest of ours, or a file the manifest does not list): refused, with
     or without ``force``, since it may hold someone's work; name a new or empty folder.

   A single file is refused if it exists, unless ``force``.

At the end, :meth:`Outputs.commit` writes each folder's files into a sibling temporary folder
``.<name>.tmp-XXXXXXXX``, then ``manifest.json`` (name, bytes and SHA-256 of every file, seed,
scenario hash, version) last, and swaps the folder in: one rename when there is nothing to
replace; otherwise the old folder is renamed aside, the new one in, and the old one removed. At
every instant the path holds the previous complete set, the new complete set, or (between two
renames) nothing; a reader trusts a folder only if :func:`verify_manifest` passes. An error,
Ctrl-C or SIGTERM removes the temporary folder on the way out and leaves the target as it was.
Single files are written by :func:`simulator.files.atomic_write` while the lock is held.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as d:
...     out = Path(d) / "out"
...     with Outputs([out]) as outputs:  # locked and checked: now the work
...         outputs.add(out, {"a.txt": text_file("hello")})
...         written = outputs.commit({"seed": 1, "scenario_sha256": "0" * 64})
...     sorted(verify_manifest(out)["files"]), [p.name for p in written]
(['a.txt'], ['a.txt'])
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from simulator import lazy
from simulator.errors import InputError, ManifestError, OutputBusyError, OutputExistsError
from simulator.files import Writer
from simulator.version import __version__

filelock = lazy.module("filelock")  # 45 ms to import: loaded when an output is reserved

#: The file that makes a folder ours, written last.
MANIFEST = "manifest.json"
#: Its ``format`` key.
FORMAT = "simulator-outputs/1"


#: The formats of the tables an output folder holds (``--format``).
FORMATS = ("csv", "parquet")
#: The provenance file beside the data files: seed, scenario hash, version, command line...
META = "meta.json"


def text_file(text: str) -> Writer:
    """A writer of UTF-8 text, for :meth:`Outputs.add`."""
    return lambda fh: fh.write(text.encode("utf-8"))


def json_file(doc: Mapping[str, object]) -> Writer:
    """A writer of a JSON document (indented, keys in the order given), e.g. :data:`META`."""
    return text_file(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n")


def table_file(frame: object, fmt: str = "csv", *, index: bool = False, **csv: object) -> Writer:
    """A writer of a pandas DataFrame as a plain CSV (one header row) or a Parquet file.

    ``index`` keeps the frame's index as the first column(s); ``csv`` holds further
    ``DataFrame.to_csv`` arguments (ignored for Parquet).

    Examples
    --------
    >>> import io, pandas as pd
    >>> fh = io.BytesIO()
    >>> table_file(pd.DataFrame({"a": [1, 2]}))(fh)  # bytes written
    6
    >>> fh.getvalue().decode().splitlines()
    ['a', '1', '2']
    """
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        table = frame.reset_index() if index else frame  # type: ignore[attr-defined]
        return lambda fh: table.to_parquet(fh, index=False)
    return lambda fh: fh.write(frame.to_csv(index=index, **csv).encode("utf-8"))  # type: ignore[attr-defined]


def lock_path(path: Path | str) -> Path:
    """The lock file of an output: ``.<name>.lock`` beside it."""
    path = Path(path)
    return path.parent / f".{path.name}.lock"


def verify_manifest(folder: Path | str) -> dict:
    """The manifest of an output folder, once every file in the folder matches it.

    Raises :class:`~simulator.errors.ManifestError` if the folder has no manifest of ours, a
    file it lists is missing or has another size or SHA-256, or the folder holds anything else.
    """
    folder = Path(folder)
    manifest = _read_manifest(folder)
    if manifest is None:
        raise ManifestError(f"{folder}: no {MANIFEST} written by simulate; do not trust its files")
    listed = manifest["files"]
    present = {p.name for p in folder.iterdir()} - {MANIFEST}
    problems = [f"{name} is missing" for name in sorted(set(listed) - present)]
    problems += [f"{name} is not in the manifest" for name in sorted(present - set(listed))]
    for name in sorted(set(listed) & present):
        if _entry(folder / name) != listed[name]:
            problems.append(f"{name} differs from the manifest")
    if problems:
        raise ManifestError(f"{folder}: " + "; ".join(problems))
    return manifest


def _read_manifest(folder: Path) -> dict | None:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    return manifest if isinstance(manifest.get("files"), dict) else None


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _entry(path: Path) -> dict | None:
    """Bytes and SHA-256 of a regular file (None for anything else)."""
    if not _regular(path):
        return None
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return {"bytes": path.stat().st_size, "sha256": digest}


def _trusted(folder: Path) -> bool:
    try:
        verify_manifest(folder)
    except (ManifestError, OSError):
        return False
    return True


def _check_folder(path: Path, shown: str, force: bool) -> None:
    """The rule of the module docstring: raise unless ``path`` may be written."""
    if not os.path.lexists(path):
        return
    if not path.is_dir():
        raise OutputExistsError(f"{shown} exists and is not a folder")
    entries = list(path.iterdir())
    if not entries:
        return
    manifest = _read_manifest(path)
    allowed = {MANIFEST, *manifest["files"]} if manifest else set()
    if not all(e.name in allowed and _regular(e) for e in entries):
        raise OutputExistsError(
            f"{shown} holds files simulate did not write (no {MANIFEST} lists them); name a new "
            "or empty folder (--force replaces only a folder simulate wrote)"
        )
    if not force:
        raise OutputExistsError.at(shown)


def _aside(path: Path, kind: str) -> Path:
    """A fresh name beside ``path``: ``.<name>.<kind>-XXXXXXXX``."""
    return path.parent / f".{path.name}.{kind}-{secrets.token_hex(4)}"


def _clean_stale(path: Path) -> None:
    """Remove what a killed run on ``path`` left beside it; the caller holds the lock."""
    name = re.escape(path.name)
    # folders of Outputs.commit, and files of simulator.files.atomic_write (mkstemp's names)
    stale = re.compile(rf"\.{name}\.(?:(tmp|old)-[0-9a-f]{{8}}|[a-z0-9_]{{8}}\.tmp)")
    for entry in sorted(path.parent.iterdir()):
        match = stale.fullmatch(entry.name)
        if match is None:
            continue
        if match[1] == "old" and not os.path.lexists(path) and _trusted(entry):
            os.rename(entry, path)  # killed between the renames of a swap: the previous set
        elif entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)


def _swap(new: Path, path: Path) -> None:
    """Put the folder ``new`` at ``path``, replacing what is there, by renames."""
    try:
        os.rename(new, path)  # nothing there, or an empty folder: one atomic step
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    old = _aside(path, "old")
    os.rename(path, old)
    try:
        os.rename(new, path)
    except BaseException:
        os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _sync_folder(folder: Path) -> None:
    """Make the names in a folder durable (where the system allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class _Target:
    path: Path
    shown: str
    folder: bool
    files: dict[str, Writer] = field(default_factory=dict)
    temp: Path | None = None


def _absolute(given: Path | str, folder: bool) -> Path:
    # a folder is replaced by renames: through a symbolic link, rename the folder it points to
    path = Path(given).resolve() if folder else Path(os.path.abspath(given))
    if not path.name:
        raise InputError(f"{given}: name a folder or file to write, not the root")
    return path


class Outputs:
    """The outputs of one command, reserved before any work and written at the end.

    Parameters
    ----------
    folders : iterable of path or None
        Output folders (``None`` or empty entries are skipped; a folder named twice, as in
        ``--out d --plots d``, is one folder holding both sets of files).
    files : iterable of path or None
        Single output files, written by the caller with :func:`simulator.files.atomic_write`
        inside the ``with`` block.
    force : bool
        Replace an output that exists (for a folder: only one that is ours).
    lock_timeout : float
        Seconds to wait for another run holding an output's lock; 0 fails at once.

    Entering the ``with`` block locks every output (in one order, so two commands cannot wait
    for each other), removes stale temporaries and checks the targets; leaving it removes any
    temporary folder left and releases the locks. See the module docstring for the rules.
    """

    def __init__(
        self,
        folders: Iterable[Path | str | None] = (),
        files: Iterable[Path | str | None] = (),
        *,
        force: bool = False,
        lock_timeout: float = 0.0,
    ) -> None:
        targets: dict[Path, _Target] = {}
        for given, folder in [(f, True) for f in folders] + [(f, False) for f in files]:
            if given:
                path = _absolute(given, folder)
                targets.setdefault(path, _Target(path, str(given), folder))
        self._targets = dict(sorted(targets.items()))
        self._force = force
        self._lock_timeout = lock_timeout
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> Outputs:
        with contextlib.ExitStack() as stack:
            for target in self._targets.values():
                stack.enter_context(self._reserve(target))
            self._stack = stack.pop_all()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    @contextlib.contextmanager
    def _reserve(self, target: _Target) -> Iterator[None]:
        target.path.parent.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(lock_path(target.path), timeout=self._lock_timeout)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise OutputBusyError(
                f"{target.shown} is being written by another run (it holds "
                f"{lock_path(target.shown)}); wait for it, or use --lock-timeout SECONDS"
            ) from None
        try:
            _clean_stale(target.path)
            if target.folder:
                _check_folder(target.path, target.shown, self._force)
            elif not self._force and os.path.lexists(target.path):
                raise OutputExistsError.at(target.shown)
            yield
        finally:
            if target.temp is not None:
                shutil.rmtree(target.temp, ignore_errors=True)
            lock.release()

    def add(self, folder: Path | str, files: Mapping[str, Writer]) -> None:
        """Files to write into one of the folders: name -> ``write(handle)``."""
        target = self._targets[_absolute(folder, True)]
        if clash := (set(files) & set(target.files)) | (set(files) & {MANIFEST}):
            raise ValueError(f"{folder}: {sorted(clash)} given twice")
        target.files.update(files)

    def commit(self, provenance: Mapping[str, object]) -> list[Path]:
        """Write each folder's files and manifest into a temporary folder, then swap it in.

        ``provenance`` holds the ``seed`` and ``scenario_sha256`` the manifest records (a run's
        summary does). Returns the paths of the files written, manifests left out.
        """
        about = {
            "format": FORMAT,
            "seed": int(provenance["seed"]),  # type: ignore[arg-type]
            "scenario_sha256": str(provenance["scenario_sha256"]),
            "version": __version__,
        }
        written: list[Path] = []
        for target in self._targets.values():
            if target.files:
                written += self._publish(target, about)
        return written

    def _publish(self, target: _Target, about: dict) -> list[Path]:
        target.temp = _aside(target.path, "tmp")
        target.temp.mkdir()
        listed = {}
        for name, write in target.files.items():
            # opened by descriptor: a handle without a file name, as simulator.files gives, so
            # gzip writes no name into its header and the bytes are those of earlier versions
            fd = os.open(target.temp / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                os.fsync(fh.fileno())
            listed[name] = _entry(target.temp / name)
        with (target.temp / MANIFEST).open("xb") as fh:
            fh.write((json.dumps({**about, "files": listed}, indent=2) + "\n").encode())
            fh.flush()
            os.fsync(fh.fileno())
        _sync_folder(target.temp)
        _check_folder(target.path, target.shown, self._force)  # as it was when reserved
        _swap(target.temp, target.path)
        target.temp = None
        _sync_folder(target.path.parent)
        written = [target.path / name for name in target.files]
        target.files = {}  # written: a second commit has nothing left to write
        return written


def write_folder(
    folder: Path | str,
    files: Mapping[str, Writer],
    provenance: Mapping[str, object],
    *,
    force: bool = False,
) -> list[Path]:
    """Write one output folder whole (lock, check, temporary folder, manifest, swap).

    Raises :class:`~simulator.errors.OutputExistsError` before writing anything if the folder
    may not be written (see the module docstring).
    """
    with Outputs([folder], force=force) as outputs:
        outputs.add(folder, files)
        return outputs.commit(provenance)
