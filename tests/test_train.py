import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import TINY_MODEL, TINY_TRAIN, run_cli
from storylab.checkpoint import list_checkpoints, load_model
from storylab.config import load_run_config
from storylab.errors import StorylabError
from storylab.train import train


def metrics(run):
    return [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]


def losses(run):
    return {m["step"]: m["loss"] for m in metrics(run) if "loss" in m}


def tiny_cfg(data, *extra):
    return load_run_config(None, [f"data={data}", *TINY_MODEL, *TINY_TRAIN, *extra])


def test_end_to_end_import_prepare_train_sample(tmp_path, tiny_data):
    run = tmp_path / "run"
    res = train(tiny_cfg(tiny_data, "train.steps=60", "train.eval_every=30"), run, progress=False)
    loss = losses(run)
    assert sum(loss[s] for s in range(1, 6)) / 5 > sum(loss[s] for s in range(56, 61)) / 5 + 0.5
    assert res.val_loss < loss[1]
    assert {"config.toml", "tokenizer.json", "metrics.jsonl"} <= {p.name for p in run.iterdir()}
    assert [s for s, _ in list_checkpoints(run)] == [60]
    p = run_cli("sample", run, "--prompt", "Once upon a time", "--n", "2", "--max-new-tokens", "20", "--seed", "1",
                check=0)
    outs = [b for b in p.stdout.split("\n\n") if b.strip()]
    assert len(outs) == 2 and all(o.startswith("Once upon a time") for o in outs)
    g1 = run_cli("sample", run, "--greedy", "--max-new-tokens", "20", check=0).stdout
    assert g1 == run_cli("sample", run, "--greedy", "--max-new-tokens", "20", check=0).stdout


def _train_cmd(data, run, steps):
    args = ["train", "--data", data, "--out", run, "--steps", steps]
    for o in TINY_MODEL + TINY_TRAIN + ["train.ckpt_every=7", "model.dropout=0.1"]:
        args += ["--set", o]
    return [sys.executable, "-m", "storylab.cli", *map(str, args)]


@pytest.mark.slow
def test_sigkill_then_resume_matches_uninterrupted_run(tmp_path, tiny_data):
    steps = 40
    ref = tmp_path / "ref"
    subprocess.run(_train_cmd(tiny_data, ref, steps), check=True, capture_output=True)
    expected = losses(ref)
    assert len(expected) == steps

    run = tmp_path / "killed"
    for kill_after in (9, 23):  # two kills, each some steps past a checkpoint
        cmd = _train_cmd(tiny_data, run, steps) + (["--resume"] if (run / "config.toml").exists() else [])
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while time.time() < deadline:
            if (run / "metrics.jsonl").exists() and max(losses(run), default=0) >= kill_after:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert max(losses(run)) < steps
    subprocess.run(_train_cmd(tiny_data, run, steps) + ["--resume"], check=True, capture_output=True)
    got = losses(run)
    assert sorted(got) == list(range(1, steps + 1))  # each step logged once
    assert got == expected  # bit-for-bit the same losses


def test_resume_refuses_a_changed_model(tmp_path, tiny_data):
    run = tmp_path / "r"
    train(tiny_cfg(tiny_data, "train.steps=3"), run, progress=False)
    with pytest.raises(StorylabError, match="changed model config.*d_model: 32 -> 48"):
        train(tiny_cfg(tiny_data, "train.steps=6", "model.d_model=48"), run, resume=True, progress=False)
    with pytest.raises(StorylabError, match="already holds a run"):
        train(tiny_cfg(tiny_data, "train.steps=6"), run, progress=False)
    train(tiny_cfg(tiny_data, "train.steps=6"), run, resume=True, progress=False)
    assert max(losses(run)) == 6


def test_corrupt_and_truncated_checkpoints(tmp_path, tiny_data):
    run = tmp_path / "r"
    train(tiny_cfg(tiny_data, "train.steps=2"), run, progress=False)
    ckpt = list_checkpoints(run)[-1][1]
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) // 2])
    with pytest.raises(StorylabError, match="corrupt or truncated"):
        load_model(run)
    p = run_cli("sample", run)
    assert p.returncode == 2 and "corrupt or truncated" in p.stderr and "Traceback" not in p.stderr
    ckpt.write_bytes(b"\x00" * 100)
    with pytest.raises(StorylabError, match="corrupt or truncated"):
        load_model(run)


def test_tokenizer_that_does_not_match_the_shards(tmp_path, tiny_data):
    data = tmp_path / "data"
    shutil.copytree(tiny_data, data)
    tok = json.loads((data / "tokenizer.json").read_text())
    tok["model"]["merges"] = tok["model"]["merges"][:-1]
    (data / "tokenizer.json").write_text(json.dumps(tok))
    p = run_cli("train", "--data", data, "--out", tmp_path / "r", "--steps", "1")
    assert p.returncode == 2 and "does not match the shards" in p.stderr
    assert not (tmp_path / "r" / "checkpoints").exists()


def test_sampling_with_a_foreign_tokenizer_fails_loudly(tmp_path, tiny_data):
    run = tmp_path / "r"
    train(tiny_cfg(tiny_data, "train.steps=1"), run, progress=False)
    tok = json.loads((run / "tokenizer.json").read_text())
    for i in range(600, 700):  # a tokenizer with more tokens than the model has rows
        tok["model"]["vocab"][f"extra{i}"] = i
    (run / "tokenizer.json").write_text(json.dumps(tok))
    p = run_cli("sample", run)
    assert p.returncode == 2 and "wrong tokenizer" in p.stderr


def test_train_bad_inputs(tmp_path, tiny_data):
    p = run_cli("train", "--data", tmp_path / "nope", "--out", tmp_path / "r")
    assert p.returncode == 2 and "data directory not found" in p.stderr
    p = run_cli("train", "--data", tiny_data, "--out", tmp_path / "r", "--set", "model.depth=3")
    assert p.returncode == 2 and "unknown key 'model.depth'" in p.stderr and "model.n_layers" in p.stderr
    p = run_cli("prepare", tmp_path / "none.jsonl", "--out", tmp_path / "d")
    assert p.returncode == 2 and "not found" in p.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    p = run_cli("prepare", empty, "--out", tmp_path / "d")
    assert p.returncode == 2 and "empty corpus" in p.stderr
    assert not (tmp_path / "d" / "index.json").exists()


@pytest.mark.slow
def test_torchrun_two_cpu_ranks_agree(tmp_path, tiny_data):
    torchrun = shutil.which("torchrun", path=os.path.dirname(sys.executable)) or shutil.which("torchrun")
    run = tmp_path / "ddp"
    args = ["--nproc_per_node", "2", "-m", "storylab.cli", "train", "--data", tiny_data, "--out", run, "--steps", "8"]
    for o in TINY_MODEL + TINY_TRAIN:
        args += ["--set", o]
    p = subprocess.run([torchrun, "--standalone", *map(str, args)], capture_output=True, text=True, timeout=300,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    ddp = [m for m in metrics(run) if "param_checksums" in m]
    assert len(ddp) == 1 and ddp[0]["ddp_world_size"] == 2
    a, b = ddp[0]["param_checksums"]
    assert a == b  # both ranks hold identical weights after 8 synchronised steps
    assert sorted(losses(run)) == list(range(1, 9))
    assert [s for s, _ in list_checkpoints(run)] == [8]
