import json
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from conftest import TINY_MODEL, TINY_TRAIN, run_cli
from storylab import train as train_mod
from storylab.config import dumps_toml, load_run_config, to_dict
from storylab.curricula import generate_curriculum
from storylab.errors import StorylabError
from storylab.mixture import MixtureBatches
from storylab.shards import load_data, prepare, prepare_many
from storylab.train import train


@pytest.fixture(scope="session")
def mix_data(tmp_path_factory, tinystories_corpus):
    """stories/ and lego/ prepared together: one tokenizer over both corpora."""
    root = tmp_path_factory.mktemp("mix")
    stories = root / "stories.jsonl"
    stories.write_bytes(tinystories_corpus.read_bytes())
    generate_curriculum("lego", root / "lego.jsonl", 400, seed=0, progress=False)
    stats = prepare_many([stories, root / "lego.jsonl"], root / "data", vocab_size=512, val_fraction=0.1,
                         progress=False)
    assert set(stats.dirs) == {"stories", "lego"}
    return root / "data"


def metrics(run):
    return [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]


def losses(run):
    return {m["step"]: m["loss"] for m in metrics(run) if "loss" in m}


def train_lines(run):
    """Every training log line without its timing fields."""
    drop = {"seconds", "tokens_per_s"}
    return {m["step"]: {k: v for k, v in m.items() if k not in drop} for m in metrics(run) if "loss" in m}


def mix_cfg(mix_data, *extra):
    return load_run_config(None, [
        f'train.sources={{"stories": "{mix_data / "stories"}", "lego": "{mix_data / "lego"}"}}',
        *TINY_MODEL, *TINY_TRAIN, *extra])


PHASES = 'train.phase=[{"until_step": 12, "mix": {"lego": 1}}, {"until_step": 24, "mix": {"stories": 0.75, "lego": 0.25}}]'


def test_prepare_several_corpora_share_one_tokenizer(mix_data):
    s, l = load_data(mix_data / "stories"), load_data(mix_data / "lego")
    assert s.index["tokenizer_hash"] == l.index["tokenizer_hash"]
    assert s.index["tokens"]["train"] > 0 and l.index["tokens"]["train"] > 0
    assert "=" in l.tokenizer.decode(l.split("train")[:50].tolist())


def test_mixture_draws_each_source_in_its_share(mix_data):
    stories, lego = load_data(mix_data / "stories"), load_data(mix_data / "lego")
    eq = [i for t, i in lego.tokenizer.get_vocab().items() if "=" in t]
    phases = load_run_config(None, [f'train.sources={{"s": "x", "l": "y"}}',
                                    'train.phase=[{"until_step": 1000, "mix": {"s": 4, "l": 1}}]']).train.phases()
    assert phases[0].mix == {"l": 0.2, "s": 0.8}  # weights normalised
    b = MixtureBatches({"s": stories.split("train"), "l": lego.split("train")}, phases, 64, 16, seed=3)
    lego_rows = 0
    for _ in range(300):
        x, _ = b.next("cpu")
        lego_rows += int(np.isin(x.numpy(), eq).any(axis=1).sum())  # a LEGO window is full of "="
    n = 300 * 16
    assert b.rows == {"l": b.rows["l"], "s": n - b.rows["l"]}
    assert abs(b.rows["l"] / n - 0.2) < 0.025
    assert lego_rows == b.rows["l"]  # the rows really come from the source they were assigned to


def test_phases_switch_at_the_configured_steps_and_log_per_source_loss(tmp_path, mix_data):
    run = tmp_path / "r"
    train(mix_cfg(mix_data, PHASES, "train.steps=24", "train.eval_every=12"), run, progress=False)
    log = {m["step"]: m for m in metrics(run) if "loss" in m}
    assert [log[s]["phase"] for s in range(1, 25)] == [0] * 12 + [1] * 12
    assert log[12]["rows"] == {"lego": 12 * 8, "stories": 0}  # phase 0 is all LEGO
    stories_rows = log[24]["rows"]["stories"]
    assert 12 * 8 * 0.5 < stories_rows < 12 * 8  # phase 1: about 75% stories
    evals = [m for m in metrics(run) if "val_loss" in m]
    assert [m["step"] for m in evals] == [12, 24]
    assert all({"val_loss_stories", "val_loss_lego"} <= set(m) for m in evals)
    assert evals[0]["val_loss"] == evals[0]["val_loss_stories"]  # the primary source is the first named
    # LEGO-only training makes LEGO easier to predict than stories
    assert evals[0]["val_loss_lego"] < evals[0]["val_loss_stories"]
    saved = (run / "config.toml").read_text()
    # the training loss per source: phase 0 has LEGO rows only; the step's loss is the row-weighted mean
    assert all("loss_lego" in log[s] and "loss_stories" not in log[s] for s in range(1, 13))
    assert all(log[s]["loss_lego"] == pytest.approx(log[s]["loss"], rel=1e-5) for s in range(1, 13))
    both = 0
    for s in range(13, 25):
        n = {k: log[s]["rows"][k] - log[s - 1]["rows"][k] for k in ("stories", "lego")}
        got = {k: log[s].get(f"loss_{k}") for k in n}
        assert all((got[k] is None) == (n[k] == 0) for k in n)  # a source with no rows this step logs none
        mean = sum(got[k] * n[k] for k in n if n[k]) / sum(n.values())
        assert mean == pytest.approx(log[s]["loss"], rel=1e-5)
        both += all(n.values())
    assert both >= 6
    # stories are harder to predict than LEGO chains for a model that has trained on LEGO only
    assert log[13]["loss_stories"] > log[12]["loss_lego"] + 1
    assert "until_step = 12" in saved and f'data = "{mix_data / "stories"}"' in saved


@pytest.mark.parametrize("log_every", [1, 3])
def test_stop_and_resume_across_a_phase_switch_is_exact(tmp_path, mix_data, monkeypatch, log_every):
    # log_every=3: the stops (5, 16) fall between log lines, so the per-source loss sums resume mid-interval
    cfg = lambda: mix_cfg(mix_data, PHASES, "train.steps=24", "train.ckpt_every=0", "model.dropout=0.1",
                          f"train.log_every={log_every}")
    ref = tmp_path / "ref"
    train(cfg(), ref, progress=False)
    run = tmp_path / "stopped"
    for stop in (5, 16):  # before the switch at 12 and after it
        monkeypatch.setattr(train_mod, "_out_of_time", lambda st, tc, t0, stop=stop: st.step == stop)
        train(cfg(), run, resume=(run / "config.toml").exists(), progress=False)
        assert max(losses(run)) == stop - stop % log_every  # stopped at `stop`, logged every log_every
    monkeypatch.undo()
    train(cfg(), run, resume=True, progress=False)
    assert losses(run) == losses(ref)  # bit for bit
    assert train_lines(run) == train_lines(ref)  # the per-source losses and rows too
    assert {"loss_lego", "loss_stories"} <= set(train_lines(ref)[24])


@pytest.mark.slow
def test_sigkill_then_resume_across_a_phase_switch(tmp_path, mix_data):
    conf = tmp_path / "mix.toml"
    conf.write_text(f"""
[model]
d_model = 32
n_layers = 2
n_heads = 2
context = 64
dropout = 0.1

[train]
steps = 30
batch_size = 8
warmup = 5
eval_every = 0
eval_batches = 2
threads = 1
log_every = 1
lr = 3e-3
ckpt_every = 7
sources = {{stories = "{mix_data / 'stories'}", lego = "{mix_data / 'lego'}"}}

[[train.phase]]
until_step = 15
mix = {{stories = 0.5, lego = 0.5}}

[[train.phase]]
until_step = 30
mix = {{stories = 1.0}}
""")
    cmd = lambda out: [sys.executable, "-m", "storylab.cli", "train", "--config", str(conf), "--out", str(out)]
    ref = tmp_path / "ref"
    subprocess.run(cmd(ref), check=True, capture_output=True)
    run = tmp_path / "killed"
    for kill_after in (9, 23):  # resumes from step 7 (phase 0) and step 21 (phase 1)
        proc = subprocess.Popen(cmd(run) + (["--resume"] if (run / "config.toml").exists() else []),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            if (run / "metrics.jsonl").exists() and max(losses(run), default=0) >= kill_after:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    subprocess.run(cmd(run) + ["--resume"], check=True, capture_output=True)
    assert sorted(losses(run)) == list(range(1, 31))
    assert losses(run) == losses(ref)
    assert train_lines(run) == train_lines(ref)


def test_mixture_config_errors(tmp_path, tiny_data, mix_data):
    with pytest.raises(StorylabError, match="unknown source"):
        mix_cfg(mix_data, 'train.phase=[{"until_step": 5, "mix": {"logic": 1}}]')
    with pytest.raises(StorylabError, match="must be greater"):
        mix_cfg(mix_data, 'train.phase=[{"until_step": 5, "mix": {"lego": 1}}, {"until_step": 5, "mix": {"lego": 1}}, '
                          '{"until_step": 9, "mix": {"lego": 1}}]')
    with pytest.raises(StorylabError, match="needs train.sources"):
        load_run_config(None, ['train.phase=[{"until_step": 5, "mix": {"a": 1}}]'])
    # the resolved config round-trips through config.toml
    cfg = mix_cfg(mix_data, PHASES)
    path = tmp_path / "c.toml"
    path.write_text(dumps_toml(to_dict(cfg)))
    assert to_dict(load_run_config(path)) == to_dict(cfg)
    # sources with different tokenizers: one line, exit 2
    other = tmp_path / "other"
    prepare(mix_data.parent / "lego.jsonl", other, vocab_size=300, progress=False)
    p = run_cli("train", "--out", tmp_path / "r", "--set", f'train.sources={{"a": "{tiny_data}", "b": "{other}"}}',
                "--steps", "1")
    assert p.returncode == 2 and "different tokenizers" in p.stderr and "Traceback" not in p.stderr


def test_prepare_cli_with_several_corpora(tmp_path, mix_data):
    out = tmp_path / "d"
    p = run_cli("prepare", mix_data.parent / "stories.jsonl", mix_data.parent / "lego.jsonl", "--out", out,
                "--vocab-size", "400", check=0)
    assert "sharing tokenizer" in p.stderr
    assert load_data(out / "stories").index["tokenizer_hash"] == load_data(out / "lego").index["tokenizer_hash"]
