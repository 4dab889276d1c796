"""storylab explore: the HTTP endpoints (Starlette TestClient), a real uvicorn server on 127.0.0.1,
the CLI verb, and the page itself in headless Chromium (Playwright, the system browser)."""

import json
import math
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

from _eval_helpers import TINY, one_thread, random_run, trained_run, world_data
from conftest import TINY_TRAIN

CHROMIUM = Path("/usr/bin/chromium")
PROMPT = "Once upon a time, there was a little girl named Lily. She"


@pytest.fixture(autouse=True)
def _one_thread():
    yield from one_thread()


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_data):
    """A: trained 30 steps on procedural stories, with inspect's heads and neurons;
    B: random init, same tokenizer, no inspect results; C: random init on TinyStories
    (another tokenizer, no story-world meta)."""
    from storylab.interpret.run import inspect_run

    base = tmp_path_factory.mktemp("explore")
    data = world_data(base)
    a = trained_run(data, base / "A", TINY + TINY_TRAIN + ["train.steps=30", "train.log_every=10"])
    inspect_run(a, heads=True, neurons=True, probes=False, ood=False, n_stories=24, progress=False)
    b = random_run(data, base / "B", seed=1)
    c = random_run(tiny_data, base / "C", seed=2)
    return {"A": a, "B": b, "C": c}


@pytest.fixture(scope="module")
def opened(runs):
    from storylab.explore import ExploreRun

    return {k: ExploreRun.open(v) for k, v in runs.items()}


@pytest.fixture(scope="module")
def client(opened):
    from starlette.testclient import TestClient

    from storylab.explore.server import make_app

    return TestClient(make_app([opened["A"], opened["B"]]), base_url="http://127.0.0.1")


def events(resp) -> list[dict]:
    return [json.loads(line) for line in resp.text.splitlines() if line.strip()]


def generate(client, **kw) -> list[dict]:
    r = client.post("/api/generate", json={"prompt": PROMPT, "max_new_tokens": 12, **kw})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    return events(r)


# --- endpoints ---------------------------------------------------------------------------------


def test_page_is_self_contained(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    # no external assets: nothing loaded from another origin
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", r.text)
    assert "<script src" not in r.text and "<link" not in r.text
    info = client.get("/api/info").json()
    assert [x["index"] for x in info["runs"]] == [0, 1]
    assert info["runs"][0]["inspect"]["heads"] and info["runs"][0]["inspect"]["neurons"]
    assert not any(info["runs"][1]["inspect"].values())


def test_generate_streams_tokens_with_probabilities(client, opened):
    ev = generate(client, greedy=True)
    assert ev[0]["type"] == "prompt" and ev[-1]["type"] == "done"
    prompt = ev[0]["tokens"]
    assert prompt[0]["text"] == "<|endoftext|>" and prompt[0]["p"] is None
    assert "".join(t["text"] for t in prompt[1:]) == PROMPT
    toks = [e for e in ev if e["type"] == "token"]
    assert 1 <= len(toks) <= 12
    for t in prompt[1:] + toks:
        assert 0 < t["p"] <= 1 and len(t["top"]) == 10
        ps = [p for _, p in t["top"]]
        assert ps == sorted(ps, reverse=True) and t["p"] <= ps[0] + 1e-6
    for t in toks:  # greedy: every written token is the model's first choice
        assert t["p"] == pytest.approx(t["top"][0][1], abs=1e-5)
    done = ev[-1]
    assert done["ids"][:len(prompt)] == [t["id"] for t in prompt]
    assert len(done["ids"]) == len(prompt) + done["new_tokens"]
    # the KV-cached stream agrees with a full forward pass over the finished text
    scored = client.post("/api/score", json={"run": 0, "ids": done["ids"]}).json()["tokens"]
    for s, t in zip(scored[len(prompt):], toks):
        assert s["id"] == t["id"] and s["p"] == pytest.approx(t["p"], rel=1e-3, abs=1e-6)


def test_generate_settings_seed_and_caps(client, opened):
    ids = lambda ev: ev[-1]["ids"]
    s1 = generate(client, temperature=1.0, top_k=5, seed=7)
    assert ids(s1) == ids(generate(client, temperature=1.0, top_k=5, seed=7))  # deterministic given a seed
    for t in (e for e in s1 if e["type"] == "token"):  # top-k 5: only the five likeliest can be drawn
        assert t["p"] >= t["top"][4][1] - 1e-6
    assert client.post("/api/generate", json={"prompt": PROMPT, "max_new_tokens": 100_000}).status_code == 422
    assert client.post("/api/generate", json={"prompt": PROMPT, "temperature": -1}).status_code == 422
    # the context caps the total: a long prompt leaves room for few tokens
    ctx = opened["A"].cfg.context
    long = " ".join(["Lily saw a big red ball."] * 40)
    ev = events(client.post("/api/generate", json={"prompt": long, "max_new_tokens": 200}))
    assert ev[0]["type"] == "note" and len(ev[-1]["ids"]) <= ctx
    assert ev[-1]["reason"] in ("context", "end of text")


def test_attention_pattern_and_head_classes(client, opened):
    ids = generate(client, greedy=True)[-1]["ids"]
    d = client.post("/api/attention", json={"run": 0, "ids": ids, "layer": 1, "head": 1}).json()
    P = d["pattern"]
    assert len(P) == len(ids) and [len(r) for r in P] == list(range(1, len(ids) + 1))  # causal
    assert all(sum(r) == pytest.approx(1, abs=2e-3) for r in P)
    _, cache = opened["A"].model.run_with_cache(torch.tensor([ids]), names=["blocks.1.attn.hook_pattern"])
    assert P[-1][3] == pytest.approx(float(cache["blocks.1.attn.hook_pattern"][0, 1, -1, 3]), abs=1e-4)
    heads = json.loads((opened["A"].rundir.inspect_dir / "heads.json").read_text())["heads"]
    want = next(h["label"] for h in heads if h["layer"] == 1 and h["head"] == 1)
    assert d["class"]["label"] == want and d["hint"] is None
    d = client.post("/api/attention", json={"run": 1, "ids": ids, "layer": 0, "head": 0}).json()
    assert d["class"] is None and "storylab inspect" in d["hint"]
    assert client.post("/api/attention", json={"run": 0, "ids": ids, "layer": 9, "head": 0}).status_code == 422


def test_neurons_at_a_token(client, opened):
    ev = generate(client, greedy=True)
    ids, pos = ev[-1]["ids"], 10
    d = client.post("/api/neurons", json={"run": 0, "ids": ids, "pos": pos}).json()
    assert d["token"] == ev[0]["tokens"][pos]["text"] and d["hint"] is None
    L = opened["A"].cfg.n_layers
    assert [x["layer"] for x in d["layers"]] == list(range(L))
    _, cache = opened["A"].model.run_with_cache(torch.tensor([ids]), names=["blocks.1.mlp.hook_post"])
    act = cache["blocks.1.mlp.hook_post"][0, pos]
    top = d["layers"][1]["neurons"]
    assert top[0]["neuron"] == int(act.argmax()) and top[0]["activation"] == pytest.approx(float(act.max()), abs=1e-3)
    assert all("inspect" in n and n["inspect"]["examples"] for x in d["layers"] for n in x["neurons"])
    assert top[0]["in_text"][0]["activation"] >= top[0]["activation"] - 1e-3
    d = client.post("/api/neurons", json={"run": 1, "ids": ids, "pos": pos}).json()
    assert "storylab inspect" in d["hint"] and not any("inspect" in n for x in d["layers"] for n in x["neurons"])


def test_probes_fitted_on_demand(client, opened):
    from starlette.testclient import TestClient

    from storylab.explore.server import make_app

    ids = generate(client, greedy=True)[-1]["ids"]
    d = client.post("/api/probes", json={"run": 0, "ids": ids, "pos": 12}).json()
    names = {x["dataset"] for x in d["datasets"]}
    assert "space" in names and "held-out" in d["note"]
    L = opened["A"].cfg.n_layers
    for ds in d["datasets"]:
        assert [r["layer"] for r in ds["layers"]] == ["embed"] + [f"L{l}" for l in range(L)]
        for r in ds["layers"]:
            assert isinstance(r["value"], str) or all(math.isfinite(v) for v in r["value"])
    # a run without story-world meta: a hint, not an error
    c = TestClient(make_app([opened["C"]]), base_url="http://127.0.0.1")
    d = c.post("/api/probes", json={"text": "Tom had a dog.", "pos": 2}).json()
    assert d["datasets"] == [] and "meta" in d["hint"]


def test_ood_score(client):
    story = client.post("/api/ood", json={"run": 0, "text": PROMPT + " was happy."}).json()
    assert math.isfinite(story["kl"]) and story["unigram"] == "the run's training shard"
    ref = story["reference"]
    assert ref["clean"] > 0 and ref["shuffled"] > 0 and "stories" in ref["source"]
    ids = client.post("/api/score", json={"run": 0, "text": PROMPT}).json()["tokens"]
    d = client.post("/api/ood", json={"run": 0, "ids": [t["id"] for t in ids]}).json()
    assert len(d["per_token"]) == len(ids)
    assert d["kl"] == pytest.approx(np.mean(d["per_token"][1:]), abs=2e-3)


def test_compare_two_runs(client, opened):
    from storylab.explore import compare

    text = PROMPT + " was happy."
    d = client.post("/api/compare", json={"text": text}).json()
    assert d["same_tokenizer"] and d["runs"] == ["A", "B"]
    assert "".join(s["text"] for s in d["segments"]) == text
    assert len(d["segments"]) == len(d["per_token_a"]) == len(d["per_token_b"])
    for s, ta, tb in zip(d["segments"], d["per_token_a"], d["per_token_b"]):
        assert s["lp_a"] == pytest.approx(ta["lp"], abs=1e-3) and s["lp_b"] == pytest.approx(tb["lp"], abs=1e-3)
        assert s["diff"] == pytest.approx(s["lp_b"] - s["lp_a"], abs=1e-3)
    # different tokenizers: segments on shared boundaries, totals conserved
    x = compare(opened["A"], opened["C"], text)
    assert not x["same_tokenizer"] and "".join(s["text"] for s in x["segments"]) == text
    assert len(x["segments"]) <= min(len(x["per_token_a"]), len(x["per_token_b"]))
    assert x["total_a"] == pytest.approx(sum(t["lp"] for t in x["per_token_a"]), abs=1e-2)
    assert x["total_b"] == pytest.approx(sum(t["lp"] for t in x["per_token_b"]), abs=1e-2)


def test_suite_items_use_the_library_scores(client, opened):
    from storylab.evaluate.suite import score_items
    from storylab.evaluate.tasks import load_tasks

    skills = client.get("/api/suite/skills").json()["skills"]
    assert {"grammar", "everyday_fact"} <= {s["skill"] for s in skills}
    d = client.post("/api/suite", json={"run": 0, "skill": "grammar", "limit": 6, "offset": 2}).json()
    items = [it for it in load_tasks(skills=["grammar"]) if it.type == "choice"][2:8]
    ref = score_items(opened["A"].model, opened["A"].tok, items)
    assert [x["id"] for x in d["items"]] == [it.id for it in items]
    for x, r in zip(d["items"], ref):
        assert x["logprobs"] == pytest.approx(r.logprobs, abs=1e-2)
        assert x["choice"] == int(np.argmax(r.logprobs)) and x["margin"] >= 0 and x["correct"] == r.correct
    assert d["acc"] == pytest.approx(sum(r.correct for r in ref) / 6)
    assert client.post("/api/suite", json={"skill": "../../etc/passwd"}).status_code == 422


# --- security and bad input ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/static/..%2f..%2fpyproject.toml",
                                  "/api/info/../../../etc/passwd", "/page.html", "/explore/page.html",
                                  "//etc/passwd", "/api/heads/..%2F..%2Fconfig.toml"])
def test_no_path_reaches_the_filesystem(client, path):
    r = client.get(path)
    assert r.status_code in (404, 400) or (r.status_code == 200 and "<title>storylab explore" in r.text)
    assert "root:" not in r.text and "[project]" not in r.text and "[model]" not in r.text


@pytest.mark.parametrize("run", ["../../etc/passwd", "/etc/passwd", "2", "-1", "1.0", True, [0], {"path": "/"}])
def test_runs_are_addressed_by_index_only(client, run):
    r = client.post("/api/score", json={"run": run, "text": "Hi"})
    assert r.status_code == 400 and "index" in r.json()["error"]
    if isinstance(run, str):
        assert client.get("/api/heads", params={"run": run}).status_code == 400


def test_oversized_and_malformed_input_is_a_json_4xx(client, opened):
    ctx, V = opened["A"].cfg.context, opened["A"].cfg.vocab_size
    cases = [
        (("/api/generate",), {"json": {"prompt": "a" * 5000}}, 413),
        (("/api/score",), {"json": {"text": "a" * 5000}}, 413),
        (("/api/score",), {"content": b'{"text": "' + b"a" * 70_000 + b'"}', "headers": {"content-type": "application/json"}}, 413),
        (("/api/attention",), {"json": {"ids": [0] * (ctx + 1)}}, 413),
        (("/api/attention",), {"json": {"ids": [0, V]}}, 422),
        (("/api/attention",), {"json": {"ids": [0, "x"]}}, 422),
        (("/api/neurons",), {"json": {"ids": [0, 5], "pos": 2}}, 422),
        (("/api/score",), {"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        (("/api/score",), {"content": b"[1, 2]", "headers": {"content-type": "application/json"}}, 400),
        (("/api/score",), {"content": b'{"text": "hi"}', "headers": {"content-type": "text/plain"}}, 415),
        (("/api/compare",), {"json": {"text": "   "}}, 422),
    ]
    for (path,), kw, status in cases:
        r = client.post(path, **kw)
        assert r.status_code == status, (path, r.status_code, r.text[:200])
        assert isinstance(r.json()["error"], str) and "Traceback" not in r.text
    assert client.get("/api/generate").status_code == 405
    # DNS rebinding: a foreign Host header is refused
    assert client.get("/api/info", headers={"host": "evil.example:8000"}).status_code == 400


def test_missing_or_corrupt_inspect_results_give_hints(runs, tmp_path):
    from starlette.testclient import TestClient

    from storylab.explore.server import make_app

    run = shutil.copytree(runs["A"], tmp_path / "A")
    (run / "inspect" / "heads.json").write_text("{ not json")
    (run / "inspect" / "neurons.json").unlink()
    c = TestClient(make_app([run]), base_url="http://127.0.0.1")
    h = c.get("/api/heads?run=0")
    assert h.status_code == 200 and "unreadable" in h.json()["hint"]
    d = c.post("/api/neurons", json={"text": PROMPT, "pos": 3})
    assert d.status_code == 200 and "storylab inspect" in d.json()["hint"]
    assert c.post("/api/compare", json={"text": "hi"}).json()["hint"].startswith("start the explorer with two runs")


# --- a real server ----------------------------------------------------------------------------------


def test_a_slow_generation_does_not_block_other_requests(opened):
    """Run 0's model is held mid-generation; the server still answers info, attention on
    run 1, and refuses a generation beyond its limit with 429; then the stream finishes."""
    import httpx

    from storylab.explore.server import background, make_app

    app = make_app([opened["A"], opened["B"]], max_generations=1)
    gate, entered = threading.Event(), threading.Event()
    hold = {"on": True}

    def pre(module, args):
        if hold["on"] and threading.current_thread() is not threading.main_thread():
            entered.set()
            assert gate.wait(20)

    h = opened["A"].model.blocks[0].register_forward_pre_hook(pre)
    out = {}
    try:
        with background(app) as url:
            def stream():
                with httpx.stream("POST", url + "/api/generate", json={"prompt": PROMPT, "max_new_tokens": 8},
                                  timeout=30) as r:
                    out["lines"] = [json.loads(x) for x in r.iter_lines() if x.strip()]

            th = threading.Thread(target=stream)
            th.start()
            assert entered.wait(10), "generation never reached the model"
            t0 = time.monotonic()
            assert httpx.get(url + "/api/info", timeout=5).status_code == 200
            r = httpx.post(url + "/api/attention", json={"run": 1, "text": PROMPT, "layer": 0, "head": 0}, timeout=5)
            assert r.status_code == 200 and r.json()["pattern"]
            r = httpx.post(url + "/api/generate", json={"run": 1, "prompt": "Hi"}, timeout=5)
            assert r.status_code == 429 and "already running" in r.json()["error"]
            assert time.monotonic() - t0 < 5
            assert th.is_alive()  # still held
            hold["on"] = False
            gate.set()
            th.join(20)
    finally:
        h.remove()
        gate.set()
    assert out["lines"][-1]["type"] == "done" and out["lines"][-1]["new_tokens"] >= 1


@pytest.mark.slow
def test_cli_serves_and_warns(runs):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.Popen([sys.executable, "-m", "storylab.cli", "explore", str(runs["A"]), str(runs["B"]), "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        lines, url = [], None
        t0 = time.monotonic()
        while url is None and time.monotonic() - t0 < 60:
            line = p.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"(http://127\.0\.0\.1:\d+)/\s+\(ready in ([\d.]+)s", line)
            if m:
                url = m.group(1)
        assert url, "".join(lines)
        import httpx

        assert httpx.get(url + "/api/info", timeout=10).json()["runs"][1]["name"] == "B"
        assert "<title>storylab explore" in httpx.get(url + "/", timeout=10).text
    finally:
        p.terminate()
        p.wait(10)
    # another host: a warning first; this address is not ours, so the bind fails with one line, exit 2
    from conftest import run_cli

    r = run_cli("explore", runs["A"], "--host", "192.0.2.1", "--port", "0")
    assert r.returncode == 2 and "warning: listening on 192.0.2.1" in r.stdout + r.stderr
    assert "cannot listen" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("explore", runs["A"].parent / "nope")
    assert r.returncode == 2 and "run not found" in r.stderr and "Traceback" not in r.stderr


# --- the page in a browser ------------------------------------------------------------------------------


def nonblank(png: bytes) -> float:
    import io

    from PIL import Image

    a = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.float64)
    assert a.std() > 8, f"screenshot looks blank (pixel std {a.std():.1f})"
    assert len(np.unique(a)) > 20
    return a.std()


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium at /usr/bin/chromium (apt-get install chromium)")
def test_page_in_headless_chromium(opened, tmp_path):
    pw = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from storylab.explore.server import background, make_app

    app = make_app([opened["A"], opened["B"]])
    shots = Path(os.environ.get("STORYLAB_SCREENSHOTS", tmp_path))
    with background(app) as url, pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM),
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']")

        # type a prompt and watch the completion stream in
        page.fill("#prompt", "One day, Tom went to the park. He saw")
        page.fill("#maxtok", "30")
        page.click("#write")
        page.wait_for_selector(".tok.gen")
        page.wait_for_selector("#out[data-done='1']", timeout=20000)
        n_gen = page.locator(".tok.gen").count()
        assert n_gen >= 1 and "new tokens" in page.inner_text("#status")
        assert page.locator(".tok.prompt").first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)" \
            or page.locator(".tok.prompt").count() > 1
        page.locator(".tok.gen").first.hover()
        page.wait_for_selector("#tip table tr")
        assert page.locator("#tip table tr").count() == 10
        nonblank(page.screenshot(path=str(shots / "explore_write.png")))

        # attention: pick layer 1, head 1, and a query token
        page.mouse.move(5, 5)
        page.locator(".tok.prompt").nth(5).click()
        page.select_option("#layer", "1")
        page.wait_for_selector("#attn-map")
        page.select_option("#head", "1")
        page.wait_for_selector("#attn-text span.q")
        assert page.locator("#tab-attention .badge").count() >= 1
        weights = page.eval_on_selector_all("#attn-text span", "es => es.map(e => +e.dataset.w)")
        assert abs(sum(weights) - 1) < 0.01
        page.mouse.move(5, 5)
        nonblank(page.screenshot(path=str(shots / "explore_attention.png")))

        # neurons of a clicked token
        page.click("#tabs button[data-tab='neurons']")
        page.locator(".tok.prompt").nth(4).click()
        page.wait_for_selector("#tab-neurons .neuron")
        assert "Most active MLP neurons" in page.inner_text("#tab-neurons")
        assert page.locator("#tab-neurons .neuron mark").count() >= 1  # corpus contexts from inspect
        page.mouse.move(5, 5)
        nonblank(page.screenshot(path=str(shots / "explore_neurons.png")))

        # two runs side by side
        page.click("#tabs button[data-tab='compare']")
        page.click("#write-both")
        page.wait_for_selector("#diff-text .seg", timeout=30000)
        assert page.locator("#col0 .tok.gen").count() >= 1 and page.locator("#col1 .tok.gen").count() >= 1
        assert "Log-probability difference" in page.inner_text("#diff")
        page.mouse.move(5, 5)
        nonblank(page.screenshot(path=str(shots / "explore_compare.png")))

        # OOD and the suite, briefly
        page.click("#tabs button[data-tab='ood']")
        page.wait_for_selector("#ood-kl")
        page.click("#tabs button[data-tab='suite']")
        page.click("#suite-go")
        page.wait_for_selector("#suite-res table tr >> nth=5")
        browser.close()
    assert not errors, errors
    assert all(u.startswith(url) for u in requests), [u for u in requests if not u.startswith(url)]
