"""The Othello game world: rules, corpus records, move tokens, legal-move rate, board probes."""

import json

import numpy as np
import pytest

from storylab.errors import StorylabError
from storylab.games.othello import generate_games, make_game, replay

from conftest import TINY_TRAIN, run_cli


# --- an independent rules implementation: a list of n² characters, walked square by square --------

DIRS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if (dr, dc) != (0, 0)]


def ref_start(n):
    b = ["."] * (n * n)
    m = n // 2
    b[(m - 1) * n + m - 1] = b[m * n + m] = "o"
    b[(m - 1) * n + m] = b[m * n + m - 1] = "x"
    return b


def ref_flips(b, sq, me, n):
    if b[sq] != ".":
        return []
    them = "o" if me == "x" else "x"
    r0, c0 = divmod(sq, n)
    out = []
    for dr, dc in DIRS:
        run, r, c = [], r0 + dr, c0 + dc
        while 0 <= r < n and 0 <= c < n and b[r * n + c] == them:
            run.append(r * n + c)
            r, c = r + dr, c + dc
        if run and 0 <= r < n and 0 <= c < n and b[r * n + c] == me:
            out += run
    return out


def ref_moves(b, me, n):
    return [s for s in range(n * n) if ref_flips(b, s, me, n)]


def ref_name(s, n):
    return "ABCDEFGH"[s % n] + str(s // n + 1)


def check_game(rec, n):
    """Replay a record with the reference rules; every field of its meta must agree."""
    meta = rec["meta"]
    moves = rec["text"].split()
    assert meta["moves"] == moves and meta["board"] == n and meta["game"] == "othello"
    assert rec["source"] == "othello"
    assert len(meta["boards"]) == len(meta["to_move"]) == len(meta["flipped"]) == len(moves)
    b, me = ref_start(n), "x"
    passes = 0
    for t, mv in enumerate(moves):
        legal = ref_moves(b, me, n)
        them = "o" if me == "x" else "x"
        if mv == "pass":
            assert not legal, f"ply {t}: pass with legal moves {legal}"
            assert ref_moves(b, them, n), f"ply {t}: pass although the game is over"
            flipped = []
            passes += 1
        else:
            sq = "ABCDEFGH".index(mv[0]) + (int(mv[1:]) - 1) * n
            assert sq in legal, f"ply {t}: {mv} illegal"
            flipped = ref_flips(b, sq, me, n)
            b[sq] = me
            for s in flipped:
                b[s] = me
        assert meta["boards"][t] == "".join(b)
        assert meta["flipped"][t].split() == [ref_name(s, n) for s in sorted(flipped)]
        me = them
        assert meta["to_move"][t] == (me if t < len(moves) - 1 else "-")
    assert not ref_moves(b, "x", n) and not ref_moves(b, "o", n), "the game stopped before its end"
    assert meta["score"] == [b.count("x"), b.count("o")]
    return passes, b.count(".")


@pytest.mark.parametrize("n,count", [(4, 200), (6, 300), (8, 40)])
def test_every_generated_game_is_legal_to_the_end(n, count):
    passes = early = 0
    for rec in generate_games(n, count, seed=7):
        p, empty = check_game(rec, n)
        passes += p
        early += empty > 0
        replay(rec["text"], n)  # the engine's own replay agrees that it is legal
    assert passes > 0, "no game had a pass: passes untested"
    if n < 8:
        assert early > 0, "no game ended with empty squares: blocked endings untested"


def test_replay_rejects_illegal_moves_and_reports_legal_sets():
    r = replay("", 6)
    assert sorted(r.legal[0]) == sorted(ref_moves(ref_start(6), "x", 6))
    with pytest.raises(StorylabError, match="not legal"):
        replay("A1", 6)
    with pytest.raises(StorylabError, match="not legal"):
        replay("pass", 6)
    rec = make_game(6, 0, 3)
    r = replay(rec["text"], 6)
    assert r.legal[-1] == [6 * 6 + 1]  # the end


def test_games_are_deterministic_per_seed_and_index():
    batch = list(generate_games(6, 50, seed=11))
    small = list(generate_games(6, 50, seed=11, batch=7))
    assert batch == small
    assert make_game(6, 11, 37) == batch[37]
    assert list(generate_games(6, 5, seed=11, start=20)) == batch[20:25]
    assert [r["text"] for r in generate_games(6, 50, seed=12)] != [r["text"] for r in batch]
    assert len({r["text"] for r in batch}) == 50


def test_move_tokenizer_round_trip(tmp_path):
    from storylab.games.tokenizer import board_of_tokenizer, move_tokenizer
    from storylab.tokenizer import EOT, load_tokenizer, train_tokenizer

    tok = move_tokenizer(6)
    assert tok.get_vocab_size() == 38 and tok.token_to_id(EOT) == 0 and tok.token_to_id("pass") == 1
    tok.save(str(tmp_path / "tok.json"))
    tok = load_tokenizer(tmp_path / "tok.json")
    for rec in generate_games(6, 20, seed=1):
        ids = tok.encode(rec["text"]).ids
        assert len(ids) == len(rec["meta"]["moves"])
        assert tok.decode(ids) == rec["text"]
    assert tok.decode(tok.encode("C4 D3<|endoftext|>E2").ids) == "C4 D3 E2"
    assert board_of_tokenizer(tok) == 6 and board_of_tokenizer(move_tokenizer(8)) == 8
    assert board_of_tokenizer(train_tokenizer(["a b c"] * 10, 300)) is None


def test_prepare_uses_the_move_tokenizer_for_a_game_corpus(tmp_path):
    from storylab.corpus import write_corpus
    from storylab.shards import load_data, prepare

    write_corpus(tmp_path / "g.jsonl", generate_games(8, 100, seed=2))
    stats = prepare(tmp_path / "g.jsonl", tmp_path / "data", val_fraction=0.1, progress=False)
    assert stats.vocab_size == 66
    data = load_data(tmp_path / "data")
    texts = list(data.texts("train", 3))
    recs = {r["text"] for r in generate_games(8, 100, seed=2)}
    assert all(t in recs for t in texts)
    assert data.tokenizer.token_to_id("pass") == 1

    bad = [*generate_games(6, 3, seed=0)]
    bad[2]["text"] += " Z9"
    write_corpus(tmp_path / "bad.jsonl", bad)
    with pytest.raises(StorylabError, match="cannot encode"):
        prepare(tmp_path / "bad.jsonl", tmp_path / "bad", progress=False)


# --- probes ------------------------------------------------------------------------------------


def test_board_probe_finds_a_planted_feature_and_not_shuffled_labels():
    from storylab.games.othello import Replay
    from storylab.games.probes import board_examples, probe_layers, split_games

    recs = list(generate_games(6, 100, seed=5))
    replays = [replay(r["text"], 6) for r in recs]
    assert isinstance(replays[0], Replay)
    ex = board_examples(replays, context=64)
    Y = ex.labels["mine"]
    g = np.random.default_rng(0)
    d = 128
    # the whole board, one-hot per square, through a random linear map, plus noise
    onehot = np.eye(3, dtype=np.float32)[Y].reshape(len(ex), -1)
    planted = onehot @ g.standard_normal((onehot.shape[1], d)).astype(np.float32)
    planted += 0.5 * g.standard_normal((len(ex), d)).astype(np.float32)
    noise = g.standard_normal((len(ex), d)).astype(np.float32)
    test = split_games(len(replays), seed=0)[ex.game]
    res = probe_layers({"planted": planted, "noise": noise}, ex, ~test, test, codings=("mine",),
                       kinds=("linear",))
    chance = res["mine"]["chance"]
    assert res["mine"]["linear"]["planted"]["accuracy"] > 0.95
    assert res["mine"]["linear"]["noise"]["accuracy"] < chance + 0.03
    # shuffled labels: the planted activations know nothing about them
    perm = g.permutation(len(ex))
    ex.labels["mine"] = Y[perm]
    res = probe_layers({"planted": planted}, ex, ~test, test, codings=("mine",), kinds=("linear", "mlp"))
    for kind in ("linear", "mlp"):
        assert res["mine"][kind]["planted"]["accuracy"] < res["mine"]["chance"] + 0.03, kind
    lo, hi = res["mine"]["linear"]["planted"]["ci95"]
    assert lo < res["mine"]["linear"]["planted"]["accuracy"] < hi


# --- end to end through the real CLI -------------------------------------------------------------


@pytest.mark.slow
def test_tiny_model_learns_legal_moves_end_to_end(tmp_path):
    run_cli("generate", "--backend", "othello", "--board", "6", "--n", "400", "--seed", "1",
            "--out", tmp_path / "g.jsonl", "--no-progress", check=0)
    run_cli("prepare", tmp_path / "g.jsonl", "--out", tmp_path / "data", "--val-fraction", "0.1", check=0)
    assert json.loads((tmp_path / "data" / "index.json").read_text())["vocab_size"] == 38
    run_cli("train", "--data", tmp_path / "data", "--out", tmp_path / "run", "--steps", "300",
            "--set", "model.d_model=48", "--set", "model.n_layers=2", "--set", "model.n_heads=2",
            "--set", "model.context=48", "--set", "train.ckpt_every=150", *[a for s in TINY_TRAIN for a in ("--set", s)],
            check=0)
    p = run_cli("eval", tmp_path / "run", "--legal", "--checkpoints", "all", "--threads", "1", check=0)
    assert "legal top-1" in p.stderr
    res = json.loads((tmp_path / "run" / "eval" / "legal.json").read_text())["checkpoints"]
    assert [r["step"] for r in res] == [150, 300]
    last = res[-1]
    assert last["trained"]["top1_legal"] > max(0.3, last["control"]["top1_legal"] + 0.2)
    assert last["trained"]["top1_legal"] > res[0]["trained"]["top1_legal"]
    assert last["trained"]["legal_mass"] > last["control"]["legal_mass"] + 0.03
    assert len(last["trained"]["by_position"]) > 20
    p = run_cli("inspect", tmp_path / "run", "--probes", "--probe-stories", "40", check=0)
    out = json.loads((tmp_path / "run" / "inspect" / "board_probes.json").read_text())
    assert set(out["trained"]) == {"color", "mine", "flipped"} and out["layers"] == ["embed", "L0", "L1"]
    assert (tmp_path / "run" / "inspect" / "board_heatmap.png").stat().st_size > 1000
    assert out["intervention"] and all("follows_edited" in r for r in out["intervention"])
    # a story run's error, not a traceback, when a game-only verb meets it
    p = run_cli("generate", "--backend", "othello", "--board", "5", "--n", "3", "--out", tmp_path / "x.jsonl")
    assert p.returncode == 2 and "board size" in p.stderr


def test_eight_by_eight_trains_and_evaluates(tmp_path):
    """8×8 through the library: generate, prepare, a few steps at a context that holds a game, eval."""
    from storylab.config import load_run_config
    from storylab.games.evaluate import evaluate_legal
    from storylab.games.othello import generate_corpus
    from storylab.shards import prepare
    from storylab.train import train

    stats = generate_corpus(tmp_path / "g.jsonl", 8, 150, seed=3, progress=False)
    assert 55 < stats.plies / stats.games <= 64
    prepare(tmp_path / "g.jsonl", tmp_path / "data", val_fraction=0.1, progress=False)
    cfg = load_run_config(None, [f"data={tmp_path / 'data'}", "model.d_model=32", "model.n_layers=1", "model.n_heads=2",
                                 "model.context=80", "train.steps=20", *TINY_TRAIN])
    train(cfg, tmp_path / "run", progress=False)
    [r] = evaluate_legal(tmp_path / "run", n_games=10)
    assert r.board == 8 and r.trained["predictions"] > 500
    assert 0 <= r.control["top1_legal"] <= 1 and "8x8" in r.summary()


def test_sample_a_game_run_through_the_cli(tmp_path):
    """`storylab sample RUN` on a game run samples games from their start; a prompt the move
    tokenizer cannot spell is one line and exit 2; a move prompt is continued with spaces."""
    from storylab.config import load_run_config
    from storylab.games.othello import generate_corpus, square_names
    from storylab.shards import prepare
    from storylab.train import train

    generate_corpus(tmp_path / "g.jsonl", 6, 200, seed=2, progress=False)
    prepare(tmp_path / "g.jsonl", tmp_path / "data", val_fraction=0.1, progress=False)
    cfg = load_run_config(None, [f"data={tmp_path / 'data'}", "model.d_model=32", "model.n_layers=1", "model.n_heads=2",
                                 "model.context=40", "train.steps=30", "train.align=document", *TINY_TRAIN])
    train(cfg, tmp_path / "run", progress=False)
    moves = set(square_names(6)) | {"pass"}
    p = run_cli("sample", tmp_path / "run", "--n", "3", "--seed", "1", check=0)  # no prompt, no --max-new-tokens
    games = [g.split() for g in p.stdout.split("\n\n") if g.strip()]
    assert len(games) == 3 and all(g and set(g) <= moves for g in games)
    assert "3 completions" in p.stderr
    p = run_cli("sample", tmp_path / "run", "-p", "Once upon a time", check=2)
    assert p.stderr.count("\n") == 1 and "cannot encode the prompt 'Once upon a time'" in p.stderr
    assert "6x6 Othello model" in p.stderr and "Traceback" not in p.stderr
    p = run_cli("sample", tmp_path / "run", "-p", "B3 D2", "--greedy", "--max-new-tokens", "3", check=0)
    out = p.stdout.split()
    assert p.stdout.startswith("B3 D2 ") and 3 <= len(out) <= 5 and set(out) <= moves
    from storylab.sample import SampleSettings, sample_run

    with pytest.raises(StorylabError, match=r"does not fit the model's context \(40 tokens\)"):
        sample_run(tmp_path / "run", None, SampleSettings(max_new_tokens=200))  # asked for: refused, not cut
    res = sample_run(tmp_path / "run", None, SampleSettings(max_new_tokens=200, seed=3), fit_context=True)
    assert res.records[0]["prompt"] == "" and res.records[0]["settings"]["max_new_tokens"] == 39
