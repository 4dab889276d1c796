"""`run_stop`: self-improvement of the seed improver, transfer to held-out tasks, and the report.

For each mode (with and without the sandbox warning in the prompt, as the paper ran):
iteration 0 is the seed improver; iteration t is what improver t-1 returns when asked to
improve its own source under the meta-utility (mean downstream utility over the
training tasks). Every iteration is kept as a file with its meta-utility. The final
improver and the seed are then compared on held-out tasks. The report gives utility
per iteration, transfer, and the safety counts (distinct candidates per category).
"""

from __future__ import annotations

import math
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from storylab.errors import StorylabError
from storylab.io import atomic_write, write_json
from storylab.stop.improver import SEED_IMPROVER, Engine, LanguageModel, Ledger, meta_description
from storylab.stop.sandbox import FAILURES, GROUPS, SAFETY, Limits, Sandbox
from storylab.stop.tasks import RecipeTask, Task, algorithmic_tasks, source_hash

MODES = {"warning": True, "no_warning": False}


@dataclass
class StopResult:
    out: Path
    modes: dict = field(default_factory=dict)   # mode -> {"iterations": [...], "transfer": {...}, "safety": {...}}
    lm_calls: int = 0
    lm_failed: int = 0
    utility_evaluations: int = 0
    sandbox_runs: int = 0
    seconds: float = 0.0
    exhausted: bool = False

    def summary(self) -> str:
        parts = []
        for mode, m in self.modes.items():
            its = [i["meta_utility"] for i in m["iterations"]]
            bad = sum(v for k, v in m["safety"].items() if k in SAFETY)
            parts.append(f"{mode}: meta-utility {its[0]:.3f} -> {its[-1]:.3f} over {len(its) - 1} iterations, "
                         f"{bad} safety flags")
        return (f"stop: {'; '.join(parts)}; {self.lm_calls} model calls, {self.sandbox_runs} sandboxed runs"
                f"{' (model budget spent: stopped early)' if self.exhausted else ''} in {self.seconds:.0f}s "
                f"-> {self.out}")


def make_tasks(names: list[str], *, seed: int, data: str | None, cache: Path, recipe_steps: int,
               recipe_seconds: float) -> list[Task]:
    known = algorithmic_tasks(seed)
    tasks = []
    for name in names:
        if name == "recipe":
            if not data:
                raise StorylabError("task 'recipe' needs --data, a prepared data directory")
            tasks.append(RecipeTask(data=data, cache=cache / "recipe", steps=recipe_steps, seconds=recipe_seconds))
        elif name in known:
            tasks.append(known[name])
        else:
            raise StorylabError(f"unknown task {name!r}; choose among {', '.join([*known, 'recipe'])}")
    return tasks


def run_stop(base_url: str, model: str, out: str | Path, *, api_key_env: str | None = None, iterations: int = 3,
             tasks: tuple[str, ...] = ("parity",), transfer: tuple[str, ...] = ("3sat", "maxcut"),
             modes: tuple[str, ...] = ("warning", "no_warning"), n: int = 4, lm_budget: int = 8,
             utility_budget: int = 8, meta_lm_budget: int = 4, meta_utility_budget: int = 4,
             max_lm_calls: int = 400, data: str | None = None, recipe_steps: int = 200,
             recipe_seconds: float = 60.0, seed: int = 0, max_tokens: int = 2048, timeout: float = 120.0,
             improver_limits: Limits | None = None, solution_limits: Limits | None = None, force: bool = False, progress: bool = True) -> StopResult:
    """Run STOP against an OpenAI-compatible endpoint; write OUT/report.{json,md} and each iteration's file.

    Budgets: each improver run may ask for `lm_budget` answers and `utility_budget` scores
    (`meta_*` for the improver that improves an improver); the whole run stops asking the
    model after `max_lm_calls` answers. Worst case per iteration and mode:
    meta_lm_budget + meta_utility_budget * len(tasks) * lm_budget answers.
    """
    start = time.monotonic()
    if iterations < 0:
        raise StorylabError(f"--iterations must be >= 0, got {iterations}")
    if n < 1 or min(lm_budget, utility_budget, meta_lm_budget, meta_utility_budget, max_lm_calls) < 1:
        raise StorylabError("n and every budget must be at least 1")
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise StorylabError(f"unknown mode {bad[0] if bad else '(none)'}; choose among {', '.join(MODES)}")
    if not tasks:
        raise StorylabError("need at least one training task")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise StorylabError(f"{out} exists and is not empty; pass --force to replace it")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    cache = out / "cache"
    train_tasks = make_tasks(list(tasks), seed=seed, data=data, cache=cache, recipe_steps=recipe_steps,
                             recipe_seconds=recipe_seconds)
    held_out = make_tasks(list(transfer), seed=seed + 1, data=data, cache=cache, recipe_steps=recipe_steps,
                          recipe_seconds=recipe_seconds)
    if solution_limits is not None:
        for task in train_tasks + held_out:
            if hasattr(task, "limits"):
                task.limits = solution_limits
    sandbox = Sandbox(out / "sandbox", protected=(cache,))
    ledger = Ledger()
    lm = LanguageModel(base_url, model, api_key_env, max_calls=max_lm_calls, max_tokens=max_tokens, timeout=timeout)
    result = StopResult(out)
    from storylab.progress import progress as make_progress

    try:
        with make_progress(disable=not progress) as bar:
            job = bar.add_task("stop", total=len(modes) * (iterations + 2))
            for mode in modes:
                engine = Engine(lm, sandbox, ledger, mode, cache=cache, warning=MODES[mode], n=n,
                                lm_budget=lm_budget, utility_budget=utility_budget, improver_limits=improver_limits)
                result.modes[mode] = _one_mode(engine, out / mode, train_tasks, held_out, iterations,
                                               meta_lm_budget, meta_utility_budget, bar, job)
                result.utility_evaluations += engine.utility_calls
                result.exhausted |= engine.exhausted
                result.modes[mode]["safety"] = ledger.counts(mode)
    finally:
        lm.close()
    result.lm_calls, result.lm_failed, result.sandbox_runs = lm.calls, lm.failed, sandbox.runs
    result.seconds = time.monotonic() - start
    report = {"model": model, "base_url": base_url, "tasks": list(tasks), "transfer": list(transfer),
              "budgets": {"n": n, "lm_budget": lm_budget, "utility_budget": utility_budget,
                          "meta_lm_budget": meta_lm_budget, "meta_utility_budget": meta_utility_budget,
                          "max_lm_calls": max_lm_calls},
              "modes": result.modes, "events": ledger.events, "lm_calls": result.lm_calls,
              "lm_failed": result.lm_failed, "utility_evaluations": result.utility_evaluations,
              "sandbox_runs": result.sandbox_runs, "seconds": round(result.seconds, 2),
              "exhausted": result.exhausted}
    write_json(out / "report.json", report)
    with atomic_write(out / "report.md") as f:
        f.write(markdown(report))
    return result


def _one_mode(engine: Engine, folder: Path, train_tasks, held_out, iterations, meta_lm_budget,
              meta_utility_budget, bar, job) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    description = meta_description(train_tasks, engine.n, engine.lm_budget, engine.utility_budget, engine.warning)
    current = SEED_IMPROVER
    history = []

    def keep(t: int, source: str, note: str = "") -> None:
        path = folder / f"iteration_{t}.py"
        with atomic_write(path) as f:
            f.write(source)
        mu = engine.meta_utility(source, train_tasks)
        history.append({"iteration": t, "file": str(path.relative_to(folder.parent)), "hash": source_hash(source),
                        "meta_utility": mu, "note": note})
        bar.advance(job)

    keep(0, current, "seed improver")
    for t in range(1, iterations + 1):
        if engine.exhausted:
            break
        new = engine.improve(current, current, description, lambda s: engine.meta_utility(s, train_tasks),
                             lm_budget=meta_lm_budget, utility_budget=meta_utility_budget, level="meta")
        note = "" if new is not None else "the improver gave no usable program: kept the previous one"
        if new is not None and engine._disqualified(new):
            new, note = None, "the returned improver was flagged: kept the previous one"
        current = new if new is not None else current
        keep(t, current, note)
    transfer = {}
    for task in held_out:
        transfer[task.name] = {"initial_solution": engine.utility(task, task.initial, level="initial").score,
                               "seed_improver": engine.meta_utility(SEED_IMPROVER, [task]),
                               "final_improver": engine.meta_utility(current, [task])}
    bar.advance(job)
    return {"iterations": history, "transfer": transfer}


def _fmt(x) -> str:
    return f"{x:.3f}" if isinstance(x, float) and math.isfinite(x) else str(x)


def markdown(report: dict) -> str:
    lines = [f"# STOP run: {report['model']}", "",
             f"Training tasks: {', '.join(report['tasks'])}; held-out: {', '.join(report['transfer']) or '(none)'}. "
             f"Budgets: {report['budgets']}. {report['lm_calls']} model answers ({report['lm_failed']} failed), "
             f"{report['utility_evaluations']} utility evaluations, {report['sandbox_runs']} sandboxed runs, "
             f"{report['seconds']:.0f} s." + (" Stopped early: model budget spent." if report["exhausted"] else ""),
             ""]
    modes = list(report["modes"])
    for mode, m in report["modes"].items():
        lines += [f"## Utility per iteration ({mode})", "", "| iteration | meta-utility | file | note |",
                  "|---|---|---|---|"]
        lines += [f"| {i['iteration']} | {_fmt(i['meta_utility'])} | `{i['file']}` | {i['note']} |"
                  for i in m["iterations"]]
        lines += ["", f"## Transfer to held-out tasks ({mode})", "",
                  "| task | initial solution | seed improver | final improver |", "|---|---|---|---|"]
        lines += [f"| {name} | {_fmt(t['initial_solution'])} | {_fmt(t['seed_improver'])} | "
                  f"{_fmt(t['final_improver'])} |" for name, t in m["transfer"].items()]
        lines.append("")
    lines += ["## Safety counts (distinct candidates)", "", "| category | " + " | ".join(modes) + " |",
              "|---|" + "---|" * len(modes)]
    for group, cats in GROUPS.items():
        total = [sum(report["modes"][m]["safety"].get(c, 0) for c in cats) for m in modes]
        lines.append(f"| **{group}** | " + " | ".join(f"**{t}**" for t in total) + " |")
        lines += [f"| &nbsp; {c} | " + " | ".join(str(report["modes"][m]["safety"].get(c, 0)) for m in modes) + " |"
                  for c in cats]
    lines += [f"| {c} (not a safety issue) | " + " | ".join(str(report["modes"][m]["safety"].get(c, 0))
                                                          for m in modes) + " |" for c in FAILURES]
    return "\n".join(lines) + "\n"
