"""The LLM judge: parsing what real judges write, a real HTTP server on 127.0.0.1, caching,
repeats and their agreement, intervals, run differences, and failures."""

import json
import socket
import time

import pytest

from storylab.errors import StorylabError
from storylab.evaluate.grades import DIMENSIONS
from storylab.evaluate.judge import (RUBRIC, judge_completions, judge_difference, judge_endpoint, judge_messages,
                                     load_beginnings, parse_grades)
from storylab.evaluate.reliability import krippendorff_alpha_interval, mean_ci, paired_difference, spearman

from conftest import run_cli
from _eval_helpers import random_run, world_data
from _judge_answers import ANSWERS
from _chat_server import ChatServer
from _judge_server import NoisyJudge, StyleJudge, true_grades

SECRET = "sk-test-0123456789-do-not-write"


# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text, scores, age", [
    ('{"grammar": 8, "creativity": 6, "consistency": 7, "plot": 5, "age_group": "C"}', (8, 6, 7, 5), "C"),
    ('Sure! Here are my grades:\n```json\n{"grammar": "9/10", "creativity": 4, "consistency": 7.5, '
     '"plot": 6, "age_group": "B (4-5)"}\n```\nThanks.', (9, 4, 7.5, 6), "B"),
    ("Grammar: 8/10\nCreativity: 5/10\nConsistency: 9/10\nPlot: 7/10\nAge group: D", (8, 5, 9, 7), "D"),
    ("**Grammar**: 7\n- **Creativity:** 3 out of 10\n* Consistency = 6\nPlot - 4\nAge: 6-7", (7, 3, 6, 4), "C"),
    ('{"Grammar": {"score": 8}, "Creativity": {"score": 2}, "Consistency": {"score": 9}, "Plot": {"score": 3}}',
     (8, 2, 9, 3), None),
])
def test_parse_grades_accepts_common_shapes(text, scores, age):
    g = parse_grades(text)
    assert g.ok, g.reason
    assert tuple(g.scores[d] for d in ("grammar", "creativity", "consistency", "plot")) == scores
    assert g.age_group == age


@pytest.mark.parametrize("text, reason", [
    ('{"grammar": 8, "creativity": 6, "consistency": 7}', "missing plot"),
    ("Grammar: 8/10\nCreativity: 11/10\nConsistency: 3\nPlot: 2", "creativity is not a grade"),
    ("I liked the story very much, it was lovely.", "no grades found"),
    ("", "empty answer"),
    ('{"grammar": "good", "creativity": 6, "consistency": 7, "plot": 5}', "grammar is not a grade"),
    ('{"grammar": 0, "creativity": 6, "consistency": 7, "plot": 5}', "grammar is not a grade"),
])
def test_parse_grades_rejects_with_a_reason(text, reason):
    g = parse_grades(text)
    assert not g.ok and reason in g.reason


@pytest.mark.parametrize("i", range(len(ANSWERS)), ids=[f"{a['style']}-{i}" for i, a in enumerate(ANSWERS)])
def test_answer_set(i):
    """Answers written in the styles of GPT-4-class models, vLLM, Ollama and llama.cpp."""
    a = ANSWERS[i]
    g = parse_grades(a["text"])
    if "scores" in a:
        assert g.ok, g.reason
        assert tuple(g.scores[d] for d in DIMENSIONS) == a["scores"]
        assert g.age_group == a["age"]
    else:
        assert not g.ok and a["reason"] in g.reason, g


def test_answer_set_is_big_and_varied():
    styles = {a["style"] for a in ANSWERS}
    assert len(ANSWERS) >= 30 and styles == {"gpt4", "vllm", "ollama", "llamacpp", "refusal"}
    assert sum("scores" in a for a in ANSWERS) >= 25


@pytest.mark.parametrize("text", [
    "Grammar: X/10, Creativity: X/10, Consistency: X/10, Plot: X/10. Age group: L",
    "- Grammar: [score]\n- Creativity: [score]\n- Consistency: <1-10>\n- Plot: N/10",
    "Grammar: 1-10\nCreativity: 1 (very poor) to 10 (excellent)\nConsistency: 1 = poor, 10 = great\nPlot: __/10",
])
def test_placeholders_and_scale_anchors_are_never_grades(text):
    g = parse_grades(text)
    assert not g.ok and g.scores == {}


def test_the_last_grade_of_a_dimension_wins():
    g = parse_grades("Grammar: 9/10, Creativity: 9/10, Consistency: 9/10, Plot: 9/10\n"
                     "Hmm, too generous. Final: Grammar: 6/10, Plot: 4/10")
    assert g.ok and g.scores == {"grammar": 6, "creativity": 9, "consistency": 9, "plot": 4}
    # a grade after a JSON object overrides it, and the other way round
    j = '{"grammar": 3, "creativity": 3, "consistency": 3, "plot": 3}'
    assert parse_grades(j + "\nGrammar: 8/10").scores["grammar"] == 8
    assert parse_grades("Grammar: 8/10\n" + j).scores["grammar"] == 3


def test_prompt_follows_the_paper_and_its_example_line_is_no_grade():
    msg = judge_messages("Once upon a time, Tom", " went to the park.")[-1]["content"]
    assert "Once upon a time, Tom*** went to the park." in msg
    for word in ("grammar", "creativity", "consistency with the beginning", "plot makes sense", "A (3 or under)",
                 "F (13-16)", "completes the sentence"):
        assert word in msg
    last = RUBRIC.strip().splitlines()[-1]
    assert last.startswith("Grammar: G/10, Creativity: R/10") and not parse_grades(last).scores
    assert not parse_grades(msg).scores  # a judge that echoes the prompt gives no grade


def test_beginnings_are_ours_and_cut_mid_sentence():
    begs = load_beginnings()
    assert len(begs) == 50 and len({b["text"] for b in begs}) == 50
    assert all(not b["text"].rstrip().endswith((".", "!", "?")) for b in begs)


# --- a real server ----------------------------------------------------------------------------


class Judge(ChatServer):
    """Canned grades, by a word in the completion."""

    def answer(self, body: dict) -> str:
        prompt = body["messages"][-1]["content"]
        if "MALFORMED" in prompt:
            return "What a lovely story! I would give it a good grade."
        if "PARTIAL" in prompt:
            return "Grammar: 7/10\nCreativity: 5/10\nPlot: 4/10"
        if "TEXT" in prompt:
            return "Grammar: 6/10\nCreativity: 6/10\nConsistency: 6/10\nPlot: 6/10\nAge group: B"
        return '```json\n{"grammar": 8, "creativity": 4, "consistency": 9, "plot": 7, "age_group": "C"}\n```'


@pytest.fixture
def judge_server():
    j = Judge()
    yield j
    j.close()


def _completions():
    out = []
    for i in range(12):
        tag = "MALFORMED" if i == 3 else "PARTIAL" if i == 5 else "TEXT" if i in (7, 8) else ""
        out.append({"id": f"c{i}", "prompt": f"Once upon a time, story {i} began and",
                    "completion": f" then something happened {i}. {tag}"})
    return out


def test_judge_grades_rejects_and_caches(judge_server, tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLAB_TEST_JUDGE_KEY", SECRET)
    s = judge_endpoint(judge_server.url, "judge-1", "STORYLAB_TEST_JUDGE_KEY", in_flight=4, backoff=0.01)
    cache = tmp_path / "cache.jsonl"
    r = judge_completions(_completions(), s, cache)
    assert judge_server.requests == 12 and r.requests == 12
    assert judge_server.auth == {f"Bearer {SECRET}"}
    assert (r.graded, r.rejected, r.failed) == (10, 2, 0)
    reasons = {x["id"]: x["reason"] for x in r.rejections}
    assert "no grades found" in reasons["c3"] and "missing consistency" in reasons["c5"]
    # 8 JSON answers (8, 4, 9, 7) and 2 text answers (6, 6, 6, 6)
    assert r.dimensions["grammar"]["mean"] == pytest.approx((8 * 8 + 2 * 6) / 10)
    assert r.dimensions["creativity"]["ci_low"] < r.dimensions["creativity"]["mean"] < r.dimensions["creativity"]["ci_high"]
    assert r.age_groups == {"B": 2, "C": 8}

    again = judge_completions(_completions(), s, cache)
    assert judge_server.requests == 12 and again.requests == 0 and again.cached == 12
    assert again.dimensions == r.dimensions and again.rejected == 2
    # a different judge model is a different cache key
    other = judge_completions(_completions()[:2], judge_endpoint(judge_server.url, "judge-2", backoff=0.01), cache)
    assert other.requests == 2
    assert SECRET not in cache.read_text()


def _tagged(n: int, tag_offset: int = 0):
    return [{"id": f"t{i}", "prompt": f"Once upon a time, story {i % 7} began and",
             "completion": f" then the cat #{i + tag_offset} sat down."} for i in range(n)]


def test_real_server_in_every_style(tmp_path):
    """Each written answer, through HTTP, the client, the cache and the parser."""
    server = StyleJudge()
    try:
        comps = _tagged(len(ANSWERS))
        r = judge_completions(comps, judge_endpoint(server.url, "styles", in_flight=4, backoff=0.01),
                              tmp_path / "c.jsonl")
    finally:
        server.close()
    good = [a for a in ANSWERS if "scores" in a]
    assert server.requests == len(ANSWERS) and r.graded == len(good) and r.rejected == len(ANSWERS) - len(good)
    by_id = {x["id"]: x for x in r.records}
    for i, a in enumerate(ANSWERS):
        rec = by_id[f"t{i}"]
        if "scores" in a:
            assert rec["ok"] and tuple(rec["scores"][d] for d in DIMENSIONS) == a["scores"]
        else:
            assert not rec["ok"] and a["reason"] in rec["reason"]
    assert r.dimensions["plot"]["mean"] == pytest.approx(sum(a["scores"][3] for a in good) / len(good))


def test_repeats_agreement_against_a_noisy_server_and_cached_rerun_is_identical(tmp_path):
    """Noise model: true grade uniform on 3..8 per completion and dimension, each answer
    round(true + N(0, 1)) clipped to 1..10. Expected alpha about var(true) / (var(true) + 1 + 1/12)
    = 2.92 / 4.0 = 0.73 (rounding adds 1/12)."""
    comps = [{"id": f"n{i}", "prompt": f"Beginning {i % 20} and", "completion": f" completion number {i}."}
             for i in range(120)]
    server = NoisyJudge(sigma=1.0)
    cache = tmp_path / "noisy.jsonl"
    ep = judge_endpoint(server.url, "noisy", in_flight=8, backoff=0.01, temperature=1.0)
    try:
        r = judge_completions(comps, ep, cache, repeats=3)
        assert server.requests == 360 and r.requests == 360 and r.repeats == 3 and r.graded == 120
        for d in DIMENSIONS:
            rel = r.reliability[d]
            assert 0.55 < rel["alpha"] < 0.88, (d, rel)
            assert 0.5 < rel["spearman"] < 0.9, (d, rel)
            assert 0.6 < rel["sd_within"] < 1.3, (d, rel)
            # each completion's grade is the mean of its repeats, near its true grade
            errs = [abs(x["scores"][d] - true_grades(x["completion"])[d]) for x in r.records]
            assert sum(errs) / len(errs) < 0.8
        again = judge_completions(comps, ep, cache, repeats=3)
        assert server.requests == 360 and again.requests == 0 and again.cached == 360
        assert again.dimensions == r.dimensions and again.reliability == r.reliability
        assert [x["scores"] for x in again.records] == [x["scores"] for x in r.records]
        # more repeats: only the new ones are asked; repeat 0 of a one-repeat run is shared
        more = judge_completions(comps[:10], ep, cache, repeats=4)
        assert more.requests == 10 and more.cached == 30
    finally:
        server.close()
    exact = NoisyJudge(sigma=0.0)
    try:
        r0 = judge_completions(comps[:30], judge_endpoint(exact.url, "exact", backoff=0.01), tmp_path / "e.jsonl",
                               repeats=2)
    finally:
        exact.close()
    assert all(v["alpha"] == 1.0 and v["sd_within"] == 0 and v["exact_agreement"] == 1 for v in r0.reliability.values())


def test_reliability_statistics_by_hand():
    # units [1, 2], [3, 4]: D_o = 1, D_e = 40 / 12, alpha = 0.7
    assert krippendorff_alpha_interval([[1, 2], [3, 4]]) == pytest.approx(0.7)
    assert krippendorff_alpha_interval([[5, 5], [7, 7, 7], [2, None]]) == 1.0
    # ranks of b with a tie: [1, 2, 3.5, 5, 3.5]; rho = 8 / sqrt(10 * 9.5)
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(8 / (10 * 9.5) ** 0.5)
    # singleton clusters: the ordinary normal interval
    v = [3.0, 5.0, 4.0, 8.0, 6.0]
    m, lo, hi = mean_ci(v)
    sd = (sum((x - 5.2) ** 2 for x in v) / 4) ** 0.5
    assert m == pytest.approx(5.2) and hi - m == pytest.approx(1.959964 * sd / 5 ** 0.5, rel=1e-5)
    # clustered: two groups of identical values carry the information of two values, not six
    _, lo2, hi2 = mean_ci([1, 1, 1, 9, 9, 9], ["a", "a", "a", "b", "b", "b"])
    _, lo6, hi6 = mean_ci([1, 1, 1, 9, 9, 9])
    assert hi2 - lo2 > 1.5 * (hi6 - lo6)
    d = paired_difference({"x": 7, "y": 8, "z": 6}, {"x": 6, "y": 6, "z": 5})
    assert d["paired"] and d["diff"] == pytest.approx(4 / 3) and d["n"] == 3 and d["ci_low"] < d["diff"] < d["ci_high"]


def test_difference_between_runs_is_paired_by_completion():
    rec = lambda i, g, prompt=None: {"id": f"b{i // 2}-{i % 2}", "prompt": prompt or f"beginning {i // 2}",
                                     "ok": True, "scores": {d: g + (i % 3) for d in DIMENSIONS}}
    a = {"judge_model": "j", "rubric": "r", "records": [rec(i, 7) for i in range(40)]}
    b = {"judge_model": "j", "rubric": "r", "records": [rec(i, 6) for i in range(40)]}
    d = judge_difference(a, b)
    assert d["pairs"] == 40 and "paired" in d["method"]
    for v in d["dimensions"].values():
        assert v["diff"] == pytest.approx(1) and v["ci_low"] == pytest.approx(1) and v["ci_high"] == pytest.approx(1)
    other = {"judge_model": "k", "rubric": "r", "records": [rec(i, 6, f"other {i}") for i in range(40)]}
    d2 = judge_difference(a, other)
    assert d2["pairs"] == 0 and "unpaired" in d2["method"] and d2["notes"]
    assert d2["dimensions"]["plot"]["ci_low"] < 1 < d2["dimensions"]["plot"]["ci_high"]


def test_unreachable_judge_is_one_line_error(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens here now
    s = judge_endpoint(f"http://127.0.0.1:{port}/v1", "judge", max_retries=1, backoff=0.01, timeout=5)
    t = time.time()
    with pytest.raises(StorylabError) as e:
        judge_completions(_completions(), s, tmp_path / "c.jsonl")
    assert "unreachable" in str(e.value) and "\n" not in str(e.value)
    assert time.time() - t < 30


def test_missing_key_variable_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("STORYLAB_NO_SUCH_KEY", raising=False)
    s = judge_endpoint("http://127.0.0.1:9/v1", "judge", "STORYLAB_NO_SUCH_KEY")
    with pytest.raises(StorylabError, match="STORYLAB_NO_SUCH_KEY is not set"):
        judge_completions(_completions(), s, tmp_path / "c.jsonl")


def test_eval_cli_judge_end_to_end_and_rerun_makes_no_requests(judge_server, tmp_path_factory, monkeypatch,
                                                                capsys):
    from storylab.cli import main

    data = world_data(tmp_path_factory.getbasetemp())
    run = random_run(data, tmp_path_factory.mktemp("judge") / "run", seed=2)
    args = ["eval", run, "--judge", "--judge-url", judge_server.url, "--judge-model", "m", "--judge-key-env",
            "STORYLAB_TEST_JUDGE_KEY", "--samples", "2", "--max-new-tokens", "12", "--threads", "1"]
    p = run_cli(*args, env={"STORYLAB_TEST_JUDGE_KEY": SECRET}, check=0)  # the console script, in a subprocess
    assert judge_server.requests == 100
    j = json.loads((run / "eval" / "judge.json").read_text())
    assert j["graded"] == 100 and j["dimensions"]["plot"]["mean"] == pytest.approx(7)
    assert "judge (m)" in p.stdout
    monkeypatch.setenv("STORYLAB_TEST_JUDGE_KEY", SECRET)
    with pytest.raises(SystemExit) as ok:
        main([str(a) for a in args])  # again, in-process: everything from the cache
    assert ok.value.code == 0
    assert judge_server.requests == 100
    assert json.loads((run / "eval" / "judge.json").read_text())["requests"] == 0
    for f in (run / "eval").iterdir():
        assert SECRET not in f.read_text(errors="replace"), f
    capsys.readouterr()
    with pytest.raises(SystemExit) as e:
        main(["eval", str(run), "--judge", "--judge-url", "http://127.0.0.1:9/v1", "--judge-model", "m",
              "--judge-cache", str(run / "eval" / "other_cache.jsonl"), "--samples", "1", "--max-new-tokens", "4",
              "--judge-retries", "1", "--threads", "1"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "unreachable" in err and err.strip().count("\n") == 0


@pytest.mark.slow
def test_eval_two_runs_with_judge_prints_their_difference(tmp_path_factory):
    data = world_data(tmp_path_factory.getbasetemp())
    base = tmp_path_factory.mktemp("judge2")
    a, b = random_run(data, base / "a", seed=3), random_run(data, base / "b", seed=4)
    server = NoisyJudge(sigma=0.5)
    try:
        args = ["eval", a, b, "--judge", "--judge-url", server.url, "--judge-model", "noisy", "--judge-repeats", "2",
                "--judge-temperature", "0.7", "--samples", "1", "--max-new-tokens", "12", "--threads", "1"]
        p = run_cli(*args, check=0)
        assert server.requests == 2 * 50 * 2
        out = " ".join(p.stdout.split())
        assert "judge: b minus a" in out and "paired by completion id" in out and "50 pairs" in out
        assert "judge repeats:" in out and "alpha" in out
        j = json.loads((a / "eval" / "judge.json").read_text())
        assert j["repeats"] == 2 and set(j["reliability"]) == set(DIMENSIONS)
        again = run_cli(*args, check=0)  # from the cache: the same numbers, no request
        assert server.requests == 200
        assert json.loads((a / "eval" / "judge.json").read_text())["dimensions"] == j["dimensions"]
        assert " ".join(again.stdout.split()).split("judge: b minus a")[1] == out.split("judge: b minus a")[1]
    finally:
        server.close()
