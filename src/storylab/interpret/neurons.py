"""MLP neurons: top activating tokens in context, and how concentrated they are on a category.

For each neuron of a layer's ``mlp.hook_post`` we keep a running top-k over a stream of
stories (memory: neurons × k, whatever the corpus size). Tokens are tagged with a
category: from the story world's ``meta`` when it has one (the main character's first
introduction, characters, places, times — by character offsets), otherwise from the
packaged vocabulary (names, nouns, verbs, ...), plus punctuation.

Selectivity of a unit is max over categories c of (share_c - base_c) / (1 - base_c):
1 when all its top-k tokens are of one category, 0 when its top tokens look like the
corpus. The same score for random unit directions in the hook_post space is the
baseline: a neuron basis that means something beats random directions.

Top-k over token occurrences saturates easily: a unit whose strongest activations are
twenty full stops is perfectly "selective" for punctuation, and so are many random
directions. The type-level score asks the concept question instead: over *distinct*
tokens (a running max per unit and token id, memory units × vocabulary), are the k
token types a unit likes most of one category (names, places, ...), against the
categories' shares of the token types seen?
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from storylab.device import device_of
from storylab.interpret.common import Story, batches
from storylab.io import atomic_write

CATEGORIES = ("main_intro", "character", "place", "time", "object", "noun", "verb", "adjective", "number",
              "pronoun", "function", "punct", "newline", "other")
_CAT = {c: i for i, c in enumerate(CATEGORIES)}
_WORD = re.compile(r"[A-Za-z]+|\n|[^\sA-Za-z]")
_OBJECT_KINDS = {"toy", "food", "clothing", "household", "tool", "instrument", "vehicle"}
_NUMBERS = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    """Lowercase word form → category, from the packaged vocabulary (empty if unavailable)."""
    try:
        from storylab.world.vocabulary import load_vocabulary

        v = load_vocabulary()
    except Exception:  # the vocabulary is optional for tagging
        return {}
    lex: dict[str, str] = {}

    def put(word, cat):
        for w in str(word).lower().split():
            lex.setdefault(w, cat)

    for n in v.names:
        put(n["name"], "character")
    for p in v.places:
        put(p["word"], "place")
    for t in v.times:
        put(t["word"], "time")
    for w in _NUMBERS:
        put(w, "number")
    for group, words in v.function_words.items():
        for w in words:
            put(w, "pronoun" if group == "pronouns" else "function")
    for n in v.nouns:
        cat = "object" if n.get("kind") in _OBJECT_KINDS else "noun"
        put(n["word"], cat)
        put(n.get("plural", n["word"]), cat)
    for x in v.verbs:
        for k in ("word", "past", "participle", "ing", "third"):
            if k in x:
                put(x[k], "verb")
    for a in v.adjectives:
        put(a["word"], "adjective")
    for k in ("mom", "dad", "grandma", "grandpa"):
        lex[k] = "character"
    return lex


def _spans_from_meta(meta: dict) -> list[tuple[int, int, str]]:
    """(start, end, category) character spans the story world recorded."""
    out = []
    main = meta.get("main_character")
    for c in meta.get("characters") or []:
        off = c.get("first_mention")
        name = str(c.get("title") or c.get("name") or "")
        if isinstance(off, int) and name:
            cat = "main_intro" if (c.get("role") == "main" or c.get("name") == main) else "character"
            out.append((off, off + len(name), cat))
    for p in meta.get("places") or []:
        if isinstance(p.get("offset"), int):
            out.append((p["offset"], p["offset"] + len(str(p.get("name", "x"))), "place"))
    for t in meta.get("times") or []:
        if isinstance(t.get("offset"), int):
            out.append((t["offset"], t["offset"] + len(str(t.get("word", "x"))), "time"))
    return out


def tag_story(story: Story) -> list[str]:
    """One category per token of `story` (the leading end-of-text token is 'other')."""
    text, lex = story.text, _lexicon()
    cat = np.full(len(text) + 1, _CAT["other"], dtype=np.int8)
    names = {str(c.get("name", "")).lower() for c in (story.meta.get("characters") or [])}
    for m in _WORD.finditer(text):
        w = m.group()
        if w == "\n":
            c = "newline"
        elif not w[0].isalpha():
            c = "punct"
        else:
            lw = w.lower()
            c = "character" if lw in names else lex.get(lw, "other")
            if c == "other" and w[0].isupper() and m.start() > 0 and text[m.start() - 2:m.start()].strip() not in (".", "!", "?", '"', ""):
                c = "character"  # a capitalised word mid-sentence: a name
        cat[m.start():m.end()] = _CAT[c]
    for s, e, c in _spans_from_meta(story.meta):
        cat[s:e] = _CAT[c]
    tags = []
    for t, (s, e) in enumerate(story.offsets):
        if t == 0 and (s, e) == (0, 0):
            tags.append("other")
            continue
        j = s
        while j < e and text[j].isspace() and text[j] != "\n":
            j += 1
        tags.append(CATEGORIES[cat[min(j, len(text))]])
    return tags


class RunningTopK:
    """Per-unit top-k values with integer keys, merged batch by batch."""

    def __init__(self, n_units: int, k: int):
        self.k = k
        self.vals = torch.full((n_units, k), float("-inf"))
        self.keys = torch.full((n_units, k), -1, dtype=torch.long)

    def update(self, acts: torch.Tensor, keys: torch.Tensor) -> None:
        """acts [n, units], keys [n]."""
        if acts.shape[0] == 0:
            return
        kk = min(self.k, acts.shape[0])
        v, i = torch.topk(acts.float().cpu(), kk, dim=0)        # [kk, units]
        allv = torch.cat([self.vals, v.T], dim=1)
        allk = torch.cat([self.keys, keys.cpu()[i].T], dim=1)
        top, j = torch.topk(allv, self.k, dim=1)
        self.vals, self.keys = top, allk.gather(1, j)


def selectivity(cat_ids: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, best category, shares [units, C]) from top-k category ids [units, k] (-1: empty)."""
    C = len(base)
    valid = cat_ids >= 0
    shares = np.zeros((cat_ids.shape[0], C))
    for c in range(C):
        shares[:, c] = ((cat_ids == c) & valid).sum(1)
    shares /= np.maximum(valid.sum(1, keepdims=True), 1)
    norm = (shares - base[None]) / np.maximum(1 - base[None], 1e-9)
    norm[:, base <= 0] = -np.inf  # a category absent from the corpus cannot win
    best = norm.argmax(1)
    return norm[np.arange(len(best)), best], best, shares


@dataclass
class NeuronReport:
    layer: int
    score: np.ndarray           # [units]
    best: list[str]
    shares: np.ndarray          # [units, C]
    values: np.ndarray          # [units, k]
    keys: np.ndarray            # [units, k] flat token index
    random_scores: np.ndarray   # [R]
    base: dict
    type_score: np.ndarray | None = None      # [units] the same over distinct tokens (see analyze_neurons)
    type_best: list | None = None
    type_top: np.ndarray | None = None        # [units, k] token ids
    random_type_scores: np.ndarray | None = None

    @property
    def baseline(self) -> dict:
        r = self.random_scores
        return {"mean": float(r.mean()), "p95": float(np.quantile(r, 0.95)), "max": float(r.max()), "n": int(len(r))}

    def order(self) -> np.ndarray:
        """Most selective first: by the type-level score (it does not saturate), then the token-level one."""
        if self.type_score is None:
            return np.argsort(-self.score, kind="stable")
        return np.lexsort((-self.score, -self.type_score))

    def summary(self) -> dict:
        b = self.baseline
        out = {"layer": self.layer, "neurons": int(len(self.score)), "mean_selectivity": float(self.score.mean()),
               "random_mean": b["mean"], "random_p95": b["p95"],
               "share_above_random_p95": float((self.score > b["p95"]).mean())}
        if self.type_score is not None:
            r = self.random_type_scores
            p95 = float(np.quantile(r, 0.95))
            out.update({"mean_type_selectivity": float(self.type_score.mean()), "random_type_mean": float(r.mean()),
                        "random_type_p95": p95, "share_type_above_random_p95": float((self.type_score > p95).mean())})
        return out


@torch.no_grad()
def analyze_neurons(model, stories: list[Story], layers: list[int] | None = None, k: int = 20, n_random: int = 128,
                    batch_size: int = 8, seed: int = 0, tags: list[list[str]] | None = None,
                    progress=None) -> tuple[list[NeuronReport], list[list[str]]]:
    """Running top-k per neuron of each layer in `layers` (default all), with selectivity.

    Returns the reports and the per-story token tags used. Position 0 (the end-of-text
    token every story starts with) is left out: it is the same context every time."""
    model.eval()
    cfg = model.cfg
    layers = list(range(cfg.n_layers)) if layers is None else list(layers)
    tags = tags if tags is not None else [tag_story(s) for s in stories]
    starts = np.cumsum([0] + [len(s) for s in stories])
    flat_cat = np.concatenate([np.array([_CAT[t] for t in tg], dtype=np.int64) for tg in tags])
    mask_all = np.ones(len(flat_cat), dtype=bool)
    mask_all[starts[:-1]] = False
    base = np.bincount(flat_cat[mask_all], minlength=len(CATEGORIES)) / max(mask_all.sum(), 1)
    hidden = cfg.hidden
    g = torch.Generator().manual_seed(seed)
    U = torch.randn(hidden, n_random, generator=g)
    U /= U.norm(dim=0, keepdim=True)
    dev = device_of(model)
    U = U.to(dev)
    tops = {l: RunningTopK(hidden, k) for l in layers}
    rtops = {l: RunningTopK(n_random, k) for l in layers}
    V = cfg.vocab_size
    tmax = {l: torch.full((V, hidden), float("-inf")) for l in layers}     # running max per token id
    rtmax = {l: torch.full((V, n_random), float("-inf")) for l in layers}
    flat_ids = torch.as_tensor(np.concatenate([np.asarray(s.ids, dtype=np.int64) for s in stories]))
    names = [f"blocks.{l}.mlp.hook_post" for l in layers]
    for idx, tokens, lengths in batches(stories, batch_size):
        T = tokens.shape[1]
        _, cache = model.run_with_cache(tokens.to(dev), names=names)
        valid = torch.arange(T)[None, :] < lengths[:, None]
        valid[:, 0] = False
        keys = torch.as_tensor(starts[idx])[:, None] + torch.arange(T)[None, :]
        keys = keys[valid]
        ids = flat_ids[keys]
        for l, n in zip(layers, names):
            a = cache[n].float()[valid.to(dev)]                   # [n_tok, hidden]
            ra = a @ U
            tops[l].update(a, keys)
            rtops[l].update(ra, keys)
            tmax[l].scatter_reduce_(0, ids[:, None].expand(-1, hidden), a.cpu(), "amax")
            rtmax[l].scatter_reduce_(0, ids[:, None].expand(-1, n_random), ra.cpu(), "amax")
        if progress:
            progress(len(idx))
    # each token id's usual category; base rates over the distinct ids seen
    C = len(CATEGORIES)
    pair = np.bincount(flat_ids.numpy()[mask_all] * C + flat_cat[mask_all], minlength=V * C).reshape(V, C)
    seen = pair.sum(1) > 0
    id_cat = np.where(seen, pair.argmax(1), -1)
    type_base = np.bincount(id_cat[seen], minlength=C) / max(seen.sum(), 1)
    kt = min(k, int(seen.sum()))

    def type_sel(m: torch.Tensor):
        top = torch.topk(m.T, kt, dim=1).indices.numpy()        # [units, kt] token ids
        sc, best, _ = selectivity(id_cat[top], type_base)
        return sc, best, top

    reports = []
    for l in layers:
        t, r = tops[l], rtops[l]
        cid = np.where(t.keys.numpy() >= 0, flat_cat[t.keys.numpy().clip(0)], -1)
        score, best, shares = selectivity(cid, base)
        rcid = np.where(r.keys.numpy() >= 0, flat_cat[r.keys.numpy().clip(0)], -1)
        rscore, _, _ = selectivity(rcid, base)
        tsc, tbest, ttop = type_sel(tmax[l])
        rtsc, _, _ = type_sel(rtmax[l])
        reports.append(NeuronReport(l, score, [CATEGORIES[b] for b in best], shares, t.vals.numpy(), t.keys.numpy(),
                                    rscore, {c: float(base[i]) for i, c in enumerate(CATEGORIES)},
                                    tsc, [CATEGORIES[b] for b in tbest], ttop, rtsc))
    return reports, tags


def contexts(report: NeuronReport, unit: int, stories: list[Story], tokenizer, n: int = 5, before: int = 10,
             after: int = 3, tags=None) -> list[dict]:
    """The unit's top activations as {token, before, after, activation, category}."""
    starts = np.cumsum([0] + [len(s) for s in stories])
    out = []
    for v, key in zip(report.values[unit][:n], report.keys[unit][:n]):
        if key < 0:
            continue
        i = int(np.searchsorted(starts, key, side="right") - 1)
        p = int(key - starts[i])
        ids = stories[i].ids
        out.append({"story": i, "pos": p, "activation": round(float(v), 4),
                    "token": tokenizer.decode([ids[p]]),
                    "before": tokenizer.decode(ids[max(1, p - before):p]),
                    "after": tokenizer.decode(ids[p + 1:p + 1 + after]),
                    "category": tags[i][p] if tags is not None else None})
    return out


def neurons_json(reports: list[NeuronReport], stories, tokenizer, tags, n_examples: int = 5) -> dict:
    layers = []
    for r in reports:
        units = []
        for u in r.order():
            units.append({"neuron": int(u), "selectivity": round(float(r.score[u]), 4), "category": r.best[u],
                          "share": round(float(r.shares[u, _CAT[r.best[u]]]), 4),
                          "type_selectivity": round(float(r.type_score[u]), 4), "type_category": r.type_best[u],
                          "top_tokens": [tokenizer.decode([int(i)]) for i in r.type_top[u][:10]],
                          "examples": contexts(r, int(u), stories, tokenizer, n_examples, tags=tags)})
        layers.append({**r.summary(), "baseline": r.baseline, "base_rates": r.base, "neurons": units})
    return {"categories": list(CATEGORIES), "layers": layers}


def top_neurons(reports: list[NeuronReport], n: int = 5, tokenizer=None) -> list[dict]:
    """The `n` most selective neurons over all layers (type-level score, then token-level)."""
    rows = [(float(r.score[u]), float(r.type_score[u]), r, int(u)) for r in reports for u in range(len(r.score))]
    rows.sort(key=lambda x: (-x[1], -x[0]))
    out = []
    for s, ts, r, u in rows[:n]:
        d = {"layer": r.layer, "neuron": u, "selectivity": round(s, 4), "category": r.best[u],
             "share": round(float(r.shares[u, _CAT[r.best[u]]]), 3), "type_selectivity": round(ts, 4),
             "type_category": r.type_best[u]}
        if tokenizer is not None:
            d["top_tokens"] = [tokenizer.decode([int(i)]) for i in r.type_top[u][:6]]
        out.append(d)
    return out


def write_html(path: Path, reports: list[NeuronReport], stories, tokenizer, tags, per_layer: int = 64,
               n_examples: int = 10) -> Path:
    """One page: per layer, the most selective neurons first, each with highlighted contexts."""
    esc = lambda s: html.escape(s).replace("\n", "⏎")
    parts = ["<!doctype html><meta charset='utf-8'><title>storylab neurons</title><style>",
             "body{font-family:sans-serif;max-width:70em;margin:auto} .ctx{font-family:monospace;font-size:12px;"
             "white-space:pre-wrap;margin:1px 0} mark{padding:0 1px} h3{margin-bottom:2px} .meta{color:#666;"
             "font-size:12px}</style><h1>Neurons, most selective first</h1>",
             "<p>Selectivity: the largest (share − base rate)/(1 − base rate) over token categories among a "
             "neuron's top activations (token level), or among the token types it likes most (type level, the "
             "sort key); the random-direction baseline is the same score for random unit vectors in the same "
             "space.</p>"]
    for r in reports:
        b = r.baseline
        sm = r.summary()
        tl = (f"; type level: neurons {sm['mean_type_selectivity']:.3f}, random {sm['random_type_mean']:.3f} (p95 "
              f"{sm['random_type_p95']:.3f}), neurons above it {sm['share_type_above_random_p95']:.0%}"
              if r.type_score is not None else "")
        parts.append(f"<h2>layer {r.layer}</h2><p class=meta>token level: random directions mean {b['mean']:.3f}, "
                     f"95th percentile {b['p95']:.3f}; neurons above it: "
                     f"{(r.score > b['p95']).mean():.0%}{tl}</p>")
        for u in r.order()[:per_layer]:
            top = float(r.values[u][0]) or 1.0
            types = ""
            if r.type_score is not None:
                toks = ", ".join(esc(repr(tokenizer.decode([int(i)]))) for i in r.type_top[u][:8])
                types = f"; types: {esc(r.type_best[u])} {r.type_score[u]:.3f} ({toks})"
            parts.append(f"<h3>L{r.layer}.N{u} — {esc(r.best[u])} "
                         f"<span class=meta>selectivity {r.score[u]:.3f}{types}</span></h3>")
            for ex in contexts(r, int(u), stories, tokenizer, n_examples, tags=tags):
                alpha = max(0.15, min(1.0, ex["activation"] / top)) if top > 0 else 0.5
                parts.append(f"<div class=ctx>{esc(ex['before'])}<mark style='background:rgba(255,140,0,{alpha:.2f})'>"
                             f"{esc(ex['token'])}</mark>{esc(ex['after'])} <span class=meta>"
                             f"{ex['activation']:.2f} {ex['category']}</span></div>")
    with atomic_write(path) as f:
        f.write("\n".join(parts))
    return Path(path)
