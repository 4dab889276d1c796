"""The 10-minute TinyStories recipe: its config, the time-following LR schedule it uses, and
the benchmark that runs it end to end."""

import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT, TINY_MODEL, TINY_TRAIN, TINYSTORIES
from storylab.config import TrainConfig, load_run_config
from storylab.errors import StorylabError
from storylab.train import lr_at, run_config, train

RECIPE = ROOT / "configs" / "tinystories-cpu-10min.toml"


def test_time_schedule_follows_the_clock_and_the_steps():
    tc = TrainConfig(steps=1000, warmup=10, lr=1e-3, min_lr=1e-4, max_minutes=10, lr_schedule="time")
    assert lr_at(5, tc, 0.9) == pytest.approx(6e-4)            # warmup is by steps
    assert lr_at(10, tc, 0.0) == pytest.approx(1e-3)
    assert lr_at(10, tc, 0.5) == pytest.approx(5.5e-4)         # half the time: half way down the cosine
    assert lr_at(10, tc, 1.0) == pytest.approx(1e-4)
    assert lr_at(1000, tc, 0.1) == pytest.approx(1e-4)         # the steps ran out first
    steps = TrainConfig(steps=1000, warmup=10, lr=1e-3, min_lr=1e-4, max_minutes=10)
    assert lr_at(10, steps, 1.0) == pytest.approx(1e-3)        # the default ignores the clock


def test_time_schedule_needs_a_time_budget():
    with pytest.raises(StorylabError, match="max_minutes"):
        TrainConfig(lr_schedule="time")
    with pytest.raises(StorylabError, match="lr_schedule"):
        TrainConfig(lr_schedule="cosine", max_minutes=1)


def _lrs(run):
    return [r["lr"] for r in map(json.loads, (run / "metrics.jsonl").read_text().splitlines()) if "lr" in r]


class _Clock:
    """train's wall clock, advanced a fixed tick per reading: the schedule is tested by what it does
    with time, not by how busy the machine is (a loaded machine once made step 5 come too late)."""

    def __init__(self, tick: float):
        self.now, self.tick = 1e9, tick

    def time(self) -> float:
        self.now += self.tick
        return self.now


def test_minutes_budget_ends_at_min_lr_and_a_resume_keeps_the_decay(tiny_data, tmp_path, monkeypatch):
    """A run stopped by max_minutes with a step budget it never reaches still anneals to min_lr;
    a resume continues from the low LR, not from the high one its step count implies."""
    import storylab.train

    monkeypatch.setattr(storylab.train, "time", _Clock(0.02))
    sets = TINY_MODEL + TINY_TRAIN + [f"data={tiny_data}", "train.steps=1000000", "train.lr=3e-3",
                                      "train.min_lr=3e-4", "train.max_minutes=0.04", "train.lr_schedule=time",
                                      "train.ckpt_every=0"]
    run = tmp_path / "run"
    res = train(load_run_config(None, sets), run, progress=False)
    assert 5 < res.step < 1000000
    lrs = _lrs(run)
    after = lrs[5:]
    assert all(b <= a + 1e-12 for a, b in zip(after, after[1:]))  # monotone down after warmup
    assert lrs[5] > 2.5e-3 and lrs[-1] < 3e-4 + 0.1 * 2.7e-3  # from near lr to near min_lr
    res2 = train(run_config(run, None, ["train.max_minutes=0.02"], resume=True), run, resume=True, progress=False)
    assert res2.step > res.step
    assert max(_lrs(run)[len(lrs):]) < 3e-4 + 0.1 * 2.7e-3


def test_shipped_recipe_loads_and_its_commands_match_it():
    cfg = load_run_config(RECIPE)
    assert cfg.train.max_minutes == 10 and cfg.train.lr_schedule == "time"
    header = "\n".join(l for l in RECIPE.read_text().splitlines() if l.startswith("#"))
    vocab = re.search(r"--vocab-size (\d+)", header)
    assert vocab and int(vocab.group(1)) == cfg.model.vocab_size
    assert "storylab train --config configs/tinystories-cpu-10min.toml" in header
    assert "storylab eval" in header and "validation_prefix.txt" in header


def test_benchmark_prepares_with_the_headers_val_fraction(tmp_path):
    """recipe_curve.py holds out what the header's prepare command holds out (prepare's 0.05 if it
    says nothing), so the benchmark measures the recipe as written."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("recipe_curve", ROOT / "benchmarks" / "recipe_curve.py")
    rc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rc)
    header = "\n".join(l for l in RECIPE.read_text().splitlines() if l.startswith("#"))
    said = re.search(r"storylab prepare .*--val-fraction ([0-9.]+)", header)
    assert rc.header_val_fraction(RECIPE) == (float(said.group(1)) if said else 0.05)
    plain = tmp_path / "plain.toml"
    plain.write_text("#   storylab prepare c.jsonl --out d --vocab-size 512\n[model]\nvocab_size = 512\n")
    assert rc.header_val_fraction(plain) == 0.05
    plain.write_text("#   storylab prepare c.jsonl --out d --vocab-size 512 --val-fraction 0.02\n[model]\n")
    assert rc.header_val_fraction(plain) == 0.02


@pytest.mark.slow
def test_recipe_benchmark_runs_end_to_end(tmp_path):
    """The benchmark's one command, with a tiny model and a few seconds of training."""
    assert TINYSTORIES.exists()
    fig = tmp_path / "curve.png"
    sets = [a for s in TINY_MODEL + ["train.ckpt_every=20", "train.steps=40", "train.log_every=1", "train.warmup=2", "train.compile=false",
                                     "model.vocab_size=512"] for a in ("--set", s)]
    p = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "recipe_curve.py"), "--minutes", "0.5",
                        "--work", str(tmp_path / "work"), "--fig", str(fig), *sets],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = [l for l in p.stdout.splitlines() if "bits/byte  (loss" in l]
    assert len(rows) >= 2
    final = re.search(r"final \(storylab eval .* ([\d.]+) bits/byte", p.stdout)
    assert final and 1.0 < float(final.group(1)) < 8.0  # a barely trained model: well above 1, below 8 bits
    assert fig.exists() and fig.stat().st_size > 10_000
    curve = json.loads((tmp_path / "work" / "run-1" / "curve.json").read_text())
    assert [r["minutes"] for r in curve["rows"]] == sorted(r["minutes"] for r in curve["rows"])
