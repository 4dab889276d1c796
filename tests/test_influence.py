"""Influence: planted facts are found, bad queries get one line, factors are cached per checkpoint."""

import json

import pytest
import torch

from conftest import TINY_MODEL, TINY_TRAIN, run_cli

from storylab.errors import StorylabError
from storylab.world import generate_stories
from storylab.world.plant import parse_facts, plant_facts

PLANT_TRAIN = ["model.d_model=48", "model.n_layers=2", "model.n_heads=2", "model.context=64", "train.batch_size=8",
               "train.warmup=20", "train.eval_every=0", "train.eval_batches=2", "train.threads=1",
               "train.log_every=100", "train.lr=3e-3", "train.ckpt_every=400", "train.dtype=float32"]


def _train(tmp, corpus_args, steps, overrides, vocab=512):
    c, d, r = tmp / "c.jsonl", tmp / "data", tmp / "run"
    run_cli("generate", "--out", c, "--no-progress", *corpus_args, check=0)
    run_cli("prepare", c, "-o", d, "--vocab-size", vocab, "--val-fraction", 0.05, check=0)
    sets = [x for o in overrides for x in ("--set", o)]
    run_cli("train", "--data", d, "--out", r, "--steps", steps, *sets, check=0)
    return r


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory):
    """200 stories, 20 of them saying "The zib is always purple." (three times each), and a model that
    has learned it (greedy after "The zib is": " always purple."; said once a story, it does not).

    1,600 steps: at 1,200, whether the model had learned the fact was a draw of the training seed and the
    world's text (on one corpus, train seeds 1337/1/2/3/7 gave logp -3.6/-5.3/-2.7/-9.7/-4.3 against the
    test's -8; at 1,600: -4.4/-3.7/-1.5/-2.9/-2.1, each 4.8+ nats above " always green")."""
    return _train(tmp_path_factory.mktemp("planted"),
                  ["--n", 200, "--plant", "zib=purple", "--plant-k", 20, "--plant-repeat", 3], 1600, PLANT_TRAIN)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    return _train(tmp_path_factory.mktemp("tiny"), ["--n", 60], 6, TINY_MODEL + TINY_TRAIN + ["train.ckpt_every=3"])


@pytest.mark.parametrize("repeat", [1, 3])
def test_plant_keeps_offsets_and_is_exact(repeat):
    facts = parse_facts(["zib=purple", "blick=loud"])
    recs = list(plant_facts(generate_stories(120, 3), 120, facts, 7, seed=3, repeat=repeat))
    again = list(plant_facts(generate_stories(120, 3), 120, facts, 7, seed=3, repeat=repeat))
    assert recs == again
    planted = [r for r in recs if "planted" in r["meta"]]
    assert sorted(r["meta"]["planted"]["word"] for r in planted) == ["blick"] * 7 + ["zib"] * 7
    for r in planted:
        p, t, m = r["meta"]["planted"], r["text"], r["meta"]
        assert t.count(p["sentence"]) == repeat
        for o in p.get("offsets", [p["offset"]]):
            assert t[o:].startswith(p["sentence"])
            assert o == 0 or t[o - 1] in " \n"
        for c in m.get("characters", []):
            assert t[c["first_mention"]:].lower().startswith(c["name"].lower())
        for s in m.get("skills", []):
            assert t[s["prompt_end"]:].lower().startswith(str(s["answer"]).lower())
    with pytest.raises(StorylabError):
        parse_facts(["zib"])


def in_fact(token: dict, fact: str = "always purple") -> bool:
    """Whether a contribution's token (marked [[like this]] in its context) lies inside `fact`:
    the fact's own tokens count most, whichever pieces the tokenizer cut it into."""
    c = token["context"]
    at, plain = c.index("[["), c.replace("[[", "").replace("]]", "")
    piece = c[at + 2:c.index("]]")]
    at += len(piece) - len(piece.lstrip())  # " always" is the fact's token: its space is the word's, not before it
    for start in range(-len(fact) + 1, len(plain)):  # the context may cut the fact at either end
        lo, hi = max(0, start), min(len(plain), start + len(fact))
        if hi - lo >= min(len(fact), 8) and plain[lo:hi] == fact[lo - start:hi - start] and lo <= at < hi:
            return True
    return False


@pytest.mark.slow
@pytest.mark.parametrize("method", ["ekfac", "tracin"])
def test_planted_stories_rank_first(planted_run, method):
    from storylab.interpret.influence import influence

    r = influence(planted_run, "The zib is", " always purple", method=method, top=5, progress=False)
    q = r.queries[0]
    assert q["logp"] > -8, q["logp"]                # the model knows the fact (it is at -12 when said once a story)
    (p,) = q["planted"]
    assert p["k"] == 20
    # chance is 20/189 ~ 0.11. Measured 1.0 for both methods until the training changes of #14
    # (fused loss, fp32 attention under bf16); since then tracin 0.65 (it sums over only the
    # fixture's few checkpoints, so it follows their trajectory), ekfac still >= 0.8
    assert p["precision_at_k"] >= (0.8 if method == "ekfac" else 0.5), p
    assert p["ranks"][0] == 1, p                   # a planted story is at the very top
    planted_top = next(t for t in q["top"] if t["planted"] == "zib")
    # the fact's tokens come first, before any other token, except the same word said elsewhere in that story
    # (a story whose hero has a "purple ball" says "purple" four times outside the fact: those help predict
    # " purple" too, and may come first)
    ranked = [k for k in planted_top["tokens"] if in_fact(k) or not in_fact(k, "purple")]
    assert any(k["score"] > 0 and in_fact(k) for k in ranked[:3]), planted_top["tokens"]
    assert json.loads(open(r.path).read())["queries"][0]["top"][0]["id"] == q["top"][0]["id"]
    # the control: a fact nobody planted does not pull up the planted stories
    c = influence(planted_run, "The cow says", " moo", method=method, top=20, progress=False, write=False)
    assert sum(t["planted"] == "zib" for t in c.queries[0]["top"]) < 0.35 * 20


@pytest.mark.slow
def test_overlap_finds_planted_words(planted_run):
    from storylab.interpret.influence import influence

    r = influence(planted_run, "The zib is", " always purple", method="overlap", top=20, progress=False, write=False)
    assert r.queries[0]["planted"][0]["precision_at_k"] == 1.0


def test_uncodable_completion_is_one_line_error(tiny_run, tmp_path):
    p = run_cli("influence", tiny_run, "--prompt", "Once upon", "--completion", "", "--method", "overlap",
                "--no-progress")
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "completion is empty" in lines[0], p.stderr
    q = tmp_path / "q.jsonl"
    q.write_text(json.dumps({"prompt": "Once", "completion": " upon a time" * 40}) + "\n")
    p = run_cli("influence", tiny_run, "--queries", q, "--method", "overlap", "--no-progress")
    assert p.returncode == 2 and "longer than the model's context" in p.stderr and "Traceback" not in p.stderr


def test_out_of_vocabulary_completion(tiny_run):
    from storylab.interpret.influence_data import Query, encode_query
    from storylab.rundir import RunDir

    model, tok = RunDir.open(tiny_run).load()
    with pytest.raises(StorylabError, match="outside the model's vocabulary"):
        encode_query(Query("Once", " upon"), tok, vocab_size=3, context=64)


@pytest.mark.slow
def test_factor_cache_reused_and_invalidated(tiny_run):
    pytest.importorskip("kronfluence")
    from storylab.checkpoint import list_checkpoints, load_model, save_checkpoint
    from storylab.interpret.influence import influence

    kw = dict(method="ekfac", top=3, max_stories=20, progress=False, write=False)
    a = influence(tiny_run, "Once upon", " a time", **kw)
    assert a.info["factors"] == "fitted"
    b = influence(tiny_run, "Once upon", " a time", **kw)
    assert b.info["factors"] == "cached" and b.info["factors_dir"] == a.info["factors_dir"]
    assert b.queries[0]["top"][0]["id"] == a.queries[0]["top"][0]["id"]
    # the same checkpoint file, new weights: new factors, the stale ones removed
    step, path = list_checkpoints(tiny_run)[-1]
    model = load_model(path)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.01)
    save_checkpoint(tiny_run, step, model)
    c = influence(tiny_run, "Once upon", " a time", **kw)
    assert c.info["factors"] == "fitted" and c.info["factors_dir"] != a.info["factors_dir"]
    assert c.info["pruned"] and not __import__("os").path.exists(a.info["factors_dir"])


def test_queries_file_and_report_section(tiny_run, tmp_path):
    pytest.importorskip("matplotlib")
    from storylab.interpret.influence import influence

    q = tmp_path / "q.jsonl"
    q.write_text("\n".join(json.dumps(x) for x in [{"prompt": "Once upon", "completion": " a time"},
                                                   {"prompt": "The dog", "completion": " was happy", "id": "dog"}]))
    r = influence(tiny_run, queries=q, method="tracin", top=4, progress=False)
    assert [x["id"] for x in r.queries] == ["q1", "dog"]
    assert all(len(x["top"]) == 4 for x in r.queries) and "tracin" in r.summary()
    run_cli("report", tiny_run, check=0)     # a fresh process: the section must register itself
    page = (tiny_run / "report.html").read_text()
    assert 'id="influence"' in page and "was happy" in page


def test_tracin_weights_follow_the_logged_learning_rate_under_a_time_schedule(tmp_path):
    """With lr_schedule = "time" the learning rate depends on the wall clock, so the config
    alone cannot give it: TracIn weighs each checkpoint by the rate metrics.jsonl logged there."""
    from types import SimpleNamespace

    from storylab.config import TrainConfig
    from storylab.interpret.influence import _learning_rates
    from storylab.train import lr_at

    lines = [{"step": 10, "lr": 0.003}, {"step": 20, "lr": 0.001}, {"step": 20, "val_loss": 2.0}, {"step": 30, "lr": 0.0004}]
    (tmp_path / "metrics.jsonl").write_text("\n".join(json.dumps(m) for m in lines) + "\n")
    rd = SimpleNamespace(path=tmp_path)
    timed = TrainConfig(steps=10_000, max_minutes=1, lr_schedule="time", lr=3e-3, min_lr=3e-4, warmup=5)
    assert _learning_rates(rd, [20, 25, 30], timed) == [0.001, 0.001, 0.0004]
    assert _learning_rates(rd, [2], timed) == [lr_at(2, timed)]  # before the first log line: warmup, from the config
    stepped = TrainConfig(steps=100, lr=3e-3, min_lr=3e-4, warmup=5)
    assert _learning_rates(rd, [20, 30], stepped) == [lr_at(20, stepped), lr_at(30, stepped)]
