"""The sweep spec: a base config, axes over config keys, a budget per trial, what to evaluate.

A spec is a TOML file::

    config = "configs/base.toml"      # or a [base] table in RunConfig shape (data, [base.model], [base.train])
    mode = "grid"                     # grid: every combination | zip: the i-th value of every axis together

    [base]
    data = "data/world"
    [base.train]
    batch_size = 8

    [axes]
    "model.d_model" = [64, 128]
    "model.n_layers" = [1, 2, 4]

    [budget]                          # one of:
    steps = 2000                      #   a fixed number of optimizer steps
    # tokens = 4_000_000              #   tokens per trial (steps = tokens / tokens per step)
    # minutes = 5                     #   CPU minutes per trial: the worker times a few steps of the trial's
    #                                 #   model (process time, so other load on the machine does not count)
    #                                 #   and sets train.steps so the whole schedule fits
    # compute = "equal"               #   6·N·D equal across trials: D = tokens · N_ref / N, with
    # tokens = 4_000_000              #   N the non-embedding parameters of each trial's model and
    # reference = {"model.d_model" = 64, "model.n_layers" = 1}   # N_ref the reference's (default: first trial)
    # compute = 1e13                  #   or the 6·N·D FLOPs themselves

    [eval]
    loss = true
    suite = true
    skills = ["grammar", "everyday_fact"]   # default: every skill of the suite
    checkpoints = 5                   # evaluated checkpoints per trial (evenly spaced; the curves)
    [eval.judge]                      # optional: grade completions with an LLM judge
    url = "http://localhost:8000/v1"
    model = "judge"

Every key is checked: an unknown one is a one-line `StorylabError` naming it, and each
axis key must be a field of `storylab.config.RunConfig`.
"""

from __future__ import annotations

import itertools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from storylab.config import RunConfig, _valid_keys, apply_overrides, from_dict, load_toml, to_dict
from storylab.errors import StorylabError

TOP_KEYS = ("config", "base", "mode", "axes", "budget", "eval", "name")
BUDGET_KEYS = ("steps", "tokens", "minutes", "compute", "reference")
EVAL_KEYS = ("loss", "suite", "skills", "checkpoints", "judge", "batch_tokens")
JUDGE_KEYS = ("url", "model", "key_env", "samples", "max_new_tokens", "concurrency")


@dataclass
class Trial:
    """One point of the sweep: its id, the axis values, and its fully resolved run config."""
    id: str
    values: dict
    config: dict                 # RunConfig as a nested dict (data is an absolute path)
    params: int                  # all parameters (vocabulary from the data)
    params_non_embedding: int
    minutes: float = 0.0         # a CPU-time budget: the worker sizes train.steps to it (see runner)

    @property
    def tokens_per_step(self) -> int:
        t = self.config["train"]
        return t["batch_size"] * self.config["model"]["context"] * t["grad_accum"]


@dataclass
class SweepSpec:
    path: Path
    base: dict
    axes: dict
    mode: str = "grid"
    budget: dict = field(default_factory=dict)
    eval: dict = field(default_factory=dict)

    def trials(self) -> list[Trial]:
        """Every trial, in a fixed order, with its budget applied."""
        keys = list(self.axes)
        if self.mode == "zip":
            combos = list(zip(*self.axes.values()))
        else:
            combos = list(itertools.product(*self.axes.values())) if keys else [()]
        out = []
        for i, combo in enumerate(combos):
            values = dict(zip(keys, combo))
            cfg = _config_with(self.base, values)
            n, n_ne = count_params(cfg)
            out.append(Trial(_trial_id(i, values), values, to_dict(cfg), n, n_ne))
        _apply_budget(out, self.budget, self.base)
        k = self.eval.get("checkpoints", 5)
        for t in out:  # K evenly spaced checkpoints make the curves (the last step is always saved)
            t.config["train"]["ckpt_every"] = max(1, t.config["train"]["steps"] // (1 if k == "latest" else k))
        return out


def _trial_id(i: int, values: dict) -> str:
    parts = []
    for k, v in values.items():
        short = k.split(".")[-1]
        s = str(v).replace("/", "_").replace(" ", "")
        parts.append(f"{short}{s[-24:]}")
    return f"{i:03d}" + ("-" + "-".join(parts) if parts else "")


def _config_with(base: dict, values: dict) -> RunConfig:
    d = apply_overrides(base, [])
    for key, v in values.items():
        node = d
        *head, last = key.split(".")
        for p in head:
            node = node.setdefault(p, {})
        node[last] = v
    return from_dict(RunConfig, d)


def count_params(cfg: RunConfig) -> tuple[int, int]:
    """(all, non-embedding) parameters of `cfg`'s model, built on the meta device (no memory)."""
    import torch

    from storylab.model import GPT

    mc = cfg.model
    if cfg.data and (Path(cfg.data) / "index.json").exists():
        import json

        mc.vocab_size = json.loads((Path(cfg.data) / "index.json").read_text())["vocab_size"]
    with torch.device("meta"):
        m = GPT(mc)
    return m.num_params(), m.num_params(non_embedding=True)


def _apply_budget(trials: list[Trial], budget: dict, base: dict) -> None:
    kinds = [k for k in ("steps", "tokens", "minutes", "compute") if k in budget]
    if "compute" not in budget and "reference" in budget:
        raise StorylabError("sweep spec: budget.reference only goes with budget.compute = \"equal\"")
    if len(kinds) > 1 and not (kinds == ["tokens", "compute"] and budget["compute"] == "equal"):
        raise StorylabError(f"sweep spec: choose one budget, got {', '.join('budget.' + k for k in kinds)}")
    for t in trials:
        t.config["train"]["max_minutes"] = t.config["train"].get("max_minutes", 0.0)
    if not kinds:
        return
    if "steps" in budget:
        steps = _positive(budget["steps"], "budget.steps", int)
        for t in trials:
            t.config["train"]["steps"] = steps
    elif "minutes" in budget:
        minutes = _positive(budget["minutes"], "budget.minutes", float)
        for t in trials:  # steps are sized in the worker, from the CPU time of a few real steps
            t.minutes = minutes
    elif "compute" in budget:
        c = budget["compute"]
        if c == "equal":
            if "tokens" not in budget:
                raise StorylabError("sweep spec: budget.compute = \"equal\" needs budget.tokens (of the reference)")
            tokens = _positive(budget["tokens"], "budget.tokens", float)
            ref = budget.get("reference")
            if ref is None:
                n_ref = trials[0].params_non_embedding
            else:
                if not isinstance(ref, dict):
                    raise StorylabError("sweep spec: budget.reference must be a table of config keys")
                _check_keys(ref, "budget.reference")
                n_ref = count_params(_config_with(base, ref))[1]
            flops = 6 * n_ref * tokens
        else:
            flops = _positive(c, "budget.compute", float)
        for t in trials:
            t.config["train"]["steps"] = max(1, round(flops / (6 * t.params_non_embedding) / t.tokens_per_step))
    else:
        tokens = _positive(budget["tokens"], "budget.tokens", float)
        for t in trials:
            t.config["train"]["steps"] = max(1, math.ceil(tokens / t.tokens_per_step))


def _positive(v, key: str, typ):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
        raise StorylabError(f"sweep spec: {key} must be a positive number, got {v!r}")
    return typ(v)


def _check_keys(d: dict, where: str) -> None:
    valid = set(_valid_keys(RunConfig))
    for key in d:
        if key not in valid:
            raise StorylabError(f"sweep spec: unknown config key {key!r} in {where}; valid keys: "
                                + ", ".join(sorted(valid)))


def _resolve_path(p: str, spec_dir: Path) -> str:
    q = Path(os.path.expanduser(p))
    if q.is_absolute():
        return str(q)
    if q.exists():
        return str(q.resolve())
    return str((spec_dir / q).resolve())


def load_spec(path: str | os.PathLike) -> SweepSpec:
    """Read and check a spec; every problem is one line naming the key."""
    path = Path(path)
    raw = load_toml(path)
    for key in raw:
        if key not in TOP_KEYS:
            raise StorylabError(f"{path}: unknown key {key!r}; valid top-level keys: {', '.join(TOP_KEYS)}")
    if "config" in raw and "base" in raw:
        raise StorylabError(f"{path}: give either config = \"file.toml\" or a [base] table, not both")
    if "config" in raw:
        if not isinstance(raw["config"], str):
            raise StorylabError(f"{path}: config must be a path to a TOML run config")
        base = load_toml(_resolve_path(raw["config"], path.parent))
    else:
        base = raw.get("base", {})
    if not isinstance(base, dict):
        raise StorylabError(f"{path}: base must be a table")
    try:
        from_dict(RunConfig, base)  # unknown or mistyped base keys, named
    except StorylabError as e:
        raise StorylabError(f"{path}: base {e}") from None
    if base.get("data"):
        base = {**base, "data": _resolve_path(base["data"], path.parent)}
    mode = raw.get("mode", "grid")
    if mode not in ("grid", "zip"):
        raise StorylabError(f"{path}: mode = {mode!r}; choose grid or zip")
    axes = raw.get("axes", {})
    if not isinstance(axes, dict):
        raise StorylabError(f"{path}: axes must be a table of \"section.key\" = [values]")
    axes = _flatten(axes)
    _check_keys(axes, f"{path.name} [axes]")
    for k, v in axes.items():
        if not isinstance(v, list) or not v:
            raise StorylabError(f"{path}: axis {k!r} must be a non-empty list of values")
        if k == "data":
            axes[k] = [_resolve_path(x, path.parent) if isinstance(x, str) else x for x in v]
    if mode == "zip" and len({len(v) for v in axes.values()}) > 1:
        raise StorylabError(f"{path}: mode = \"zip\" needs axes of equal length, got "
                            + ", ".join(f"{k}: {len(v)}" for k, v in axes.items()))
    budget = raw.get("budget", {})
    ev = raw.get("eval", {})
    for name, table, keys in (("budget", budget, BUDGET_KEYS), ("eval", ev, EVAL_KEYS),
                              ("eval.judge", ev.get("judge", {}) if isinstance(ev, dict) else {}, JUDGE_KEYS)):
        if not isinstance(table, dict):
            raise StorylabError(f"{path}: {name} must be a table")
        for key in table:
            if key not in keys:
                raise StorylabError(f"{path}: unknown key {name}.{key!r}; valid: {', '.join(keys)}")
    if "reference" in budget and isinstance(budget["reference"], dict):
        budget = {**budget, "reference": _flatten(budget["reference"])}
    ck = ev.get("checkpoints", 5)
    if ck != "latest" and (isinstance(ck, bool) or not isinstance(ck, int) or ck < 1):
        raise StorylabError(f"{path}: eval.checkpoints must be a positive count or \"latest\", got {ck!r}")
    spec = SweepSpec(path, base, axes, mode, budget, ev)
    trials = spec.trials()  # budget and configs checked now, not in a worker
    if not base.get("data") and not any(t.config["data"] for t in trials):
        raise StorylabError(f"{path}: no data directory (base.data or a \"data\" axis)")
    return spec


def _flatten(d: dict, prefix: str = "") -> dict:
    """`[axes.model] d_model = [...]` and `"model.d_model" = [...]` mean the same."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(_flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out
