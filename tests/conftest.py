import os
import sys
from pathlib import Path

import pytest

if os.environ.get("PYTEST_XDIST_WORKER"):
    # a worker per core (pyproject's addopts): torch here and in the CLI processes the tests start gets one
    # thread, as each would under the slot runner; two workers of two threads each fight over the cores
    import torch

    os.environ["OMP_NUM_THREADS"] = "1"
    torch.set_num_threads(1)

# the longest file goes first: under xdist (--dist loadfile --no-loadscope-reorder: by default xdist sends the files
# with most tests first) its worker then runs it beside the rest of the suite, not alone at the end (the demo
# test: ~8 min on one thread; with the reorder it started 8 min in and the suite took 958 s)
FIRST = ("tests/test_demo.py",)


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: not item.nodeid.startswith(FIRST))


ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TINYSTORIES = SHARED / "tinystories" / "train_prefix_2MiB.txt"

# tiny settings that train in a second or two on a CPU
TINY_MODEL = ["model.d_model=32", "model.n_layers=2", "model.n_heads=2", "model.context=64"]
TINY_TRAIN = ["train.batch_size=8", "train.warmup=5", "train.eval_every=0", "train.eval_batches=2",
              "train.threads=1", "train.log_every=1", "train.lr=3e-3"]


def chromium() -> str | None:
    """The system's headless browser (CI installs Debian's chromium), or None."""
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def screenshot(page: Path, out: Path, height: int):
    """A headless Chromium screenshot of a local HTML file, as an RGB array in [0, 1]."""
    import subprocess
    import tempfile

    from matplotlib.image import imread

    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync", "--no-first-run",
                        f"--user-data-dir={profile}", f"--screenshot={out}", f"--window-size=1200,{height}",
                        Path(page).resolve().as_uri()], capture_output=True, timeout=120)
    assert out.exists(), "chromium wrote no screenshot"
    return imread(out)[..., :3]


def run_cli(*args, env=None, check=None):
    """Run `storylab ARGS` in a subprocess (the real console script's code path)."""
    import subprocess

    full_env = {**os.environ, **(env or {})}
    p = subprocess.run([sys.executable, "-m", "storylab.cli", *map(str, args)], capture_output=True, text=True,
                       env=full_env, timeout=600)
    if check is not None:
        assert p.returncode == check, f"exit {p.returncode}\nstdout:{p.stdout}\nstderr:{p.stderr}"
    return p


@pytest.fixture(scope="session")
def tinystories_corpus(tmp_path_factory):
    """The first 200 stories of the real TinyStories sample, as a storylab corpus."""
    from storylab.corpus import import_corpus

    out = tmp_path_factory.mktemp("corpus") / "stories.jsonl"
    import_corpus(TINYSTORIES, out, limit=200)
    return out


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory, tinystories_corpus):
    from storylab.shards import prepare

    out = tmp_path_factory.mktemp("data")
    prepare(tinystories_corpus, out, vocab_size=512, val_fraction=0.1, progress=False)
    return out
