"""LLM story generation against a real chat-completions server on 127.0.0.1 that misbehaves.

The server (`FakeLLM`) speaks just enough HTTP/1.1 (keep-alive, Content-Length) and the
OpenAI chat-completions API, and injects faults: 429 with Retry-After, 500, answers
slower than the client's timeout, garbage JSON, truncated bodies, dropped connections,
refusals, cut-off answers, empty answers, off-vocabulary stories, exact and near
duplicates. It remembers what it served for each prompt so that the test can check
that every rejection was counted under the right reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from storylab.corpus.dedup import DuplicateIndex
from storylab.llmgen.client import Endpoint
from storylab.llmgen.generate import GenStats, RunFiles, generate_llm_corpus, judge
from storylab.llmgen.recipe import FEATURES, PromptTemplate, WordLists, build_messages, instruct_fields, load_word_lists, make_recipe, offvocab, split_summary, story_id
from storylab.corpus.instruct import format_instruct, parse_instruct
from storylab.errors import StorylabError
from storylab.llmgen.client import ChatClient, Completion, EndpointError, RateLimiter, Usage, _retry_after_seconds

KEY = "sk-test-7f3a9c-DO-NOT-LEAK"
KEY_ENV = "STORYLAB_TEST_LLM_KEY"

VERBS = ("jump run walk hop swim play sing dance eat drink sleep read draw kick throw catch climb dig bake "
         "build hug help look find share clean paint fly ride push").split()
NOUNS = ("cat dog ball tree park house car boat fish bird cake hat box book toy sun moon star bed cup "
         "garden river hill flower apple egg kite shoe door window").split()
ADJECTIVES = ("big small happy sad red blue green soft hard warm cold fast slow loud quiet kind funny shiny "
              "tiny tall round sweet brave sleepy silly yellow bright dark clean new").split()
NAMES = ["Lily", "Tom", "Sue", "Ben", "Mia", "Max"]


def word_lists() -> WordLists:
    return load_word_lists_from({"verbs": VERBS, "nouns": NOUNS, "adjectives": ADJECTIVES})


def load_word_lists_from(data: dict) -> WordLists:
    from storylab.llmgen.recipe import _from_json
    return _from_json(data, "test word list")


# --- the fake server -------------------------------------------------------------------------------

PROMPT_WORDS = re.compile(r'the verb "(\w+)", the noun "(\w+)" and the adjective "(\w+)"')
TRANSIENT = ("429", "500", "slow", "garbage", "truncated", "drop")
CONTENT = ("refusal", "offvocab", "dup", "near", "length", "empty")
EXPECTED_REASON = {"refusal": {"refusal"}, "offvocab": {"offvocab"}, "dup": {"duplicate"},
                   "near": {"near_duplicate", "duplicate"}, "length": {"truncated"}, "empty": {"empty"}}


def good_story(rng: random.Random, verb: str, noun: str, adjective: str) -> str:
    """3 paragraphs of simple sentences made only of the test vocabulary and names."""
    def sentence() -> str:
        v, v2 = rng.choice(VERBS), rng.choice(VERBS)
        n, n2 = rng.choice(NOUNS), rng.choice(NOUNS)
        a, name = rng.choice(ADJECTIVES), rng.choice(NAMES)
        return rng.choice([
            f"The {a} {n} wanted to {v} with {name}.", f"{name} saw a {a} {n} near the {n2}.",
            f"They liked to {v} and {v2} all day.", f"One day the {n} was very {a}.",
            f'{name} said, "I can {v} the {n2}!"', f"Then the {n2} and the {n} went home.",
            f"{name} and the {a} {n} {v} by the {n2}.", f"It was a {a} day, so they {v} in the {n2}.",
        ])
    first = f"Once upon a time, a {adjective} {noun} liked to {verb}. " + " ".join(sentence() for _ in range(3))
    return "\n".join([first] + [" ".join(sentence() for _ in range(4)) for _ in range(2)])


NEAR_BASE = good_story(random.Random(12345), "hop", "kite", "shiny")
DUP_STORY = good_story(random.Random(54321), "bake", "cake", "sweet")


class FakeLLM:
    """A chat-completions endpoint on 127.0.0.1 (raw asyncio HTTP/1.1, its own thread).

    - `transient`: per-attempt probability of a transport/HTTP fault (kinds in TRANSIENT);
    - `content`: per-answer probability of a bad story (kinds in CONTENT);
    - `deterministic`: the answer depends only on the prompt (for comparing resumed runs);
      then content faults are drawn from the prompt's hash too, among `content_kinds`;
    - `always`: force one behaviour for every request ("garbage", "401");
    - `latency`: seconds before each answer.
    """

    def __init__(self, transient=0.0, content=0.0, seed=0, slow=0.6, deterministic=False, always=None,
                 latency=0.0, content_kinds=CONTENT, transient_kinds=TRANSIENT, retry_after="0.05", instruct=False):
        self.transient, self.content, self.slow, self.deterministic = transient, content, slow, deterministic
        self.always, self.latency, self.content_kinds, self.retry_after = always, latency, content_kinds, retry_after
        self.instruct, self.transient_kinds = instruct, transient_kinds
        self.rng = random.Random(seed)
        self.counter = 0
        self.served: dict[str, list[str]] = {}      # prompt -> content kinds answered (200, complete, in time)
        self.faults: Counter = Counter()
        self.auth: Counter = Counter()
        self.requests = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait(5)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def close(self) -> None:
        async def stop():
            self.server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    # -- HTTP plumbing --

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (l.partition(":") for l in lines[1:] if l)}
                body = await reader.readexactly(int(headers.get("content-length", 0)))
                self.auth[headers.get("authorization", "")] += 1
                self.requests += 1
                if not await self._respond(lines[0], body, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _send(writer, status: int, body: bytes, extra: str = "", length: int | None = None) -> None:
        reason = {200: "OK", 401: "Unauthorized", 404: "Not Found", 429: "Too Many Requests",
                  500: "Internal Server Error"}[status]
        head = (f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body) if length is None else length}\r\n{extra}\r\n")
        writer.write(head.encode() + body)

    async def _respond(self, request_line: str, body: bytes, writer) -> bool:
        """Answer one request; False closes the connection."""
        if not request_line.startswith("POST /v1/chat/completions"):
            self._send(writer, 404, b'{"error": "not found"}')
            return True
        if self.always == "401":
            self._send(writer, 401, b'{"error": "bad key"}')
            return True
        if self.always == "garbage":
            self._send(writer, 200, b"<html>oops</html>")
            return True
        prompt = json.loads(body)["messages"][-1]["content"]
        fault = self.rng.choice(self.transient_kinds) if self.rng.random() < self.transient else None
        if fault:
            self.faults[fault] += 1
        if fault == "429":
            self._send(writer, 429, b'{"error": "slow down"}', f"Retry-After: {self.retry_after}\r\n")
            return True
        if fault == "500":
            self._send(writer, 500, b'{"error": "oops"}')
            return True
        if fault == "garbage":
            self._send(writer, 200, b'{"choices": [{"message": {"content": "Once upon')
            return True
        if fault == "drop":
            return False
        kind, text, finish = self._content(prompt)
        payload = json.dumps({"id": "x", "object": "chat.completion", "model": "fake-1",
                              "choices": [{"index": 0, "finish_reason": finish,
                                           "message": {"role": "assistant", "content": text}}],
                              "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(text) // 4}
                              }).encode()
        if fault == "truncated":
            self._send(writer, 200, payload[: len(payload) // 3], length=len(payload))
            await writer.drain()
            return False
        await asyncio.sleep(self.slow if fault == "slow" else self.latency)
        if fault != "slow":  # a slow answer arrives after the client gave up: not "served"
            self.served.setdefault(prompt, []).append(kind)
        self._send(writer, 200, payload)
        return True

    def _content(self, prompt: str) -> tuple[str, str, str]:
        m = PROMPT_WORDS.search(prompt)
        verb, noun, adjective = m.groups() if m else ("play", "ball", "red")
        if self.deterministic:
            h = int(hashlib.sha1(prompt.encode()).hexdigest(), 16)
            rng = random.Random(h)
            kind = self.content_kinds[h % len(self.content_kinds)] if rng.random() < self.content else "good"
        else:
            self.counter += 1
            rng = random.Random(self.counter)
            kind = self.rng.choice(self.content_kinds) if self.rng.random() < self.content else "good"
        story, finish = good_story(rng, verb, noun, adjective), "stop"
        if kind == "refusal":
            story = "I'm sorry, but I can't write that story."
        elif kind == "offvocab":
            story = "Quixotic zephyrs perambulated beneath ethereal, iridescent colonnades. " * 4 + story
        elif kind == "dup":
            story = DUP_STORY
        elif kind == "near":
            words = NEAR_BASE.split(" ")
            i = 5 + self.counter % (len(words) - 10)
            words[i] = "zzz" if words[i] != "zzz" else "yyy"
            story = " ".join(words)
        elif kind == "length":
            story, finish = story[: len(story) // 2], "length"
        elif kind == "empty":
            story = ""
        if self.instruct and kind not in ("empty", "refusal"):
            story += f"\nSummary: {NAMES[len(story) % len(NAMES)]} and a {adjective} {noun} {verb} together."
        return kind, story, finish


@pytest.fixture
def key_env(monkeypatch):
    monkeypatch.setenv(KEY_ENV, KEY)
    return KEY_ENV


def fast_config(url: str, **kw) -> Endpoint:
    settings = dict(api_key_env=KEY_ENV, in_flight=16, timeout=0.3, max_retries=4, backoff=0.01, max_backoff=0.05,
                    max_retry_after=0.2)
    settings.update(kw)
    return Endpoint(url, "fake-1", **settings)


def all_ids(seed: int, n: int) -> set[str]:
    return {story_id(seed, i) for i in range(n)}


def assert_accounted(out: Path, seed: int, n: int) -> tuple[list[dict], dict[str, dict]]:
    """Every index is accepted exactly once or rejected (last verdict), never both."""
    files = RunFiles(out)
    accepted = [json.loads(l) for l in out.read_text("utf-8").splitlines()]
    ids = [r["id"] for r in accepted]
    assert len(ids) == len(set(ids)), "duplicated stories"
    rejected: dict[str, dict] = {}
    for line in files.rejects.read_text("utf-8").splitlines():
        rec = json.loads(line)
        rejected[rec["id"]] = rec
    final_rejects = {k: v for k, v in rejected.items() if k not in set(ids)}
    assert set(ids) | set(final_rejects) == all_ids(seed, n)
    texts = [r["text"] for r in accepted]
    assert len(texts) == len(set(texts)), "duplicate texts accepted"
    assert not files.partial.exists()
    assert json.loads(files.state.read_text())["status"] == "done"
    return accepted, final_rejects


# --- client ---------------------------------------------------------------------------------------------


def test_client_sends_bearer_and_parses_answer(key_env):
    server = FakeLLM()
    try:
        async def go():
            async with ChatClient(server.url, "fake-1", key_env, timeout=2) as client:
                assert KEY not in repr(client)
                return await client.complete([{"role": "user", "content": 'Use the verb "hop", the noun "kite" '
                                               'and the adjective "shiny".'}], max_tokens=50)
        c = asyncio.run(go())
        assert isinstance(c, Completion) and c.finish_reason == "stop" and "Once upon a time" in c.text
        assert c.usage.prompt_tokens > 0 and c.usage.completion_tokens > 0
        assert server.auth == Counter({f"Bearer {KEY}": 1})
    finally:
        server.close()


def test_retry_after_is_honoured():
    server = FakeLLM()
    calls = {"n": 0}
    original = server._respond

    async def respond(line, body, writer):
        calls["n"] += 1
        if calls["n"] == 1:
            server._send(writer, 429, b"{}", "Retry-After: 0.4\r\n")
            return True
        return await original(line, body, writer)

    server._respond = respond
    try:
        async def go():
            async with ChatClient(server.url, "m", timeout=2, backoff=0.001, max_backoff=0.01) as client:
                start = time.monotonic()
                await client.complete([{"role": "user", "content": "hi"}])
                return time.monotonic() - start, client.retries
        seconds, retries = asyncio.run(go())
        assert seconds >= 0.4 and retries == Counter({"rate_limited": 1})
    finally:
        server.close()
    assert _retry_after_seconds("3") == 3.0
    assert 0 < _retry_after_seconds(time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))) <= 31
    assert _retry_after_seconds("soon") is None


def test_rate_limiter_spaces_requests():
    async def go():
        limiter = RateLimiter(1200, burst_seconds=0.05)  # 20 per second, a burst of 1
        start = time.monotonic()
        for _ in range(11):
            await limiter.acquire()
        return time.monotonic() - start
    assert asyncio.run(go()) >= 0.45


def test_missing_key_variable_is_one_line_error(monkeypatch):
    monkeypatch.delenv("STORYLAB_NO_SUCH_KEY", raising=False)
    with pytest.raises(StorylabError, match="environment variable STORYLAB_NO_SUCH_KEY is not set") as e:
        ChatClient("http://127.0.0.1:9/v1", "m", "STORYLAB_NO_SUCH_KEY")
    assert "\n" not in str(e.value)


def test_bad_key_stops_the_run(tmp_path, key_env):
    server = FakeLLM(always="401")
    try:
        with pytest.raises(EndpointError, match="401") as e:
            generate_llm_corpus(tmp_path / "c.jsonl", 5, 0, fast_config(server.url), words=word_lists(), progress=False)
        assert KEY not in str(e.value) and "\n" not in str(e.value)
    finally:
        server.close()


# --- recipes and checks -----------------------------------------------------------------------------------


def test_recipes_depend_only_on_seed_and_index():
    wl = word_lists()
    a = [make_recipe(3, i, wl) for i in range(50)]
    b = [make_recipe(3, i, wl) for i in reversed(range(50))][::-1]
    assert a == b and a != [make_recipe(4, i, wl) for i in range(50)]
    assert len({tuple(sorted(r.words.items())) for r in a}) > 40
    assert all(set(r.features) <= set(FEATURES) and len(r.features) <= 3 for r in a)
    prompt = build_messages(a[0])[0]["content"]
    assert f'the verb "{a[0].words["verb"]}"' in prompt and "3-year-old" in prompt
    for f in a[0].features:
        assert FEATURES[f] in prompt


def test_prompt_templates(tmp_path):
    r = make_recipe(0, 1, word_lists())
    fmt = tmp_path / "t.txt"
    fmt.write_text("Story with {verb}, {noun}, {adjective}. {features}", "utf-8")
    assert PromptTemplate.from_file(fmt).render(r).startswith(f"Story with {r.words['verb']}, ")
    dollar = tmp_path / "d.txt"
    dollar.write_text("Use $verb and ${noun}; JSON like {\"a\": 1} is fine here.", "utf-8")
    text = PromptTemplate.from_file(dollar).render(r, instruct=True)
    assert text.startswith(f"Use {r.words['verb']} and {r.words['noun']};") and "Summary:" in text
    bad = tmp_path / "bad.txt"
    bad.write_text("Use {colour}", "utf-8")
    with pytest.raises(StorylabError, match="unknown field 'colour'"):
        PromptTemplate.from_file(bad)


def test_word_list_files(tmp_path):
    j = tmp_path / "w.json"
    j.write_text(json.dumps({"verbs": ["hop"], "nouns": [{"word": "kite"}], "adjectives": ["shiny"]}))
    wl = load_word_lists(j)
    assert wl.has_parts_of_speech and {"hopped", "hopping", "kites", "shinier", "the"} <= wl.allowed
    t = tmp_path / "w.txt"
    t.write_text("# mine\nverbs: hop, run\nnouns: kite\nadjectives: shiny\n")
    assert load_word_lists(t).verbs == ["hop", "run"]
    plain = tmp_path / "plain.txt"
    plain.write_text("kite\nhop\nshiny\nmoon\n")
    wl = load_word_lists(plain)
    r = make_recipe(0, 0, wl)
    assert len(r.words["words"]) == 3 and "the words" in build_messages(r)[0]["content"]
    broken = tmp_path / "b.json"
    broken.write_text('{"verbs": [')
    with pytest.raises(StorylabError, match="invalid JSON"):
        load_word_lists(broken)
    latin = tmp_path / "l.txt"
    latin.write_bytes("verbs: h\xfcpfen\n".encode("latin-1"))
    with pytest.raises(StorylabError, match="not valid UTF-8"):
        load_word_lists(latin)


def test_builtin_vocabulary_recipes():
    vocabulary = pytest.importorskip("storylab.world.vocabulary",
                                     reason="storylab.world.vocabulary (the story-world vocabulary) is not there yet")
    if not hasattr(vocabulary, "load_vocabulary"):
        pytest.skip("storylab.world.vocabulary has no load_vocabulary yet")
    wl = load_word_lists(None)
    assert wl.has_parts_of_speech and len(wl.allowed) > 500
    r = make_recipe(0, 0, wl)
    assert r.words["verb"] in wl.verbs and r.words["noun"] in wl.nouns
    frac, _ = offvocab(f"Once upon a time, the {r.words['noun']} was happy.", wl.allowed)
    assert frac <= 0.2


def test_judge_and_offvocab():
    wl = word_lists()
    ok = Completion(good_story(random.Random(1), "hop", "kite", "shiny"), "stop", Usage(1, 1))
    assert judge(ok, wl.allowed, 0.05, False).reason is None
    assert offvocab("Lily ran to a big zorp. The zorp ran.", wl.allowed)[1] == ["zorp"]
    cases = {"": "empty", "I'm sorry, but I can't do that.": "refusal"}
    for text, reason in cases.items():
        assert judge(Completion(text, "stop", Usage()), wl.allowed, 0.05, False).reason == reason
    assert judge(Completion(ok.text, "length", Usage()), wl.allowed, 0.05, False).reason == "truncated"
    assert judge(Completion(ok.text, "content_filter", Usage()), wl.allowed, 0.05, False).reason == "refusal"
    assert judge(ok, wl.allowed, 0.05, True).reason == "no_summary"


def test_minhash_finds_near_duplicates():
    index = DuplicateIndex()
    stories = [good_story(random.Random(i), "hop", "kite", "shiny") for i in range(200)]
    for i, s in enumerate(stories):
        assert index.check_and_add(str(i), s)[0] is None
    words = stories[7].split(" ")
    words[10] = "zzz"
    assert index.check(" ".join(words))[:2] == ("near_duplicate", "7")
    assert index.check("  " + stories[3].upper() + " ")[:2] == ("duplicate", "3")


def test_instruct_fields_round_trip():
    r = make_recipe(0, 2, word_lists())
    story = good_story(random.Random(2), "hop", "kite", "shiny")
    f = instruct_fields(r, story, "Lily and a kite hop.")
    text = format_instruct(f)
    assert text.endswith("Story: " + story) and f.order[-1] == "Story"
    back = parse_instruct(text)
    assert back == f
    assert format_instruct(back) == text
    assert split_summary(story + "\nSummary: A kite.") == (story, "A kite.")
    assert split_summary("**Summary:** A kite.\n\nStory: " + story) == (story, "A kite.")


# --- generation at scale ---------------------------------------------------------------------------------


def test_500_stories_with_faults(tmp_path, key_env):
    seed, n = 1, 500
    wl = word_lists()
    prompts = {story_id(seed, i): build_messages(make_recipe(seed, i, wl))[0]["content"] for i in range(n)}
    assert len(set(prompts.values())) == n  # unique recipes, so the server's log maps back to ids
    server = FakeLLM(transient=0.12, content=0.08, seed=5)
    out = tmp_path / "corpus.jsonl"
    try:
        stats = generate_llm_corpus(out, n, seed, fast_config(server.url, price_in=1.0, price_out=2.0),
                                    words=wl, progress=False)
    finally:
        server.close()
    assert isinstance(stats, GenStats) and stats.done
    accepted, rejected = assert_accounted(out, seed, n)
    assert stats.accepted == len(accepted) and stats.settled == n
    assert sum(stats.rejected.values()) + sum(stats.failed.values()) == len(rejected)

    # every verdict matches what the server actually sent for that prompt
    served_last = {k: v[-1] for k, v in server.served.items()}
    first_of = {}
    for rec in accepted:
        kind = served_last[prompts[rec["id"]]]
        assert kind in ("good", "dup", "near"), (rec["id"], kind)
        if kind != "good":
            assert kind not in first_of, f"second {kind} story accepted"
            first_of[kind] = rec["id"]
        assert rec["source"] == "llm:fake-1" and rec["meta"]["usage"]["completion_tokens"] > 0
        assert set(rec["words"]) == {"verb", "noun", "adjective"}
    for id, rec in rejected.items():
        if rec["retryable"]:
            assert rec["reason"] in ("timeout", "connection", "rate_limited", "server_error", "bad_response")
            continue
        kind = served_last[prompts[id]]
        assert rec["reason"] in EXPECTED_REASON.get(kind, ()), (id, kind, rec["reason"], rec["detail"])
    assert sum(stats.rejected.values()) >= 0.04 * n
    # each fault was injected, and retried
    assert all(server.faults[f] > 0 for f in TRANSIENT)
    assert {"rate_limited", "server_error", "timeout", "bad_response", "connection"} <= set(stats.retries)
    # tokens and cost are summed from usage fields of every answer
    tokens_seen = sum(r["meta"]["usage"]["prompt_tokens"] + r["meta"]["usage"]["completion_tokens"] for r in accepted)
    assert stats.prompt_tokens + stats.completion_tokens >= tokens_seen > 0
    assert stats.cost == pytest.approx((stats.prompt_tokens * 1.0 + stats.completion_tokens * 2.0) / 1e6)
    # the key went out as a bearer header, and nowhere else
    assert server.auth == Counter({f"Bearer {KEY}": server.requests})
    for p in tmp_path.rglob("*"):
        assert KEY.encode() not in p.read_bytes(), p
    assert KEY not in stats.summary()


def test_rerun_of_finished_run_does_nothing(tmp_path, key_env):
    server = FakeLLM()
    out = tmp_path / "c.jsonl"
    try:
        generate_llm_corpus(out, 20, 1, fast_config(server.url), words=word_lists(), progress=False)
        before, requests = out.read_bytes(), server.requests
        stats = generate_llm_corpus(out, 20, 1, fast_config(server.url), words=word_lists(), progress=False)
        assert out.read_bytes() == before and server.requests == requests and stats.resumed == 20
        # asking for more extends the same corpus
        stats = generate_llm_corpus(out, 30, 1, fast_config(server.url), words=word_lists(), progress=False)
        assert stats.accepted == 30 and out.read_bytes().startswith(before)
        with pytest.raises(StorylabError, match="other settings"):
            generate_llm_corpus(out, 30, 2, fast_config(server.url), words=word_lists(), progress=False)
    finally:
        server.close()


def test_torn_last_line_is_cut_and_redone(tmp_path, key_env):
    server = FakeLLM(deterministic=True)
    out = tmp_path / "c.jsonl"
    try:
        generate_llm_corpus(out, 12, 0, fast_config(server.url), words=word_lists(), progress=False)
        reference = out.read_text("utf-8").splitlines()
        # simulate a kill mid-run: back to partial, last record torn, manifest "running"
        files = RunFiles(out)
        os.replace(out, files.partial)
        data = files.partial.read_bytes()
        files.partial.write_bytes(data[: len(data) - 40])
        state = json.loads(files.state.read_text())
        files.state.write_text(json.dumps({**state, "status": "running"}))
        generate_llm_corpus(out, 12, 0, fast_config(server.url), words=word_lists(), progress=False)
    finally:
        server.close()
    assert sorted(out.read_text("utf-8").splitlines()) == sorted(reference)


def test_instruct_generation(tmp_path, key_env):
    server = FakeLLM(instruct=True)
    out = tmp_path / "i.jsonl"
    try:
        stats = generate_llm_corpus(out, 30, 0, fast_config(server.url), words=word_lists(), instruct=True,
                                    progress=False)
    finally:
        server.close()
    assert stats.accepted == 30
    orders = set()
    for rec in map(json.loads, out.read_text("utf-8").splitlines()):
        f = parse_instruct(rec["text"])
        assert f.order[-1] == "Story" and "Summary" not in f.story and f.story.startswith("Once upon a time")
        if f.words:
            assert f.words == [rec["words"]["verb"], rec["words"]["noun"], rec["words"]["adjective"]]
        if f.summary:
            assert f.summary == rec["meta"]["instruct"]["summary"]
        orders.add(tuple(f.order))
    assert len(orders) > 5  # random subsets and orders


def test_unreachable_endpoint_fails_fast_with_one_line(tmp_path, key_env):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens here: connections are refused
    start = time.monotonic()
    with pytest.raises(StorylabError, match="giving up") as e:
        generate_llm_corpus(tmp_path / "c.jsonl", 40, 0, fast_config(f"http://127.0.0.1:{port}/v1", max_retries=2),
                            words=word_lists(), progress=False)
    assert time.monotonic() - start < 10 and "\n" not in str(e.value) and "connection" in str(e.value)
    assert json.loads(RunFiles(tmp_path / "c.jsonl").state.read_text())["status"] == "running"


def test_garbage_endpoint_fails_with_one_line_via_cli(tmp_path, key_env, capsys):
    from storylab.cli import main

    server = FakeLLM(always="garbage")
    words = tmp_path / "words.json"
    words.write_text(json.dumps({"verbs": VERBS, "nouns": NOUNS, "adjectives": ADJECTIVES}))
    try:
        with pytest.raises(SystemExit) as e:
            main(["generate", "--backend", "llm", "--base-url", server.url, "--model", "m", "--api-key-env", KEY_ENV,
                  "--n", "5", "--out", str(tmp_path / "c.jsonl"), "--words", str(words), "--max-retries", "1",
                  "--timeout", "2"])
    finally:
        server.close()
    assert e.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()  # the progress bar, then the error
    assert err[-1].startswith("error: giving up") and "bad_response" in err[-1] and "error" not in "".join(err[:-1])


def test_generate_cli_with_instruct_and_template(tmp_path, key_env, capsys):
    from storylab.cli import main

    server = FakeLLM(instruct=True, content=0.2, content_kinds=("refusal", "offvocab"))
    words = tmp_path / "words.txt"
    words.write_text("verbs: " + ", ".join(VERBS) + "\nnouns: " + " ".join(NOUNS) + "\nadjectives: "
                     + ", ".join(ADJECTIVES) + "\n")
    template = tmp_path / "prompt.txt"
    template.write_text("Tell a tale for a small child with the verb \"$verb\", the noun \"$noun\" and the "
                        "adjective \"$adjective\". $features$summary_request")
    out = tmp_path / "c.jsonl"
    args = ["generate", "--backend", "llm", "--base-url", server.url, "--model", "fake-1", "--api-key-env", KEY_ENV,
            "--n", "40", "--seed", "4", "--out", str(out), "--words", str(words), "--template", str(template),
            "--instruct", "--in-flight", "4", "--price-in", "0.5", "--price-out", "1.5"]
    try:
        with pytest.raises(SystemExit) as e:
            main(args)
        assert e.value.code in (0, None)
        first = capsys.readouterr().err.strip().splitlines()[-1]
        with pytest.raises(SystemExit):
            main(args)  # finished: a rerun has nothing to do
        again = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        server.close()
    assert re.match(r"generate: \d+ accepted, \d+ rejected \((refusal|offvocab) \d+.*\) of 40; [\d,]+ tokens "
                    r"\(in [\d,]+, out [\d,]+\), est\. \$0\.\d\d; \d+ requests in [\d.]+s -> ", first), first
    assert "(40 from earlier runs)" in again and "requests" not in again
    assert all(p.startswith("Tell a tale for a small child") for p in server.served)
    accepted, rejected = assert_accounted(out, 4, 40)
    assert all(parse_instruct(r["text"]).order[-1] == "Story" for r in accepted)


def test_missing_key_variable_via_cli(tmp_path, capsys, monkeypatch):
    from storylab.cli import main

    monkeypatch.delenv("STORYLAB_NO_SUCH_KEY", raising=False)
    words = tmp_path / "words.json"
    words.write_text(json.dumps({"verbs": VERBS, "nouns": NOUNS, "adjectives": ADJECTIVES}))
    with pytest.raises(SystemExit) as e:
        main(["generate", "--backend", "llm", "--base-url", "http://127.0.0.1:9/v1", "--model", "m",
              "--api-key-env", "STORYLAB_NO_SUCH_KEY", "--n", "5", "--out", str(tmp_path / "c.jsonl"),
              "--words", str(words)])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err == "error: environment variable STORYLAB_NO_SUCH_KEY is not set (it should hold the API key)"


# --- SIGKILL at random moments ---------------------------------------------------------------------------

DRIVER = """
import sys
from storylab.llmgen.client import Endpoint
from storylab.llmgen.generate import generate_llm_corpus
url, out, words = sys.argv[1:4]
cfg = Endpoint(url, "fake-1", "{env}", in_flight=4, timeout=2, max_retries=3, backoff=0.01, max_backoff=0.05)
generate_llm_corpus(out, {n}, {seed}, cfg, words=words, progress=False)
"""


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(tmp_path, key_env):
    seed, n = 3, 120
    wl = word_lists()
    assert len({build_messages(make_recipe(seed, i, wl))[0]["content"] for i in range(n)}) == n
    words = tmp_path / "words.json"
    words.write_text(json.dumps({"verbs": VERBS, "nouns": NOUNS, "adjectives": ADJECTIVES}))
    server = FakeLLM(deterministic=True, content=0.15, content_kinds=("refusal", "offvocab", "length"),
                     transient=0.05, transient_kinds=("429", "500", "truncated"), latency=0.04, seed=9)
    try:
        # the reference: one uninterrupted run
        ref = tmp_path / "ref" / "c.jsonl"
        generate_llm_corpus(ref, n, seed, fast_config(server.url, in_flight=4, timeout=2), words=words, progress=False)
        out = tmp_path / "killed" / "c.jsonl"
        out.parent.mkdir()
        driver = DRIVER.format(env=KEY_ENV, n=n, seed=seed)
        rng = random.Random(0)
        files = RunFiles(out)

        def settled() -> int:
            return sum(p.read_bytes().count(b"\n") for p in (files.partial, files.rejects, out) if p.exists())

        kills = 0
        for _ in range(4):  # kill after a random number of new stories, at a random moment
            target = settled() + rng.randint(2, 20)
            p = subprocess.Popen([sys.executable, "-c", driver, server.url, str(out), str(words)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 30
            while p.poll() is None and settled() < target and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0, 0.03))
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.communicate(timeout=30)
            assert p.returncode in (0, -signal.SIGKILL)
            assert not (out.exists() and files.partial.exists())
        assert kills >= 3 and not out.exists()  # stopped mid-run: nothing looks finished
        p = subprocess.run([sys.executable, "-c", driver, server.url, str(out), str(words)], capture_output=True,
                           text=True, timeout=60)
        assert p.returncode == 0, p.stderr
    finally:
        server.close()
    accepted, rejected = assert_accounted(out, seed, n)
    ref_accepted, ref_rejected = assert_accounted(ref, seed, n)
    assert sorted((r["id"], r["text"]) for r in accepted) == sorted((r["id"], r["text"]) for r in ref_accepted)
    assert {k: v["reason"] for k, v in rejected.items()} == {k: v["reason"] for k, v in ref_rejected.items()}
