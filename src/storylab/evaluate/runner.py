"""`storylab eval`: everything measured about a run, written to ``runs/NAME/eval/``.

Files (each written atomically, each a complete answer on its own):

- ``loss.json``: held-out loss / perplexity / bits per byte on the run's validation
  split and on any ``--text`` files, for the evaluated checkpoint;
- ``suite.json``: the skill table; ``suite_items.jsonl``: every item's scores;
- ``curves.json``: loss and per-skill accuracy at every evaluated checkpoint
  (``--checkpoints all``);
- ``samples.jsonl``: completions of the story beginnings (decoding settings in each
  record), shared by the judge and the novelty check;
- ``judge.json``: judge grades (mean and 95% interval per dimension), with
  ``judge_cache.jsonl`` beside it;
- ``novelty.json``: n-gram overlap and longest copy against the training split;
- ``summary.json``: the headline numbers, for `compare` and the report.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from storylab.errors import StorylabError
from storylab.evaluate.common import RunInfo, load_checkpoint, open_run
from storylab.evaluate.judge import JudgeSettings
from storylab.io import atomic_write, write_json


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
    judge_settings: JudgeSettings | None = None
    judge_cache: str | None = None
    novelty_corpus: str | None = None                  # default: the run's training split
    progress: bool = True


def _bar(enabled: bool):
    from storylab.progress import console, progress

    # no live display when stderr is not a terminal: logs stay clean, errors stay one line
    return progress(transient=True, disable=not enabled or not console.is_terminal)


def detect_instruct(info: RunInfo, sample: int = 20) -> bool:
    """Whether the run was trained on TinyStories-Instruct-style text (``Story:`` fields)."""
    import re

    import numpy as np

    from storylab.shards import load_data

    d = info.data_dir
    if d is None or not (d / "index.json").exists():
        return False
    try:
        data = load_data(d)
    except StorylabError:
        return False
    arr = np.asarray(data.split("train")[: 200_000])
    eot = data.index["eot_id"]
    cuts = np.flatnonzero(arr == eot)[:sample]
    prev, hits = 0, 0
    for c in cuts:
        text = data.tokenizer.decode(arr[prev:c].tolist())
        prev = int(c) + 1
        hits += bool(re.search(r"(?m)^Story:", text))
    return len(cuts) > 0 and hits * 2 >= len(cuts)


def _loss_block(model, tok, info: RunInfo, opts: EvalOptions, bar) -> dict:
    from storylab.evaluate.loss import split_loss, text_loss

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
    from storylab.evaluate.suite import run_suite

    n_rows = sum(len(it.options) for it in items if it.type == "choice")
    task = bar.add_task("suite", total=n_rows)
    res = run_suite(model, tok, items, opts.batch_tokens, instruct=instruct, progress=lambda k: bar.advance(task, k))
    bar.remove_task(task)
    return res


def sample_completions(model, tok, step: int, opts: EvalOptions, eval_dir: Path, bar) -> list[dict]:
    """Completions of the story beginnings, cached in samples.jsonl for the same checkpoint,
    beginnings and decoding settings."""
    from storylab.evaluate.judge import load_beginnings
    from storylab.sample import SampleSettings, generate

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
    recs = []
    for b, texts in zip(begs, outs):
        for j, t in enumerate(texts):
            recs.append({"id": f"{b['id']}-{j}", "beginning": b["id"], "prompt": b["text"], "completion": t,
                         "step": step, "key": key, "settings": asdict(settings)})
    with atomic_write(path) as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return recs


def evaluate_run(run: str | os.PathLike, opts: EvalOptions | None = None) -> dict:
    """Evaluate one run (see module docstring); returns the summary dict."""
    from storylab.evaluate.tasks import load_tasks
    from storylab.train import pick_device

    opts = opts or EvalOptions()
    t0 = time.time()
    info = open_run(run)
    if opts.threads:
        import torch

        torch.set_num_threads(opts.threads)
    if opts.judge and opts.judge_settings is None:
        raise StorylabError("--judge needs a judge endpoint: --judge-url and --judge-model")
    ckpts = info.pick(opts.checkpoints)
    device = pick_device(opts.device)
    load_checkpoint(info, ckpts[-1][1], device)  # model and tokenizer checked before any work
    items = load_tasks(opts.tasks, opts.builtin_tasks, opts.skills) if opts.suite else []
    instruct = opts.instruct if opts.instruct is not None else (detect_instruct(info) if opts.suite else False)
    eval_dir = info.eval_dir
    eval_dir.mkdir(parents=True, exist_ok=True)
    summary: dict = {"run": info.name, "path": str(info.path), "checkpoints": [s for s, _ in ckpts]}
    curve_rows = []
    loss = suite = None
    model = tok = None
    with _bar(opts.progress) as bar:
        ck_task = bar.add_task("checkpoints", total=len(ckpts)) if len(ckpts) > 1 else None
        for step, path in ckpts:
            model, tok = load_checkpoint(info, path, device)
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
            curve_rows.append(row)
            if ck_task is not None:
                bar.advance(ck_task)
        step = ckpts[-1][0]
        summary["step"] = step
        if loss is not None:
            write_json(eval_dir / "loss.json", {"run": info.name, "step": step, **loss})
            summary["loss"] = {k: loss[k] for k in ("val",) if k in loss}
            if "texts" in loss:
                summary["loss"]["texts"] = loss["texts"]
        if suite is not None:
            write_json(eval_dir / "suite.json", {"run": info.name, "step": step, "instruct": instruct,
                                                 **suite.as_dict()})
            with atomic_write(eval_dir / "suite_items.jsonl") as f:
                for r in suite.items:
                    f.write(json.dumps(r.as_dict(), ensure_ascii=False) + "\n")
                for r in suite.instruction:
                    f.write(json.dumps({"skill": "instruction", **r}, ensure_ascii=False) + "\n")
            summary["skills"] = [s.as_dict() for s in suite.skills]
            summary["suite_notes"] = suite.notes
        if len(ckpts) > 1:
            write_json(eval_dir / "curves.json", {"run": info.name, "rows": curve_rows})
            summary["curves"] = True
        if opts.judge or opts.novelty:
            samples = sample_completions(model, tok, step, opts, eval_dir, bar)
            if opts.judge:
                from storylab.evaluate.judge import judge_completions

                task = bar.add_task("judge", total=len(samples))
                jr = judge_completions([{"id": s["id"], "prompt": s["prompt"], "completion": s["completion"]}
                                        for s in samples], opts.judge_settings,
                                       opts.judge_cache or eval_dir / "judge_cache.jsonl",
                                       progress=lambda k: bar.advance(task, k))
                bar.remove_task(task)
                write_json(eval_dir / "judge.json", {"run": info.name, "step": step, **jr.as_dict()})
                summary["judge"] = jr.as_dict(with_records=False)
            if opts.novelty:
                nv = _novelty_block(info, samples, opts, bar)
                write_json(eval_dir / "novelty.json", {"run": info.name, "step": step, **nv})
                summary["novelty"] = {k: v for k, v in nv.items() if k != "completions" and k != "reference"}
                summary["novelty"]["completions"] = {k: v for k, v in nv["completions"].items() if k != "per_text"}
                if "reference" in nv:
                    summary["novelty"]["reference"] = {k: v for k, v in nv["reference"].items() if k != "per_text"}
    summary["seconds"] = round(time.time() - t0, 2)
    write_json(eval_dir / "summary.json", summary)
    return summary


def _novelty_block(info: RunInfo, samples: list[dict], opts: EvalOptions, bar) -> dict:
    from storylab.evaluate.novelty import index_for_corpus, index_for_data, novelty

    task = bar.add_task("novelty index", total=None)
    adv = lambda k: bar.advance(task, k)
    reference = None
    if opts.novelty_corpus:
        index = index_for_corpus(opts.novelty_corpus, progress=adv)
    else:
        d = info.data_dir
        if d is None or not (d / "index.json").exists():
            raise StorylabError(f"{info.path}: the run's training data ({d}) is not there to check novelty "
                                f"against; pass --novelty-corpus FILE")
        cache = d / "novelty"
        try:
            cache.mkdir(exist_ok=True)
            os.access(cache, os.W_OK) or (_ for _ in ()).throw(PermissionError())
        except PermissionError:
            cache = info.eval_dir / "novelty_index"
        index = index_for_data(d, cache, progress=adv)
        reference = _val_stories(d, len(samples), opts.seed)
    bar.remove_task(task)
    # the beginnings are ours and unseen in training; what the model wrote is the completion
    nv = novelty(index, [s["completion"] for s in samples], reference)
    nv["note"] = ("completions only (not the given beginnings); 'reference' is the same measure for "
                  "held-out validation stories, i.e. what unseen text of this kind shares with the corpus")
    return nv


def _val_stories(data_dir: Path, n: int, seed: int) -> list[str] | None:
    import numpy as np

    from storylab.shards import load_data

    data = load_data(data_dir)
    arr = np.asarray(data.split("val"))
    if len(arr) == 0:
        return None
    eot = data.index["eot_id"]
    cuts = np.flatnonzero(arr == eot)
    starts = np.concatenate([[0], cuts[:-1] + 1])
    rng = np.random.default_rng(seed)
    pick = sorted(rng.choice(len(cuts), size=min(n, len(cuts)), replace=False).tolist())
    return [data.tokenizer.decode(arr[starts[i]:cuts[i]].tolist()) for i in pick]


def load_summary(run: str | os.PathLike) -> dict | None:
    p = Path(run) / "eval" / "summary.json"
    if not p.exists():
        return None
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
