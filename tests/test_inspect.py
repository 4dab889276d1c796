"""storylab.interpret (the inspect verb): heads, neurons, probes, OOD reversion — on hand-built and trained models."""

import json
import random

import numpy as np
import pytest
import torch

from storylab.config import ModelConfig
from storylab.errors import StorylabError
from storylab.model import GPT

from conftest import run_cli


# --- a trained model on procedural stories (shared by the tests that need one) ----------------


@pytest.fixture(scope="module")
def world_run(tmp_path_factory):
    """A 2-layer model trained for a few hundred steps on 1,000 procedural stories."""
    return _world_run(tmp_path_factory, seed=3)


def _world_run(tmp_path_factory, seed: int):
    from storylab.config import load_run_config
    from storylab.corpus import write_corpus
    from storylab.world import generate_stories
    from storylab.shards import prepare
    from storylab.train import train

    root = tmp_path_factory.mktemp("inspect")
    corpus = root / "stories.jsonl"
    write_corpus(corpus, generate_stories(1000, seed=seed))
    prepare(corpus, root / "data", vocab_size=512, val_fraction=0.1, progress=False)
    cfg = load_run_config(None, [f"data={root / 'data'}", "model.d_model=32", "model.n_layers=2", "model.n_heads=2",
                                 "model.context=64", "train.steps=300", "train.batch_size=16", "train.warmup=20",
                                 "train.lr=5e-3", "train.eval_every=0", "train.eval_batches=2", "train.threads=1",
                                 "train.log_every=50", "train.ckpt_every=0", "train.dtype=float32"])
    train(cfg, root / "run", progress=False)
    return root / "run"


# --- heads ---------------------------------------------------------------------------------


def hand_built_model():
    """1 layer, 2 heads, ALiBi. Head 0 has zero q/k: attention by offset alone.
    Head 1 has q = k = the token's one-hot: attention to copies of the same token."""
    cfg = ModelConfig(vocab_size=16, context=64, d_model=32, n_layers=1, n_heads=2, positions="alibi",
                      tie_embeddings=False)
    torch.manual_seed(0)
    m = GPT(cfg).eval()
    D = cfg.d_head
    with torch.no_grad():
        m.wte.weight.zero_()
        m.wte.weight[:, :16] = torch.eye(16)
        W = m.blocks[0].attn.qkv.weight
        W.zero_()
        W[D:2 * D, :16] = 2 * torch.eye(16)       # q, head 1
        W[3 * D:4 * D, :16] = 2 * torch.eye(16)   # k, head 1
        W[4 * D:] = 0.1 * torch.randn(2 * D, 32)  # v
    return m


def test_head_classifier_on_hand_built_heads():
    from storylab.interpret.heads import analyze_heads

    m = hand_built_model()
    g = torch.Generator().manual_seed(0)
    seqs = [torch.randint(0, 16, (48,), generator=g).tolist() for _ in range(24)]
    r = analyze_heads(m, seqs, bos=None)
    assert r.labels[0] == ["positional", "semantic"], (r.positional, r.semantic)
    assert r.positional[0, 0] > 0.99 and abs(r.semantic[0, 0]) < 0.01
    assert r.semantic[0, 1] > 0.3 and r.positional[0, 1] < 0.7
    # the fitted decay of the offset-only head is its ALiBi slope (2^-4 for the first of two heads)
    assert r.decay[0, 0] == pytest.approx(r.alibi[0], rel=1e-3)
    assert r.to_json()["counts"] == {"positional": 1, "semantic": 1}


def test_offset_model_fit_recovers_weights():
    from storylab.interpret.heads import fit_offset_model

    T = 30
    w = np.exp(-0.3 * np.arange(T)) + 0.05 * (np.arange(T) == 1)
    A = np.zeros(T)
    n = np.full(T, 3.0)
    for i in range(T):  # three rows of each length, attention = w renormalised
        row = w[:i + 1] / w[:i + 1].sum()
        A[:i + 1] += 3 * row
    fit = fit_offset_model(A[None], n)[0]
    assert np.allclose(fit, w / w[0], rtol=1e-4)


def test_induction_score_finds_an_induction_head():
    """A hand-built induction circuit: layer 0 head 0 attends to the previous token (its
    ALiBi bias replaced by a previous-token mask) and writes that token into dims 16..31;
    layer 1 head 1 matches the current token against it, so it attends to the token
    after the previous occurrence of the current one."""
    from storylab.interpret.heads import induction_scores

    V = 16
    cfg = ModelConfig(vocab_size=V, context=64, d_model=32, n_layers=2, n_heads=2, positions="alibi",
                      tie_embeddings=False, norm="rmsnorm")
    m = GPT(cfg).eval()
    D = cfg.d_head
    with torch.no_grad():
        for p in m.parameters():
            p.zero_()
        for p in (*(b.ln1.weight for b in m.blocks), *(b.ln2.weight for b in m.blocks), m.ln_final.weight):
            p.fill_(1)
        m.wte.weight[:, :V] = 4 * torch.eye(V)
        a0, a1 = m.blocks[0].attn, m.blocks[1].attn
        a0.qkv.weight[4 * D:4 * D + V, :V] = torch.eye(V)           # v, head 0: the token
        a0.out.weight[V:2 * V, :V] = torch.eye(V)                    # written to dims 16..31
        a1.qkv.weight[D:D + V, :V] = 3 * torch.eye(V)                # q, head 1: current token
        a1.qkv.weight[3 * D:3 * D + V, V:2 * V] = 3 * torch.eye(V)   # k, head 1: previous token
        C = cfg.context
        causal = torch.ones(C, C, dtype=torch.bool).tril()
        prev = torch.full((C, C), -30.0).masked_fill(~causal, float("-inf"))
        prev.diagonal(-1).fill_(0.0)
        m.alibi_global[0] = prev
    ind, dup = induction_scores(m, n_seqs=8, seq_len=12, token_pool=range(V), bos=None)
    assert ind[1, 1] > 0.5 and ind[1, 1] == ind.max()
    assert ind[0, 0] < 0.05


# --- probes --------------------------------------------------------------------------------


def test_probe_finds_planted_linear_feature_and_not_shuffled_labels():
    from storylab.interpret.probes import evaluate_probe

    rng = np.random.default_rng(0)
    n, d = 600, 40
    X = rng.normal(size=(n, d))
    w = rng.normal(size=(d, 2))
    y = X @ w + 0.3 * rng.normal(size=(n, 2))
    groups = np.where(X[:, 0] > 0, "a", "b")
    r = evaluate_probe(X, y, groups=groups, mlp=False)
    assert r["random"] > 0.95
    assert abs(r["control"]) < 0.1          # shuffled labels: nothing to find
    assert r["selectivity"] > 0.85
    assert r["block"] > 0.9                 # a linear feature extrapolates to the held-out half
    direction = r["_probe"].direction()
    cos = (direction * w.T).sum(1) / np.linalg.norm(direction, axis=1) / np.linalg.norm(w.T, axis=1)
    assert (cos > 0.99).all()
    # a feature that is not there is not found
    r0 = evaluate_probe(X, rng.normal(size=n), mlp=False, control=False)
    assert r0["random"] < 0.1


def test_logistic_and_mlp_probes_on_planted_classes():
    from storylab.interpret.probes import evaluate_probe

    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 16))
    lab = np.array(["left", "right"])[(X[:, 3] - X[:, 5] > 0).astype(int)]
    r = evaluate_probe(X, lab, classify=True)
    assert r["random"] > 0.9 and r["mlp_random"] > 0.8
    assert r["control"] < 0.7
    # XOR of two directions: beyond any linear probe, within the MLP's reach
    xor = np.array(["p", "q"])[((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)]
    r2 = evaluate_probe(X, xor, classify=True, control=False)
    assert r2["random"] < 0.7 < r2["mlp_random"]


def test_type_level_control_catches_memorised_word_identity():
    """Labels that are a function of word identity are learnable even when shuffled by type."""
    from storylab.interpret.probes import evaluate_probe, shuffled_labels

    rng = np.random.default_rng(2)
    types = rng.integers(0, 10, size=500)
    emb = rng.normal(size=(10, 24))
    X = emb[types] + 0.05 * rng.normal(size=(500, 24))
    y = rng.normal(size=(10, 1))[types]
    ctrl = shuffled_labels(y, types)
    assert all(len(np.unique(ctrl[types == t])) == 1 for t in range(10))
    r = evaluate_probe(X, y, types=types, mlp=False)
    assert r["random"] > 0.95 and r["control"] > 0.9 and abs(r["selectivity"]) < 0.1


def test_probe_jsonl_validation(tmp_path):
    from storylab.interpret.probes import jsonl_dataset

    good = tmp_path / "p.jsonl"
    good.write_text("\n".join(json.dumps({"text": f"Tom went to the park {i}.", "position": 16, "target": i % 3})
                              for i in range(12)))
    ds = jsonl_dataset(good)
    assert len(ds) == 12 and not ds.classify and ds.y.shape == (12, 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": "short", "position": 99, "target": 1}) + "\n")
    with pytest.raises(StorylabError, match="outside the text"):
        jsonl_dataset(bad)


# --- neurons -------------------------------------------------------------------------------


def test_running_topk_matches_a_full_sort():
    from storylab.interpret.neurons import RunningTopK

    g = torch.Generator().manual_seed(0)
    acts = torch.randn(1000, 7, generator=g)
    t = RunningTopK(7, 5)
    for s in range(0, 1000, 64):
        t.update(acts[s:s + 64], torch.arange(s, min(s + 64, 1000)))
    v, i = torch.topk(acts, 5, dim=0)
    assert torch.equal(t.vals, v.T) and torch.equal(t.keys, i.T)


def test_tags_and_selectivity_on_procedural_stories():
    from storylab.world import generate_stories
    from storylab.interpret.common import encode_texts
    from storylab.interpret.neurons import selectivity, tag_story
    from storylab.tokenizer import train_tokenizer

    recs = list(generate_stories(30, seed=1))
    tok = train_tokenizer([r["text"] for r in recs], vocab_size=400)
    stories = encode_texts(tok, [r["text"] for r in recs], 10_000, recs)
    for s in stories[:10]:
        tags = tag_story(s)
        main = [c for c in s.meta["characters"] if c["role"] == "main"][0]
        assert tags[s.token_at(main["first_mention"])] == "main_intro"
        for p in s.meta["places"]:
            assert tags[s.token_at(p["offset"])] == "place"
        assert tags[s.token_at(s.text.index("."))] == "punct"
    base = np.array([0.5, 0.25, 0.25])
    score, best, _ = selectivity(np.array([[1, 1, 1, 1], [0, 1, 0, 2]]), base)
    assert best[0] == 1 and score[0] == pytest.approx(1.0)
    assert score[1] == pytest.approx(0.0)


# --- OOD -----------------------------------------------------------------------------------


def test_auroc_matches_pairwise_count():
    from storylab.interpret.ood import auroc

    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 5, 40).astype(float), rng.integers(0, 5, 30).astype(float)
    pairs = np.mean([(p > q) + 0.5 * (p == q) for p in pos for q in neg])
    assert auroc(pos, neg) == pytest.approx(pairs)
    assert auroc([2, 3], [0, 1]) == 1.0 and auroc([0], [0]) == 0.5


def test_perturbations():
    from storylab.interpret.ood import oov_words, shuffle_tokens

    rng = random.Random(0)
    ids = list(range(50))
    assert shuffle_tokens(ids, 0.0, rng) == ids
    s = shuffle_tokens(ids, 1.0, rng)
    assert sorted(s) == ids and s[0] == 0 and s != ids
    t = oov_words("Lily saw a big dog in the park.", 1.0, rng)
    assert t.count(" ") == 7 and "dog" not in t and t.endswith(".")


def test_kl_and_norm_measure_what_they_say():
    """A model whose head is zero predicts the uniform distribution whatever the input: its KL
    to a unigram u is KL(uniform ‖ u) at every position, and the norm is that of the cached
    final residual stream, over positions from 1 on (padding of the shorter input excluded)."""
    from storylab.interpret.ood import measure

    cfg = ModelConfig(vocab_size=16, context=16, d_model=8, n_layers=1, n_heads=2, tie_embeddings=False)
    torch.manual_seed(0)
    m = GPT(cfg).eval()
    with torch.no_grad():
        m.lm_head.weight.zero_()
    u = torch.rand(16) + 0.1
    u = u / u.sum()
    seqs = [[1, 2, 3, 4, 5], [7] * 9]
    kl, norm = measure(m, seqs, u.log())
    assert kl == pytest.approx([float((np.log(1 / 16) - u.log()).mean())] * 2, rel=1e-5)
    _, cache = m.run_with_cache(torch.tensor([seqs[0]]), names=["blocks.0.hook_resid_post"])
    assert norm[0] == pytest.approx(float(cache["blocks.0.hook_resid_post"][0, 1:].norm(dim=-1).mean()), rel=1e-5)


def test_ood_signals_on_a_trained_model(world_run, tmp_path_factory):
    """On a model trained on the world, every perturbation is measured (finite norms and KLs,
    AUROCs that are probabilities) and invented words are told apart from the world's own text
    by how far predictions move toward the unigram (AUROC 0.927 on the v2 world, 0.923 after
    its wording changes; with TinyStories' pronoun rate, 0.777 / 0.894 / 0.866 for fixture corpus
    seeds 3 / 4 / 5, where the wording-change world gives 0.951 / 0.928 / 0.842, and the eleven-plot
    world 0.372 / 0.924 / 0.916: a 300-step d32 model moves this much between corpora, so the bar is
    0.7 (chance 0.5) on two of the three). Which other signals separate, and in which direction, has changed with
    the corpus (random tokens: 1.00 then 0.74; legal prose: 0.997 then 0.86), so those are
    claims measured by experiments/ood_reversion.py, not asserted here."""
    from storylab.world import generate_stories
    from storylab.rundir import load_run
    from storylab.interpret.ood import ood_analysis, unigram_from_run

    model, tok = load_run(world_run)
    u = unigram_from_run(world_run, model.cfg.vocab_size)
    assert u is not None and u.min() > 0 and u.sum() == pytest.approx(1.0)
    texts = [r["text"] for r in generate_stories(40, seed=99)]
    s = ood_analysis(model, tok, texts, u)["summary"]
    for name in ["shuffle_0", "random_25", "random_50", "random_75", "random_tokens", "other_domain", "oov_words_50"]:
        assert np.isfinite(s[name]["norm_mean"]) and s[name]["norm_mean"] > 0, (name, s[name])
    for name in ["random_tokens", "other_domain", "oov_words_50"]:
        assert 0.0 <= s[name]["auroc_neg_kl"] <= 1.0 and 0.0 <= s[name]["auroc_neg_norm"] <= 1.0, (name, s[name])
    aurocs = [s["oov_words_50"]["auroc_neg_kl"]]
    for seed in (4, 5):
        run = _world_run(tmp_path_factory, seed)
        model, tok = load_run(run)
        aurocs.append(ood_analysis(model, tok, texts, unigram_from_run(run, model.cfg.vocab_size))["summary"]
                      ["oov_words_50"]["auroc_neg_kl"])
    assert sorted(aurocs)[1] > 0.7, aurocs


# --- the whole verb ------------------------------------------------------------------------


@pytest.mark.slow
def test_inspect_cli_writes_results(world_run):
    p = run_cli("inspect", world_run, "--stories", "30", "--probe-stories", "300", check=0)
    assert "inspect:" in p.stderr
    d = world_run / "inspect"
    for f in ("heads.json", "heads_distance.png", "heads_scores.png", "heads_example.png", "neurons.json",
              "neurons.html", "probes.json", "probes.png", "ood.json", "ood.png", "summary.json"):
        assert (d / f).exists(), f
    summary = json.loads((d / "summary.json").read_text())
    assert set(summary) >= {"heads", "neurons", "probes", "ood"}
    assert sum(summary["heads"]["counts"].values()) == 4
    assert summary["probes"]["space"]["layers"]["embed"]["random"] is not None
    assert len(summary["neurons"]["top"]) == 5
    heads = json.loads((d / "heads.json").read_text())
    assert {h["label"] for h in heads["heads"]} <= {"positional", "semantic", "mixed", "sink"}
    # one analysis alone keeps the others' results in summary.json
    run_cli("inspect", world_run, "--ood", "--stories", "10", check=0)
    assert set(json.loads((d / "summary.json").read_text())) >= {"heads", "ood"}


def test_inspect_cli_bad_run(tmp_path):
    p = run_cli("inspect", tmp_path / "nope", "--heads", check=2)
    assert "error:" in p.stderr and "Traceback" not in p.stderr
