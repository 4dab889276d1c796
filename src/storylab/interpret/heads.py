"""Attention heads: distance profiles, positional vs semantic scores, induction.

For each head we fit the best *offset-only* model of its attention: weights w[d] ≥ 0
with a(i → i-d) = w[d] / Z_i, Z_i = sum over d ≤ i of w[d] (the shape ALiBi imposes).
Its maximum-likelihood fit needs only two sufficient statistics, so it streams: the
total attention at each offset A[d] and the number of query rows of each length.
The fixed point w[d] = A[d] / sum_{i ≥ d} n_i / Z_i converges in a few dozen steps.

Scores, from a second pass over the same stories:

- positional: 1 - mean total-variation distance between each attention row and the
  offset-only prediction for that row (1: attention is a function of offset alone);
- semantic: attention beyond what the offset model predicts on positions picked by
  content — earlier copies of the query token (copy), positions right after earlier
  copies (induction), and content words such as names and nouns when the stories are
  tagged; the score is the largest of the three mean excesses;
- previous-token: mean attention at offset 1; induction and duplicate-token scores on
  repeated random token sequences (second copy → token after / at the first copy);
- sink: mean attention on the first (end-of-text) token.

A head is *semantic* when its semantic score passes `sem_threshold`, *positional*
when its positional score passes `pos_threshold` (and it is not semantic), *sink*
when most of its attention sits on the first token, and *mixed* otherwise. For
positional heads the decay rate is the negative slope of log w[d] against d, the
quantity ALiBi fixes per head (its slopes are reported beside it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from storylab.device import device_of
from storylab.interpret.common import batches, pyplot
from storylab.model import alibi_slopes


@dataclass
class HeadReport:
    """Scores per head, arrays shaped [n_layers, n_heads]; see the module docstring."""

    positional: np.ndarray
    semantic: np.ndarray
    copy: np.ndarray
    induction_excess: np.ndarray
    content: np.ndarray
    prev_token: np.ndarray
    sink: np.ndarray
    induction: np.ndarray
    duplicate: np.ndarray
    decay: np.ndarray
    decay_r2: np.ndarray
    profile: np.ndarray          # [L, H, D] mean attention at offset d
    weights: np.ndarray          # [L, H, D] fitted offset-only weights (w[0] = 1)
    labels: list[list[str]]
    alibi: list[float]
    thresholds: dict = field(default_factory=dict)

    def counts(self) -> dict:
        out: dict[str, int] = {}
        for row in self.labels:
            for lab in row:
                out[lab] = out.get(lab, 0) + 1
        return out

    def to_json(self) -> dict:
        L, H = self.positional.shape
        heads = []
        for l in range(L):
            for h in range(H):
                heads.append({
                    "layer": l, "head": h, "label": self.labels[l][h],
                    **{k: _f(getattr(self, k)[l, h]) for k in (
                        "positional", "semantic", "copy", "induction_excess", "content", "prev_token", "sink",
                        "induction", "duplicate", "decay", "decay_r2")},
                    "nearest_alibi_slope": _nearest(self.alibi, self.decay[l, h]),
                    "profile": [_f(x) for x in self.profile[l, h, :64]],
                })
        return {"counts": self.counts(), "thresholds": self.thresholds, "alibi_slopes": self.alibi, "heads": heads}


def _f(x) -> float | None:
    x = float(x)
    return round(x, 6) if math.isfinite(x) else None


def _nearest(slopes: list[float], d: float) -> float | None:
    if not slopes or not math.isfinite(d):
        return None
    return min(slopes, key=lambda s: abs(math.log(max(s, 1e-12)) - math.log(max(d, 1e-12))))


def _shifted(pattern: torch.Tensor) -> torch.Tensor:
    """[B, H, T, T] pattern → [B, H, T, T] with [..., i, d] = attention from i to i-d (0 for d > i)."""
    T = pattern.shape[-1]
    i = torch.arange(T, device=pattern.device)[:, None]
    d = torch.arange(T, device=pattern.device)[None, :]
    idx = (i - d).clamp(min=0).expand(*pattern.shape[:-2], T, T)
    return pattern.gather(-1, idx) * (d <= i)


def _shift_mask(mask_j: torch.Tensor) -> torch.Tensor:
    """[B, T] per-key flag → [B, T(i), T(d)] flag of key i-d (d ≤ i)."""
    T = mask_j.shape[-1]
    i = torch.arange(T, device=mask_j.device)[:, None]
    d = torch.arange(T, device=mask_j.device)[None, :]
    idx = (i - d).clamp(min=0)
    return mask_j[:, idx] & (d <= i)


def fit_offset_model(A: np.ndarray, n_rows: np.ndarray, iters: int = 200) -> np.ndarray:
    """Offset-only weights w [..., D] (w[0] = 1) from attention totals A [..., D] and row counts.

    n_rows[i] is how many query rows have index i (i + 1 keys)."""
    D = A.shape[-1]
    n = np.asarray(n_rows, dtype=np.float64)[:D]
    A = np.maximum(A.astype(np.float64), 1e-30)
    w = A / np.maximum(np.cumsum(n[::-1])[::-1], 1)  # mean attention at each offset
    for _ in range(iters):
        Z = np.cumsum(w, axis=-1)                    # Z_i = sum_{d<=i} w[d]
        denom = np.cumsum((n / Z)[..., ::-1], axis=-1)[..., ::-1]  # sum_{i>=d} n_i / Z_i
        new = A / np.maximum(denom, 1e-30)
        new = new / new[..., :1]
        if np.max(np.abs(np.log(new) - np.log(w / w[..., :1]))) < 1e-7:
            w = new
            break
        w = new
    return w / w[..., :1]


def decay_fit(w: np.ndarray, max_offset: int = 32) -> tuple[float, float]:
    """(decay rate, R²) of a straight line through log w[d], d = 0..max_offset."""
    D = min(len(w), max_offset + 1)
    if D < 3:
        return float("nan"), float("nan")
    d = np.arange(D, dtype=np.float64)
    y = np.log(np.maximum(w[:D], 1e-12))
    slope, icpt = np.polyfit(d, y, 1)
    resid = y - (slope * d + icpt)
    ss = np.sum((y - y.mean()) ** 2)
    return float(-slope), float(1 - resid @ resid / ss) if ss > 0 else 1.0


@torch.no_grad()
def _patterns(model, tokens: torch.Tensor) -> list[torch.Tensor]:
    L = model.cfg.n_layers
    names = [f"blocks.{l}.attn.hook_pattern" for l in range(L)]
    _, cache = model.run_with_cache(tokens.to(device_of(model)), names=names)
    return [cache[n].float() for n in names]


@torch.no_grad()
def induction_scores(model, n_seqs: int = 16, seq_len: int = 32, token_pool=None, seed: int = 0,
                     bos: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """(induction, duplicate-token) scores [L, H] on repeated random token sequences.

    Each sequence is [bos] + r + r. From the second copy of r[k], an induction head
    attends to r[k+1] in the first copy (offset len - 1), a duplicate-token head to r[k]
    (offset len). `token_pool`: ids to draw from (default: the whole vocabulary)."""
    seq_len = min(seq_len, (model.cfg.context - 1) // 2)
    g = torch.Generator().manual_seed(seed)
    pool = torch.as_tensor(list(token_pool) if token_pool is not None else range(model.cfg.vocab_size))
    r = pool[torch.randint(len(pool), (n_seqs, seq_len), generator=g)]
    parts = [r, r] if bos is None else [torch.full((n_seqs, 1), bos), r, r]
    tokens = torch.cat(parts, dim=1)
    s = 0 if bos is None else 1
    pats = _patterns(model, tokens)
    q = torch.arange(s + seq_len, s + 2 * seq_len - 1)  # second copy, r[0..len-2]
    ind = np.stack([p[:, :, q, q - seq_len + 1].mean(dim=(0, 2)).cpu().numpy() for p in pats])
    q2 = torch.arange(s + seq_len, s + 2 * seq_len)
    dup = np.stack([p[:, :, q2, q2 - seq_len].mean(dim=(0, 2)).cpu().numpy() for p in pats])
    return ind, dup


@torch.no_grad()
def analyze_heads(model, stories: list, content_masks: list | None = None, batch_size: int = 8,
                  min_row: int = 4, pos_threshold: float = 0.7, sem_threshold: float = 0.1,
                  sink_threshold: float = 0.5, induction_pool=None, seed: int = 0, bos: int | None = 0,
                  progress=None) -> HeadReport:
    """Score every head of `model` over `stories` (Story objects or token-id lists).

    Two passes: the first fits each head's attention-by-offset profile (the positional
    model); the second measures how far each row departs from it, and which tokens get
    the extra attention (copies, induction targets, content words). `content_masks`:
    optional per-story boolean lists marking content tokens (names, nouns, places) for
    the content part of the semantic score. `progress`: a callable advanced by one per
    story pass, e.g. a rich task updater."""
    model.eval()
    L, H = model.cfg.n_layers, model.cfg.n_heads
    seqs = [list(s.ids) if hasattr(s, "ids") else list(s) for s in stories]
    Tmax = max(len(s) for s in seqs)
    # bounded memory: every layer's [B, H, T, T] pattern (and a few like it) at once
    batch_size = max(1, min(batch_size, (1 << 24) // (L * H * Tmax * Tmax)))
    A, n_rows = _offset_totals(model, seqs, batch_size, progress)
    w = fit_offset_model(A, n_rows)
    positional, ex, sink = _departures(model, seqs, content_masks, w, batch_size, min_row, progress)
    semantic = np.nanmax(np.stack([ex[k] for k in ex]), axis=0)
    prev = A[:, :, 1] / max(n_rows[1:].sum(), 1) if Tmax > 1 else np.zeros((L, H))
    profile = A / np.maximum(np.cumsum(n_rows[::-1])[::-1], 1)
    ind, dup = induction_scores(model, token_pool=induction_pool, seed=seed, bos=bos)
    decay = np.full((L, H), np.nan)
    decay_r2 = np.full((L, H), np.nan)
    for l in range(L):
        for h in range(H):
            decay[l, h], decay_r2[l, h] = decay_fit(w[l, h], max_offset=min(32, Tmax - 1))
    labels = [[classify(positional[l, h], semantic[l, h], sink[l, h], pos_threshold, sem_threshold, sink_threshold)
               for h in range(H)] for l in range(L)]
    return HeadReport(positional, semantic, ex["copy"], ex["induction_excess"], ex["content"], prev, sink, ind, dup,
                      decay, decay_r2, profile, w, labels, [round(float(x), 6) for x in alibi_slopes(H)],
                      {"positional": pos_threshold, "semantic": sem_threshold, "sink": sink_threshold,
                       "min_row": min_row})


def _offset_totals(model, seqs: list[list[int]], batch_size: int, progress) -> tuple[np.ndarray, np.ndarray]:
    """Pass 1: attention summed at each offset ([L, H, Tmax]) and valid query rows per position."""
    L, H = model.cfg.n_layers, model.cfg.n_heads
    Tmax = max(len(s) for s in seqs)
    A, n_rows, dev = np.zeros((L, H, Tmax)), np.zeros(Tmax), device_of(model)
    for idx, tokens, lengths in batches(seqs, batch_size):
        T = tokens.shape[1]
        valid = (torch.arange(T)[None, :] < lengths[:, None]).to(dev)  # [B, T] valid query rows
        n_rows[:T] += valid.sum(0).cpu().numpy()
        for l, p in enumerate(_patterns(model, tokens)):
            S = _shifted(p) * valid[:, None, :, None]
            A[l, :, :T] += S.sum(dim=(0, 2)).cpu().numpy()
        if progress:
            progress(len(idx))
    return A, n_rows


def _departures(model, seqs, content_masks, w: np.ndarray, batch_size: int, min_row: int, progress):
    """Pass 2: positional score (1 - mean total variation from the offset model), the excess
    attention on copies / induction targets / content tokens, and attention to position 0."""
    L, H = model.cfg.n_layers, model.cfg.n_heads
    dev = device_of(model)
    Z = np.cumsum(w, axis=-1)
    tv_sum, sink, rows = np.zeros((L, H)), np.zeros((L, H)), 0.0
    ex = {k: np.zeros((L, H)) for k in ("copy", "induction_excess", "content")}
    ex_rows = {k: 0.0 for k in ex}
    for idx, tokens, lengths in batches(seqs, batch_size):
        T = tokens.shape[1]
        tok = tokens.to(dev)
        valid = (torch.arange(T)[None, :] < lengths[:, None]).to(dev)
        scored = valid & (torch.arange(T, device=dev)[None, :] >= min(min_row, T - 1))
        rows += float(scored.sum())
        i = torch.arange(T, device=dev)[:, None]
        d = torch.arange(T, device=dev)[None, :]
        jj = (i - d).clamp(min=0)
        earlier = (d >= 1) & (d <= i)
        key_tok = tok[:, jj]                                  # [B, T, T]: token at i-d
        sel = {"copy": (key_tok == tok[:, :, None]) & earlier}
        jn = (i - d - 1).clamp(min=0)                         # token before the key equals the query
        sel["induction_excess"] = (tok[:, jn] == tok[:, :, None]) & earlier & (d + 1 <= i)
        if content_masks is not None:
            cm = torch.zeros(len(idx), T, dtype=torch.bool)
            for r, k in enumerate(idx):
                m = content_masks[k][:T]
                cm[r, :len(m)] = torch.as_tensor(m, dtype=torch.bool)
            sel["content"] = _shift_mask(cm.to(dev)) & earlier
        for l, p in enumerate(_patterns(model, tokens)):
            S = _shifted(p)                                    # [B, H, T, D]
            wl = torch.as_tensor(w[l, :, :T], dtype=S.dtype, device=dev)
            Zl = torch.as_tensor(Z[l, :, :T], dtype=S.dtype, device=dev)
            pred = (wl[:, None, :] / Zl[:, :, None]) * (d <= i)  # [H, T(i), D]
            tv = 0.5 * (S - pred[None]).abs().sum(-1)              # [B, H, T]
            tv_sum[l] += (tv * scored[:, None, :]).sum(dim=(0, 2)).cpu().numpy()
            sink[l] += (p[..., 0] * scored[:, None, :]).sum(dim=(0, 2)).cpu().numpy()
            for k, m in sel.items():
                has = m.any(-1) & scored                             # [B, T]
                if l == 0:
                    ex_rows[k] += float(has.sum())
                mf = m[:, None].to(S.dtype)
                diff = (S * mf).sum(-1) - (pred[None] * mf).sum(-1)  # [B, H, T]
                ex[k][l] += (diff * has[:, None, :]).sum(dim=(0, 2)).cpu().numpy()
        if progress:
            progress(len(idx))
    rows = max(rows, 1.0)
    for k in ex:
        ex[k] = ex[k] / ex_rows[k] if ex_rows[k] else np.full((L, H), np.nan)
    return 1 - tv_sum / rows, ex, sink / rows


def classify(pos: float, sem: float, sink: float, pos_threshold: float = 0.7, sem_threshold: float = 0.1,
             sink_threshold: float = 0.5) -> str:
    if math.isfinite(sem) and sem >= sem_threshold:
        return "semantic"
    if pos >= pos_threshold:
        return "positional"
    if sink >= sink_threshold:
        return "sink"
    return "mixed"


# --- plots -----------------------------------------------------------------------------


COLORS = {"positional": "tab:blue", "semantic": "tab:red", "mixed": "tab:gray", "sink": "tab:green"}


def plot_heads(report: HeadReport, out_dir: Path, model=None, example=None, tokenizer=None,
               max_tokens: int = 40) -> list[Path]:
    """Distance profiles, score scatter and (given a model and an example story) heatmaps."""
    plt = pyplot()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    L, H = report.positional.shape

    fig, axes = plt.subplots(1, L, figsize=(3.2 * L, 2.8), squeeze=False)
    for l in range(L):
        ax = axes[0, l]
        D = min(report.profile.shape[-1], 64)
        for h in range(H):
            ax.semilogy(np.arange(D), np.maximum(report.profile[l, h, :D], 1e-6), label=f"h{h} {report.labels[l][h][:3]}",
                        color=COLORS.get(report.labels[l][h]), alpha=0.4 + 0.6 * (h + 1) / H)
        ax.set_title(f"layer {l}")
        ax.set_xlabel("offset")
        if l == 0:
            ax.set_ylabel("mean attention")
        ax.legend(fontsize=6)
    fig.tight_layout()
    paths.append(out_dir / "heads_distance.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(4.5, 4))
    for l in range(L):
        for h in range(H):
            lab = report.labels[l][h]
            ax.scatter(report.positional[l, h], report.semantic[l, h], color=COLORS.get(lab), s=30)
            ax.annotate(f"{l}.{h}", (report.positional[l, h], report.semantic[l, h]), fontsize=6)
    for lab, c in COLORS.items():
        ax.scatter([], [], color=c, label=lab)
    ax.axvline(report.thresholds.get("positional", 0.7), ls=":", color="k", lw=0.8)
    ax.axhline(report.thresholds.get("semantic", 0.1), ls=":", color="k", lw=0.8)
    ax.set_xlabel("positional score")
    ax.set_ylabel("semantic score")
    ax.legend(fontsize=7)
    fig.tight_layout()
    paths.append(out_dir / "heads_scores.png")
    fig.savefig(paths[-1], dpi=110)
    plt.close(fig)

    if model is not None and example is not None:
        ids = list(example.ids if hasattr(example, "ids") else example)[:max_tokens]
        pats = _patterns(model, torch.tensor([ids]))
        labels = [tokenizer.decode([t]) if tokenizer is not None else str(t) for t in ids]
        labels = [s.replace("\n", "\\n")[:8] for s in labels]
        fig, axes = plt.subplots(L, H, figsize=(2.6 * H, 2.6 * L), squeeze=False)
        for l in range(L):
            for h in range(H):
                ax = axes[l, h]
                ax.imshow(pats[l][0, h].cpu().numpy(), cmap="viridis", vmin=0, vmax=1)
                ax.set_title(f"{l}.{h} {report.labels[l][h]}", fontsize=8)
                ax.set_xticks([])
                ax.set_yticks([])
        if L * H <= 8:
            for ax in axes[-1]:
                ax.set_xticks(range(len(labels)))
                ax.set_xticklabels(labels, rotation=90, fontsize=4)
        fig.tight_layout()
        paths.append(out_dir / "heads_example.png")
        fig.savefig(paths[-1], dpi=110)
        plt.close(fig)
    return paths
