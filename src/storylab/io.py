"""Small file helpers: atomic writes and friendly reads."""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Iterator

from storylab.errors import StorylabError

_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would give; mkstemp's files are owner-only


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "w", encoding: str | None = "utf-8"):
    """Write to a temporary file beside `path`, then rename over it.

    A reader never sees a half-written file: either the old one or the new one.
    """
    path = Path(path)
    if path.is_dir():
        raise StorylabError(f"{path} is a directory; expected a file path to write")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.chmod(tmp, FILE_MODE)
    if "b" in mode:
        encoding = None
    try:
        with os.fdopen(fd, mode, encoding=encoding) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not e.filename:  # a failed write() names no file: name ours
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise


def check_output(path: str | os.PathLike, kind: str = "file", what: str = "output") -> Path:
    """Fail before any work if `path` cannot be written as a `kind` ('file' or 'dir').

    A file output must not be a directory, a directory output not a file; the nearest
    existing ancestor must be a directory we can write to (missing parents are created
    later, as today). A read-only file system or a permission problem is one line here
    instead of a traceback after minutes of work."""
    path = Path(path)
    if kind not in ("file", "dir"):
        raise ValueError(f"kind must be 'file' or 'dir', got {kind!r}")
    if str(path) in ("", "."):
        if kind == "file":
            raise StorylabError(f"{what}: expected a file path, got {str(path)!r}")
    if path.exists() or path.is_symlink():
        if kind == "file" and path.is_dir():
            raise StorylabError(f"{what} {path} is a directory; expected a file path")
        if kind == "dir" and not path.is_dir():
            raise StorylabError(f"{what} {path} exists and is not a directory")
        if kind == "file" and path.is_symlink() and not path.exists():
            raise StorylabError(f"{what} {path} is a dangling symbolic link")
        if not os.access(path if kind == "dir" else path.parent, os.W_OK):
            raise StorylabError(f"cannot write {what} {path}: read-only or permission denied")
        return path
    parent = path.parent
    while not parent.exists():
        if parent.is_symlink():
            raise StorylabError(f"cannot write {what} {path}: {parent} is a dangling symbolic link")
        parent = parent.parent
    if not parent.is_dir():
        raise StorylabError(f"cannot write {what} {path}: {parent} is not a directory")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StorylabError(f"cannot write {what} {path}: {parent} is read-only or not writable")
    return path


def require_file(path: str | os.PathLike, what: str = "file") -> Path:
    path = Path(path)
    if not path.exists():
        raise StorylabError(f"{what} not found: {path}")
    if path.is_dir():
        raise StorylabError(f"{what} is a directory, expected a file: {path}")
    return path


def read_text(path: str | os.PathLike, what: str = "text file") -> str:
    """Read UTF-8 text, failing with a clear message on anything else."""
    path = require_file(path, what)
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise StorylabError(f"{path}: not valid UTF-8 (byte {e.start}, line {line})") from None


def iter_jsonl(path: str | os.PathLike, what: str = "JSONL file") -> Iterator[dict]:
    """Yield one dict per non-blank line; a malformed line is an error naming it."""
    path = require_file(path, what)
    with open(path, "rb") as f:
        for lineno, raw in enumerate(f, 1):
            if raw.strip():
                yield parse_jsonl_line(raw, path, lineno)


def parse_jsonl_line(raw: bytes, path, lineno: int) -> dict:
    """One non-blank JSONL line as a dict; errors name the file and line (also for worker processes)."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise StorylabError(f"{path}:{lineno}: not valid UTF-8") from None
    except json.JSONDecodeError as e:
        raise StorylabError(f"{path}:{lineno}: invalid JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise StorylabError(f"{path}:{lineno}: expected a JSON object")
    return obj


def jsonable(obj):
    """Plain JSON values: numpy and torch scalars and arrays become Python numbers and lists,
    and NaN and infinities become null (they are not JSON, and other tools refuse them)."""
    if hasattr(obj, "tolist") and not isinstance(obj, (str, bytes)):
        obj = obj.tolist()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    return obj


def write_json(path: str | os.PathLike, obj, indent: int | None = 2) -> None:
    with atomic_write(path) as f:
        json.dump(jsonable(obj), f, indent=indent, ensure_ascii=False, allow_nan=False)
        f.write("\n")
