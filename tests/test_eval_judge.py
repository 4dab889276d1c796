"""The LLM judge: lenient parsing, a real HTTP server on 127.0.0.1, caching, and failures."""

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storylab.errors import StorylabError
from storylab.evaluate.judge import judge_completions, judge_endpoint, load_beginnings, parse_grades

from conftest import run_cli
from _eval_helpers import random_run, world_data

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


def test_beginnings_are_ours_and_cut_mid_sentence():
    begs = load_beginnings()
    assert len(begs) == 50 and len({b["text"] for b in begs}) == 50
    assert all(not b["text"].rstrip().endswith((".", "!", "?")) for b in begs)


# --- a real server ----------------------------------------------------------------------------


class Judge:
    """A chat-completions server on 127.0.0.1 with canned grades; counts requests."""

    def __init__(self):
        self.requests = 0
        self.auth = set()
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer.lock:
                    outer.requests += 1
                    outer.auth.add(self.headers.get("Authorization"))
                prompt = body["messages"][-1]["content"]
                if "MALFORMED" in prompt:
                    answer = "What a lovely story! I would give it a good grade."
                elif "PARTIAL" in prompt:
                    answer = "Grammar: 7/10\nCreativity: 5/10\nPlot: 4/10"
                elif "TEXT" in prompt:
                    answer = "Grammar: 6/10\nCreativity: 6/10\nConsistency: 6/10\nPlot: 6/10\nAge group: B"
                else:
                    answer = '```json\n{"grammar": 8, "creativity": 4, "consistency": 9, "plot": 7, "age_group": "C"}\n```'
                data = json.dumps({"model": body["model"], "choices": [{"message": {"role": "assistant",
                                   "content": answer}, "finish_reason": "stop"}],
                                   "usage": {"prompt_tokens": 100, "completion_tokens": 20}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


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
