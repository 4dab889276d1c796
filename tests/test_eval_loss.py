"""Held-out loss, perplexity and bits per byte; bad runs and mismatched tokenizers."""

import json
import math
import shutil

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from storylab.errors import StorylabError
from storylab.evaluate.loss import read_documents, split_loss, stream_nats, text_loss

from conftest import run_cli
from _eval_helpers import one_thread, random_run, world_data

_threads = pytest.fixture(scope="module", autouse=True)(one_thread)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return world_data(tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def run(data, tmp_path_factory):
    return random_run(data, tmp_path_factory.mktemp("loss") / "run", seed=4, steps=(0, 10, 20))


def _model(run):
    from storylab.rundir import RunDir

    return RunDir.open(run).load()


def test_every_token_predicted_once_in_non_overlapping_windows(run):
    model, _ = _model(run)
    C = model.cfg.context
    tokens = np.random.default_rng(0).integers(0, model.cfg.vocab_size, size=3 * C + 17)
    nats, count, windows = stream_nats(model, tokens, batch_size=2)
    assert count == len(tokens) - 1 and windows == 4
    want = 0.0
    with torch.no_grad():
        for s in range(0, len(tokens) - 1, C):
            w = torch.tensor(tokens[s:s + C + 1])[None]
            want += F.cross_entropy(model(w[:, :-1])[0].double(), w[0, 1:], reduction="sum").item()
    assert nats == pytest.approx(want, rel=1e-5)
    for bs in (1, 3, 64):
        assert stream_nats(model, tokens, batch_size=bs)[0] == pytest.approx(nats, rel=1e-6)


def test_split_loss_covers_the_whole_val_split(run, data):
    from storylab.shards import load_data

    model, tok = _model(run)
    d = load_data(data)
    r = split_loss(model, data, "val", batch_size=4, tokenizer=tok)
    assert r.tokens == d.index["tokens"]["val"] and r.bytes == d.index["bytes"]["val"]
    assert r.bits_per_byte == pytest.approx(r.nats / r.bytes / math.log(2))
    assert r.perplexity == pytest.approx(math.exp(r.loss))
    # a random model is near the uniform loss ln(V)
    assert abs(r.loss - math.log(model.cfg.vocab_size)) < 0.3


def test_text_loss_modes(run, tmp_path):
    model, tok = _model(run)
    f = tmp_path / "stories.txt"
    f.write_text("Lily went to the park.\n\nShe saw a dog.\n\nTom ate an apple. It was red.\n")
    docs, mode = read_documents(f)
    assert mode == "stream" and len(docs) == 1
    blocks = text_loss(model, tok, f, "blocks")
    stream = text_loss(model, tok, f, "stream")
    assert blocks.bytes == len("Lily went to the park.She saw a dog.Tom ate an apple. It was red.")
    assert stream.bytes == len(f.read_bytes())
    assert blocks.tokens != stream.tokens
    j = tmp_path / "c.jsonl"
    j.write_text("\n".join(json.dumps({"text": t}) for t in ("Lily went to the park.", "She saw a dog.")) + "\n")
    assert read_documents(j)[1] == "jsonl" and text_loss(model, tok, j).bytes == 36
    t = tmp_path / "ts.txt"
    t.write_text("One story.\n<|endoftext|>\nTwo story.\n<|endoftext|>\n")
    assert read_documents(t) == (["One story.", "Two story."], "tinystories")
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(StorylabError, match="no text"):
        text_loss(model, tok, tmp_path / "empty.txt")


def test_eval_cli_loss_text_and_checkpoint_curves(run, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text("Once upon a time, there was a little girl named Lily. She liked to play.\n")
    p = run_cli("eval", run, "--loss", "--suite", "--skill", "grammar", "--text", f, "--checkpoints", "all",
                "--threads", "1", check=0)
    assert "val: loss" in p.stdout and "grammar" in p.stdout
    ev = run / "eval"
    loss = json.loads((ev / "loss.json").read_text())
    assert loss["step"] == 20 and loss["texts"][0]["tokens"] > 10
    curves = json.loads((ev / "curves.json").read_text())
    assert [r["step"] for r in curves["rows"]] == [0, 10, 20]
    assert all("grammar" in r["skills"] and "val_loss" in r for r in curves["rows"])
    assert json.loads((ev / "suite.json").read_text())["skills"][0]["skill"] == "grammar"
    assert (ev / "summary.json").exists() and (ev / "suite_items.jsonl").read_text().count("\n") == 102


def test_compare_runs_side_by_side(run, data, tmp_path, capsys):
    from storylab.cli import main

    other = random_run(data, tmp_path / "other", seed=9)
    with pytest.raises(SystemExit) as e:
        main(["eval", str(run), str(other), "--suite", "--skill", "negation", "--threads", "1"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "run" in out and "other" in out and out.count("negation") >= 3


def test_bad_inputs_are_one_line_errors(run, data, tmp_path, capsys):
    from storylab.cli import main

    def err(*args):  # in-process: the same code path as the console script, without the start-up
        capsys.readouterr()
        with pytest.raises(SystemExit) as e:
            main([str(a) for a in args])
        assert e.value.code == 2
        stderr = capsys.readouterr().err
        assert stderr.startswith("error:") and stderr.strip().count("\n") == 0, stderr
        return " ".join(stderr.split())

    empty = tmp_path / "empty_run"
    empty.mkdir()
    (empty / "config.toml").write_text(f'data = "{data}"\n')
    assert "no checkpoints" in err("eval", empty)
    assert "run not found" in err("eval", tmp_path / "nope")

    bad_tasks = tmp_path / "bad.jsonl"
    bad_tasks.write_text(json.dumps({"skill": "x", "prompt": "a", "answer": " b", "distractors": [" c"],
                                     "source": "t"}) + "\n{oops\n")
    assert f"{bad_tasks}:2:" in err("eval", run, "--suite", "--tasks", bad_tasks)

    # a tokenizer that does not belong to the model
    from storylab.tokenizer import train_tokenizer

    wrong = tmp_path / "wrong_tok"
    shutil.copytree(run, wrong, ignore=shutil.ignore_patterns("eval"))
    train_tokenizer(["the cat sat on the mat " * 50, "a dog ran far away " * 50] * 20, vocab_size=1000).save(
        str(wrong / "tokenizer.json"))
    msg = err("eval", wrong, "--suite")
    assert "tokenizer" in msg and "does not match" in msg
    small = tmp_path / "small_tok"
    shutil.copytree(run, small, ignore=shutil.ignore_patterns("eval"))
    train_tokenizer(["the cat sat on the mat " * 50] * 20, vocab_size=300).save(str(small / "tokenizer.json"))
    assert "does not match" in err("eval", small, "--loss")
    assert "--judge needs" in err("eval", run, "--judge")
    assert "--checkpoints" in err("eval", run, "--checkpoints", "newest")
