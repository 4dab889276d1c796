"""Training speed defaults: the fused cross-entropy, train.compile=auto and its eager fallback."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch
import torch.nn.functional as F

from conftest import TINY_MODEL, TINY_TRAIN
from storylab.config import ModelConfig, load_run_config
from storylab.errors import StorylabError
from storylab.fused_loss import CHUNK, linear_cross_entropy
from storylab.model import GPT
from storylab.train import compile_pays, train


def _losses(run):
    rows = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]
    return {m["step"]: m["loss"] for m in rows if "loss" in m}


@pytest.mark.parametrize("rows", [7, CHUNK, 2 * CHUNK + 3])
def test_fused_cross_entropy_matches_logits_then_cross_entropy(rows):
    torch.manual_seed(0)
    h = torch.randn(rows, 16, dtype=torch.float64, requires_grad=True)
    w = torch.randn(50, 16, dtype=torch.float64, requires_grad=True)
    y = torch.randint(0, 50, (rows,))
    plain = F.cross_entropy(F.linear(h, w), y)
    gh, gw = torch.autograd.grad(plain * 3, (h, w))
    fused = linear_cross_entropy(h, w, y)
    fh, fw = torch.autograd.grad(fused * 3, (h, w))  # the upstream gradient scales both
    assert fused.item() == pytest.approx(plain.item(), rel=1e-12)
    assert torch.allclose(fh, gh, atol=1e-12) and torch.allclose(fw, gw, atol=1e-12)


def test_fused_cross_entropy_under_bf16_autocast_is_close_and_keeps_dtypes():
    torch.manual_seed(0)
    h = torch.randn(300, 64, requires_grad=True)
    w = (torch.randn(512, 64) * 0.1).requires_grad_()
    y = torch.randint(0, 512, (300,))
    plain = F.cross_entropy(F.linear(h, w), y)
    gh, gw = torch.autograd.grad(plain, (h, w))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        fused = linear_cross_entropy(h, w, y)
    fh, fw = torch.autograd.grad(fused, (h, w))
    assert fused.dtype == fh.dtype == fw.dtype == torch.float32
    assert fused.item() == pytest.approx(plain.item(), rel=5e-3)
    assert (fh - gh).norm() < 0.02 * gh.norm() and (fw - gw).norm() < 0.02 * gw.norm()


def test_model_loss_path_equals_its_logits_path_in_training_and_eval():
    torch.manual_seed(0)
    model = GPT(ModelConfig(vocab_size=300, context=32, d_model=32, n_layers=2, n_heads=2))
    x, y = torch.randint(0, 300, (4, 32)), torch.randint(0, 300, (4, 32))
    plain = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
    assert model(x, y).item() == pytest.approx(plain.item(), rel=1e-6)  # fused (grad enabled)
    with torch.no_grad():
        assert model(x, y).item() == pytest.approx(plain.item(), rel=1e-6)  # chunked, no gradients (evaluation)
    with torch.autocast("cpu", dtype=torch.bfloat16), torch.no_grad():
        assert model(x, y).item() == pytest.approx(plain.item(), rel=1e-2)


def _cfg(*extra):
    return load_run_config(None, list(extra))


def test_compile_auto_decides_from_the_run_length(monkeypatch):
    monkeypatch.delenv("STORYLAB_COMPILE", raising=False)
    fpt = GPT(ModelConfig()).flops_per_token()  # d128/L4/H4, vocab 4096, context 256
    assert compile_pays(_cfg(), fpt, "cpu")  # the default run: 2,000 steps x 4,096 tokens
    assert not compile_pays(_cfg("train.steps=50"), fpt, "cpu")
    assert not compile_pays(_cfg("train.max_minutes=1"), fpt, "cpu")  # the budget is shorter than the steps
    assert not compile_pays(_cfg(), fpt, "mps")
    assert compile_pays(_cfg("train.steps=50", "train.compile=true"), fpt, "cpu")
    assert not compile_pays(_cfg("train.compile=false"), fpt, "cpu")
    monkeypatch.setenv("STORYLAB_COMPILE", "0")
    assert not compile_pays(_cfg(), fpt, "cpu")


@pytest.mark.parametrize("value, expected", [("true", True), ("off", False), ("auto", "auto"), ("AUTO", None),
                                             ("maybe", None)])
def test_train_compile_setting(value, expected):
    if expected is None:
        with pytest.raises(StorylabError, match="compile"):
            _cfg(f"train.compile={value}")
    else:
        assert _cfg(f"train.compile={value}").train.compile == expected


def test_a_failing_compile_falls_back_to_eager_with_the_same_losses(tmp_path, tiny_data, monkeypatch, capsys):
    def cfg(compile_):
        return load_run_config(None, [f"data={tiny_data}", *TINY_MODEL, *TINY_TRAIN, "train.steps=6",
                                      "model.dropout=0.1", f"train.compile={compile_}"])

    eager = train(cfg("false"), tmp_path / "eager", progress=False)

    class Broken(torch.nn.Module):  # what torch.compile returns; it builds (and here fails) at the first call
        def forward(self, *args, **kwargs):
            raise RuntimeError("inductor: no working C++ compiler\nmore details")

    def broken_compile(model, *a, **k):
        return Broken()

    monkeypatch.setattr(torch, "compile", broken_compile)
    fell_back = train(cfg("true"), tmp_path / "fallback", progress=False)
    assert "torch.compile failed (inductor: no working C++ compiler); training eagerly" in capsys.readouterr().err
    assert _losses(tmp_path / "fallback") == _losses(tmp_path / "eager")  # the failed step was not counted
    assert not fell_back.compiled and not eager.compiled and "compiled" not in fell_back.summary()


@pytest.mark.slow
def test_compiled_training_resumes_exactly_after_sigkill(tmp_path, tiny_data):
    """The SIGKILL/resume check of test_train.py with the compiled step (what long runs use by default)."""
    def cmd(run):
        args = ["train", "--data", tiny_data, "--out", run, "--steps", 16]
        for o in TINY_MODEL + TINY_TRAIN + ["train.ckpt_every=5", "model.dropout=0.1", "train.compile=true"]:
            args += ["--set", o]
        return [sys.executable, "-m", "storylab.cli", *map(str, args)]

    ref = tmp_path / "ref"
    p = subprocess.run(cmd(ref), capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "compiled" in [l for l in (ref / "metrics.jsonl").read_text().splitlines() if "summary" in l][0]
    run = tmp_path / "killed"
    proc = subprocess.Popen(cmd(run), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while time.time() < deadline and not ((run / "metrics.jsonl").exists() and max(_losses(run), default=0) >= 7):
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert max(_losses(run)) < 16
    p = subprocess.run(cmd(run) + ["--resume"], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-2000:]
    assert _losses(run) == _losses(ref)


@pytest.mark.slow
def test_torchrun_two_cpu_ranks_agree_compiled(tmp_path, tiny_data):
    import shutil

    torchrun = shutil.which("torchrun", path=os.path.dirname(sys.executable)) or shutil.which("torchrun")
    run = tmp_path / "ddp"
    args = ["--nproc_per_node", "2", "-m", "storylab.cli", "train", "--data", tiny_data, "--out", run, "--steps", "6"]
    for o in TINY_MODEL + TINY_TRAIN + ["train.compile=true"]:
        args += ["--set", o]
    p = subprocess.run([torchrun, "--standalone", *map(str, args)], capture_output=True, text=True, timeout=900,
                       env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert p.returncode == 0, p.stderr[-2000:]
    rows = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]
    (ddp,) = [m for m in rows if "param_checksums" in m]
    assert ddp["ddp_world_size"] == 2 and ddp["param_checksums"][0] == ddp["param_checksums"][1]
    assert sorted(_losses(run)) == list(range(1, 7))
    assert "compiled" in [m for m in rows if "summary" in m][0]["summary"]
