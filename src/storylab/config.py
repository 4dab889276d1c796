"""Dataclass configs with TOML load/save and `section.key=value` overrides.

A run directory's `config.toml` is the fully resolved config: every field written,
so that a run can be reproduced from it alone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from storylab.errors import StorylabError
from storylab.io import atomic_write

POSITIONS = ("learned", "rope", "alibi")
NORMS = ("layernorm", "rmsnorm")
ACTIVATIONS = ("gelu", "swiglu")


@dataclass
class ModelConfig:
    vocab_size: int = 4096
    context: int = 256
    d_model: int = 128
    n_layers: int = 4
    n_heads: int = 4
    n_kv_heads: int = 0            # 0: same as n_heads; fewer gives grouped-query attention
    d_mlp: int = 0                 # 0: mlp_ratio * d_model
    mlp_ratio: float = 4.0
    positions: str = "learned"     # learned | rope | alibi
    norm: str = "layernorm"        # layernorm | rmsnorm
    activation: str = "gelu"       # gelu | swiglu
    tie_embeddings: bool = True
    window: int = 0                # sliding-window attention span (0: full causal attention)
    local_layers: list = field(default_factory=list)  # layers that use the window; empty: all of them
    bias: bool = False             # biases in attention output, MLP and norms (GPT-Neo style)
    qkv_bias: bool = False
    attn_scale: float = 0.0        # 0: 1/sqrt(d_head); GPT-Neo uses 1.0
    norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    dropout: float = 0.0

    def __post_init__(self):
        self.validate()

    @property
    def d_head(self) -> int:
        return self.d_model // self.n_heads

    @property
    def kv_heads(self) -> int:
        return self.n_kv_heads or self.n_heads

    @property
    def hidden(self) -> int:
        return self.d_mlp or int(self.mlp_ratio * self.d_model)

    def is_local(self, layer: int) -> bool:
        return self.window > 0 and (not self.local_layers or layer in self.local_layers)

    def validate(self) -> None:
        def bad(msg):
            raise StorylabError(f"model config: {msg}")

        if self.positions not in POSITIONS:
            bad(f"positions={self.positions!r}; choose one of {', '.join(POSITIONS)}")
        if self.norm not in NORMS:
            bad(f"norm={self.norm!r}; choose one of {', '.join(NORMS)}")
        if self.activation not in ACTIVATIONS:
            bad(f"activation={self.activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        for name in ("vocab_size", "context", "d_model", "n_layers", "n_heads"):
            if getattr(self, name) <= 0:
                bad(f"{name} must be positive")
        if self.d_model % self.n_heads:
            bad(f"d_model={self.d_model} is not divisible by n_heads={self.n_heads}")
        if self.n_heads % self.kv_heads:
            bad(f"n_heads={self.n_heads} is not divisible by n_kv_heads={self.kv_heads}")
        if self.positions == "rope" and self.d_head % 2:
            bad("rope needs an even head dimension")
        if self.window < 0:
            bad("window must be >= 0")
        _check_ranges(self, bad, MODEL_RANGES)
        for layer in self.local_layers:
            if not isinstance(layer, int) or isinstance(layer, bool) or not 0 <= layer < self.n_layers:
                bad(f"local_layers: {layer!r} is not a layer of {self.n_layers}")


@dataclass
class TrainConfig:
    steps: int = 2000
    batch_size: int = 16
    grad_accum: int = 1
    lr: float = 1e-3
    min_lr: float = 1e-4
    warmup: int = 100
    weight_decay: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.95
    grad_clip: float = 1.0
    eval_every: int = 100
    eval_batches: int = 20
    log_every: int = 10
    ckpt_every: int = 500
    max_minutes: float = 0.0       # stop early after this wall time (0: no limit)
    lr_schedule: str = "steps"     # steps: cosine ends at train.steps | time: also at max_minutes, whichever is first
    seed: int = 1337
    device: str = "auto"           # auto | cpu | cuda | mps
    dtype: str = "auto"            # auto (bfloat16 where the CPU/GPU has bf16 units) | float32 | bfloat16 (autocast)
    compile: bool | str = "auto"   # auto (where the run is long enough to pay the build, see train.compile_pays) | true | false
    threads: int = 0               # torch CPU threads (0: automatic, the cores free at start)
    align: str = "none"            # none: windows start anywhere | document: at a document's start (see train.Batches)
    sources: dict = field(default_factory=dict)  # mixtures: name -> prepared data dir (see storylab.mixture)
    phase: list = field(default_factory=list)    # mixtures: [{until_step, mix = {name = weight}}], in order

    def __post_init__(self):
        self.validate()

    def validate(self) -> None:
        def bad(msg):
            raise StorylabError(f"train config: {msg}")

        _check_ranges(self, bad, TRAIN_RANGES)
        if self.device.split(":")[0] not in ("auto", "cpu", "cuda", "mps"):
            bad(f"device={self.device!r}; choose one of auto, cpu, cuda, mps")
        if self.dtype not in ("auto", "float32", "bfloat16"):
            bad(f"dtype={self.dtype!r}; choose one of auto, float32, bfloat16")
        if self.compile not in (True, False, "auto"):
            bad(f"compile={self.compile!r}; choose one of auto, true, false")
        if self.lr_schedule not in ("steps", "time"):
            bad(f"lr_schedule={self.lr_schedule!r}; choose one of steps, time")
        if self.lr_schedule == "time" and not self.max_minutes:
            bad("lr_schedule=time needs train.max_minutes (the schedule ends when the time is up)")
        if self.align not in ("none", "document"):
            bad(f"align={self.align!r}; choose one of none, document")
        if self.align != "none" and self.sources:
            bad("align=document is not supported with train.sources (mixtures) yet")
        self.phases()  # a malformed mixture is an error when the config is read, not at the first step

    def phases(self) -> list["Phase"]:
        """The mixture schedule, checked: [] without `sources` (one data directory); with
        `sources` but no `phase` tables, one phase drawing every source equally."""
        return parse_phases(self.sources, self.phase)


@dataclass
class Phase:
    """Steps [previous until_step, until_step) draw batch rows from the sources with these
    weights (normalised to sum 1). The last phase also covers any steps after its end."""

    until_step: int
    mix: dict


def parse_phases(sources: dict, phases: list) -> list[Phase]:
    def bad(msg):
        raise StorylabError(f"train config: {msg}")

    if not isinstance(sources, dict):
        bad("train.sources must be a table of name = data directory")
    for name, path in sources.items():
        if not isinstance(path, str) or not path:
            bad(f"train.sources.{name} must be a data directory path")
    if not sources:
        if phases:
            bad("[[train.phase]] needs train.sources (name = data directory for each source)")
        return []
    if not phases:
        return [Phase(0, {n: 1 / len(sources) for n in sorted(sources)})]
    out, last = [], 0
    for i, ph in enumerate(phases):
        where = f"train.phase[{i}]"
        if not isinstance(ph, dict) or set(ph) - {"until_step", "mix"} or "mix" not in ph:
            bad(f"{where} must be a table with until_step and mix = {{name = weight, ...}}")
        until = ph.get("until_step", 0)
        if isinstance(until, str) and until.lstrip("-").isdigit():
            until = int(until)
        if not isinstance(until, int) or isinstance(until, bool) or until < 0:
            bad(f"{where}.until_step must be a non-negative integer")
        if i < len(phases) - 1 and until <= last:
            bad(f"{where}.until_step={until} must be greater than the previous phase's ({last})")
        mix = ph["mix"]
        if not isinstance(mix, dict) or not mix:
            bad(f"{where}.mix must be a table of source = weight")
        unknown = sorted(set(mix) - set(sources))
        if unknown:
            bad(f"{where}.mix names unknown source(s) {', '.join(unknown)}; train.sources has {', '.join(sorted(sources))}")
        try:
            weights = {n: float(w) for n, w in mix.items()}
        except (TypeError, ValueError):
            bad(f"{where}.mix weights must be numbers")
        if any(w < 0 or w != w for w in weights.values()) or sum(weights.values()) <= 0:
            bad(f"{where}.mix weights must be >= 0 with a positive sum")
        total = sum(weights.values())
        out.append(Phase(until, {n: weights[n] / total for n in sorted(weights) if weights[n] > 0}))
        last = until
    return out


@dataclass
class RunConfig:
    data: str = ""                 # prepared data directory (tokenizer.json, train.bin, val.bin, index.json)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    def validate(self) -> None:
        """Every field of every section (a config changed in code after loading is checked again)."""
        self.model.validate()
        self.train.validate()


# --- ranges --------------------------------------------------------------------
# (low, high, low is open, high is open); None: unbounded. Sizes have upper bounds that no
# laptop-scale run gets near, so that a typo (context=100000000) fails here, at once; what
# fits the machine's memory is checked separately (storylab.budget).
_BIG = 1 << 24
MODEL_RANGES = {
    "vocab_size": (1, _BIG), "context": (1, 1 << 20), "d_model": (1, 1 << 16), "n_layers": (1, 4096),
    "n_heads": (1, 4096), "n_kv_heads": (0, 4096), "d_mlp": (0, 1 << 18), "mlp_ratio": (0, 64, True),
    "window": (0, 1 << 20), "attn_scale": (0, None), "norm_eps": (0, 1, True), "rope_theta": (0, None, True),
    "dropout": (0, 1, False, True),
}
TRAIN_RANGES = {
    "steps": (1, 1 << 40), "batch_size": (1, 1 << 20), "grad_accum": (1, 1 << 16), "lr": (0, None, True),
    "min_lr": (0, None), "warmup": (0, 1 << 40), "weight_decay": (0, 100), "beta1": (0, 1, False, True),
    "beta2": (0, 1, False, True), "grad_clip": (0, None), "eval_every": (0, None), "eval_batches": (1, 1 << 20),
    "log_every": (1, None), "ckpt_every": (0, None), "max_minutes": (0, None), "threads": (0, 4096),
}


def _check_ranges(obj, bad, ranges: dict) -> None:
    import math

    for name, r in ranges.items():
        v = getattr(obj, name)
        lo, hi = r[0], r[1]
        lo_open, hi_open = (r[2] if len(r) > 2 else False), (r[3] if len(r) > 3 else False)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            bad(f"{name} must be a number, got {v!r}")
        if isinstance(v, float) and not math.isfinite(v):
            bad(f"{name} must be a finite number, got {v}")
        if lo is not None and (v < lo or (lo_open and v == lo)):
            bad(f"{name}={v} must be {'>' if lo_open else '>='} {lo}")
        if hi is not None and (v > hi or (hi_open and v == hi)):
            bad(f"{name}={v} must be {'<' if hi_open else '<='} {hi}")


# --- conversion ----------------------------------------------------------------


def _valid_keys(cls) -> list[str]:
    out = []
    for f in fields(cls):
        if dataclasses.is_dataclass(f.default_factory if f.default_factory is not dataclasses.MISSING else None):
            out += [f"{f.name}.{k}" for k in _valid_keys(f.default_factory)]
        else:
            out.append(f.name)
    return out


def _coerce(value: Any, typ, key: str):
    origin = get_origin(typ) or typ
    if origin in (Union, UnionType):  # the first member that takes the value ("true" is a bool before a str)
        for member in get_args(typ):
            try:
                return _coerce(value, member, key)
            except StorylabError:
                pass
        origin = " or ".join(t.__name__ for t in get_args(typ))
    elif typ is bool or origin is bool:
        if isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
        elif isinstance(value, bool):
            return value
    elif origin is int:
        if isinstance(value, bool):
            pass
        elif isinstance(value, int):
            return value
        elif isinstance(value, float) and value.is_integer():
            return int(value)
        elif isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                pass
    elif origin is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
    elif origin is str:
        if isinstance(value, str):
            return value
    elif origin is dict:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                pass
        if isinstance(value, dict):
            return dict(value)
    elif origin is list:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError:
                value = [v for v in value.split(",") if v.strip()]
                value = [int(v) if v.strip().lstrip("-").isdigit() else v.strip() for v in value]
        if isinstance(value, list):
            return list(value)
    raise StorylabError(f"config: {key} must be {getattr(origin, '__name__', origin)}, got {value!r}")


def from_dict(cls, d: dict, prefix: str = ""):
    """Build dataclass `cls` from a nested dict; unknown keys are an error listing the valid ones."""
    if not isinstance(d, dict):
        raise StorylabError(f"config: {prefix or 'config'} must be a table")
    hints = get_type_hints(cls)
    names = {f.name: f for f in fields(cls)}
    kwargs = {}
    for key, value in d.items():
        full = f"{prefix}{key}"
        if key not in names:
            raise StorylabError(f"config: unknown key {full!r}; valid keys: {', '.join(prefix + k for k in _valid_keys(cls))}")
        typ = hints[key]
        if dataclasses.is_dataclass(typ):
            kwargs[key] = from_dict(typ, value, prefix=f"{full}.")
        else:
            kwargs[key] = _coerce(value, typ, full)
    return cls(**kwargs)


def to_dict(obj) -> dict:
    return dataclasses.asdict(obj)


def apply_overrides(d: dict, overrides: list[str]) -> dict:
    """Apply `a.b=c` strings to a nested dict (values stay strings; from_dict coerces them)."""
    d = json.loads(json.dumps(d))
    for item in overrides or []:
        if "=" not in item:
            raise StorylabError(f"override {item!r} must look like section.key=value")
        key, value = item.split("=", 1)
        parts = key.strip().split(".")
        node = d
        for p in parts[:-1]:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise StorylabError(f"override {item!r}: {p} is not a section")
        node[parts[-1]] = value.strip()
    return d


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):  # an inline table
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _toml_key(k: str) -> str:
    return k if k and all(c.isalnum() or c in "-_" for c in k) and k.isascii() else json.dumps(k)


def dumps_toml(d: dict) -> str:
    lines, tables = [], []
    for k, v in d.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif v is not None:
            lines.append(f"{k} = {_toml_value(v)}")
    for name, table in tables:
        lines.append(f"\n[{name}]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"


def save_toml(path: str | os.PathLike, d: dict) -> None:
    with atomic_write(path) as f:
        f.write(dumps_toml(d))


def load_toml(path: str | os.PathLike) -> dict:
    path = Path(path)
    if not path.exists():
        raise StorylabError(f"config file not found: {path}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise StorylabError(f"{path}: malformed TOML ({e})") from None


def load_run_config(path: str | os.PathLike | None = None, overrides: list[str] | None = None) -> RunConfig:
    d = load_toml(path) if path else {}
    return from_dict(RunConfig, apply_overrides(d, overrides or []))
