"""What the explorer computes, as plain functions of an opened run: a notebook can call them too.

`ExploreRun` is one run, loaded once (model in eval mode, checked tokenizer), with the
analyses `storylab inspect` wrote read lazily from ``RUN/inspect/`` and the things that
are slow to build (probe fits, the unigram, OOD reference values) built on first use
and kept in memory. Every method takes token ids, never a file path.

Token sequences start with the end-of-text token, as stories do in training, so the
first real token gets a prediction too.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from storylab.errors import StorylabError
from storylab.model import KVCache
from storylab.rundir import RunDir
from storylab.sample import filter_logits
from storylab.tokenizer import EOT

TOP = 10                  # alternatives shown on hover
PROBE_STORIES = 200       # stories probes are fitted on, when the run's corpus has story-world meta
OOD_STORIES = 48          # clean stories for the OOD reference, when inspect/ood.json is absent

INSPECT_HINT = "run `storylab inspect {path}` to add it"


def _r(x: float, n: int = 5) -> float | None:
    x = float(x)
    return round(x, n) if math.isfinite(x) else None


@dataclass
class ExploreRun:
    """One run opened for exploring. Thread-safe: the model is only read; caches fill under a lock."""

    rundir: RunDir
    model: object
    tok: object
    step: int
    load_seconds: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, run, device: str = "cpu") -> ExploreRun:
        t0 = time.perf_counter()
        rd = run if isinstance(run, RunDir) else RunDir.open(run)
        model, tok = rd.load(device=device)
        for p in model.parameters():
            p.requires_grad_(False)
        if tok.token_to_id(EOT) is None:
            raise StorylabError(f"{rd.path}: tokenizer has no {EOT} token")
        return cls(rd, model, tok, rd.latest[0], time.perf_counter() - t0)

    # --- facts ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.rundir.name

    @property
    def cfg(self):
        return self.model.cfg

    @property
    def eot(self) -> int:
        return self.tok.token_to_id(EOT)

    def summary(self) -> str:
        c = self.cfg
        return (f"{self.name}: {self.model.num_params():,} parameters, {c.n_layers} layers x {c.n_heads} heads, "
                f"context {c.context}, step {self.step}")

    def info(self) -> dict:
        c = self.cfg
        d = self.rundir.inspect_dir
        return {"name": self.name, "step": self.step, "params": self.model.num_params(), "n_layers": c.n_layers,
                "n_heads": c.n_heads, "d_model": c.d_model, "hidden": c.hidden, "context": c.context,
                "vocab_size": c.vocab_size,
                "inspect": {k: (d / f"{k}.json").is_file() for k in ("heads", "neurons", "probes", "ood")}}

    def _cached(self, key: str, build):
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _inspect_json(self, name: str) -> dict | None:
        path = self.rundir.inspect_dir / f"{name}.json"
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError, OSError):
            return {"_error": f"inspect/{name}.json is unreadable; rerun `storylab inspect`"}

    # --- tokens ----------------------------------------------------------------------------

    def encode(self, text: str) -> tuple[list[int], bool]:
        """[EOT] + the text's ids, keeping the last context-1 tokens; (ids, truncated)."""
        ids = [self.eot] + self.tok.encode(text, add_special_tokens=False).ids
        keep = self.cfg.context - 1
        return (ids[-keep:], True) if len(ids) > keep else (ids, False)

    def check_ids(self, ids) -> list[int]:
        if not isinstance(ids, list) or not ids or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise StorylabError("ids must be a non-empty list of integers")
        if len(ids) > self.cfg.context:
            raise StorylabError(f"{len(ids)} tokens exceed the model's context of {self.cfg.context}")
        if any(i < 0 or i >= self.cfg.vocab_size for i in ids):
            raise StorylabError(f"token ids must lie in [0, {self.cfg.vocab_size})")
        return ids

    def piece(self, i: int) -> str:
        return EOT if i == self.eot else self.tok.decode([i], skip_special_tokens=False)

    def pieces(self, ids: list[int]) -> list[str]:
        """Each token's text, so that the pieces join to the decoded text (leading spaces kept)."""
        out, start, prev = [], 0, ""
        for k, i in enumerate(ids):
            if i == self.eot:
                out.append(EOT)
                start, prev = k + 1, ""
                continue
            cur = self.tok.decode(ids[start:k + 1])
            out.append(cur[len(prev):] if cur.startswith(prev) else self.tok.decode([i]))
            prev = cur
        return out

    def _row(self, logp: torch.Tensor, nxt: int, text: str) -> dict:
        top = torch.topk(logp, min(TOP, logp.numel()))
        return {"id": int(nxt), "text": text, "p": _r(logp[nxt].exp(), 6), "lp": _r(logp[nxt], 4),
                "top": [[self.piece(int(j)), _r(v.exp(), 6)] for v, j in zip(top.values, top.indices)]}

    @torch.no_grad()
    def score(self, ids: list[int]) -> dict:
        """Each token's probability under the model (teacher-forced) and the top alternatives."""
        ids = self.check_ids(ids)
        logits = self.model(torch.tensor([ids]))[0].float()
        return {"tokens": self._rows(ids, logits.log_softmax(-1))}

    def _rows(self, ids, logp) -> list[dict]:
        texts = self.pieces(ids)
        rows = [{"id": ids[0], "text": texts[0], "p": None, "lp": None, "top": []}]
        rows += [self._row(logp[k - 1], ids[k], texts[k]) for k in range(1, len(ids))]
        return rows

    # --- generation ------------------------------------------------------------------------

    def stream(self, ids: list[int], max_new_tokens: int, temperature: float = 1.0, top_k: int = 0,
               greedy: bool = False, seed: int = 0) -> Iterator[dict]:
        """Events while writing: {"type": "prompt", tokens}, then {"type": "token", ...} per new
        token (probability under the untempered distribution, top alternatives), then
        {"type": "done", reason, ids}. Each forward pass is its own `no_grad` block, so the
        generator may be resumed on any thread (grad mode is per thread)."""
        ids = self.check_ids(list(ids))
        ctx = self.cfg.context
        n_new = max(0, min(int(max_new_tokens), ctx - len(ids)))
        dev = next(self.model.parameters()).device
        t0 = time.perf_counter()
        with torch.no_grad():
            cache = KVCache(self.cfg, 1, len(ids) + max(n_new, 1), dev, next(self.model.parameters()).dtype)
            logits = self.model(torch.tensor([ids], device=dev), kv_cache=cache, pos=0)[0].float()
            yield {"type": "prompt", "tokens": self._rows(ids, logits.log_softmax(-1))}
        last = logits[-1]
        gen = torch.Generator(device=dev).manual_seed(int(seed))
        out = list(ids)
        text = self.tok.decode(out)
        reason = "cap" if n_new < ctx - len(ids) else "context"
        for _ in range(n_new):
            with torch.no_grad():
                logp = last.log_softmax(-1)
                if greedy or temperature <= 0:
                    nxt = int(last.argmax())
                else:
                    probs = filter_logits(last / temperature, int(top_k)).softmax(-1)
                    nxt = int(torch.multinomial(probs, 1, generator=gen))
                if nxt == self.eot:
                    yield {"type": "token", **self._row(logp, nxt, EOT)}
                    reason = "end of text"
                    break
                new = self.tok.decode(out + [nxt])
                piece = new[len(text):] if new.startswith(text) else self.tok.decode([nxt])
                text = new
                row = self._row(logp, nxt, piece)
                out.append(nxt)
                if len(out) < len(ids) + n_new:
                    last = self.model(torch.tensor([[nxt]], device=dev), kv_cache=cache, pos=len(out) - 1)[0, -1].float()
            yield {"type": "token", **row}
        yield {"type": "done", "reason": reason, "new_tokens": len(out) - len(ids), "ids": out,
               "seconds": round(time.perf_counter() - t0, 3)}

    # --- attention -------------------------------------------------------------------------

    def head_classes(self) -> dict:
        """Every head's class from inspect/heads.json, or a hint when it is missing."""
        data = self._cached("heads", lambda: self._inspect_json("heads"))
        if data is None:
            return {"hint": f"no head classes for this run: {INSPECT_HINT.format(path=self.rundir.path)}"}
        if "_error" in data:
            return {"hint": data["_error"]}
        out = {}
        for h in data.get("heads", []):
            keys = ("positional", "semantic", "prev_token", "induction", "sink")
            out[f"{h.get('layer')}.{h.get('head')}"] = {"label": h.get("label"), **{k: h.get(k) for k in keys}}
        return {"heads": out, "counts": data.get("counts", {})}

    @torch.no_grad()
    def attention(self, ids: list[int], layer: int, head: int) -> dict:
        ids = self.check_ids(ids)
        if not (0 <= layer < self.cfg.n_layers and 0 <= head < self.cfg.n_heads):
            raise StorylabError(f"no head {layer}.{head} (the model has {self.cfg.n_layers} layers x "
                                f"{self.cfg.n_heads} heads)")
        name = f"blocks.{layer}.attn.hook_pattern"
        _, cache = self.model.run_with_cache(torch.tensor([ids]), names=[name])
        pat = cache[name][0, head].float().cpu().numpy()
        classes = self.head_classes()
        return {"layer": layer, "head": head, "tokens": self.pieces(ids),
                "pattern": [[round(float(v), 4) for v in row[:i + 1]] for i, row in enumerate(pat)],
                "class": (classes.get("heads") or {}).get(f"{layer}.{head}"), "hint": classes.get("hint")}

    # --- neurons ---------------------------------------------------------------------------

    def _neuron_index(self) -> dict:
        def build():
            data = self._inspect_json("neurons")
            if data is None:
                return {"hint": f"no neuron contexts from the corpus: {INSPECT_HINT.format(path=self.rundir.path)}; "
                                f"showing activations on this text only"}
            if "_error" in data:
                return {"hint": data["_error"]}
            idx = {}
            for layer in data.get("layers", []):
                for u in layer.get("neurons", []):
                    idx[(layer.get("layer"), u.get("neuron"))] = {
                        k: u.get(k) for k in ("category", "selectivity", "type_category", "type_selectivity",
                                              "top_tokens", "examples")}
            return {"index": idx}
        return self._cached("neurons", build)

    @torch.no_grad()
    def neurons(self, ids: list[int], pos: int, per_layer: int = 5) -> dict:
        """The MLP neurons (``blocks.{l}.mlp.hook_post``) most active at token `pos`, per layer,
        with where else in the text each fires most and, from inspect, its top corpus contexts."""
        ids = self.check_ids(ids)
        if not 0 <= pos < len(ids):
            raise StorylabError(f"position {pos} is outside the text ({len(ids)} tokens)")
        L = self.cfg.n_layers
        names = [f"blocks.{l}.mlp.hook_post" for l in range(L)]
        _, cache = self.model.run_with_cache(torch.tensor([ids]), names=names)
        texts = self.pieces(ids)
        known = self._neuron_index()
        layers = []
        for l, n in enumerate(names):
            a = cache[n][0].float()                                 # [T, hidden]
            vals, units = torch.topk(a[pos], min(per_layer, a.shape[1]))
            rows = []
            for v, u in zip(vals.tolist(), units.tolist()):
                col = a[:, u]
                order = torch.argsort(col, descending=True)[:5].tolist()
                row = {"layer": l, "neuron": u, "activation": _r(v, 4),
                       "in_text": [{"pos": int(p), "token": texts[p], "activation": _r(col[p], 4)} for p in order]}
                info = (known.get("index") or {}).get((l, u))
                if info:
                    row["inspect"] = info
                    ex = info.get("examples") or []
                    if ex and ex[0].get("activation"):
                        row["of_corpus_max"] = _r(v / ex[0]["activation"], 3)
                rows.append(row)
            layers.append({"layer": l, "neurons": rows})
        return {"pos": pos, "token": texts[pos], "layers": layers, "hint": known.get("hint")}

    # --- probes ----------------------------------------------------------------------------

    def _probes(self) -> dict:
        """Probes fitted on the run's own stories (story-world meta), one per layer and dataset.

        inspect/probes.json keeps scores, not weights, so the explorer fits its own
        (ridge / logistic, as inspect does) on 3/4 of the examples and reports the
        held-out score of each beside its readout."""
        def build():
            from storylab.interpret.probes import (
                builtin_datasets,
                collect_activations,
                fit_logistic,
                fit_ridge,
                layer_names,
                r2_score,
                random_split,
            )
            t0 = time.perf_counter()
            try:
                records = self.rundir.stories(PROBE_STORIES)
            except StorylabError as e:
                return {"hint": f"no probe data: {e}"}
            datasets = [d for d in builtin_datasets(records) if len(d) >= 20]
            datasets = [d for d in datasets if not d.classify or len(np.unique(d.y)) >= 2]
            if not datasets:
                return {"hint": "no probe data: the run's stories carry no story-world meta (places, times, "
                                "characters); probes need a corpus made by `storylab generate`"}
            acts = collect_activations(self.model, self.tok, datasets)
            labels = [lab for lab, _ in layer_names(self.cfg.n_layers)]
            fitted = []
            for ds, (a, keep) in zip(datasets, acts):
                if keep.sum() < 20 or (ds.classify and len(np.unique(ds.y[keep])) < 2):
                    continue  # its examples sit past the model's context
                y = ds.y[keep]
                tr, te = random_split(int(keep.sum()), 0.25, seed=0)
                per = {}
                for lab in labels:
                    X = a[lab][keep].astype(np.float64)
                    if ds.classify:
                        p = fit_logistic(X[tr], y[tr])  # one penalty: cross-validating it costs seconds
                        held = float((p.predict(X[te]) == y[te]).mean())
                    else:
                        p = fit_ridge(X[tr], y[tr])
                        held = r2_score(y[te], p.predict(X[te]), y[tr].mean(0))
                    per[lab] = (p, held)
                fitted.append({"name": ds.name, "classify": ds.classify, "targets": ds.target_names,
                               "n": int(keep.sum()), "layers": per})
            if not fitted:
                return {"hint": "no probe data: too few probe examples fall within the model's context"}
            return {"datasets": fitted, "seconds": round(time.perf_counter() - t0, 2), "stories": len(records)}
        return self._cached("probes", build)

    @torch.no_grad()
    def probes(self, ids: list[int], pos: int) -> dict:
        """Each probe's readout at token `pos` after the embedding and after each layer."""
        from storylab.interpret.probes import layer_names

        ids = self.check_ids(ids)
        if not 0 <= pos < len(ids):
            raise StorylabError(f"position {pos} is outside the text ({len(ids)} tokens)")
        fitted = self._probes()
        if "hint" in fitted:
            return {"hint": fitted["hint"], "datasets": []}
        names = layer_names(self.cfg.n_layers)
        _, cache = self.model.run_with_cache(torch.tensor([ids]), names=[n for _, n in names])
        out = []
        for ds in fitted["datasets"]:
            rows = []
            for lab, hook in names:
                probe, held = ds["layers"][lab]
                x = cache[hook][0, pos].float().cpu().numpy()[None].astype(np.float64)
                pred = probe.predict(x)[0]
                value = str(pred) if ds["classify"] else [_r(v, 3) for v in np.atleast_1d(pred)]
                rows.append({"layer": lab, "value": value, "heldout": _r(held, 3)})
            out.append({"dataset": ds["name"], "metric": "accuracy" if ds["classify"] else "R²",
                        "targets": ds["targets"], "n": ds["n"], "layers": rows})
        return {"pos": pos, "token": self.pieces(ids)[pos], "datasets": out,
                "note": f"probes fitted here on {fitted['stories']} of the run's stories in {fitted['seconds']}s; "
                        f"held-out score on a random quarter of the examples. The same words recur in both "
                        f"quarters, so a high score may only mean the probe reads the word (the embed row shows "
                        f"how far word identity alone goes); `storylab inspect --probes` adds block holdout and "
                        f"control tasks"}

    # --- out of distribution ---------------------------------------------------------------

    def _log_unigram(self) -> tuple[torch.Tensor, str] | None:
        def build():
            from storylab.interpret.ood import unigram_from_tokens

            V = self.cfg.vocab_size
            data = None
            try:
                data = self.rundir.data()
            except StorylabError:
                pass
            if data is not None:
                u, src = unigram_from_tokens(data.split("train"), V), "the run's training shard"
            else:
                try:
                    recs = self.rundir.stories(OOD_STORIES * 4)
                except StorylabError:
                    return None
                ids = [i for r in recs for i in self.encode(r["text"])[0]]
                if not ids:
                    return None
                u, src = unigram_from_tokens(np.asarray(ids), V), "the run's stories (training shard not found)"
            return torch.as_tensor(np.log(np.maximum(u, 1e-30)), dtype=torch.float32), src
        return self._cached("unigram", build)

    def _ood_reference(self, lu: torch.Tensor) -> dict:
        """Mean KL of clean stories and of fully shuffled ones: from inspect/ood.json, else measured."""
        def build():
            data = self._inspect_json("ood")
            if data and "_error" not in data and "conditions" in data:
                c = data["conditions"]
                return {"source": "inspect/ood.json",
                        **{k: _r(c[n]["kl_mean"], 4) for k, n in (("clean", "shuffle_0"), ("shuffled", "shuffle_100"),
                                                                   ("random", "random_tokens")) if n in c}}
            from storylab.interpret.ood import measure, shuffle_tokens

            try:
                recs = self.rundir.stories(OOD_STORIES)
            except StorylabError:
                return {"source": "none: no stories found for a reference"}
            clean = [self.encode(r["text"])[0][:64] for r in recs]
            clean = [s for s in clean if len(s) > 4]
            if not clean:
                return {"source": "none: no stories found for a reference"}
            rng = random.Random(0)
            kc, _ = measure(self.model, clean, lu)
            ks, _ = measure(self.model, [shuffle_tokens(s, 1.0, rng) for s in clean], lu)
            return {"source": f"{len(clean)} of the run's stories, first 64 tokens", "clean": _r(kc.mean(), 4),
                    "clean_std": _r(kc.std(), 4), "shuffled": _r(ks.mean(), 4)}
        return self._cached("ood_ref", build)

    @torch.no_grad()
    def ood(self, ids: list[int]) -> dict:
        """OOD score of a text (Kang et al.): mean over positions of KL(model's next-token
        distribution ‖ training unigram). Low KL: the model has fallen back on the unigram,
        as it does far from its training data; compare with the run's clean stories."""
        ids = self.check_ids(ids)
        lu = self._log_unigram()
        if lu is None:
            return {"hint": "no unigram: the run's token shards and corpus are both gone"}
        lu, src = lu
        logp = self.model(torch.tensor([ids]))[0].float().log_softmax(-1)
        kl = (logp.exp() * (logp - lu)).sum(-1)
        per = kl[1:] if len(ids) > 1 else kl
        ref = self._ood_reference(lu)
        return {"kl": _r(per.mean(), 4), "per_token": [_r(v, 3) for v in kl.tolist()], "unigram": src,
                "reference": ref}

    # --- capability suite ------------------------------------------------------------------

    def suite(self, skill: str, limit: int = 40, offset: int = 0) -> dict:
        """The capability suite's choice items of `skill`, scored by `evaluate.suite.score_items`:
        the model's choice (highest summed log-probability) and its margin over the runner-up."""
        from storylab.evaluate.suite import score_items, wilson

        items = [it for it in suite_items() if it.skill == skill and it.type == "choice"]
        if not items:
            raise StorylabError(f"no choice items for skill {skill!r}")
        part = items[offset:offset + limit]
        with torch.no_grad():
            results = score_items(self.model, self.tok, part)
        rows = []
        for it, r in zip(part, results):
            lps = r.logprobs
            choice = int(np.argmax(lps))
            others = sorted(lps[:choice] + lps[choice + 1:], reverse=True)
            rows.append({"id": it.id, "prompt": it.prompt, "options": it.options, "logprobs": [_r(v, 3) for v in lps],
                         "choice": choice, "correct": r.correct, "margin": _r(lps[choice] - others[0], 3),
                         "answer_margin": _r(lps[0] - max(lps[1:]), 3), "subskill": it.subskill})
        correct = sum(r.correct for r in results)
        lo, hi = wilson(correct, len(results))
        return {"skill": skill, "total": len(items), "offset": offset, "n": len(rows), "acc": _r(correct / len(rows), 4),
                "ci": [_r(lo, 3), _r(hi, 3)], "chance": _r(sum(it.chance for it in part) / len(part), 3), "items": rows}


_SUITE: list | None = None
_SUITE_LOCK = threading.Lock()


def suite_items() -> list:
    """The built-in capability suite (no user files: the explorer takes no paths)."""
    global _SUITE
    with _SUITE_LOCK:
        if _SUITE is None:
            from storylab.evaluate.tasks import load_tasks

            _SUITE = load_tasks()
        return _SUITE


def suite_skills() -> list[dict]:
    from storylab.evaluate.tasks import sort_skills

    counts: dict[str, int] = {}
    for it in suite_items():
        if it.type == "choice":
            counts[it.skill] = counts.get(it.skill, 0) + 1
    return [{"skill": s, "items": counts[s]} for s in sort_skills(counts)]


# --- two runs ----------------------------------------------------------------------------------


@torch.no_grad()
def token_logprobs(run: ExploreRun, text: str) -> tuple[list[tuple[int, int]], list[float], list[str], bool]:
    """(character spans, log-probabilities, pieces, truncated) of each token of `text` under `run`."""
    enc = run.tok.encode(text, add_special_tokens=False)
    ids, offs = [run.eot] + list(enc.ids), [(0, 0)] + [tuple(o) for o in enc.offsets]
    cut = len(ids) > run.cfg.context
    ids, offs = ids[:run.cfg.context], offs[:run.cfg.context]
    logp = run.model(torch.tensor([ids]))[0].float().log_softmax(-1)
    lps = logp[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].tolist()
    return offs[1:], lps, run.pieces(ids)[1:], cut


def compare(a: ExploreRun, b: ExploreRun, text: str) -> dict:
    """Per-token log-probability of `text` under two runs and the difference (b − a).

    With the same tokenizer the segments are the tokens. With different tokenizers they
    are the shortest spans on whose edges both tokenizations agree, each run's
    log-probabilities summed within a span, so the two sides always cover the same text."""
    if not text.strip():
        raise StorylabError("nothing to compare: the text is empty")
    sa, la, pa, ca = token_logprobs(a, text)
    sb, lb, pb, cb = token_logprobs(b, text)
    end = min(sa[-1][1] if sa else 0, sb[-1][1] if sb else 0)
    ends_b = {e for _, e in sb}
    cuts = sorted({e for _, e in sa if e in ends_b and e <= end})
    segs, start = [], 0
    ia = ib = 0
    for c in cuts:
        sum_a = sum_b = 0.0
        na = nb = 0
        while ia < len(sa) and sa[ia][1] <= c:
            sum_a, na, ia = sum_a + la[ia], na + 1, ia + 1
        while ib < len(sb) and sb[ib][1] <= c:
            sum_b, nb, ib = sum_b + lb[ib], nb + 1, ib + 1
        segs.append({"text": text[start:c], "lp_a": _r(sum_a, 4), "lp_b": _r(sum_b, 4), "diff": _r(sum_b - sum_a, 4),
                     "tokens_a": na, "tokens_b": nb})
        start = c
    same = a.tok.get_vocab() == b.tok.get_vocab()
    total_a = sum(s["lp_a"] for s in segs)
    total_b = sum(s["lp_b"] for s in segs)
    return {"runs": [a.name, b.name], "same_tokenizer": same, "segments": segs, "total_a": _r(total_a, 3),
            "total_b": _r(total_b, 3), "chars": start, "truncated": ca or cb,
            "per_token_a": [{"text": t, "lp": _r(v, 4)} for t, v in zip(pa, la)],
            "per_token_b": [{"text": t, "lp": _r(v, 4)} for t, v in zip(pb, lb)]}
