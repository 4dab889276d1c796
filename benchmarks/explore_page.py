"""How quickly does `storylab explore` come up, and how quickly does it answer?

Starts the real CLI (`storylab explore RUN [RUN2] --port 0`) in a subprocess and prints:
the time from launching the process to the page being served (what a user waits for),
the start-up time the CLI itself reports, the time to the first streamed token, the
token rate, and the latency of the attention, neurons, OOD, probes (first call fits
them) and compare endpoints. With ``--shots DIR`` it also drives the page in headless
Chromium (the system browser, /usr/bin/chromium) and saves one screenshot per view.

    OMP_NUM_THREADS=1 python benchmarks/explore_page.py runs/demo runs/small --shots /tmp/shots
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROMPT = "Once upon a time, there was a little girl named Lily. She"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def shots(url: str, out: Path, two: bool) -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium",
                              args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        page = b.new_page(viewport={"width": 1400, "height": 950})
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']")
        page.fill("#prompt", PROMPT)
        page.fill("#maxtok", "80")
        page.click("#write")
        page.wait_for_selector("#out[data-done='1']", timeout=60000)
        page.locator(".tok.gen").nth(6).hover()
        page.wait_for_selector("#tip table tr")
        page.screenshot(path=str(out / "1_write.png"))
        page.mouse.move(2, 2)
        lily = page.locator(".tok.prompt", has_text="Lily").first
        page.locator(".tok.gen").nth(2).click()
        page.select_option("#layer", "1")
        page.wait_for_selector("#attn-map")
        page.wait_for_timeout(300)
        page.mouse.move(2, 2)
        page.screenshot(path=str(out / "2_attention.png"))
        page.click("#tabs button[data-tab='neurons']")
        lily.click()
        page.wait_for_selector("#tab-neurons .neuron")
        page.mouse.move(2, 2)
        page.screenshot(path=str(out / "3_neurons.png"))
        page.click("#tabs button[data-tab='probes']")
        page.wait_for_selector("#tab-probes table, #tab-probes .hint", timeout=120000)
        page.mouse.move(2, 2)
        page.screenshot(path=str(out / "4_probes.png"))
        page.click("#tabs button[data-tab='ood']")
        page.wait_for_selector("#ood-kl")
        page.mouse.move(2, 2)
        page.screenshot(path=str(out / "5_ood.png"))
        if two:
            page.click("#tabs button[data-tab='compare']")
            page.click("#write-both")
            page.wait_for_selector("#diff-text .seg", timeout=60000)
            page.mouse.move(2, 2)
            page.screenshot(path=str(out / "6_compare.png"))
        page.click("#tabs button[data-tab='suite']")
        page.select_option("#skill", "entity_tracking")
        page.click("#suite-go")
        page.wait_for_selector("#suite-res table")
        page.mouse.move(2, 2)
        page.screenshot(path=str(out / "7_suite.png"))
        b.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--shots", type=Path, default=None, help="save screenshots of each view here")
    a = ap.parse_args()
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-m", "storylab.cli", "explore", *a.runs, "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    try:
        url = None
        while url is None:
            line = p.stdout.readline()
            if not line:
                sys.exit(f"explore exited: {p.wait()}")
            print("  | " + line.rstrip())
            m = re.search(r"(http://127\.0\.0\.1:\d+)/\s+\(ready in ([\d.]+)s", line)
            if m:
                url, reported = m.group(1), float(m.group(2))
        page = httpx.get(url + "/", timeout=30)
        assert page.status_code == 200
        print(f"page served {time.perf_counter() - t0:.2f}s after launch (the CLI reports ready in {reported:.2f}s)")
        c = httpx.Client(base_url=url, timeout=300)
        t1 = time.perf_counter()
        first, n, ids = None, 0, None
        with c.stream("POST", "/api/generate", json={"prompt": PROMPT, "max_new_tokens": 100, "greedy": True}) as r:
            for line in r.iter_lines():
                ev = json.loads(line)
                if ev["type"] == "token":
                    n += 1
                    first = first or time.perf_counter() - t1
                elif ev["type"] == "done":
                    ids = ev["ids"]
        total = time.perf_counter() - t1
        print(f"generate: first token after {1000 * first:.0f} ms, {n} tokens in {total:.2f}s ({n / total:.0f} tokens/s)")
        for name, body in (("attention", {"ids": ids, "layer": 0, "head": 0}), ("neurons", {"ids": ids, "pos": 12}),
                           ("ood (first: reference)", {"ids": ids}), ("ood", {"ids": ids}),
                           ("probes (first: fit)", {"ids": ids, "pos": 12}), ("probes", {"ids": ids, "pos": 12}),
                           ("compare", {"text": PROMPT + " was happy."})):
            path = "/api/" + name.split()[0]
            r, dt = timed(lambda path=path, body=body: c.post(path, json=body))
            print(f"{name:24s} {1000 * dt:7.0f} ms  ({r.status_code})")
        if a.shots:
            _, dt = timed(lambda: shots(url, a.shots, len(a.runs) > 1))
            print(f"screenshots in {a.shots} ({dt:.1f}s)")
    finally:
        p.terminate()
        p.wait(10)


if __name__ == "__main__":
    main()
