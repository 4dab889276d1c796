"""The influence methods: each scores every training window for every query.

All scores share one sign: positive means the training story *raises* log p(completion |
prompt) (a proponent, in Grosse et al.'s words), negative that it lowers it.

- ekfac / kfac / diagonal: influence functions through `kronfluence` (Grosse et al.,
  2023): score = grad(-log p)^T (G + lambda I)^-1 grad(train loss), with the Gauss-Newton
  G approximated per `nn.Linear` layer. Factors are fitted once per checkpoint and cached.
- tracin: TracIn (Pruthi et al., 2020): sum over checkpoints of lr_t * grad(-log p)^T
  grad(train loss). Computed as a forward-mode directional derivative of every window's
  per-token losses along the query gradient (one `jvp` a batch), which also yields the
  per-token decomposition for free.
- overlap: BM25 of the query's words against each story's words: what word matching alone finds.

Each method returns (window scores [n_queries, n_windows], per-token scorer for chosen windows).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from storylab.errors import StorylabError
from storylab.interpret.influence_data import IGNORE, QueryDataset, TrainWindows, query_batch, words

KRONFLUENCE = ("ekfac", "kfac", "diagonal")
METHODS = KRONFLUENCE + ("tracin", "overlap")


def file_hash(path: Path) -> str:
    h = hashlib.blake2b(digest_size=8)
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _loader(ds, indices, batch):
    sub = torch.utils.data.Subset(ds, list(map(int, indices)))
    return torch.utils.data.DataLoader(sub, batch_size=batch, shuffle=False)


# --- kronfluence -------------------------------------------------------------------


def _task():
    from kronfluence.task import Task

    class LanguageModelTask(Task):
        """Summed next-token loss over labelled positions; the measurement is -log p(completion | prompt)."""

        def compute_train_loss(self, batch, model, sample=False):
            logits = model(batch["input_ids"]).float()
            labels = batch["labels"]
            if sample:  # the true Fisher: labels drawn from the model itself
                with torch.no_grad():
                    drawn = torch.multinomial(logits.detach().softmax(-1).view(-1, logits.shape[-1]), 1)
                labels = torch.where(labels == IGNORE, labels, drawn.view(labels.shape))
            return F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=IGNORE,
                                   reduction="sum")

        def compute_measurement(self, batch, model):
            logits = model(batch["input_ids"]).float()
            return F.cross_entropy(logits.view(-1, logits.shape[-1]), batch["labels"].reshape(-1),
                                   ignore_index=IGNORE, reduction="sum")

        def get_attention_mask(self, batch):
            return batch["attention_mask"]

    return LanguageModelTask()


def _import_kronfluence():
    try:
        import kronfluence  # noqa: F401
    except ImportError:
        raise StorylabError("methods ekfac, kfac and diagonal need kronfluence: "
                            "pip install 'storylab[influence]' (or use --method tracin|overlap)") from None
    logging.getLogger("kronfluence").setLevel(logging.WARNING)
    # kronfluence builds a disabled torch.cuda.amp.GradScaler on every fit; torch's deprecation
    # notice about that is kronfluence's business, not the user's
    warnings.filterwarnings("ignore", message=r".*torch\.cuda\.amp\.GradScaler", category=FutureWarning)


class FactorCache:
    """Fitted factors under RUN/inspect/influence/factors/<checkpoint stem>-<content hash>/.

    The key is the checkpoint's content, so a retrained or replaced checkpoint gets new
    factors, and the stale ones of the same checkpoint name are removed. Factors are fitted
    into a temporary directory and renamed into place when complete."""

    def __init__(self, root: Path, checkpoint: Path, strategy: str, data_key: str):
        self.root = root
        self.stem = checkpoint.stem
        self.key = f"{self.stem}-{file_hash(checkpoint)}"
        self.factors_name = f"{strategy}-{data_key}"

    @property
    def dir(self) -> Path:
        return self.root / self.key

    def factors_dir(self, key: str | None = None) -> Path:
        return self.root / (key or self.key) / f"factors_{self.factors_name}"

    def exists(self) -> bool:
        return (self.factors_dir() / "done").is_file()

    def prune(self) -> list[str]:
        """Remove factors of an earlier version of this checkpoint."""
        gone = []
        if self.root.is_dir():
            for d in self.root.iterdir():
                if d.is_dir() and d.name.startswith(self.stem + "-") and d.name != self.key and ".tmp" not in d.name:
                    shutil.rmtree(d, ignore_errors=True)
                    gone.append(d.name)
        return gone


def kronfluence_scores(strategy: str, model_loader, ckpt: Path, windows: TrainWindows, queries, eot: int,
                       cache_root: Path, data_key: str, progress: bool, batch: int = 16,
                       factor_examples: int | None = 100_000) -> tuple[np.ndarray, callable, dict]:
    _import_kronfluence()
    from kronfluence.analyzer import Analyzer, prepare_model
    from kronfluence.arguments import FactorArguments, ScoreArguments

    task = _task()
    model = prepare_model(model_loader(ckpt), task)
    cache = FactorCache(cache_root, ckpt, strategy, data_key)
    info = {"factors": "cached", "factors_dir": str(cache.factors_dir()), "factor_seconds": 0.0}
    if not cache.exists():
        import time

        info["factors"] = "fitted"
        info["pruned"] = cache.prune()
        tmp_key = f"{cache.key}.tmp{os.getpid()}"
        shutil.rmtree(cache.root / tmp_key, ignore_errors=True)
        t0 = time.perf_counter()
        fitter = Analyzer(tmp_key, model, task, cpu=True, disable_tqdm=not progress, output_dir=str(cache.root))
        fitter.fit_all_factors(cache.factors_name, windows, per_device_batch_size=batch,
                               factor_args=FactorArguments(strategy=strategy, covariance_max_examples=factor_examples,
                                                           lambda_max_examples=factor_examples))
        (cache.factors_dir(tmp_key) / "done").write_text(cache.key + "\n")
        cache.dir.mkdir(parents=True, exist_ok=True)
        target = cache.factors_dir()
        shutil.rmtree(target, ignore_errors=True)
        os.replace(cache.factors_dir(tmp_key), target)
        shutil.rmtree(cache.root / tmp_key, ignore_errors=True)
        info["factor_seconds"] = time.perf_counter() - t0
    analyzer = Analyzer(cache.key, model, task, cpu=True, disable_tqdm=not progress, output_dir=str(cache.root))
    qds = QueryDataset(queries, eot)

    def pairwise(train_indices, per_token: bool) -> np.ndarray:
        name = f"scores-{os.getpid()}-{'tok' if per_token else 'all'}"
        try:
            analyzer.compute_pairwise_scores(
                name, cache.factors_name, qds, windows, per_device_query_batch_size=len(queries),
                per_device_train_batch_size=batch, train_indices=None if train_indices is None else [int(i) for i in train_indices],
                score_args=ScoreArguments(damping_factor=None, compute_per_token_scores=per_token),
                overwrite_output_dir=True)
            return analyzer.load_pairwise_scores(name)["all_modules"].float().numpy()
        finally:
            shutil.rmtree(analyzer.scores_output_dir(name), ignore_errors=True)

    # kronfluence's score is grad(measurement)^T H^-1 grad(loss) with measurement = -log p:
    # positive when training on the window lowers -log p, i.e. raises log p.
    scores = pairwise(None, False)

    def per_token(indices: np.ndarray) -> np.ndarray:
        return pairwise(indices, True)       # [n_queries, len(indices), T]

    return scores, per_token, info


# --- TracIn ------------------------------------------------------------------------


def _manual_attention_hooks(model):
    """Forward-mode AD has no rule for the fused attention kernel; asking for the attention
    pattern makes the model compute attention by hand (same numbers)."""
    from storylab.model import Hooks

    return Hooks(None, {f"blocks.{l}.attn.hook_pattern": (lambda x, name: None) for l in range(model.cfg.n_layers)})


def tracin_scores(checkpoints: list[tuple[int, float, Path]], model_loader, windows: TrainWindows, queries,
                  eot: int, progress: bool, batch: int = 16) -> tuple[np.ndarray, callable, dict]:
    """checkpoints: (step, learning rate at that step, model file)."""
    from torch.func import functional_call, jvp

    from storylab.progress import progress as make_progress

    qb = query_batch(queries, eot)
    states = []
    for step, lr, path in checkpoints:
        model = model_loader(path)
        params = {k: v.detach() for k, v in model.named_parameters()}
        grads = []
        for i in range(len(queries)):
            p = {k: v.clone().requires_grad_() for k, v in params.items()}
            logits = functional_call(model, (p,), (qb["input_ids"][i:i + 1],))
            loss = F.cross_entropy(logits[0], qb["labels"][i], ignore_index=IGNORE, reduction="sum")
            g = torch.autograd.grad(loss, list(p.values()))
            grads.append({k: gi.detach() for k, gi in zip(p, g)})
        states.append((lr, model, params, grads, _manual_attention_hooks(model)))

    def run(indices, keep_tokens: bool, label: str):
        T = windows.T
        out = np.zeros((len(queries), len(indices), T) if keep_tokens else (len(queries), len(indices)), np.float64)
        with make_progress(disable=not progress) as bar:
            task = bar.add_task(label, total=len(indices) * len(states))
            for lr, model, params, grads, hooks in states:
                pos = 0
                for b in _loader(windows, indices, batch):
                    x, y = b["input_ids"], b["labels"]

                    def token_losses(p):
                        logits = functional_call(model, (p,), (x,), {"hooks": hooks})
                        return F.cross_entropy(logits.transpose(1, 2), y, ignore_index=IGNORE, reduction="none")

                    for qi, g in enumerate(grads):
                        _, d = jvp(token_losses, (params,), (g,))      # [B, T]: grad(token loss) . grad(-log p)
                        d = lr * d.double().numpy()
                        if keep_tokens:
                            out[qi, pos:pos + len(x)] += d
                        else:
                            out[qi, pos:pos + len(x)] += d.sum(1)
                    pos += len(x)
                    bar.advance(task, len(x))
        return out

    scores = run(np.arange(len(windows)), False, "tracin")
    return scores, (lambda idx: run(idx, True, "tracin tokens")), {"checkpoints": [s for s, _, _ in checkpoints]}


# --- overlap (BM25) ----------------------------------------------------------------


def overlap_scores(windows: TrainWindows, tok, queries, progress: bool, k1: float = 1.5, b: float = 0.75,
                   chunk: int = 512) -> tuple[np.ndarray, callable, dict]:
    """BM25 (Robertson & Zaragoza) of each story for the query's words; one streamed pass."""
    from storylab.progress import progress as make_progress

    qterms = [Counter(words(q.text)) for q in queries]
    vocab = set().union(*qterms)
    n = windows.n_stories
    lengths = np.zeros(n)
    tf = {w: {} for w in vocab}                       # word -> {story: count}, query words only
    with make_progress(disable=not progress) as bar:
        task = bar.add_task("overlap", total=n)
        for s0 in range(0, n, chunk):
            texts = tok.decode_batch([windows.tokens(s).tolist() for s in range(s0, min(n, s0 + chunk))])
            for s, text in enumerate(texts, s0):
                ws = words(text)
                lengths[s] = len(ws)
                for w, c in Counter(x for x in ws if x in vocab).items():
                    tf[w][s] = c
            bar.advance(task, len(texts))
    avgdl = max(lengths.mean(), 1.0) if n else 1.0

    def term(w, s):
        c = tf[w].get(s, 0)
        if not c:
            return 0.0
        idf = math.log(1 + (n - len(tf[w]) + 0.5) / (len(tf[w]) + 0.5))
        return idf * c * (k1 + 1) / (c + k1 * (1 - b + b * lengths[s] / avgdl))

    story_scores = np.zeros((len(queries), n))
    for qi, qt in enumerate(qterms):
        for w, qc in qt.items():
            for s in tf[w]:
                story_scores[qi, s] += qc * term(w, s)
    # one window a story carries the story's score (the rest zero) so that summing by story is exact
    scores = np.zeros((len(queries), len(windows)))
    scores[:, windows.first] = story_scores

    def per_word(story: int, qi: int) -> list[tuple[str, float]]:
        qt = qterms[qi]
        return [(w, qt[w] * term(w, story)) for w in qt if term(w, story) > 0]

    return scores, per_word, {}
