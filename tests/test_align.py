"""train.align = "document": training windows that start where a document starts."""

import json

import numpy as np
import pytest
from conftest import TINY_MODEL, TINY_TRAIN

import storylab.train as train_mod
from storylab.config import load_run_config
from storylab.errors import StorylabError
from storylab.shards import load_data
from storylab.train import Batches, train


def losses(run):
    lines = [json.loads(l) for l in (run / "metrics.jsonl").read_text().splitlines()]
    return {m["step"]: m["loss"] for m in lines if "loss" in m}


def test_aligned_windows_open_a_document_and_default_windows_do_not(tiny_data):
    data = load_data(tiny_data)
    tokens, eot = np.asarray(data.split("train")), data.eot_id
    firsts = {int(d[0]) for d in data.documents("train")}  # what a document's first token can be
    aligned = Batches(tokens, 64, 16, seed=3, align_eot=eot)
    plain = Batches(tokens, 64, 16, seed=3)
    seen, plain_eot = set(), 0
    for _ in range(50):
        x, y = aligned.next("cpu")
        assert (x[:, 0] == eot).all()  # the separator that opens the document ...
        assert all(int(t) in firsts and int(t) != eot for t in y[:, 0])  # ... then its first token
        seen.update(int(s) for s in x[:, 1].numpy())
        plain_eot += int((plain.next("cpu")[0][:, 0] == eot).sum())
    assert len(aligned.starts) > 0.9 * sum(1 for _ in data.documents("train"))
    assert len(seen) > 10  # many documents, not one
    assert plain_eot < 0.2 * 50 * 16  # the default still starts anywhere
    # the default sampler is unchanged: the same offsets as before the option existed
    rng = np.random.Generator(np.random.PCG64(3))
    ix = rng.integers(0, len(tokens) - 64 - 1, size=16)
    x, _ = Batches(tokens, 64, 16, seed=3).next("cpu")
    assert (x.numpy() == np.stack([tokens[i:i + 64] for i in ix])).all()


def test_aligned_window_is_the_shard_at_a_document_start(tiny_data):
    data = load_data(tiny_data)
    tokens = np.asarray(data.split("train"))
    b = Batches(tokens, 64, 4, seed=0, align_eot=data.eot_id)
    state = b.state
    x, y = b.next("cpu")
    b.state = state  # the RNG state fixes the batch: the same offsets again
    offsets = b.starts[b.rng.integers(0, len(b.starts), size=4)]
    for row, yrow, i in zip(x.numpy(), y.numpy(), offsets):
        assert (row == tokens[i:i + 64]).all() and (yrow == tokens[i + 1:i + 65]).all()
        assert tokens[i] == data.eot_id


def test_stop_and_resume_with_aligned_windows_is_exact(tmp_path, tiny_data, monkeypatch):
    cfg = lambda: load_run_config(None, [f"data={tiny_data}", *TINY_MODEL, *TINY_TRAIN, "train.steps=12",
                                         "train.ckpt_every=0", "train.align=document"])
    ref = tmp_path / "ref"
    train(cfg(), ref, progress=False)
    run = tmp_path / "stopped"
    for stop in (4, 9):
        monkeypatch.setattr(train_mod, "_out_of_time", lambda st, tc, t0, stop=stop: st.step == stop)
        train(cfg(), run, resume=(run / "config.toml").exists(), progress=False)
        assert max(losses(run)) == stop
    monkeypatch.undo()
    train(cfg(), run, resume=True, progress=False)
    assert losses(run) == losses(ref)  # bit for bit
    # the logged val loss is measured on aligned windows too (random ones would start mid-document)
    from storylab.rundir import RunDir
    from storylab.train import evaluate_loss

    model, _ = RunDir.open(ref).load()
    data, dtype = load_data(tiny_data), RunDir.open(ref).config["train"]["dtype"]
    val = [json.loads(l)["val_loss"] for l in (ref / "metrics.jsonl").read_text().splitlines() if "val_loss" in l][-1]
    aligned = evaluate_loss(model, data.split("val"), 64, 8, 2, "cpu", dtype, align_eot=data.eot_id)
    assert val == pytest.approx(aligned, abs=1e-6)
    assert aligned != pytest.approx(evaluate_loss(model, data.split("val"), 64, 8, 2, "cpu", dtype), abs=1e-3)
    # and aligned training is not the default's: the two samplers see different windows
    plain = tmp_path / "plain"
    train(load_run_config(None, [f"data={tiny_data}", *TINY_MODEL, *TINY_TRAIN, "train.steps=12"]), plain,
          progress=False)
    assert losses(plain) != losses(ref)


def test_align_config_errors(tiny_data):
    with pytest.raises(StorylabError, match="align='game'; choose one of none, document"):
        load_run_config(None, [f"data={tiny_data}", "train.align=game"])
    with pytest.raises(StorylabError, match="not supported with train.sources"):
        load_run_config(None, [f"data={tiny_data}", "train.align=document", f'train.sources={{"a": "{tiny_data}"}}'])
