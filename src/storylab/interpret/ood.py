"""Reversion to the optimal constant solution out of distribution (Kang et al., 2024).

For next-token cross-entropy the best input-independent prediction is the training
unigram distribution (here with add-one smoothing). As inputs drift away from the
training distribution, models' predictions move toward it and the norm of their
last-layer features shrinks. We perturb clean stories by degree — token shuffling from
0 to 100%, replacing 0 to 100% of the tokens by uniformly random ones, invented words outside the vocabulary, prose from
another domain — and measure, per input, the mean over positions of
KL(model's next-token distribution ‖ unigram) and of the norm of the final residual
stream (``blocks.{L-1}.hook_resid_post``, the input of ``ln_final``).

OOD score per input: -KL (or -norm): higher means further out. AUROC (rank-based,
ties averaged) says how well it separates clean from perturbed inputs.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import torch

from storylab.device import device_of
from storylab.interpret.common import batches, encode_texts, pyplot
from storylab.rundir import RunDir

SHUFFLE_LEVELS = (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)
RANDOM_LEVELS = (0.1, 0.25, 0.5, 0.75)  # and 1.0: `random_tokens`

# A few paragraphs from far outside children's stories, written for this purpose.
OTHER_DOMAIN = [
    "Section 4.2 of the agreement provides that the licensee shall indemnify and hold harmless the licensor "
    "against any claim, liability, or expense arising from the licensee's use of the software, except to the "
    "extent that such claim results from the licensor's gross negligence or wilful misconduct.",
    "Notwithstanding the foregoing, either party may terminate this agreement upon thirty days' written notice "
    "if the other party materially breaches any provision hereof and fails to cure such breach within the "
    "notice period. Termination shall not affect accrued rights or obligations.",
    "The compiler lowers each function to a static single assignment form, in which every variable is defined "
    "exactly once; phi nodes merge values at control-flow joins. Register allocation then maps the virtual "
    "registers onto the physical register file, spilling to the stack under pressure.",
    "To configure the reverse proxy, set the upstream timeout to sixty seconds and enable keep-alive "
    "connections. TLS certificates are rotated by the renewal daemon, which reloads the service configuration "
    "without dropping established sessions.",
    "Quarterly revenue increased by 7.4 percent year over year, driven primarily by higher subscription "
    "volumes in the enterprise segment, partially offset by foreign exchange headwinds and elevated "
    "amortisation of capitalised development costs.",
    "The eigenvalues of a symmetric positive definite matrix are real and strictly positive; consequently its "
    "Cholesky factorisation exists and is unique, and the conjugate gradient method converges in at most n "
    "iterations in exact arithmetic.",
    "Pursuant to regulation 12(3)(b), the applicant must submit audited financial statements, a declaration of "
    "beneficial ownership, and evidence of compliance with the statutory capital requirements before the "
    "authorisation can be granted.",
    "Thermal expansion of the steel girders was accommodated by sliding bearings at the abutments; the design "
    "load combination included dead load, live load from traffic, wind pressure and a seismic coefficient "
    "derived from the regional hazard map.",
]


def unigram(counts: np.ndarray, smoothing: float = 1.0) -> np.ndarray:
    c = np.asarray(counts, dtype=np.float64) + smoothing
    return c / c.sum()


def unigram_from_tokens(tokens, vocab_size: int, chunk: int = 1 << 22, smoothing: float = 1.0) -> np.ndarray:
    """Add-one unigram distribution over `vocab_size` ids of a (memmapped) token array, in chunks."""
    counts = np.zeros(vocab_size, dtype=np.int64)
    for s in range(0, len(tokens), chunk):
        counts += np.bincount(np.asarray(tokens[s:s + chunk], dtype=np.int64), minlength=vocab_size)[:vocab_size]
    return unigram(counts, smoothing)


def unigram_from_run(run, vocab_size: int) -> np.ndarray | None:
    """The unigram of the run's training shard (None if the shard is gone)."""
    data = RunDir.open(run).data()
    return None if data is None else unigram_from_tokens(data.split("train"), vocab_size)


def auroc(pos, neg) -> float:
    """P(score of a positive > score of a negative), ties counted half (Mann–Whitney U)."""
    pos, neg = np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)
    if len(pos) == 0 or len(neg) == 0:
        return float("nan")
    allv = np.concatenate([pos, neg])
    order = np.argsort(allv, kind="mergesort")
    ranks = np.empty(len(allv))
    sv = allv[order]
    i = 0
    while i < len(sv):  # average ranks over ties
        j = i
        while j + 1 < len(sv) and sv[j + 1] == sv[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    u = ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2
    return float(u / (len(pos) * len(neg)))


# --- perturbations ----------------------------------------------------------------------


def shuffle_tokens(ids: list[int], fraction: float, rng: random.Random, keep_first: int = 1) -> list[int]:
    """Permute the tokens at a random `fraction` of positions among themselves."""
    ids = list(ids)
    pos = list(range(keep_first, len(ids)))
    k = int(round(fraction * len(pos)))
    chosen = rng.sample(pos, k) if k else []
    vals = [ids[p] for p in chosen]
    rng.shuffle(vals)
    for p, v in zip(chosen, vals):
        ids[p] = v
    return ids


def replace_tokens(ids: list[int], fraction: float, vocab_size: int, rng: random.Random,
                   keep_first: int = 1) -> list[int]:
    """Replace the tokens at a random `fraction` of positions with uniformly random ids."""
    ids = list(ids)
    pos = list(range(keep_first, len(ids)))
    for p in rng.sample(pos, int(round(fraction * len(pos)))):
        ids[p] = rng.randrange(vocab_size)
    return ids


def random_tokens(n: int, vocab_size: int, rng: random.Random, first: int | None = None) -> list[int]:
    out = [rng.randrange(vocab_size) for _ in range(n)]
    if first is not None:
        out[0] = first
    return out


def invent_word(rng: random.Random) -> str:
    cons, vow = "bcdfghjklmnpqrstvwxz", "aeiouy"
    n = rng.randint(2, 4)
    return "".join(rng.choice(cons) + rng.choice(vow) + (rng.choice(cons) if rng.random() < 0.4 else "")
                   for _ in range(n))


def oov_words(text: str, fraction: float, rng: random.Random) -> str:
    """Replace a `fraction` of the words with invented ones outside any vocabulary."""
    words = list(re.finditer(r"[A-Za-z]+", text))
    chosen = set(rng.sample(range(len(words)), int(round(fraction * len(words))))) if words else set()
    out, pos = [], 0
    for i, m in enumerate(words):
        out.append(text[pos:m.start()])
        w = invent_word(rng) if i in chosen else m.group()
        out.append(w.capitalize() if i in chosen and m.group()[0].isupper() else w)
        pos = m.end()
    out.append(text[pos:])
    return "".join(out)


# --- measurement ------------------------------------------------------------------------


@torch.no_grad()
def measure(model, seqs: list[list[int]], log_unigram: torch.Tensor, batch_size: int = 16,
            skip: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Per sequence: mean KL(model ‖ unigram) and mean final-residual norm over positions ≥ `skip`."""
    model.eval()
    L = model.cfg.n_layers
    name = f"blocks.{L - 1}.hook_resid_post"
    kl = np.zeros(len(seqs))
    nm = np.zeros(len(seqs))
    dev = device_of(model)
    lu = log_unigram.to(dev)
    for idx, tokens, lengths in batches(seqs, batch_size):
        logits, cache = model.run_with_cache(tokens.to(dev), names=[name])
        logp = logits.float().log_softmax(-1)
        k = (logp.exp() * (logp - lu)).sum(-1)           # [B, T]
        n = cache[name].float().norm(dim=-1)             # [B, T]
        T = tokens.shape[1]
        valid = (torch.arange(T)[None, :] < lengths[:, None]) & (torch.arange(T)[None, :] >= min(skip, T - 1))
        valid = valid.to(dev)
        cnt = valid.sum(1).clamp(min=1)
        kl[idx] = ((k * valid).sum(1) / cnt).cpu().numpy()
        nm[idx] = ((n * valid).sum(1) / cnt).cpu().numpy()
    return kl, nm


def ood_analysis(model, tokenizer, texts: list[str], unigram_probs: np.ndarray, levels=SHUFFLE_LEVELS,
                 random_levels=RANDOM_LEVELS,
                 seed: int = 0, max_tokens: int | None = 64, progress=None) -> dict:
    """KL to the unigram and feature norms under each perturbation, and AUROCs (see module doc).

    Every input is cut to `max_tokens`, so that clean and perturbed inputs (and the short
    other-domain paragraphs) are compared over the same span of positions."""
    ctx = min(model.cfg.context, max_tokens or model.cfg.context)
    V = model.cfg.vocab_size
    u = np.zeros(V)
    u[:len(unigram_probs)] = np.asarray(unigram_probs)[:V]
    u = u / u.sum()
    lu = torch.as_tensor(np.log(np.maximum(u, 1e-30)), dtype=torch.float32)
    clean = encode_texts(tokenizer, texts, ctx)
    rng = random.Random(seed)
    conds: dict[str, list[list[int]]] = {}
    for f in levels:
        conds[f"shuffle_{int(round(f * 100))}"] = [shuffle_tokens(s.ids, f, rng) for s in clean]
    eot = clean[0].ids[0] if clean else 0
    Vt = tokenizer.get_vocab_size()
    for f in random_levels:
        conds[f"random_{int(round(f * 100))}"] = [replace_tokens(s.ids, f, Vt, rng) for s in clean]
    conds["random_tokens"] = [random_tokens(len(s.ids), Vt, rng, eot) for s in clean]
    conds["oov_words_50"] = [s.ids for s in encode_texts(tokenizer, [oov_words(s.text, 0.5, rng) for s in clean], ctx)]
    conds["other_domain"] = [s.ids for s in encode_texts(tokenizer, OTHER_DOMAIN, ctx)]
    res: dict = {"conditions": {}, "unigram_entropy": float(-(u * np.log(np.maximum(u, 1e-30))).sum())}
    for name, seqs in conds.items():
        kl, nm = measure(model, seqs, lu)
        res["conditions"][name] = {"kl": kl, "norm": nm}
        if progress:
            progress(1)
    base = res["conditions"]["shuffle_0"]
    summary = {}
    for name, c in res["conditions"].items():
        row = {"n": int(len(c["kl"])), "kl_mean": float(np.mean(c["kl"])), "kl_std": float(np.std(c["kl"])),
               "norm_mean": float(np.mean(c["norm"]))}
        if name != "shuffle_0":
            row["auroc_neg_kl"] = auroc(-c["kl"], -base["kl"])
            row["auroc_neg_norm"] = auroc(-c["norm"], -base["norm"])
        summary[name] = row
    res["summary"] = summary
    pert = [c for n, c in res["conditions"].items() if n != "shuffle_0"]
    res["auroc_neg_kl_all"] = auroc(np.concatenate([c["kl"] for c in pert]) * -1, -base["kl"])
    res["auroc_neg_norm_all"] = auroc(np.concatenate([c["norm"] for c in pert]) * -1, -base["norm"])
    res["levels"] = list(levels)
    res["random_levels"] = list(random_levels)
    return res


def ood_json(res: dict) -> dict:
    return {"unigram_entropy": res["unigram_entropy"], "levels": res["levels"],
            "random_levels": res["random_levels"], "conditions": res["summary"],
            "auroc_neg_kl_all": res["auroc_neg_kl_all"], "auroc_neg_norm_all": res["auroc_neg_norm_all"],
            "per_input": {n: {"kl": c["kl"].round(5).tolist(), "norm": c["norm"].round(4).tolist()}
                          for n, c in res["conditions"].items()}}


def plot_ood(res: dict, path: Path) -> Path:
    plt = pyplot()
    s = res["summary"]
    levels = res["levels"]
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    x = [100 * f for f in levels]
    rl = [0.0] + list(res.get("random_levels", [])) + [1.0]
    rname = lambda f: "shuffle_0" if f == 0 else ("random_tokens" if f == 1 else f"random_{int(round(f * 100))}")
    for ax, key, lab in ((axes[0], "kl_mean", "KL(model ‖ unigram)"), (axes[1], "norm_mean", "final feature norm")):
        ax.plot(x, [s[f"shuffle_{int(round(f * 100))}"][key] for f in levels], "o-", label="tokens shuffled")
        ax.plot([100 * f for f in rl], [s[rname(f)][key] for f in rl], "s-", label="tokens replaced by random")
        for i, (n, m) in enumerate((("oov_words_50", "^"), ("other_domain", "D"))):
            ax.scatter([100 + 8 * (i + 1)], [s[n][key]], marker=m, label=n.replace("_", " "), zorder=3)
        ax.set_xlabel("% of tokens perturbed (markers: other inputs)")
        ax.set_ylabel(lab)
        ax.legend(fontsize=6)
    fig.suptitle("Reversion toward the training unigram (Kang et al.)", fontsize=9)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
