"""Run a sweep: each trial trains and evaluates one run directory, on a process pool or Ray.

Layout of ``sweeps/NAME/``::

    spec.toml          the spec as given
    trials.json        every trial's id, axis values and resolved config
    results.jsonl      one record per finished (or failed) trial, in trial order
    trials/<id>/       the trial's run directory (config.toml, checkpoints/, metrics.jsonl, eval/)
                       plus result.json and the `done` marker once it finished

One function, `run_trial`, does a trial's work wherever it runs: in a worker process of
a local pool (``spawn`` context, threads per trial so that workers x threads <= cores) or
as a Ray task (``--ray auto|ADDRESS``; the sweep directory must be on storage every Ray
node can reach). Ray schedules; storylab writes no scheduler of its own.

Rerunning the same command skips trials with a ``done`` marker, resumes interrupted ones
from their last checkpoint (`train(..., resume=True)`, exact on CPU) and retries failed
ones. A trial that raises is recorded with its error; the sweep goes on.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

from storylab.config import RunConfig, from_dict, to_dict
from storylab.errors import StorylabError
from storylab.io import atomic_write, write_json

DONE = "done"


def _eval_options(ev: dict, threads: int):
    from storylab.evaluate.runner import EvalOptions

    kw = dict(loss=ev.get("loss", True), suite=ev.get("suite", True), skills=ev.get("skills") or None,
              checkpoints="latest" if ev.get("checkpoints", 5) == "latest" else "all", threads=threads,
              device="cpu", progress=False)
    if "batch_tokens" in ev:
        kw["batch_tokens"] = int(ev["batch_tokens"])
    judge = ev.get("judge")
    if judge:
        from storylab.evaluate.judge import JudgeSettings

        if not judge.get("url") or not judge.get("model"):
            raise StorylabError("eval.judge needs url and model")
        kw.update(judge=True, judge_settings=JudgeSettings(judge["url"], judge["model"], judge.get("key_env"),
                                                            max_in_flight=int(judge.get("concurrency", 8))),
                  samples_per_prompt=int(judge.get("samples", 1)),
                  max_new_tokens=int(judge.get("max_new_tokens", 200)))
    return EvalOptions(**kw)


def _skills(skills: list) -> dict:
    """The suite's skill rows as {skill: {acc, ci_low, ci_high, chance, n}}."""
    keep = ("acc", "ci_low", "ci_high", "chance", "n")
    return {s["skill"]: {k: s[k] for k in keep if k in s} for s in skills if "skill" in s}


def run_trial(trial: dict, trial_dir: str | os.PathLike) -> dict:
    """Train and evaluate one trial into `trial_dir`; return its result record.

    `trial` holds ``id``, ``values``, ``config`` (RunConfig as a dict), ``params``,
    ``params_non_embedding``, ``eval`` (the spec's eval table) and ``threads``.
    Finished trials (a ``done`` marker) return their stored record; a trial with a
    ``config.toml`` resumes from its last checkpoint.
    """
    trial_dir = Path(trial_dir)
    done = trial_dir / DONE
    if done.exists():
        return json.loads((trial_dir / "result.json").read_text(encoding="utf-8"))
    threads = int(trial.get("threads") or 1)
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import torch

    torch.set_num_threads(threads)
    from storylab.config import RunConfig, from_dict
    from storylab.evaluate.runner import evaluate_run
    from storylab.train import train

    cfg = from_dict(RunConfig, trial["config"])
    if not cfg.train.threads:
        cfg.train.threads = threads
    if trial.get("minutes"):
        size_to_minutes(cfg, trial["minutes"], trial_dir, trial.get("eval", {}).get("checkpoints", 5))
    t0 = time.time()
    resume = (trial_dir / "config.toml").exists()
    tr = train(cfg, trial_dir, resume=resume, progress=False)
    t1 = time.time()
    summary = evaluate_run(trial_dir, _eval_options(trial.get("eval", {}), threads)).data
    t2 = time.time()
    curves = []
    cpath = trial_dir / "eval" / "curves.json"
    if cpath.exists():
        curves = json.loads(cpath.read_text(encoding="utf-8")).get("rows", [])
    val = (summary.get("loss") or {}).get("val") or {}
    skills = _skills(summary.get("skills") or [])
    if not curves:
        curves = [{"step": tr.step, "val_loss": val.get("loss"), "skills": skills}]
    record = {
        "id": trial["id"], "status": "ok", "values": trial["values"], "run_dir": f"trials/{trial_dir.name}",
        "params": tr.params, "params_non_embedding": tr.params_non_embedding,
        "steps": tr.step, "tokens": tr.step * _tokens_per_step(cfg),
        "train_loss": _last(trial_dir, "loss"), "val_bpb": val.get("bits_per_byte"),
        # the full validation split when [eval] loss is on; else the training loop's last estimate
        "val_loss": val.get("loss", _last(trial_dir, "val_loss")),
        "val_loss_source": "eval (full val split)" if "loss" in val else "train (eval_batches windows)",
        "skills": skills, "curves": curves, "resumed": resume,
        # over every session of a resumed trial (the training loop logs cumulative seconds)
        "train_seconds": round(max(_last(trial_dir, "seconds") or 0.0, t1 - t0), 2), "eval_seconds": round(t2 - t1, 2),
    }
    if summary.get("judge"):
        record["judge"] = summary["judge"]
    write_json(trial_dir / "result.json", record)
    with atomic_write(done) as f:
        f.write(time.strftime("%Y-%m-%dT%H:%M:%S") + "\n")
    return record


def size_to_minutes(cfg, minutes: float, trial_dir: Path, checkpoints) -> None:
    """Set `cfg.train.steps` so training takes `minutes` of CPU time (the cosine schedule then ends
    on time). Timed once on a few real optimizer steps of this model, in process time so that other
    work on a shared machine does not count, and stored in ``budget.json`` so a resume keeps it."""
    import torch

    from storylab.model import GPT
    from storylab.shards import load_data

    path = trial_dir / "budget.json"
    if path.exists():
        b = json.loads(path.read_text(encoding="utf-8"))
    else:
        tc, mc = cfg.train, cfg.model
        mc.vocab_size = load_data(cfg.data).index["vocab_size"]
        torch.manual_seed(tc.seed)
        model = GPT(mc)
        opt = model.configure_optimizer(tc.lr, tc.weight_decay, (tc.beta1, tc.beta2), "cpu")
        x = torch.randint(0, mc.vocab_size, (tc.batch_size, mc.context + 1))
        times = []
        for i in range(8):
            c0 = time.process_time()
            for _ in range(tc.grad_accum):
                model(x[:, :-1], x[:, 1:]).backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
            times.append(time.process_time() - c0)
        per_step = sorted(times[2:])[len(times[2:]) // 2] / max(1, torch.get_num_threads())
        b = {"minutes": minutes, "cpu_seconds_per_step": per_step, "steps": max(10, int(minutes * 60 / per_step))}
        write_json(path, b)
    cfg.train.steps = b["steps"]
    cfg.train.ckpt_every = max(1, b["steps"] // (1 if checkpoints == "latest" else int(checkpoints)))


def _tokens_per_step(cfg) -> int:
    return cfg.train.batch_size * cfg.model.context * cfg.train.grad_accum


def _last(run: Path, key: str) -> float | None:
    """The last logged value of `key` in metrics.jsonl."""
    value = None
    p = run / "metrics.jsonl"
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            try:
                m = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(m.get(key), (int, float)):
                value = m[key]
    return value


def safe_trial(trial: dict, trial_dir: str) -> dict:
    """`run_trial`, with any exception turned into a failed record (the sweep goes on)."""
    t0 = time.time()
    try:
        return run_trial(trial, trial_dir)
    except BaseException as e:  # noqa: BLE001 - a trial's failure is data, not the sweep's end
        if isinstance(e, KeyboardInterrupt):
            raise
        return {"id": trial["id"], "status": "failed", "values": trial["values"], "run_dir": f"trials/{trial['id']}",
                "params": trial.get("params"), "params_non_embedding": trial.get("params_non_embedding"),
                "error": f"{type(e).__name__}: {e}", "traceback": traceback.format_exc(limit=8),
                "seconds": round(time.time() - t0, 2)}


# --- the sweep ---------------------------------------------------------------------------


@dataclass
class SweepResult:
    out: Path
    records: list = field(default_factory=list)
    ran: int = 0
    skipped: int = 0
    seconds: float = 0.0
    backend: str = "local"

    @property
    def failed(self) -> list:
        return [r for r in self.records if r.get("status") != "ok"]

    def summary(self) -> str:
        ok = len(self.records) - len(self.failed)
        return (f"sweep {self.out.name}: {ok}/{len(self.records)} trials ok, {len(self.failed)} failed, "
                f"{self.ran} run and {self.skipped} already done, in {self.seconds:.0f}s on {self.backend} "
                f"-> {self.out / 'results.jsonl'}")


def _cores() -> int:
    """Cores the sweep may use: OMP_NUM_THREADS when a launcher set it (a CPU-slot runner, a
    batch scheduler), else the affinity set; workers x threads per trial stay within it."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS
        return os.cpu_count() or 1


class _Lock:
    """An advisory lock on the sweep directory: a second writer stops with one line."""

    def __init__(self, out: Path):
        self.path = out / ".lock"

    def __enter__(self):
        self.f = open(self.path, "a+")
        try:
            fcntl.flock(self.f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.f.seek(0)
            who = self.f.read().strip() or "?"
            self.f.close()
            raise StorylabError(f"{self.path.parent} is being written by another sweep (pid {who})") from None
        self.f.seek(0)
        self.f.truncate()
        self.f.write(str(os.getpid()))
        self.f.flush()
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.f, fcntl.LOCK_UN)
        self.f.close()


def _same_config(old: dict, new: dict) -> bool:
    """Equal once both are read into today's RunConfig: a field added to storylab since
    the sweep started (at its default) does not make it a different sweep."""
    try:
        return to_dict(from_dict(RunConfig, old)) == to_dict(from_dict(RunConfig, new))
    except (StorylabError, TypeError, ValueError, KeyError):
        return old == new


def _check_same_sweep(out: Path, trials: list) -> None:
    p = out / "trials.json"
    if not p.exists():
        return
    try:
        old = {t["id"]: t["config"] for t in json.loads(p.read_text(encoding="utf-8"))["trials"]}
    except (json.JSONDecodeError, KeyError, TypeError):
        return
    for t in trials:
        if t.id in old and not _same_config(old[t.id], t.config) and (out / "trials" / t.id).exists():
            raise StorylabError(f"{out} holds a different sweep (trial {t.id} had another config); "
                                f"choose another --out or delete it")


def write_results(out: Path, records: dict, order: list[str]) -> None:
    with atomic_write(out / "results.jsonl") as f:
        for tid in order:
            if tid in records:
                f.write(json.dumps(records[tid], ensure_ascii=False) + "\n")


def read_results(out: str | os.PathLike) -> list[dict]:
    from storylab.io import iter_jsonl

    return list(iter_jsonl(Path(out) / "results.jsonl", "sweep results"))


def _line(rec: dict) -> str:
    if rec.get("status") != "ok":
        return f"[red]✗[/] {rec['id']}: {rec.get('error', 'failed')}"
    vl = rec.get("val_loss")
    skills = rec.get("skills") or {}
    above = sum(1 for s in skills.values() if s.get("ci_low", 0) > s.get("chance", 1))
    return (f"[green]✓[/] {rec['id']}: val loss {vl:.3f}, {rec['params_non_embedding']:,} non-emb params, "
            f"{rec['steps']} steps, {above}/{len(skills)} skills above chance, "
            f"{rec.get('train_seconds', 0) + rec.get('eval_seconds', 0):.0f}s"
            if isinstance(vl, (int, float)) else f"[green]✓[/] {rec['id']}")


def run_sweep(spec_path: str | os.PathLike, out: str | os.PathLike, workers: int | None = None,
              ray: str | None = None, progress: bool = True) -> SweepResult:
    """Run (or resume) the sweep in `spec_path` into `out`; see the module docstring.

    `workers`: local processes (default: one per core, at most one per trial);
    `ray`: "auto", "local" or a cluster address to run the trials as Ray tasks instead.
    """
    from storylab.progress import console
    from storylab.progress import progress as make_progress
    from storylab.sweep.spec import load_spec

    t0 = time.time()
    spec = load_spec(spec_path)
    trials = spec.trials()
    out = Path(out).resolve()
    if workers is not None and workers < 1:
        raise StorylabError(f"--workers must be at least 1, got {workers}")
    cores = _cores()
    n_par = workers or min(cores, len(trials))
    threads = max(1, cores // n_par)
    out.mkdir(parents=True, exist_ok=True)
    with _Lock(out):
        _check_same_sweep(out, trials)
        if spec.path.resolve() != out / "spec.toml":
            shutil.copyfile(spec.path, out / "spec.toml")
        write_json(out / "trials.json", {"mode": spec.mode, "axes": spec.axes, "budget": spec.budget,
                                         "eval": spec.eval, "trials": [asdict(t) for t in trials]})
        order = [t.id for t in trials]
        records: dict[str, dict] = {}
        todo = []
        for t in trials:
            d = out / "trials" / t.id
            if (d / DONE).exists():
                try:
                    records[t.id] = json.loads((d / "result.json").read_text(encoding="utf-8"))
                    continue
                except (OSError, json.JSONDecodeError):
                    (d / DONE).unlink(missing_ok=True)
            payload = {**asdict(t), "eval": spec.eval, "threads": threads}
            todo.append((payload, str(d)))
        skipped = len(records)
        write_results(out, records, order)
        bar = make_progress(disable=not progress)
        with bar:
            task = bar.add_task(f"sweep {out.name}", total=len(trials), completed=skipped)

            def finished(rec: dict) -> None:
                records[rec["id"]] = rec
                write_results(out, records, order)
                bar.advance(task)
                console.print(_line(rec), highlight=False, soft_wrap=True)

            if ray:
                backend = _run_ray(todo, ray, max(1, cores // workers) if workers else 1, finished)
            else:
                backend = _run_pool(todo, n_par, finished)
    return SweepResult(out, [records[i] for i in order if i in records], len(todo), skipped,
                       time.time() - t0, backend)


def _die_with_parent() -> None:
    """Pool initializer: on Linux, a worker gets SIGTERM when the sweep's process dies, so a killed
    sweep leaves no orphan training into its directory (a rerun resumes the trial instead)."""
    import signal
    import sys

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except OSError:
            pass


def _run_pool(todo: list, n: int, finished) -> str:
    import concurrent.futures as cf
    import multiprocessing as mp

    if not todo:
        return f"{n} local worker(s)"
    with cf.ProcessPoolExecutor(max_workers=min(n, len(todo)), mp_context=mp.get_context("spawn"),
                                initializer=_die_with_parent) as pool:
        futs = {pool.submit(safe_trial, p, d): p for p, d in todo}
        for fut in cf.as_completed(futs):
            p = futs[fut]
            try:
                rec = fut.result()
            except Exception as e:  # the worker process died (killed, out of memory)
                rec = {"id": p["id"], "status": "failed", "values": p["values"], "run_dir": f"trials/{p['id']}",
                       "error": f"worker died: {type(e).__name__}: {e}"}
            finished(rec)
    return f"{n} local worker(s)"


def _run_ray(todo: list, address: str, threads: int, finished) -> str:
    try:
        import ray
    except ImportError:
        raise StorylabError("--ray needs Ray: pip install 'storylab[ray]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=None if address == "local" else address, include_dashboard=False,
                     log_to_driver=False)
        except ConnectionError as e:
            raise StorylabError(f"cannot reach a Ray cluster at {address!r} ({e}); start one with `ray start "
                                f"--head`, or pass --ray local for a Ray instance on this machine") from None
    remote = ray.remote(num_cpus=threads, max_retries=0)(safe_trial)
    pending = {remote.remote({**p, "threads": threads}, d): p for p, d in todo}
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        p = pending.pop(ready[0])
        try:
            rec = ray.get(ready[0])
        except Exception as e:  # the task's worker died
            rec = {"id": p["id"], "status": "failed", "values": p["values"], "run_dir": f"trials/{p['id']}",
                   "error": f"ray task failed: {type(e).__name__}: {e}"}
        finished(rec)
    return f"ray ({int(ray.cluster_resources().get('CPU', 0))} CPUs, {threads} per trial)"
