"""Advisory locks on the outputs a verb writes, and cleanup of temporaries a killed writer left.

Every output (a corpus file, a data directory, a run directory, a sweep directory, an
eval or inspect directory) is written under an exclusive ``fcntl.flock`` on a lock file:
``<file>.lock`` beside a file output, ``<dir>/.lock`` inside a directory output. A second
writer does not wait: it stops at once with one line naming the first writer's pid.

flock locks belong to an open file, so the kernel drops them when the holder dies (even
by SIGKILL): there are no stale locks to break by hand. Inside one process the locks are
re-entrant (a verb that locks its run directory may call a library function that locks it
again), counted per path.

Temporary files (``.NAME.*.tmp``, written by `storylab.io.atomic_write` and checkpoint
saves) are only ever removed by the holder of the output's lock, when nobody else can be
writing them: `clean_temps`.

Adopting it in a new verb is one line::

    with output_lock(out_dir, kind="dir"):
        ...
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import inspect
import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

from storylab.errors import StorylabError

_held: dict[str, list] = {}   # lock file path -> [fd, count]
_mutex = threading.Lock()


def lock_path(target: str | os.PathLike, kind: str = "file") -> Path:
    """Where the lock of `target` lives: ``<file>.lock`` or ``<dir>/.lock``."""
    target = Path(target)
    if kind == "dir":
        return target / ".lock"
    if kind != "file":
        raise ValueError(f"kind must be 'file' or 'dir', got {kind!r}")
    return target.with_name(target.name + ".lock")


def _holder(path: Path) -> str:
    try:
        pid = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        pid = ""
    return pid if pid.isdigit() else "unknown"


def _acquire(path: Path, target: Path) -> int:
    """Open and flock `path` without blocking; re-check that the file we locked is still the
    one at `path` (a releasing holder unlinks it), so two processes never both hold it."""
    for _ in range(50):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StorylabError(f"{target} is being written by another storylab process (pid {_holder(path)})") \
                from None
        except OSError:
            os.close(fd)
            raise
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            return fd
        os.close(fd)  # we locked a file its holder had just unlinked: try the new one
    raise StorylabError(f"{target}: could not take its lock {path}")


@contextlib.contextmanager
def output_lock(target: str | os.PathLike, kind: str = "file") -> Iterator[Path]:
    """Hold the exclusive lock of `target` (kind 'file' or 'dir') for the block.

    A directory target is created if missing (its lock lives inside it); a file target's
    parent must exist (see `storylab.io.check_output`). Raises StorylabError at once when
    another process holds it."""
    target = Path(target)
    created = False
    if kind == "dir" and not target.is_dir():
        target.mkdir(parents=True, exist_ok=True)
        created = True
    elif kind == "file":
        target.parent.mkdir(parents=True, exist_ok=True)
    path = lock_path(target, kind)
    key = str(path.resolve())
    with _mutex:
        entry = _held.get(key)
        if entry is not None:
            entry[1] += 1
        else:
            _held[key] = [_acquire(path, target), 1]
    try:
        yield target
    finally:
        with _mutex:
            entry = _held[key]
            entry[1] -= 1
            if entry[1] == 0:
                del _held[key]
                with contextlib.suppress(OSError):
                    os.unlink(path)   # still holding it: a waiter re-checks the inode (see _acquire)
                os.close(entry[0])
                if created:  # a directory we made only to hold the lock (the verb failed early)
                    with contextlib.suppress(OSError):
                        target.rmdir()


def is_locked(target: str | os.PathLike, kind: str = "file") -> int | None:
    """The pid holding `target`'s lock in another process, or None if it is free."""
    path = lock_path(target, kind)
    if not path.exists():
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None
    except BlockingIOError:
        pid = _holder(path)
        return int(pid) if pid.isdigit() else -1
    finally:
        os.close(fd)


def temp_files(target: str | os.PathLike, kind: str = "file") -> list[Path]:
    """Temporaries a writer of `target` may have left: ``.NAME.*.tmp`` (and ``.NAME.tmp``) beside a
    file; every ``.*.tmp`` inside a directory and its ``checkpoints/``."""
    target = Path(target)
    if kind == "dir":
        dirs = [target, target / "checkpoints"]
        return sorted(p for d in dirs if d.is_dir() for p in d.iterdir()
                      if p.name.startswith(".") and p.name.endswith(".tmp"))
    parent = target.parent
    if not parent.is_dir():
        return []
    prefix = f".{target.name}."
    return sorted(p for p in parent.iterdir()
                  if p.name.endswith(".tmp") and (p.name.startswith(prefix) or p.name == f".{target.name}.tmp"))


def clean_temps(target: str | os.PathLike, kind: str = "file") -> int:
    """Remove what `temp_files` finds; call only while holding `target`'s lock. Returns the count."""
    n = 0
    for p in temp_files(target, kind):
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                shutil.rmtree(p)
            else:
                p.unlink()
            n += 1
    return n


@contextlib.contextmanager
def writing(target: str | os.PathLike, kind: str = "file") -> Iterator[Path]:
    """`output_lock` plus, once it is held, removal of a killed writer's temporaries."""
    with output_lock(target, kind) as t:
        clean_temps(target, kind)
        yield t


def locked(param: str, kind: str = "file", derive=None, clean: bool = True, check: bool = True):
    """Decorator: run the function with its output locked (and a killed writer's temporaries
    removed), after `storylab.io.check_output` has checked the path can be written.

    `param` names the argument holding the output path; `derive(arguments)` may compute the
    path instead (e.g. RUN/inspect from the run), and returning None skips locking. `check=False`
    skips the path check, for outputs that are whole directories renamed into place (export-hf). Library
    callers get the same protection as the CLI::

        @locked("out", kind="dir")
        def prepare(corpus, out, ...): ...
    """
    def wrap(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def inner(*args, **kwargs):
            from storylab.io import check_output

            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            target = derive(bound.arguments) if derive is not None else bound.arguments.get(param)
            if target is None:
                return fn(*args, **kwargs)
            if check:
                check_output(target, kind)
            with (writing if clean else output_lock)(target, kind):
                return fn(*args, **kwargs)
        return inner
    return wrap
