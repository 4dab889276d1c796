"""Which training stories made the model say that? Influence of training stories on log p(C | P).

`influence(run, prompt=..., completion=...)` ranks every story of the run's training
shard by its influence on the log-probability of the completion given the prompt, and
for each of the top stories shows the tokens that contribute most. Methods (see
`influence_methods`): ``ekfac``, ``kfac``, ``diagonal`` (influence functions through
kronfluence, factors cached per checkpoint), ``tracin`` (gradient dot products summed
over checkpoints) and ``overlap`` (BM25, the word-matching baseline).

Results go to ``RUN/inspect/influence/<method>-<query>.json``; `storylab report` shows
them (the report's "Influence" section, `storylab.report.influence`). When the run's
corpus carries planted facts (``storylab generate --plant zib=purple``), each query
that names a planted word is scored against that ground truth: precision@k, where k is
the number of stories that carry the fact.
"""

from __future__ import annotations

import json
import re
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from storylab.checkpoint import load_model
from storylab.errors import StorylabError
from storylab.interpret.influence_data import (
    Query,
    TrainWindows,
    catalog,
    encode_query,
    query_batch,
    read_queries,
    words,
)
from storylab.interpret.influence_methods import KRONFLUENCE, METHODS, kronfluence_scores, overlap_scores, tracin_scores
from storylab.io import write_json
from storylab.rundir import RunDir
from storylab.train import lr_at

TOP_TOKENS = 8


def peak_memory_mb() -> float:
    """The process's peak resident memory so far (getrusage; Linux reports KiB, macOS bytes)."""
    import sys

    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return r / (1 << 20) if sys.platform == "darwin" else r / 1024


@dataclass
class InfluenceResult:
    run: str
    method: str
    checkpoint: str
    n_stories: int
    n_windows: int
    queries: list[dict]
    seconds: float
    peak_mb: float
    info: dict = field(default_factory=dict)
    path: str | None = None
    scores: np.ndarray | None = field(default=None, repr=False)   # [n_queries, n_stories], not written

    def summary(self) -> str:
        q = self.queries[0]
        first = q["top"][0] if q["top"] else None
        planted = "".join(f", precision@{p['k']} {p['precision_at_k']:.2f} for planted '{p['word']}'"
                          for p in (q.get("planted") or []))
        cache = f", factors {self.info['factors']}" if "factors" in self.info else ""
        return (f"{self.method}: {len(self.queries)} quer{'y' if len(self.queries) == 1 else 'ies'} over "
                f"{self.n_stories:,} training stories; top story for {q['prompt']!r}->{q['completion']!r}: "
                f"{first['id'] if first else '-'}{planted}{cache}; {self.seconds:.1f}s, peak {self.peak_mb:.0f} MB")

    def to_json(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k not in ("scores",)}


def _slug(q: Query) -> str:
    return re.sub(r"[^a-z0-9]+", "-", q.text.lower()).strip("-")[:48] or "query"


def _train_config(rd):
    from storylab.config import TrainConfig, from_dict

    try:
        return from_dict(TrainConfig, rd.config.get("train", {}), "train.")
    except StorylabError:
        return None


def _learning_rates(rd, steps: list[int], tcfg) -> list[float]:
    """TracIn's weight per checkpoint: the learning rate the run used there. A step schedule
    gives it from the config; a time schedule (``lr_schedule = "time"``) depends on the wall
    clock, so it is read from the nearest line of metrics.jsonl at or before the step."""
    if tcfg is None:
        return [1.0] * len(steps)
    if tcfg.lr_schedule != "time":
        return [lr_at(s, tcfg) for s in steps]
    logged = []
    path = rd.path / "metrics.jsonl"
    if path.exists():
        for line in path.read_text().splitlines():
            m = json.loads(line)
            if "lr" in m and "step" in m:
                logged.append((m["step"], m["lr"]))
    out = []
    for s in steps:
        before = [lr for step, lr in logged if step <= s]
        out.append(before[-1] if before else lr_at(s, tcfg))
    return out


def _story_tokens(tok, ids: np.ndarray, contrib: np.ndarray, n: int) -> list[dict]:
    """The `n` tokens with the largest contribution, each with a little context."""
    out = []
    for pos in np.argsort(-contrib, kind="stable")[:n]:
        if contrib[pos] <= 0 and out:
            break
        lo, hi = max(0, pos - 6), min(len(ids), pos + 5)
        out.append({"pos": int(pos), "token": tok.decode([int(ids[pos])]), "score": float(contrib[pos]),
                    "context": tok.decode(ids[lo:pos].tolist()) + "[[" + tok.decode([int(ids[pos])]) + "]]"
                               + tok.decode(ids[pos + 1:hi].tolist())})
    return out


def _word_tokens(text: str, pairs: list[tuple[str, float]], n: int) -> list[dict]:
    out = []
    for w, s in sorted(pairs, key=lambda p: -p[1])[:n]:
        m = re.search(rf"(?i)\b{re.escape(w)}\b", text)
        pos = m.start() if m else 0
        out.append({"pos": pos, "token": w, "score": float(s),
                    "context": text[max(0, pos - 30):pos] + "[[" + text[pos:pos + len(w)] + "]]" + text[pos + len(w):pos + len(w) + 20]})
    return out


def planted_precision(scores: np.ndarray, cat: list[dict], word: str) -> dict | None:
    """Precision@k of the ranking for the stories that carry planted `word` (k = how many do)."""
    carriers = np.array([c["planted"] == word for c in cat])
    k = int(carriers.sum())
    if k == 0:
        return None
    order = np.argsort(-scores, kind="stable")
    ranks = np.flatnonzero(carriers[order]) + 1
    return {"word": word, "k": k, "precision_at_k": float(carriers[order[:k]].mean()), "ranks": ranks[:50].tolist()}


def influence(run, prompt: str | None = None, completion: str | None = None, queries: list[Query] | str | Path | None = None,
              method: str = "ekfac", top: int = 20, checkpoints: str | None = None, max_stories: int | None = None,
              device: str = "cpu", out: str | Path | None = None, progress: bool = True, batch: int = 16,
              factor_examples: int | None = 100_000, write: bool = True) -> InfluenceResult:
    """Rank the run's training stories by influence on log p(completion | prompt) (see module docstring).

    `queries` may be a list of `Query` or a JSONL path ({"prompt", "completion"} a line);
    `checkpoints` (tracin) picks which checkpoints to sum over (default: all of them)."""
    t0 = time.perf_counter()
    if method not in METHODS:
        raise StorylabError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if top < 1:
        raise StorylabError(f"--top must be at least 1, got {top}")
    queries = _gather_queries(prompt, completion, queries)
    rd = RunDir.open(run)
    data = rd.data()
    if data is None:
        raise StorylabError(f"{rd.path}: cannot find the run's token shards ({rd.data_dir}); influence needs its "
                            "training set")
    model, tok = rd.load(device=device, against_data=True)
    cfg = model.cfg
    queries = [encode_query(q, tok, cfg.vocab_size, cfg.context) for q in queries]
    eot = data.eot_id
    windows = TrainWindows(data.split("train"), eot, cfg.context, limit=max_stories)
    if windows.n_stories == 0:
        raise StorylabError(f"{rd.data_dir}: no training stories")
    cat = catalog(rd, windows.n_stories)
    step, ckpt = rd.latest

    logps = _query_logps(model, queries, eot)
    data_key = f"{data.index.get('tokenizer_hash', '')[:8]}-{data.index['tokens']['train']}-{windows.n_stories}-{factor_examples}"
    wscores, tokfn, info = _window_scores(method, rd, ckpt, windows, tok, queries, eot, data_key, device, checkpoints,
                                          progress, batch, factor_examples)
    scores = np.stack([np.bincount(windows.story, weights=w, minlength=windows.n_stories) for w in wscores])
    tops = [np.argsort(-scores[qi], kind="stable")[:top] for qi in range(len(queries))]
    contrib = _token_contributions(windows, tokfn, tops, len(queries)) if method != "overlap" else {}

    planted_words = sorted({c["planted"] for c in cat if c["planted"]})
    qout = []
    for qi, q in enumerate(queries):
        rows = []
        for rank, s in enumerate(tops[qi], 1):
            s = int(s)
            ids = windows.tokens(s)
            text = tok.decode(ids.tolist())
            toks = (_word_tokens(text, tokfn(s, qi), TOP_TOKENS) if method == "overlap"
                    else _story_tokens(tok, ids, contrib[(qi, s)], TOP_TOKENS))
            rows.append({"rank": rank, "index": s, "id": cat[s]["id"], "planted": cat[s]["planted"],
                         "score": float(scores[qi, s]), "text": text, "tokens": toks})
        qwords = set(words(q.text))
        planted = [p for w in planted_words if w in qwords and (p := planted_precision(scores[qi], cat, w))]
        qout.append({"id": q.id, "prompt": q.prompt, "completion": q.completion, "logp": logps[qi],
                     "completion_tokens": len(q.completion_ids), "top": rows, "planted": planted})

    result = InfluenceResult(run=str(rd.path), method=method, checkpoint=str(ckpt), n_stories=windows.n_stories,
                             n_windows=len(windows), queries=qout, seconds=time.perf_counter() - t0,
                             peak_mb=peak_memory_mb(), info={**info, "step": step, "planted_words": planted_words},
                             scores=scores)
    if write:
        path = Path(out) if out else rd.inspect_dir / "influence" / f"{method}-{_slug(queries[0])}.json"
        result.path = str(path)
        write_json(path, result.to_json())
    return result


def _gather_queries(prompt: str | None, completion: str | None, queries) -> list[Query]:
    """--prompt/--completion first, then any from a JSONL file or list."""
    if isinstance(queries, (str, Path)):
        queries = read_queries(queries)
    queries = list(queries or [])
    if prompt is not None or completion is not None:
        if prompt is None or completion is None:
            raise StorylabError("give both --prompt and --completion (or --queries FILE.jsonl)")
        queries.insert(0, Query(prompt, completion, "q0"))
    if not queries:
        raise StorylabError("no query: give --prompt and --completion, or --queries FILE.jsonl")
    return queries


@torch.no_grad()
def _query_logps(model, queries: list[Query], eot: int) -> list[float]:
    """log p(completion | prompt) of each query under the model."""
    qb = query_batch(queries, eot)
    lp = torch.log_softmax(model(qb["input_ids"]).float(), -1)
    lab = qb["labels"]
    return (lp.gather(-1, lab.clamp(min=0).unsqueeze(-1)).squeeze(-1) * (lab != -100)).sum(1).tolist()


def _window_scores(method, rd, ckpt, windows, tok, queries, eot, data_key, device, checkpoints, progress, batch,
                   factor_examples):
    """(scores per query and training window, per-token scorer, info) for one method."""
    def loader(path):
        return load_model(path, device).eval()

    if method in KRONFLUENCE:
        return kronfluence_scores(method, loader, ckpt, windows, queries, eot, rd.inspect_dir / "influence" / "factors",
                                  data_key, progress, batch=batch, factor_examples=factor_examples)
    if method == "tracin":
        tcfg = _train_config(rd)
        picked = rd.pick(checkpoints or "all")
        lrs = _learning_rates(rd, [s for s, _ in picked], tcfg)
        cks = [(s, lr, p) for (s, p), lr in zip(picked, lrs)]
        wscores, tokfn, info = tracin_scores(cks, loader, windows, queries, eot, progress, batch=batch)
        return wscores, tokfn, {**info, "learning_rates": [lr for _, lr, _ in cks]}
    return overlap_scores(windows, tok, queries, progress)


def _token_contributions(windows, tokfn, tops, n_queries: int) -> dict[tuple[int, int], np.ndarray]:
    """Each top story's per-token share of its score, summed over its windows, per query."""
    contrib: dict[tuple[int, int], np.ndarray] = {}
    widx = windows.windows_of(sorted({int(s) for t in tops for s in t}))
    per_tok = tokfn(widx)                                      # [n_queries, len(widx), T]
    for qi in range(n_queries):
        for wi, w in enumerate(widx):
            s = int(windows.story[w])
            arr = contrib.setdefault((qi, s), np.zeros(windows.ends[s] - windows.starts[s]))
            for t in range(windows.T):
                k = windows.token_index(int(w), t)             # the token predicted at t
                if k >= 0:
                    arr[k] += per_tok[qi, wi, t]
    return contrib


