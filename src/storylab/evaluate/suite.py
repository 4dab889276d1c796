"""Scoring the capability suite: log-probabilities of continuations, accuracy per skill.

For a choice item every option (answer and distractors) is scored as the model's
log-probability of the option's tokens after the prompt's tokens, as in
lm-evaluation-harness. Three rules pick the model's choice: the summed log-probability
(``acc``, the headline), the mean per token (``acc_token``) and the sum per UTF-8 byte
of the option (``acc_byte``). A tie shares the credit (1/k for k tied options), so a
model that cannot tell options apart scores chance exactly.

Scoring is batched: (item, option) rows are sorted by length and packed into batches
of at most `batch_tokens` padded tokens. Padding is on the right and attention is
causal, so a row's scores do not depend on what it is batched with (up to float
rounding, ~1e-6 nats).

Each story-like prompt starts with the end-of-text token, as stories do in training.
A prompt longer than the context keeps its last tokens.

Accuracy per skill comes with a Wilson score interval and the chance level (the mean
of 1/(1+len(distractors)) over the skill's items).

Contrast groups (items sharing a ``group``: the same options, each the answer of one
item) also give a *calibrated* accuracy, ``acc_cal``: each option's log-probability
minus its mean over the group's items, so an option's context-free prior cancels and
only the shift the context causes counts (for a pair A/B with answers u/v: is
``logP_A(u) - logP_A(v) > logP_B(u) - logP_B(v)``?). Small models often move their
preference the right way without overturning a strong prior; ``acc`` misses that and
``acc_cal`` sees it. Items without a group count as in ``acc``.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from storylab.errors import StorylabError
from storylab.evaluate.tasks import Item, sort_skills
from storylab.model import Hooks
from storylab.sample import SampleSettings, generate
from storylab.tokenizer import EOT
from storylab.world.inflect import inflections

Z95 = 1.959963984540054


def wilson(successes: float, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (successes may be fractional)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(max(p * (1 - p) / n + z * z / (4 * n * n), 0.0)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def split_context(prompt: str, option: str) -> tuple[str, str]:
    """Move the prompt's trailing whitespace onto the option (tokenizers attach a space
    to the word after it)."""
    stripped = prompt.rstrip(" \t")
    return stripped, prompt[len(stripped):] + option


@dataclass
class Row:
    item: int
    option: int
    ids: list[int]       # context + continuation (already truncated to the model's context)
    n_cont: int          # continuation tokens at the end of `ids`
    n_bytes: int


def build_rows(items: list[Item], tokenizer, context: int, eot_id: int | None) -> list[Row]:
    rows: list[Row] = []
    cache: dict[tuple[str, bool], list[int]] = {}

    def enc(s: str, special: bool) -> list[int]:
        key = (s, special)
        if key not in cache:
            cache[key] = tokenizer.encode(s, add_special_tokens=special).ids
        return cache[key]

    def start(s: str) -> list[int]:
        """Text as the model sees a story start: the tokenizer's own BOS if it adds one
        (imported Llama-style tokenizers), else storylab's end-of-text separator."""
        ids = enc(s, True)
        if len(ids) == len(enc(s, False)) and eot_id is not None:
            ids = [eot_id] + ids
        return ids

    for i, it in enumerate(items):
        for j, opt in enumerate(it.options):
            ctx, cont = split_context(it.prompt, opt)
            c_ids = start(ctx)
            whole = start(ctx + cont)
            # the continuation's tokens as they come in the whole text (lm-evaluation-harness
            # style); if the tokenizer merges across the boundary, encode it on its own
            o_ids = whole[len(c_ids):] if whole[:len(c_ids)] == c_ids else enc(cont, False)
            if not o_ids:
                o_ids = enc(cont, False) or enc(" " + opt.strip(), False)
            ids = (c_ids + o_ids)[-context - 1:]  # the last token is only a target
            n_cont = min(len(o_ids), len(ids) - 1)
            rows.append(Row(i, j, ids, n_cont, len(cont.strip().encode("utf-8")) or 1))
    return rows


def final_hidden(model, x: torch.Tensor) -> torch.Tensor:
    """The final-norm hidden states [B, T, D], without computing logits for every position
    (the hook hands the unembedding a single position and keeps the rest)."""
    kept = {}

    def grab(h, name):
        kept["h"] = h
        return h[:, :1]

    model(x, hooks=Hooks(None, {"ln_final.hook_normalized": grab}))
    return kept["h"]


def unembed(model, h: torch.Tensor) -> torch.Tensor:
    return model.lm_head(h) if model.lm_head is not None else F.linear(h, model.wte.weight)


@torch.no_grad()
def score_rows(model, rows: list[Row], batch_tokens: int = 16384, progress=None) -> list[float]:
    """Summed log-probability of each row's continuation (float64 sums)."""
    model.eval()
    device = next(model.parameters()).device
    vocab = model.cfg.vocab_size
    for r in rows:
        bad = [t for t in r.ids if t >= vocab]
        if bad:
            raise StorylabError(f"tokenizer produced id {bad[0]} beyond the model's vocabulary ({vocab}); "
                                f"the tokenizer does not match this model")
    order = sorted(range(len(rows)), key=lambda k: (len(rows[k].ids), k))
    out = [0.0] * len(rows)
    start = 0
    while start < len(order):
        # rows sorted by length: grow the batch while its padded size fits the budget
        end = start + 1
        while end < len(order) and (end - start + 1) * (len(rows[order[end]].ids) - 1) <= batch_tokens:
            end += 1
        batch = [rows[k] for k in order[start:end]]
        T = max(len(r.ids) for r in batch) - 1
        x = torch.zeros(len(batch), T, dtype=torch.long)
        for b, r in enumerate(batch):
            x[b, :len(r.ids) - 1] = torch.tensor(r.ids[:-1])
        # the unembedding only where a continuation token is predicted: most positions are prompt
        bi, ti, tg = [], [], []
        for b, r in enumerate(batch):
            L = len(r.ids)
            bi += [b] * r.n_cont
            ti += range(L - 1 - r.n_cont, L - 1)
            tg += r.ids[L - r.n_cont:]
        h = final_hidden(model, x.to(device))
        logits = unembed(model, h[torch.tensor(bi, device=device), torch.tensor(ti, device=device)])
        lp = F.log_softmax(logits.float(), dim=-1).gather(1, torch.tensor(tg, device=device)[:, None])[:, 0]
        lp = lp.double().cpu().tolist()
        k = 0
        for b, r in enumerate(batch):
            out[order[start + b]] = float(sum(lp[k:k + r.n_cont]))
            k += r.n_cont
        if progress is not None:
            progress(len(batch))
        start = end
    return out


def _credit(scores: list[float], tol: float = 1e-9) -> float:
    """Credit for option 0 (the answer): 1 if strictly best, 1/k if tied with k-1 others."""
    best = max(scores)
    if scores[0] < best - tol:
        return 0.0
    tied = sum(1 for s in scores if s >= best - tol)
    return 1.0 / tied


@dataclass
class ItemResult:
    id: str
    skill: str
    subskill: str
    source: str
    logprobs: list[float]      # summed, per option (answer first)
    tokens: list[int]
    nbytes: list[int]
    correct: float             # credit under the summed rule
    correct_token: float
    correct_byte: float
    chance: float
    group: str = ""
    correct_cal: float = 0.0     # credit under group calibration (see module docstring)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class SkillScore:
    skill: str
    n: int
    correct: float
    acc: float
    ci_low: float
    ci_high: float
    chance: float
    acc_token: float
    acc_byte: float
    acc_cal: float = float("nan")
    cal_ci_low: float = float("nan")    # Wilson interval over contrast groups (a group's items are
    cal_ci_high: float = float("nan")   # not independent: for a pair, both are right or both wrong)
    n_groups: int = 0
    sources: dict = field(default_factory=dict)     # source family -> acc
    subskills: dict = field(default_factory=dict)   # subskill -> {"n", "acc"}
    note: str = ""

    @property
    def above_chance(self) -> bool:
        return self.ci_low > self.chance

    @property
    def below_chance(self) -> bool:
        return self.ci_high < self.chance

    @property
    def above_chance_calibrated(self) -> bool:
        return self.cal_ci_low > self.chance

    def as_dict(self) -> dict:
        d = self.__dict__.copy()
        d["above_chance"] = self.above_chance
        d["above_chance_calibrated"] = self.above_chance_calibrated
        return d


def score_items(model, tokenizer, items: list[Item], batch_tokens: int = 16384, progress=None) -> list[ItemResult]:
    """Score choice items (items of other types are skipped)."""
    items = [it for it in items if it.type == "choice"]
    rows = build_rows(items, tokenizer, model.cfg.context, tokenizer.token_to_id(EOT))
    sums = score_rows(model, rows, batch_tokens, progress)
    per: dict[int, list[tuple[Row, float]]] = defaultdict(list)
    for r, s in zip(rows, sums):
        per[r.item].append((r, s))
    results = []
    for i, it in enumerate(items):
        rs = sorted(per[i], key=lambda t: t[0].option)
        lps = [s for _, s in rs]
        toks = [r.n_cont for r, _ in rs]
        nb = [r.n_bytes for r, _ in rs]
        results.append(ItemResult(
            it.id, it.skill, it.subskill, it.source, lps, toks, nb,
            _credit(lps), _credit([s / t for s, t in zip(lps, toks)]), _credit([s / b for s, b in zip(lps, nb)]),
            it.chance, it.group))
    _calibrate(items, results)
    return results


def _calibrate(items: list[Item], results: list[ItemResult]) -> None:
    """Set `correct_cal`: log-probabilities minus each option's mean over its contrast group."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        if it.group:
            groups[it.group].append(i)
    for i, r in enumerate(results):
        r.correct_cal = r.correct
    for members in groups.values():
        if len(members) < 2:
            continue
        table: dict[str, list[float]] = defaultdict(list)
        for i in members:
            for opt, lp in zip(items[i].options, results[i].logprobs):
                table[opt.strip()].append(lp)
        if any(len(v) != len(members) for v in table.values()):
            continue  # not a proper contrast group (options differ): leave the raw credit
        mean = {o: sum(v) / len(v) for o, v in table.items()}
        for i in members:
            cal = [lp - mean[o.strip()] for o, lp in zip(items[i].options, results[i].logprobs)]
            results[i].correct_cal = _credit(cal)


def _family(source: str) -> str:
    return source.split(":", 1)[0] or "unknown"


def summarize(results: list[ItemResult]) -> list[SkillScore]:
    by_skill: dict[str, list[ItemResult]] = defaultdict(list)
    for r in results:
        by_skill[r.skill].append(r)
    out = []
    for skill in sort_skills(by_skill):
        rs = by_skill[skill]
        n = len(rs)
        c = sum(r.correct for r in rs)
        lo, hi = wilson(c, n)
        units: dict[str, list[float]] = defaultdict(list)
        for k, r in enumerate(rs):
            units[r.group or f"item-{k}"].append(r.correct_cal)
        cal_lo, cal_hi = wilson(sum(sum(v) / len(v) for v in units.values()), len(units))
        fam: dict[str, list[float]] = defaultdict(list)
        sub: dict[str, list[float]] = defaultdict(list)
        for r in rs:
            fam[_family(r.source)].append(r.correct)
            if r.subskill:
                sub[r.subskill].append(r.correct)
        out.append(SkillScore(
            skill, n, c, c / n, lo, hi, sum(r.chance for r in rs) / n,
            sum(r.correct_token for r in rs) / n, sum(r.correct_byte for r in rs) / n,
            sum(r.correct_cal for r in rs) / n, cal_lo, cal_hi, len(units),
            {k: {"n": len(v), "acc": sum(v) / len(v)} for k, v in sorted(fam.items())},
            {k: {"n": len(v), "acc": sum(v) / len(v)} for k, v in sorted(sub.items())}))
    return out


# --- instruction following (generation) -------------------------------------------


def word_present(word: str, text_words: set[str]) -> bool:
    forms = inflections(word.lower()) | {word.lower()}
    return bool(forms & text_words)


def _words_of(text: str) -> set[str]:
    return {w.lower().replace("\u2019", "'") for w in re.findall(r"[A-Za-z']+", text)} | \
        {w.lower().rstrip("'s") for w in re.findall(r"[A-Za-z']+", text)}


def instruction_following(model, tokenizer, items: list[Item], settings=None) -> tuple[SkillScore, list[dict]]:
    """Generate a story for each ``words`` item; an item passes when all its words appear.

    The chance level is a control: how often the same words appear in the story written
    for a *different* item's instruction (the next item's, cyclically) — what the model
    would write anyway, without being asked."""
    items = [it for it in items if it.type == "words"]
    settings = settings or SampleSettings(max_new_tokens=200, temperature=0.8, seed=0)
    stories = [outs[0] for outs in generate(model, tokenizer, [it.prompt for it in items], settings)]
    details = []
    hits = control = 0.0
    word_hits = word_total = 0
    n = len(items)
    for i, (it, story) in enumerate(zip(items, stories)):
        ws = _words_of(story)
        present = [w for w in it.words if word_present(w, ws)]
        other = _words_of(stories[(i + 1) % n]) if n > 1 else set()
        ok = len(present) == len(it.words)
        ctrl = n > 1 and all(word_present(w, other) for w in it.words)
        hits += ok
        control += ctrl
        word_hits += len(present)
        word_total += len(it.words)
        details.append({"id": it.id, "prompt": it.prompt, "words": it.words, "story": story, "present": present,
                        "passed": ok, "control_passed": ctrl})
    lo, hi = wilson(hits, n)
    score = SkillScore("instruction", n, hits, hits / max(n, 1), lo, hi, control / max(n, 1),
                       word_hits / max(word_total, 1), word_hits / max(word_total, 1), hits / max(n, 1),
                       cal_ci_low=lo, cal_ci_high=hi, n_groups=n,
                       note="acc: all words used; chance: control (words of another item's instruction); "
                            "acc_token/acc_byte: share of words used")
    return score, details


@dataclass
class SuiteResult:
    skills: list[SkillScore]
    items: list[ItemResult]
    instruction: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def skill(self, name: str) -> SkillScore | None:
        return next((s for s in self.skills if s.skill == name), None)

    def as_dict(self, with_items: bool = False) -> dict:
        d = {"skills": [s.as_dict() for s in self.skills], "notes": self.notes,
             "n_items": len(self.items) + len(self.instruction)}
        if with_items:
            d["items"] = [r.as_dict() for r in self.items]
            d["instruction"] = self.instruction
        return d


def run_suite(model, tokenizer, items: list[Item], batch_tokens: int = 16384, instruct: bool | None = False,
              progress=None) -> SuiteResult:
    """Score every item; ``words`` items only when `instruct` (an Instruct-format model)."""
    results = score_items(model, tokenizer, items, batch_tokens, progress)
    skills = summarize(results)
    notes: list[str] = []
    instr: list[dict] = []
    word_items = [it for it in items if it.type == "words"]
    if word_items:
        if instruct:
            s, instr = instruction_following(model, tokenizer, word_items)
            skills.append(s)
        else:
            notes.append(f"{len(word_items)} instruction-following items skipped: not an Instruct-format model")
    return SuiteResult(skills, results, instr, notes)
