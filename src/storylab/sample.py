"""Batched sampling with a KV cache: greedy, temperature, top-k, top-p; stops at end-of-text.

Prompts of equal token length share a batch (a prefill, then one token per step for
the whole batch), so there is no padding to get wrong.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import torch

from storylab.data.corpus import EOT
from storylab.errors import StorylabError
from storylab.model import GPT, KVCache


@dataclass
class SampleSettings:
    max_new_tokens: int = 200
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    greedy: bool = False
    seed: int = 0


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    if top_k and top_k < logits.size(-1):
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True, dim=-1)
        probs = sorted_logits.softmax(-1)
        # drop a token when the tokens before it already reach top_p (the first always stays)
        drop = probs.cumsum(-1) - probs >= top_p
        sorted_logits = sorted_logits.masked_fill(drop, float("-inf"))
        logits = torch.full_like(logits, float("-inf")).scatter(-1, order, sorted_logits)
    return logits


@torch.no_grad()
def generate_ids(model: GPT, prompts: list[list[int]], settings: SampleSettings, eot_id: int | None,
                 generator: torch.Generator | None = None, stop_ids: tuple[int, ...] = ()) -> list[list[int]]:
    """Continuations (token ids, without the prompt) of a batch of equally long prompts.

    Generation stops at `eot_id` and at any of `stop_ids` (e.g. `</s>` of an imported tokenizer)."""
    model.eval()
    device = next(model.parameters()).device
    ctx = model.cfg.context
    start = [eot_id if eot_id is not None else 0]
    prompts = [(p or start)[-(ctx - 1):] for p in prompts]
    if len({len(p) for p in prompts}) != 1:
        raise ValueError("generate_ids needs prompts of one length")
    n, plen = len(prompts), len(prompts[0])
    steps = min(settings.max_new_tokens, ctx - plen)
    cache = KVCache(model.cfg, n, plen + steps, device, next(model.parameters()).dtype)
    logits = model(torch.tensor(prompts, device=device), kv_cache=cache, pos=0)[:, -1]
    out = torch.empty(n, steps, dtype=torch.long, device=device)
    done = torch.zeros(n, dtype=torch.bool, device=device)
    stops = [i for i in (eot_id, *stop_ids) if i is not None]
    stop_t = torch.tensor(stops, dtype=torch.long, device=device)
    for t in range(steps):
        if settings.greedy or settings.temperature == 0:
            nxt = logits.argmax(-1)
        else:
            probs = filter_logits(logits.float() / settings.temperature, settings.top_k, settings.top_p).softmax(-1)
            nxt = torch.multinomial(probs, 1, generator=generator).squeeze(-1)
        out[:, t] = nxt
        if stops:
            done |= nxt == stop_t[0] if len(stops) == 1 else torch.isin(nxt, stop_t)
            if t % 8 == 7 and bool(done.all()):  # checking syncs the device; not every step
                steps = t + 1
                break
        if t < steps - 1:
            logits = model(nxt[:, None], kv_cache=cache, pos=plen + t)[:, -1]
    result = []
    for row in out[:, :steps].tolist():
        cut = [row.index(i) for i in stops if i in row]
        if cut:
            row = row[:min(cut)]
        result.append(row)
    return result


def generate(model: GPT, tokenizer, prompts: list[str], settings: SampleSettings | None = None,
             num_samples: int = 1) -> list[list[str]]:
    """For each prompt, `num_samples` completions (text after the prompt).

    Prompts with the same token length are decoded together in one batch."""
    settings = settings or SampleSettings()
    eot = tokenizer.token_to_id(EOT)
    device = next(model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(settings.seed)
    # The tokenizer's own special tokens: none for storylab's byte-level BPE; BOS first for
    # llama2.c and Llama tokenizers (whose post-processor prepends it), as their models expect.
    encoded = [tokenizer.encode(p, add_special_tokens=True).ids for p in prompts]
    stop_ids = tuple(i for i in (tokenizer.token_to_id("</s>"),) if i is not None and i != eot)
    for ids in encoded:
        bad = [t for t in ids if t >= model.cfg.vocab_size]
        if bad:
            raise StorylabError(f"tokenizer produced id {bad[0]} beyond the model's vocabulary "
                                f"({model.cfg.vocab_size}); wrong tokenizer for this model?")
    n = 1 if settings.greedy else num_samples  # greedy decoding gives one answer
    groups: dict[int, list[int]] = defaultdict(list)
    for i, ids in enumerate(encoded):
        groups[len(ids)].append(i)
    results: list[list[str]] = [[] for _ in prompts]
    for members in groups.values():
        rows = generate_ids(model, [encoded[i] for i in members for _ in range(n)], settings, eot, gen, stop_ids)
        for j, i in enumerate(members):
            texts = [tokenizer.decode(r) for r in rows[j * n:(j + 1) * n]]
            results[i] = texts * (num_samples // n)
    return results


def load_for_sampling(run: str | os.PathLike, device: str = "cpu", checkpoint: str | None = None):
    """(model, tokenizer) from a run directory, checking that they belong together."""
    from storylab.checkpoint import load_model
    from storylab.tokenize import load_tokenizer

    run = Path(run)
    if not run.exists():
        raise StorylabError(f"run not found: {run}")
    model = load_model(checkpoint or run, device)
    tok_path = run / "tokenizer.json" if run.is_dir() else run.parent.parent / "tokenizer.json"
    tok = load_tokenizer(tok_path)
    if tok.get_vocab_size() > model.cfg.vocab_size:
        raise StorylabError(f"{tok_path} has {tok.get_vocab_size()} tokens but the model only "
                            f"{model.cfg.vocab_size}: wrong tokenizer for this model")
    return model, tok
