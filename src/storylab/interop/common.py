"""What the importers share: writing a run directory that `storylab sample` can open."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from storylab.checkpoint import save_checkpoint
from storylab.config import RunConfig, save_toml, to_dict
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.io import write_json

SOURCE_FILE = "interop.json"  # provenance of an imported run (config.toml holds only RunConfig keys)


def require_transformers():
    """The `transformers` module, or a clear error naming the extra that provides it."""
    try:
        import transformers
    except ImportError:
        raise StorylabError("this needs the Hugging Face `transformers` package: "
                            "pip install 'storylab[hf]' (or pip install transformers)") from None
    return transformers


@contextlib.contextmanager
def quiet_transformers():
    """No progress bars or info logging from transformers while we load and save (one summary line instead)."""
    tf = require_transformers()
    logging = tf.utils.logging
    bars, level = logging.is_progress_bar_enabled(), logging.get_verbosity()
    logging.disable_progress_bar()
    logging.set_verbosity_error()
    try:
        yield tf
    finally:
        if bars:
            logging.enable_progress_bar()
        logging.set_verbosity(level)


@locked("out", check=False)  # <out>.lock beside the directory that is renamed into place
def write_run(out: str | os.PathLike, model, tokenizer, source: dict, overwrite: bool = False) -> Path:
    """Write `config.toml`, `tokenizer.json`, `interop.json` and `checkpoints/step_0000000.safetensors`.

    Everything is written into a temporary directory beside `out`, which is renamed into
    place at the end: a run directory either appears complete or not at all.
    """
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise StorylabError(f"{out} exists and is not a directory")
        if any(out.iterdir()):
            if not overwrite:
                raise StorylabError(f"{out} already exists and is not empty (choose another --out, or --force)")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        save_toml(tmp / "config.toml", to_dict(RunConfig(data="", model=model.cfg)))
        (tmp / "tokenizer.json").write_text(tokenizer.to_str(), encoding="utf-8")
        write_json(tmp / SOURCE_FILE, source)
        save_checkpoint(tmp, 0, model)
        umask = os.umask(0)
        os.umask(umask)
        for q in [tmp, *tmp.rglob("*")]:  # mkdtemp/mkstemp make owner-only files; use the umask
            os.chmod(q, (0o777 if q.is_dir() else 0o666) & ~umask)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def read_source(run: str | os.PathLike) -> dict:
    p = Path(run) / SOURCE_FILE
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {}
