"""`storylab eval`: everything measured about a run, written to ``runs/NAME/eval/``.

Files (each written atomically, each a complete answer on its own):

- ``loss.json``: held-out loss / perplexity / bits per byte on the run's validation
  split and on any ``--text`` files, for the evaluated checkpoint;
- ``suite.json``: the skill table; ``suite_items.jsonl``: every item's scores;
- ``curves.json``: loss and per-skill accuracy at every evaluated checkpoint
  (``--checkpoints all``);
- ``samples.jsonl``: completions of the story beginnings (decoding settings in each
  record), shared by the judge and the novelty check;
- ``judge.json``: judge grades (mean and 95% interval per dimension; with
  ``judge_repeats`` >= 2 also the spread and agreement between repeats), with
  ``judge_cache.jsonl`` beside it;
- ``novelty.json``: n-gram overlap and longest copy against the training split, or
  against ``novelty_corpus`` (a corpus JSONL, a TinyStories text file or another run);
- ``summary.json``: the headline numbers, for `compare` and the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from storylab.device import pick_device, set_threads
from storylab.errors import StorylabError
from storylab.evaluate.judge import judge_completions, load_beginnings
from storylab.locks import locked
from storylab.evaluate.loss import split_loss, text_loss
from storylab.evaluate.novelty import index_for_reference, novelty
from storylab.evaluate.suite import run_suite
from storylab.evaluate.tasks import load_tasks
from storylab.io import atomic_write, write_json
from storylab.llmgen.client import Endpoint
from storylab.progress import console, progress
from storylab.rundir import RunDir
from storylab.sample import SampleSettings, generate, sample_record, write_samples
from storylab.shards import load_data


@dataclass
class EvalOptions:
    loss: bool = True
    suite: bool = True
    judge: bool = False
    novelty: bool = False
    texts: list = field(default_factory=list)          # extra files for the loss
    text_mode: str = "auto"
    tasks: list = field(default_factory=list)          # extra task files or directories
    builtin_tasks: bool = True
    skills: list | None = None
    checkpoints: str = "latest"                        # latest | all | S1,S2,...
    device: str = "cpu"
    batch_size: int = 16                               # windows per batch for the loss
    batch_tokens: int = 16384                          # padded tokens per batch for the suite
    threads: int = 0                                   # torch CPU threads (0: torch's default)
    instruct: bool | None = None                       # None: detect from the training data
    # completions of story beginnings (judge, novelty, report)
    beginnings: str | None = None
    samples_per_prompt: int = 3
    max_new_tokens: int = 200
    temperature: float = 0.8
    top_k: int = 0
    top_p: float = 1.0
    seed: int = 0
    judge_settings: Endpoint | None = None             # see storylab.evaluate.judge.judge_endpoint
    judge_cache: str | None = None
    judge_repeats: int = 1                             # grade each completion K times (reliability)
    novelty_corpus: str | None = None                  # corpus JSONL, TinyStories text or run directory;
                                                       # default: the run's training split
    progress: bool = True


def _bar(enabled: bool):
    # no live display when stderr is not a terminal: logs stay clean, errors stay one line
    return progress(transient=True, disable=not enabled or not console.is_terminal)


def detect_instruct(info: RunDir, sample: int = 20) -> bool:
    """Whether the run was trained on TinyStories-Instruct-style text (``Story:`` fields)."""
    try:
        data = info.data()
    except StorylabError:
        return False
    texts = list(data.texts("train", sample)) if data is not None else []
    hits = sum(bool(re.search(r"(?m)^Story:", t)) for t in texts)
    return len(texts) > 0 and hits * 2 >= len(texts)


def _loss_block(model, tok, info: RunDir, opts: EvalOptions, bar) -> dict:
    out: dict = {}
    d = info.data_dir
    if d is not None and (d / "index.json").exists():
        task = bar.add_task("val loss", total=None)
        r = split_loss(model, d, "val", opts.batch_size, tok, progress=lambda k: bar.advance(task, k))
        bar.remove_task(task)
        out["val"] = r.as_dict()
    for t in opts.texts:
        task = bar.add_task(f"loss {Path(t).name}", total=None)
        r = text_loss(model, tok, t, opts.text_mode, opts.batch_size, progress=lambda k: bar.advance(task, k))
        bar.remove_task(task)
        out.setdefault("texts", []).append({"path": str(t), **r.as_dict()})
    if not out:
        out["note"] = (f"no validation data (data directory {d} not found) and no --text file"
                       if d else "the run's config names no data directory; pass --text FILE")
    return out


def _suite_block(model, tok, items, instruct: bool, opts: EvalOptions, bar):
    n_rows = sum(len(it.options) for it in items if it.type == "choice")
    task = bar.add_task("suite", total=n_rows)
    res = run_suite(model, tok, items, opts.batch_tokens, instruct=instruct, progress=lambda k: bar.advance(task, k))
    bar.remove_task(task)
    return res


def sample_completions(model, tok, step: int, opts: EvalOptions, eval_dir: Path, bar) -> list[dict]:
    """Completions of the story beginnings, cached in samples.jsonl for the same checkpoint,
    beginnings and decoding settings."""
    begs = load_beginnings(opts.beginnings)
    settings = SampleSettings(opts.max_new_tokens, opts.temperature, opts.top_k, opts.top_p, False, opts.seed)
    key = hashlib.sha256(json.dumps([step, [b["text"] for b in begs], opts.samples_per_prompt,
                                     asdict(settings)]).encode()).hexdigest()[:16]
    path = eval_dir / "samples.jsonl"
    if path.exists():
        try:
            recs = [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
            if recs and all(r.get("key") == key for r in recs):
                return recs
        except json.JSONDecodeError:
            pass
    task = bar.add_task("sample", total=None)
    outs = generate(model, tok, [b["text"] for b in begs], settings, num_samples=opts.samples_per_prompt)
    bar.remove_task(task)
    recs = [sample_record(b["text"], t, settings, step, id=f"{b['id']}-{j}", beginning=b["id"], key=key)
            for b, texts in zip(begs, outs) for j, t in enumerate(texts)]
    write_samples(path, recs)
    return recs


@dataclass
class EvalResult:
    """Everything `evaluate_run` measured; `data` is what ``eval/summary.json`` holds."""

    data: dict

    def __getitem__(self, key: str):
        return self.data[key]

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def summary(self) -> str:
        d = self.data
        parts = [f"{d['run']} @ step {d.get('step')}"]
        val = (d.get("loss") or {}).get("val")
        if val:
            parts.append(f"val loss {val['loss']:.3f} ({val['bits_per_byte']:.3f} bits/byte)")
        if d.get("skills"):
            above = sum(s["ci_low"] > s["chance"] for s in d["skills"])
            parts.append(f"{above}/{len(d['skills'])} skills above chance")
        if d.get("judge"):
            parts.append(f"judge {d['judge'].get('graded', 0)}/{d['judge'].get('n', 0)} graded")
        if d.get("novelty"):
            parts.append("novelty measured")
        return ", ".join(parts) + f" in {d.get('seconds', 0):.1f}s -> {Path(d['path']) / 'eval'}"


@locked("run", kind="dir", derive=lambda a: RunDir.open(a["run"]).eval_dir)
def evaluate_run(run: str | os.PathLike, opts: EvalOptions | None = None) -> EvalResult:
    """Evaluate one run (see module docstring)."""
    opts = opts or EvalOptions()
    t0 = time.time()
    info = RunDir.open(run)
    set_threads(opts.threads)
    if opts.judge and opts.judge_settings is None:
        raise StorylabError("--judge needs a judge endpoint: --judge-url and --judge-model")
    ckpts = info.pick(opts.checkpoints)
    device = pick_device(opts.device)
    info.load(ckpts[-1][1], device, against_data=True)  # model, tokenizer and data checked before any work
    items = load_tasks(opts.tasks, opts.builtin_tasks, opts.skills) if opts.suite else []
    instruct = opts.instruct if opts.instruct is not None else (detect_instruct(info) if opts.suite else False)
    info.eval_dir.mkdir(parents=True, exist_ok=True)
    step = ckpts[-1][0]
    summary: dict = {"run": info.name, "path": str(info.path), "checkpoints": [s for s, _ in ckpts], "step": step}
    with _bar(opts.progress) as bar:
        rows, loss, suite, model, tok = _over_checkpoints(info, ckpts, items, instruct, opts, device, bar)
        if loss is not None:
            write_json(info.eval_dir / "loss.json", {"run": info.name, "step": step, **loss})
            summary["loss"] = {k: loss[k] for k in ("val", "texts") if k in loss}
        if suite is not None:
            _write_suite(info, step, suite, instruct)
            summary["skills"] = [s.as_dict() for s in suite.skills]
            summary["suite_notes"] = suite.notes
        if len(ckpts) > 1:
            write_json(info.eval_dir / "curves.json", {"run": info.name, "rows": rows})
            summary["curves"] = True
        if opts.judge or opts.novelty:
            samples = sample_completions(model, tok, step, opts, info.eval_dir, bar)
            if opts.judge:
                summary["judge"] = _judge_block(info, step, samples, opts, bar)
            if opts.novelty:
                summary["novelty"] = _novelty_summary(info, step, samples, opts, bar)
    summary["seconds"] = round(time.time() - t0, 2)
    write_json(info.eval_dir / "summary.json", summary)
    return EvalResult(summary)


def _over_checkpoints(info: RunDir, ckpts, items, instruct: bool, opts: EvalOptions, device: str, bar):
    """Loss and suite at each checkpoint: the curve rows, and the last checkpoint's results and model."""
    rows, loss, suite, model, tok = [], None, None, None, None
    ck_task = bar.add_task("checkpoints", total=len(ckpts)) if len(ckpts) > 1 else None
    for step, path in ckpts:
        model, tok = info.load(path, device, against_data=True)
        row: dict = {"step": step}
        if opts.loss:
            loss = _loss_block(model, tok, info, opts, bar)
            if "val" in loss:
                row["val_loss"] = loss["val"]["loss"]
                row["val_bpb"] = loss["val"]["bits_per_byte"]
            for t in loss.get("texts", []):
                row.setdefault("text_loss", {})[Path(t["path"]).name] = t["loss"]
        if opts.suite:
            suite = _suite_block(model, tok, items, instruct, opts, bar)
            row["skills"] = {s.skill: {"acc": s.acc, "ci_low": s.ci_low, "ci_high": s.ci_high,
                                       "chance": s.chance, "n": s.n} for s in suite.skills}
        rows.append(row)
        if ck_task is not None:
            bar.advance(ck_task)
    return rows, loss, suite, model, tok


def _write_suite(info: RunDir, step: int, suite, instruct: bool) -> None:
    write_json(info.eval_dir / "suite.json", {"run": info.name, "step": step, "instruct": instruct, **suite.as_dict()})
    with atomic_write(info.eval_dir / "suite_items.jsonl") as f:
        for r in suite.items:
            f.write(json.dumps(r.as_dict(), ensure_ascii=False) + "\n")
        for r in suite.instruction:
            f.write(json.dumps({"skill": "instruction", **r}, ensure_ascii=False) + "\n")


def _judge_block(info: RunDir, step: int, samples: list[dict], opts: EvalOptions, bar) -> dict:
    task = bar.add_task("judge", total=len(samples) * opts.judge_repeats)
    jr = judge_completions([{"id": s["id"], "prompt": s["prompt"], "completion": s["completion"],
                             "group": s.get("beginning", s["prompt"])} for s in samples],
                           opts.judge_settings, opts.judge_cache or info.eval_dir / "judge_cache.jsonl",
                           repeats=opts.judge_repeats, progress=lambda k: bar.advance(task, k))
    bar.remove_task(task)
    write_json(info.eval_dir / "judge.json", {"run": info.name, "step": step, **jr.as_dict()})
    return jr.as_dict(with_records=False)


def _novelty_summary(info: RunDir, step: int, samples: list[dict], opts: EvalOptions, bar) -> dict:
    nv = _novelty_block(info, samples, opts, bar)
    write_json(info.eval_dir / "novelty.json", {"run": info.name, "step": step, **nv})
    out = {k: v for k, v in nv.items() if k not in ("completions", "reference")}
    for k in ("completions", "reference"):
        if k in nv:
            out[k] = {a: b for a, b in nv[k].items() if a != "per_text"}
    return out


def _novelty_block(info: RunDir, samples: list[dict], opts: EvalOptions, bar) -> dict:
    task = bar.add_task("novelty index", total=None)
    ref = index_for_reference(opts.novelty_corpus or info, fallback_cache=info.eval_dir / "novelty_index",
                              progress=lambda k: bar.advance(task, k))
    bar.remove_task(task)
    held_out = _val_stories(ref.data_dir, len(samples), opts.seed) if ref.data_dir is not None else None
    # the beginnings are ours and unseen in training; what the model wrote is the completion
    nv = novelty(ref.index, [s["completion"] for s in samples], held_out)
    nv["against"] = {**ref.describe(), "own": not opts.novelty_corpus}
    nv["note"] = ("completions only (not the given beginnings)" +
                  ("; 'reference' is the same measure for held-out validation stories, i.e. what unseen text of "
                   "this kind shares with the corpus" if held_out else ""))
    return nv


def _val_stories(data_dir: Path, n: int, seed: int) -> list[str] | None:
    """`n` held-out stories picked at random: what unseen text of this kind shares with the corpus."""
    data = load_data(data_dir)
    docs = list(data.documents("val"))
    if not docs:
        return None
    pick = sorted(np.random.default_rng(seed).choice(len(docs), size=min(n, len(docs)), replace=False).tolist())
    return [data.tokenizer.decode(docs[i].tolist()) for i in pick]


def load_judge(run: str | os.PathLike) -> dict:
    """A run's ``eval/judge.json`` (with its per-completion records), or {} if there is none."""
    p = RunDir.open(run).eval_dir / "judge.json"
    try:
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else {}
    except json.JSONDecodeError:
        raise StorylabError(f"{p}: corrupt judge results; rerun `storylab eval RUN --judge`") from None


def load_summary(run: str | os.PathLike) -> dict | None:
    p = Path(run) / "eval" / "summary.json"
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
