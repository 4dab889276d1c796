"""Batched sampling with a KV cache: greedy, temperature, top-k, top-p; stops at end-of-text.

All prompts share one batch: a prefill of the shortest prompt, then one token per step
for the whole batch, with longer prompts' tokens forced in, so there is no padding to get wrong.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass

import torch

from storylab.budget import check_memory
from storylab.device import set_threads
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.io import atomic_write
from storylab.model import GPT, KVCache
from storylab.rundir import RunDir
from storylab.tokenizer import EOT


@dataclass
class SampleSettings:
    max_new_tokens: int = 200
    temperature: float = 1.0
    top_k: int = 0
    top_p: float = 1.0
    greedy: bool = False
    seed: int = 0

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        """The one place sampling settings are checked (CLI, eval, notebooks)."""
        import math

        def num(name, v, lo, hi=None, lo_open=False):
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or v < lo or (lo_open and v == lo) or (hi is not None and v > hi):
                rng = f"{'>' if lo_open else '>='} {lo}" + (f" and <= {hi}" if hi is not None else "")
                raise StorylabError(f"{name} must be a number {rng}, got {v!r}")

        num("max_new_tokens", self.max_new_tokens, 1, 1 << 20)
        num("temperature", self.temperature, 0, 100)
        num("top_k", self.top_k, 0)
        num("top_p", self.top_p, 0, 1, lo_open=True)
        for name in ("max_new_tokens", "top_k", "seed"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise StorylabError(f"{name} must be an integer, got {v!r}")


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


def sample_next(logits: torch.Tensor, settings: SampleSettings, u: torch.Tensor | None) -> torch.Tensor:
    """The next token per row: argmax, or inverse-CDF sampling with one uniform `u` [B] per row
    (as llama2.c's run.c does: one random number per token, not one per vocabulary entry)."""
    if settings.greedy or settings.temperature == 0:
        return logits.argmax(-1)
    logits = logits.float() if settings.temperature == 1 else logits.float() / settings.temperature
    probs = filter_logits(logits, settings.top_k, settings.top_p).softmax(-1)
    cdf = probs.cumsum(-1)
    nxt = torch.searchsorted(cdf, (u * cdf[:, -1]).unsqueeze(-1)).squeeze(-1)
    return nxt.clamp_(max=logits.size(-1) - 1)


def _compiled_step(model: GPT, settings: SampleSettings):
    """decode_step + sample_next as one fixed-shape graph (inductor on CPU), built once per model
    and settings; None when torch.compile is unavailable here (no C++ compiler, ...)."""
    key = (settings.greedy or settings.temperature == 0, settings.temperature, settings.top_k, settings.top_p)
    steps = model.__dict__.setdefault("_compiled_steps", {})
    if key not in steps:
        try:
            import torch._inductor.config as inductor_config  # noqa: F401  (fails early if inductor is missing)

            def step(idx, pos, cache, u):
                return sample_next(model.decode_step(idx, pos, cache), settings, u)

            steps[key] = torch.compile(step, fullgraph=True, dynamic=False)
        except Exception:  # pragma: no cover - platform dependent
            steps[key] = None
    return steps[key]


def compile_pays(batch: int, steps: int) -> bool:
    """A compiled step costs a few seconds to build once (less with inductor's on-disk cache) and
    saves per-operator overhead on every token; that only matters when the batch is small."""
    return batch <= 8 and steps >= 512 and os.environ.get("STORYLAB_COMPILE", "1") != "0"


def generate_ids(model: GPT, prompts: list[list[int]], settings: SampleSettings, eot_id: int | None,
                 generator: torch.Generator | None = None, stop_ids: tuple[int, ...] = (),
                 compile: bool | None = None) -> list[list[int]]:
    """Continuations (token ids, without the prompt) of a batch of prompts.

    Prompts of different lengths need no padding: the batch is prefilled with the shortest
    prompt's length, and each longer prompt's remaining tokens are forced in place of samples
    while the batch decodes, so every token sits at its true position and sees exactly its
    own prompt. Generation stops at `eot_id` and at any of `stop_ids` (e.g. `</s>`).

    Speed: one preallocated cache for the whole call, one hook-free `decode_step` per token for
    the whole batch, and finished rows are dropped from the batch (the cache with them) once a
    quarter of it is done. `compile=True` runs a fixed-shape step built by torch.compile
    (falling back to eager if it cannot be built); None decides by `compile_pays`."""
    with torch.inference_mode():
        return _generate_ids(model, prompts, settings, eot_id, generator, stop_ids, compile)


def _generate_ids(model, prompts, settings, eot_id, generator, stop_ids, compile):
    model.eval()
    device = next(model.parameters()).device
    ctx = model.cfg.context
    start = [eot_id if eot_id is not None else 0]
    # A long prompt keeps its last ctx - max_new_tokens tokens, so that all max_new_tokens fit
    # in the context; asking for more than the context holds (max_new_tokens >= ctx) keeps the
    # last ctx - 1 and stops at the context (`sample_run` refuses that case up front).
    keep = ctx - settings.max_new_tokens if settings.max_new_tokens < ctx else ctx - 1
    prompts = [(p or start)[-keep:] for p in prompts]
    n, lens = len(prompts), [len(p) for p in prompts]
    lo, hi = min(lens), max(lens)
    total = min(hi - lo + settings.max_new_tokens, ctx - lo)  # decoding steps for the whole batch
    forced = torch.tensor([p[lo:] + [0] * (hi - len(p)) for p in prompts], dtype=torch.long, device=device)
    first = torch.tensor(lens, device=device) - lo  # step at which row i starts generating
    last = torch.clamp(first + settings.max_new_tokens, max=total)  # first step it no longer needs
    cache = KVCache(model.cfg, n, lo + total, device, next(model.parameters()).dtype)
    logits = model(torch.tensor([p[:lo] for p in prompts], device=device), kv_cache=cache, pos=0)[:, -1]
    out = torch.zeros(n, total, dtype=torch.long, device=device)
    stops = [i for i in (eot_id, *stop_ids) if i is not None]
    stop_t = torch.tensor(stops, dtype=torch.long, device=device)
    greedy = settings.greedy or settings.temperature == 0
    step = None
    if compile or (compile is None and compile_pays(n, total)):
        step = _compiled_step(model, settings)
    rows = torch.arange(n, device=device)          # which original row each batch row is
    done, t = last <= 0, -1
    nxt = None
    for t in range(total):
        u = None if greedy else torch.rand(len(rows), generator=generator, device=device)
        if nxt is None or step is None:
            nxt = sample_next(logits, settings, u)
        else:
            nxt = step(nxt, torch.tensor(lo + t - 1, device=device), cache, u)
        if t < hi - lo:
            nxt = torch.where(first > t, forced[rows, t], nxt)
        out[rows, t] = nxt
        done |= last <= t + 1
        if stops:
            done |= (first <= t) & torch.isin(nxt, stop_t)
        if t == total - 1:
            break
        if t % 8 == 7 and t >= hi - lo:  # checking syncs the device; not every step
            alive = int((~done).sum())
            if alive == 0:
                break
            if step is None and alive <= len(rows) * 3 // 4:  # drop finished rows, and their cache
                keep = (~done).nonzero().squeeze(-1)
                rows, first, last, done, nxt = rows[keep], first[keep], last[keep], done[keep], nxt[keep]
                cache.k, cache.v = cache.k[:, keep], cache.v[:, keep]
        if step is None:
            logits = model.decode_step(nxt, lo + t, cache)
    result = []
    for row, ln in zip(out.tolist(), lens):  # a dropped row's later slots stay 0; its stop token cuts them
        a = ln - lo
        row = row[a:min(a + settings.max_new_tokens, total, t + 1)]
        cut = [row.index(i) for i in stops if i in row]
        result.append(row[:min(cut)] if cut else row)
    return result


def generate(model: GPT, tokenizer, prompts: list[str], settings: SampleSettings | None = None,
             num_samples: int = 1) -> list[list[str]]:
    """For each prompt, `num_samples` completions (text after the prompt), decoded in one batch."""
    settings = settings or SampleSettings()
    eot = tokenizer.token_to_id(EOT)
    device = next(model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(settings.seed)
    # The tokenizer's own special tokens: none for storylab's byte-level BPE; BOS first for
    # llama2.c and Llama tokenizers (whose post-processor prepends it), as their models expect.
    encoded = [_encode(tokenizer, p) for p in prompts]
    stop_ids = tuple(i for i in (tokenizer.token_to_id("</s>"),) if i is not None and i != eot)
    for ids in encoded:
        bad = [t for t in ids if t >= model.cfg.vocab_size]
        if bad:
            raise StorylabError(f"tokenizer produced id {bad[0]} beyond the model's vocabulary "
                                f"({model.cfg.vocab_size}); wrong tokenizer for this model?")
    keep = model.cfg.context - settings.max_new_tokens
    if settings.max_new_tokens < model.cfg.context and any(len(ids) > keep for ids in encoded):
        import warnings

        warnings.warn(f"a prompt longer than {keep} tokens keeps only its last {keep}, so that "
                      f"{settings.max_new_tokens} new tokens fit the context ({model.cfg.context})", stacklevel=2)
    n = 1 if settings.greedy else num_samples  # greedy decoding gives one answer
    rows = generate_ids(model, [ids for ids in encoded for _ in range(n)], settings, eot, gen, stop_ids)
    return [[_decode_after(tokenizer, encoded[i], r) for r in rows[i * n:(i + 1) * n]] * (num_samples // n)
            for i in range(len(prompts))]


def _decode_after(tokenizer, prompt: list[int], row: list[int]) -> str:
    """The completion's text as it continues the prompt's: decoded together and cut after the
    prompt, so a tokenizer whose decoder puts the separator between words (a game's moves:
    ``B3 D2`` + ``C1`` is ``B3 D2 C1``) or drops a first token's leading space keeps it."""
    head = tokenizer.decode(prompt) if prompt else ""
    whole = tokenizer.decode(prompt + row) if prompt else tokenizer.decode(row)
    return whole[len(head):] if whole.startswith(head) else tokenizer.decode(row)


def _encode(tokenizer, prompt: str) -> list[int]:
    """A prompt's ids, or one clear line when this tokenizer cannot spell it (a game's moves)."""
    try:
        return tokenizer.encode(prompt, add_special_tokens=True).ids
    except Exception as e:  # noqa: BLE001 - tokenizers raises a bare Exception for a word a WordLevel vocabulary lacks
        from storylab.games.tokenizer import board_of_tokenizer

        n = board_of_tokenizer(tokenizer)
        hint = (f": this is a {n}x{n} Othello model, so a prompt is moves separated by spaces "
                f"(e.g. 'B3 D2') or empty (a game from its start)" if n else f" ({str(e).splitlines()[0][:120]})")
        raise StorylabError(f"cannot encode the prompt {prompt[:60]!r} with this model's tokenizer{hint}") from None


def default_prompts(tokenizer) -> list[str]:
    """What to sample when no prompt is given: a story's opening, or for a game, a game from its start."""
    from storylab.games.tokenizer import board_of_tokenizer

    return [""] if board_of_tokenizer(tokenizer) else ["Once upon a time"]


def sample_record(prompt: str, completion: str, settings: SampleSettings, step: int | None = None, **extra) -> dict:
    """The one schema of a samples file (``samples.jsonl``), whoever wrote it."""
    return {**extra, "prompt": prompt, "completion": completion, "step": step, "settings": asdict(settings)}


def write_samples(path: str | os.PathLike, records: list[dict], append: bool = False) -> None:
    """Append to, or atomically replace, a samples file."""
    if append:
        with open(path, "a", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
        return
    with atomic_write(path) as f:
        f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@dataclass
class SampleResult:
    run: str
    step: int
    records: list[dict]
    seconds: float
    threads: int = 0

    def summary(self) -> str:
        prompts = len({r["prompt"] for r in self.records})
        return f"sample: {len(self.records)} completions of {prompts} prompts from {self.run} @ step {self.step} " \
               f"in {self.seconds:.1f}s ({self.threads} threads)"


@locked("out", clean=False)
def sample_run(run: str | os.PathLike, prompts: list[str] | None, settings: SampleSettings | None = None,
               num_samples: int = 1, device: str = "cpu", out: str | os.PathLike | None = None,
               threads: int = 0, fit_context: bool = False) -> SampleResult:
    """Completions of `prompts` from a run (or one checkpoint of it); `out` appends them to a samples file.
    `prompts` None samples from `default_prompts` (whole games for a game run). `fit_context` caps
    max_new_tokens at what the context leaves after the longest prompt (the CLI's default).
    `threads` 0 picks torch's CPU threads from the batch and the cores free right now."""
    t0 = time.time()
    settings = settings or SampleSettings()
    settings.validate()
    if prompts is not None and not prompts:
        raise StorylabError("no prompts to sample from")
    if not isinstance(num_samples, int) or num_samples < 1:
        raise StorylabError(f"number of samples per prompt must be at least 1, got {num_samples!r}")
    rd = RunDir.open(run)
    step = rd.latest[0]
    model, tok = rd.load(device=device)
    prompts = default_prompts(tok) if prompts is None else prompts
    if fit_context:
        room = model.cfg.context - max(max(len(_encode(tok, p)), 1) for p in prompts)
        settings = SampleSettings(**{**asdict(settings), "max_new_tokens": max(1, min(settings.max_new_tokens, room))})
    batch = len(prompts) * (1 if settings.greedy else num_samples)
    threads = set_threads(threads, work=batch * model.cfg.d_model * model.cfg.d_model)
    check_memory(model.cfg, batch=batch,
                 what=f"sampling {len(prompts)} prompts x {num_samples}", device=device)
    if settings.max_new_tokens >= model.cfg.context:
        raise StorylabError(f"max_new_tokens={settings.max_new_tokens} does not fit the model's context "
                            f"({model.cfg.context} tokens); ask for at most {model.cfg.context - 1}")
    outs = generate(model, tok, prompts, settings, num_samples)
    records = [sample_record(p, c, settings, step) for p, cs in zip(prompts, outs) for c in cs]
    if out is not None:
        write_samples(out, records, append=True)
    return SampleResult(rd.name, step, records, time.time() - t0, threads)
