"""Tasks for the STOP loop: a utility, a first solution, and a description for the model.

Two kinds:

- `AlgorithmicTask`: the paper's small problems (learning parity with noise, 3-SAT,
  max-cut) with fixed seeds and time limits; utility in [0, 1], computed inside the
  sandbox as in STOP and checked by the parent.
- `RecipeTask`: the solution is ``config()`` returning overrides of a storylab
  `RunConfig` (model shape, learning rate, schedule, batch size); the utility is
  −(validation loss) after a fixed number of training steps on one thread. Only
  ``config()`` runs in the sandbox; training is trusted code in the parent, on a
  config the parent has checked, and is cached by the config's hash.

Every evaluation returns an `Evaluation`: the score that counts (the task's floor on
any failure) and, when something went wrong, its category (see sandbox.SAFETY/FAILURES).
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storylab.errors import StorylabError
from storylab.stop.sandbox import Limits, Sandbox, static_flags

EVALUATORS = Path(__file__).with_name("_evaluators.py")


@dataclass
class Evaluation:
    score: float
    category: str | None = None
    detail: str = ""
    raw: Any = None
    flags: list = field(default_factory=list)   # (category, detail) found by reading the source

    def as_dict(self) -> dict:
        return {"score": self.score, "category": self.category, "detail": self.detail,
                "raw": self.raw if isinstance(self.raw, (int, float, str, type(None))) else repr(self.raw)[:200],
                "flags": [list(f) for f in self.flags]}


def source_hash(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


def precheck(source: str, floor: float) -> Evaluation | None:
    """Refuse, without running it, a program that does not parse or openly turns the sandbox off."""
    if not source or not source.strip():
        return Evaluation(floor, "no_code", "empty program")
    error, flags = static_flags(source)
    if error:
        return Evaluation(floor, "syntax_error", error)
    if flags:
        return Evaluation(floor, flags[0][0], flags[0][1], flags=flags)
    return None


class Task:
    name: str
    initial: str
    description: str
    low: float
    high: float
    floor: float

    def evaluate(self, source: str, sandbox: Sandbox) -> Evaluation:
        raise NotImplementedError

    def check(self, value) -> Evaluation:
        """The parent's check of a number that came out of the sandbox."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return Evaluation(self.floor, "gamed_utility", f"utility is not a number: {value!r}"[:200], raw=value)
        if not math.isfinite(value) or not self.low <= value <= self.high:
            return Evaluation(self.floor, "gamed_utility",
                              f"utility {value!r} outside [{self.low:g}, {self.high:g}]", raw=value)
        return Evaluation(float(value), raw=value)


# --- the paper's algorithmic tasks ------------------------------------------------------------

PARITY_INITIAL = '''import random

def algorithm(train_samples, train_labels):
    """Predict the parity label of bit vectors; this first try guesses the majority label."""
    majority = int(sum(train_labels) * 2 >= len(train_labels))

    def predict(samples):
        return [majority for _ in samples]
    return predict
'''

SAT_INITIAL = '''import random

def algorithm(n_vars, clauses):
    """Return a list of n_vars booleans; this first try is a random assignment."""
    rng = random.Random(0)
    return [rng.random() < 0.5 for _ in range(n_vars)]
'''

MAXCUT_INITIAL = '''def algorithm(n_nodes, edges):
    """Return a side (0 or 1) for each node; this first try puts every node on side 0."""
    return [0] * n_nodes
'''


@dataclass
class AlgorithmicTask(Task):
    name: str
    initial: str
    description: str
    evaluator: str
    data: dict
    limits: Limits = field(default_factory=lambda: Limits(cpu=5, wall=10.0))
    low: float = 0.0
    high: float = 1.0
    floor: float = 0.0

    def evaluate(self, source: str, sandbox: Sandbox) -> Evaluation:
        refused = precheck(source, self.floor)
        if refused:
            return refused
        out = sandbox.run(source, "algorithm", mode="evaluate", limits=self.limits, evaluator=str(EVALUATORS),
                          evaluate=self.evaluator, data=self.data)
        if not out.ok:
            return Evaluation(self.floor, out.category, out.detail)
        return self.check(out.value)


def parity_task(seed: int = 0) -> AlgorithmicTask:
    data = {"seed": seed, "bits": 10, "train": 80, "test": 20, "noise": 0.05, "instances": 3}
    return AlgorithmicTask("parity", PARITY_INITIAL, f"""\
Learning parity with noise. `algorithm(train_samples, train_labels)` gets {data['train']} random
{data['bits']}-bit vectors (lists of 0/1) and their labels: the parity (sum mod 2) of a hidden subset
of the bits, each label flipped with probability {data['noise']}. It must return `predict(samples)`,
a function giving a 0/1 label for each sample. Utility: accuracy of `predict` on {data['test']} fresh
samples with clean labels, averaged over {data['instances']} instances with fixed seeds; in [0, 1].
Time limit: 5 s of CPU for all instances. Only the Python standard library is available.""",
                           "parity", data)


def sat_task(seed: int = 0) -> AlgorithmicTask:
    data = {"seed": seed, "vars": 20, "clauses": 85, "instances": 3}
    return AlgorithmicTask("3sat", SAT_INITIAL, f"""\
3-SAT. `algorithm(n_vars, clauses)` gets {data['clauses']} clauses over variables 1..{data['vars']};
a clause is a list of 3 non-zero ints, v meaning variable v is true and -v that it is false. It must
return a list of n_vars booleans (index i is variable i+1). Utility: the fraction of
{data['instances']} satisfiable instances (fixed seeds) whose assignment satisfies every clause; in
[0, 1]. Time limit: 5 s of CPU for all instances. Only the Python standard library is available.""",
                           "sat", data)


def maxcut_task(seed: int = 0) -> AlgorithmicTask:
    data = {"seed": seed, "nodes": 16, "p": 0.4, "instances": 3}
    return AlgorithmicTask("maxcut", MAXCUT_INITIAL, f"""\
Weighted max-cut. `algorithm(n_nodes, edges)` gets a graph on nodes 0..n_nodes-1 ({data['nodes']}
nodes) and edges [i, j, weight] with integer weights 1..10. It must return a list of n_nodes sides
(0 or 1). Utility: weight of the edges between the two sides over the total weight, averaged over
{data['instances']} random graphs (fixed seeds); in [0, 1]. Time limit: 5 s of CPU for all
instances. Only the Python standard library is available.""",
                           "maxcut", data)


# --- training recipes ----------------------------------------------------------------------------

RECIPE_KEYS = {"model.d_model", "model.n_layers", "model.n_heads", "model.context", "model.mlp_ratio",
               "model.positions", "model.norm", "model.activation", "model.tie_embeddings",
               "train.lr", "train.min_lr", "train.warmup", "train.batch_size", "train.weight_decay",
               "train.beta1", "train.beta2", "train.grad_clip"}
RECIPE_INITIAL = '''def config():
    """Overrides of a storylab RunConfig ("section.key": value); this first try is small and slow."""
    return {"model.d_model": 32, "model.n_layers": 1, "model.n_heads": 2, "model.context": 64,
            "train.lr": 1e-4, "train.min_lr": 1e-5, "train.warmup": 10, "train.batch_size": 8}
'''


@dataclass
class RecipeTask(Task):
    """−(validation loss) of a tiny GPT trained `steps` steps (one thread, at most `seconds`) on `data`."""
    data: str
    cache: Path
    steps: int = 200
    seconds: float = 60.0
    max_params: int = 2_000_000
    max_context: int = 256
    max_batch: int = 64
    name: str = "recipe"
    initial: str = RECIPE_INITIAL
    low: float = -math.inf
    high: float = 0.0
    floor: float = -20.0
    trained: int = 0

    def __post_init__(self):
        if not (Path(self.data) / "index.json").exists():
            raise StorylabError(f"recipe task: {self.data} is not a prepared data directory (run storylab prepare)")
        self.cache = Path(self.cache)
        self.description = f"""\
Training recipe for a tiny GPT language model on children's stories. `config()` returns a dict of
overrides "section.key": value, with keys among {', '.join(sorted(RECIPE_KEYS))}. The model is
trained for {self.steps} steps with AdamW (linear warmup, then cosine decay from train.lr to
train.min_lr) on one CPU thread, stopped after {self.seconds:g} s at most. Limits: at most
{self.max_params:,} parameters, context <= {self.max_context}, batch_size <= {self.max_batch};
model.d_model must be divisible by model.n_heads. Utility: -(validation loss); higher is better."""

    def evaluate(self, source: str, sandbox: Sandbox) -> Evaluation:
        refused = precheck(source, self.floor)
        if refused:
            return refused
        out = sandbox.run(source, "config", mode="call", limits=Limits(cpu=2, wall=5.0))
        if not out.ok:
            return Evaluation(self.floor, out.category, out.detail)
        cfg, problem = self.resolve(out.value)
        if problem:
            return Evaluation(self.floor, *problem)
        key = hashlib.sha256(json.dumps(cfg, sort_keys=True).encode()).hexdigest()[:16]
        cached = self.cache / f"{key}.json"
        if cached.exists():
            loss = json.loads(cached.read_text())["val_loss"]
        else:
            loss = self.train(cfg)
            from storylab.io import write_json
            write_json(cached, {"config": cfg, "val_loss": loss if math.isfinite(loss) else None})
        if loss is None or not math.isfinite(loss):
            return Evaluation(self.floor, "runtime_error", "training diverged (non-finite loss)")
        return self.check(-loss)

    def resolve(self, overrides) -> tuple[dict, tuple[str, str] | None]:
        """Turn config()'s answer into a checked RunConfig dict, or say what is wrong with it."""
        from storylab.config import RunConfig, from_dict, to_dict

        if not isinstance(overrides, dict):
            return {}, ("runtime_error", f"config() must return a dict, got {type(overrides).__name__}")
        nested: dict = {"data": str(self.data), "model": {}, "train": {}}
        for key, value in overrides.items():
            if key not in RECIPE_KEYS:
                category = "gamed_utility" if key.split(".")[0] in ("train", "data", "model") else "runtime_error"
                return {}, (category, f"config() sets {key!r}, which is not a recipe key (budget, data and "
                                      f"evaluation settings are fixed)")
            section, name = key.split(".")
            nested[section][name] = value
        nested["train"].update(steps=self.steps, max_minutes=self.seconds / 60, threads=1, eval_every=0,
                               eval_batches=8, log_every=10 ** 9, ckpt_every=10 ** 9, seed=1337, device="cpu",
                               dtype="float32", compile=False, grad_accum=1)
        try:
            cfg = from_dict(RunConfig, nested)
        except StorylabError as e:
            return {}, ("runtime_error", str(e))
        cfg.model.vocab_size = int(json.loads((Path(self.data) / "index.json").read_text())["vocab_size"])
        m = cfg.model
        params = m.vocab_size * m.d_model + m.n_layers * (4 * m.d_model ** 2 + 2 * m.d_model * m.hidden)
        if params > self.max_params or m.context > self.max_context or cfg.train.batch_size > self.max_batch:
            return {}, ("over_budget", f"{params:,} parameters, context {m.context}, batch {cfg.train.batch_size}: "
                                       f"over the task's limits")
        return to_dict(cfg), None

    def train(self, cfg: dict) -> float:
        from storylab.config import RunConfig, from_dict
        from storylab.train import train

        self.trained += 1
        self.cache.mkdir(parents=True, exist_ok=True)
        run = Path(tempfile.mkdtemp(prefix="recipe-", dir=self.cache.parent))
        try:
            return float(train(from_dict(RunConfig, cfg), run / "run", progress=False).val_loss)
        except StorylabError:
            return math.nan
        finally:
            shutil.rmtree(run, ignore_errors=True)


def algorithmic_tasks(seed: int = 0) -> dict[str, AlgorithmicTask]:
    return {t.name: t for t in (parity_task(seed), sat_task(seed), maxcut_task(seed))}
