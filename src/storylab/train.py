"""The training loop: one process, or DDP when launched by torchrun.

Reading order, nanoGPT-style: `train` sets up (devices, data, model, optimizer, resume)
in `_setup`, then runs one linear loop (batch → forward → backward → clip → step → log
/ eval / checkpoint). A resume is exact on CPU: weights, AdamW moments, the LR schedule
(a function of the step), the data sampler's RNG and torch's RNG are all restored.
"""

from __future__ import annotations

import json
import math
import os
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from rich.progress import TextColumn
from torch.nn.parallel import DistributedDataParallel as DDP

from storylab.budget import check_memory
from storylab.checkpoint import check_shapes, list_checkpoints, load_state, read_safetensors, save_checkpoint, state_path
from storylab.config import ModelConfig, RunConfig, load_run_config, load_toml, save_toml, to_dict
from storylab.device import autocast, pick_device, resolve_dtype, set_threads
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.io import atomic_write
from storylab.mixture import load_sources, log_fields, make_batches, source_val_losses, train_loss
from storylab.model import GPT
from storylab.progress import console
from storylab.progress import progress as make_progress
from storylab.shards import TokenData, load_data
from storylab.tokenizer import load_tokenizer, tokenizer_hash


def lr_at(step: int, cfg, time_fraction: float = 0.0) -> float:
    """Linear warmup, then cosine decay to min_lr at the last step. With
    ``lr_schedule = "time"`` the decay runs on whichever is further along, the steps or the
    wall clock (`time_fraction` of max_minutes used), so a minutes-budgeted run ends at
    min_lr when its time is up, however fast the machine is."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    if getattr(cfg, "lr_schedule", "steps") == "time":
        progress = min(1.0, max(progress, time_fraction))
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)


def document_starts(tokens: np.ndarray, eot: int, context: int, chunk: int = 1 << 22) -> np.ndarray:
    """Offsets of the end-of-text tokens that open a document and leave a full window after them."""
    last = len(tokens) - context - 1  # the last offset a window of context + 1 tokens can start at
    found = [np.flatnonzero(np.asarray(tokens[a:a + chunk]) == eot) + a for a in range(0, max(last + 1, 0), chunk)]
    starts = np.concatenate(found) if found else np.zeros(0, np.int64)
    return starts[starts <= last]


class Batches:
    """Random context windows from a flat token array, reproducible from its RNG state.

    By default a window starts at any token, so most start mid-document. With `align_eot`
    (``train.align = "document"``) each window starts at an end-of-text token followed by a
    document: its first input is the separator and its first target the document's first
    token, which is how `sample` and `eval --legal` feed a model (a game is read from its
    first move, as Othello-GPT trains). The offsets are found once, from the shard itself;
    the RNG state alone still fixes every batch, so resumes stay exact."""

    def __init__(self, tokens: np.ndarray, context: int, batch: int, seed: int, align_eot: int | None = None):
        if len(tokens) <= context + 1:
            raise StorylabError(f"only {len(tokens)} tokens of data; need more than the context ({context})")
        self.tokens, self.context, self.batch = tokens, context, batch
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.starts = None if align_eot is None else document_starts(tokens, align_eot, context)
        if self.starts is not None and not len(self.starts):
            raise StorylabError(f"train.align=document: no document in the data is followed by {context + 1} tokens "
                                f"(the end-of-text token, id {align_eot}, separates documents)")

    def next(self, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        if self.starts is None:
            ix = self.rng.integers(0, len(self.tokens) - self.context - 1, size=self.batch)
        else:
            ix = self.starts[self.rng.integers(0, len(self.starts), size=self.batch)]
        w = np.stack([self.tokens[i:i + self.context + 1] for i in ix]).astype(np.int64)
        xy = torch.from_numpy(w)
        if device.startswith("cuda"):
            xy = xy.pin_memory().to(device, non_blocking=True)
        else:
            xy = xy.to(device)
        return xy[:, :-1], xy[:, 1:]

    @property
    def state(self) -> dict:
        return self.rng.bit_generator.state

    @state.setter
    def state(self, value: dict) -> None:
        self.rng.bit_generator.state = value


@torch.no_grad()
def evaluate_loss(model, tokens: np.ndarray, context: int, batch: int, n_batches: int, device: str,
                  dtype: str = "float32", seed: int = 0, align_eot: int | None = None) -> float:
    """Mean loss over a fixed set of windows (the same ones at every call), aligned as training's are."""
    model.eval()
    b = Batches(tokens, context, batch, seed, align_eot=align_eot)
    losses = []
    for _ in range(n_batches):
        x, y = b.next(device)
        with autocast(device, dtype):
            losses.append(model(x, y).item())
    model.train()
    return float(np.mean(losses))


EAGER_FLOPS = 1e11        # training FLOP/s of one core running eagerly (d128 in bf16 on AMX: 1.1e11; fp32: 0.7e11)
COMPILE_MIN_SECONDS = 240  # torch.compile builds a d128/L4 step in ~25 s here and then runs it ~1.25x faster


def compile_pays(cfg: RunConfig, flops_per_token: int, device: str) -> bool:
    """`train.compile=auto`: compile when the run is expected to take at least COMPILE_MIN_SECONDS
    eagerly on one core (steps, or `max_minutes` if sooner): the ~25 s build is then paid back
    about twice. The estimate is a function of the config alone, so a resumed run decides as the
    run it continues did (its losses stay bit-for-bit those of an uninterrupted run)."""
    tc, mc = cfg.train, cfg.model
    if tc.compile != "auto":
        return bool(tc.compile)
    if device.startswith("mps") or os.environ.get("STORYLAB_COMPILE", "1") == "0":
        return False
    seconds = tc.steps * tc.batch_size * tc.grad_accum * mc.context * flops_per_token / EAGER_FLOPS
    if tc.max_minutes > 0:
        seconds = min(seconds, tc.max_minutes * 60)
    return seconds >= COMPILE_MIN_SECONDS


@dataclass
class TrainResult:
    run_dir: Path
    step: int
    train_loss: float
    val_loss: float
    tokens: int
    seconds: float
    params: int
    params_non_embedding: int
    threads: int = 0
    dtype: str = ""
    compiled: bool = False

    def summary(self) -> str:
        return (f"trained {self.run_dir.name}: step {self.step}, train loss {self.train_loss:.3f}, "
                f"val loss {self.val_loss:.3f}, {self.tokens:,} tokens in {self.seconds:.0f}s "
                f"({self.tokens / max(self.seconds, 1e-9):,.0f} tok/s), {self.params:,} params, "
                f"{self.dtype}{', compiled' if self.compiled else ''}, {self.threads} threads")


def _ddp_env() -> tuple[int, int, int]:
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))


def _diff_model_configs(old: dict, new: dict) -> list[str]:
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def run_config(out: str | os.PathLike, config: str | os.PathLike | None = None, overrides: list[str] | None = None,
               resume: bool = False) -> RunConfig:
    """The config a run trains with: `config` (TOML) with `overrides` on top; a resume with no
    `config` starts from the run's own saved config.toml, so `--resume --steps 2000` extends it."""
    saved = Path(out) / "config.toml"
    if config is None and resume and saved.exists():
        config = saved
    return load_run_config(config, overrides or [])


def prepare_run(cfg: RunConfig, run_dir: Path, resume: bool) -> tuple[RunConfig, TokenData]:
    """Resolve the config against the data and the run directory (fresh or resumed)."""
    load_sources(cfg)  # mixtures: the sources share one tokenizer; data defaults to the first
    if not cfg.data:
        raise StorylabError("no data directory given (set data = ... or pass --data)")
    data = load_data(cfg.data)
    cfg.model.vocab_size = data.index["vocab_size"]
    cfg.model.validate()
    existing = run_dir / "config.toml"
    if resume:
        if not existing.exists():
            raise StorylabError(f"{run_dir}: nothing to resume (no config.toml)")
        old = load_toml(existing)
        diff = _diff_model_configs(old.get("model", {}), to_dict(cfg.model))
        if diff:
            raise StorylabError(f"cannot resume {run_dir} with a changed model config ({'; '.join(diff)})")
        tok_path = run_dir / "tokenizer.json"  # the data may have been re-prepared, or moved
        if tok_path.exists() and tokenizer_hash(load_tokenizer(tok_path)) != data.index["tokenizer_hash"]:
            raise StorylabError(f"cannot resume {run_dir}: the data's tokenizer differs from the run's")
    elif existing.exists() and list_checkpoints(run_dir):
        raise StorylabError(f"{run_dir} already holds a run; pass --resume to continue it or choose another --out")
    return cfg, data


@dataclass
class _State:
    """Everything the loop changes, so that setup, checkpointing and logging can share it."""

    model: torch.nn.Module          # what the loop calls: maybe compiled, maybe DDP-wrapped
    raw_model: GPT                  # the plain module, for checkpoints and evaluation
    optimizer: torch.optim.Optimizer
    batches: Batches
    device: str
    rank: int
    world: int
    step: int = 0
    tokens_seen: int = 0
    elapsed_before: float = 0.0     # seconds trained before this process (resumed runs)
    compiled: bool = False          # model is torch.compile'd, and its first step has not run yet
    compile_ok: bool = False        # ... and it ran
    time_fraction: float = 0.0      # lr_schedule=time: how far the schedule is (of max_minutes), synced across ranks
    time_fraction_before: float = 0.0  # ... where it was when the run was resumed

    @property
    def ddp(self) -> bool:
        return self.world > 1

    @property
    def master(self) -> bool:
        return self.rank == 0


def _init_process(tc) -> tuple[str, int, int]:
    """(device, rank, world): the device, threads and, under torchrun, the process group."""
    rank, world, local_rank = _ddp_env()
    device = pick_device(tc.device)
    if world > 1:
        if device.startswith("cuda"):
            device = f"cuda:{local_rank}"
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    if not device.startswith("cuda"):  # threads that fit the cores free now, shared among local ranks
        n = tc.threads or max(1, set_threads(0, interval=0.25) // int(os.environ.get("LOCAL_WORLD_SIZE", 1)))
        set_threads(n)
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return device, rank, world


def _setup(cfg: RunConfig, data: TokenData, run_dir: Path, resume: bool, device: str, rank: int, world: int) -> _State:
    """Model, optimizer and data sampler, restored from the last checkpoint when resuming."""
    tc, mc = cfg.train, cfg.model
    torch.manual_seed(tc.seed)
    model = GPT(mc).to(device)
    optimizer = model.configure_optimizer(tc.lr, tc.weight_decay, (tc.beta1, tc.beta2), device.split(":")[0])
    batches = make_batches(cfg, data, rank)  # Batches, or MixtureBatches over train.sources
    st = _State(model, model, optimizer, batches, device, rank, world)
    if resume:
        ckpts = [(s, p) for s, p in list_checkpoints(run_dir) if state_path(run_dir, s).exists()]
        if ckpts:
            st.step = ckpts[-1][0]
            tensors, _ = read_safetensors(ckpts[-1][1], "checkpoint")
            check_shapes(tensors, model, ckpts[-1][1])
            model.load_state_dict(tensors)
            state = load_state(run_dir, st.step, model, optimizer)
            batches.state = state["data_rng"][rank] if rank < len(state["data_rng"]) else state["data_rng"][0]
            st.tokens_seen = state.get("tokens", 0)
            st.elapsed_before = state.get("seconds", 0.0)
            st.time_fraction = st.time_fraction_before = state.get("time_fraction", 0.0)
    if compile_pays(cfg, model.flops_per_token(), device):
        if device == "mps":
            console.print("[yellow]warning:[/] torch.compile is not supported on MPS; running eagerly")
        else:
            st.model, st.compiled = torch.compile(st.model), True
            if st.master and tc.compile == "auto":
                console.print("note: compiling the training step (train.compile=auto: the run is long enough to pay "
                              "the build, ~20-60 s once; train.compile=false runs eagerly)", markup=False)
    st.model = _wrap_ddp(st, st.model)
    return st


def _wrap_ddp(st: _State, model: torch.nn.Module) -> torch.nn.Module:
    if not st.ddp:
        return model
    return DDP(model, device_ids=[int(st.device.split(":")[1])] if st.device.startswith("cuda") else None)


def _train_step_or_fall_back(st: _State, tc) -> torch.Tensor:
    """`_train_step`; the first step of a compiled model builds it, and if that fails (no C++
    compiler, an unsupported op) the same step is taken again eagerly, after a one-line note."""
    if not st.compiled or st.compile_ok:
        return _train_step(st, tc)
    data_state, rng = st.batches.state, torch.get_rng_state()
    try:
        total = _train_step(st, tc)
        st.compile_ok = True
        return total
    except Exception as e:  # torch._dynamo / inductor errors have no common base class
        if st.ddp:  # every rank fails alike; a second DDP wrapper would leave the first one's hooks behind
            raise StorylabError(f"torch.compile failed ({str(e).strip().splitlines()[0][:200]}); "
                                f"set train.compile=false") from None
        if st.master:
            console.print(f"note: torch.compile failed ({str(e).strip().splitlines()[0][:200]}); training eagerly",
                          markup=False)
        st.model, st.compiled = st.raw_model, False
        st.optimizer.zero_grad(set_to_none=True)
        st.batches.state = data_state
        torch.set_rng_state(rng)
        return _train_step(st, tc)


def _checkpoint(st: _State, run_dir: Path, t0: float) -> None:
    """Every rank's sampler state goes into the newest checkpoint; older ones keep only weights."""
    data_rng = [st.batches.state]
    if st.ddp:
        data_rng = [None] * st.world
        dist.all_gather_object(data_rng, st.batches.state)
    if st.master:
        save_checkpoint(run_dir, st.step, st.raw_model, st.optimizer, {
            "step": st.step, "tokens": st.tokens_seen, "seconds": st.elapsed_before + time.time() - t0,
            "data_rng": data_rng, "time_fraction": st.time_fraction})
        for s, _ in list_checkpoints(run_dir)[:-1]:
            state_path(run_dir, s).unlink(missing_ok=True)


def _train_step(st: _State, tc) -> torch.Tensor:
    """One optimizer step over `grad_accum` micro-batches; returns the summed (scaled) loss."""
    lr = lr_at(st.step, tc, st.time_fraction)
    for g in st.optimizer.param_groups:
        g["lr"] = lr
    total = torch.zeros((), device=st.device)
    for micro in range(tc.grad_accum):
        x, y = st.batches.next(st.device)
        sync = not st.ddp or micro == tc.grad_accum - 1
        ctx = nullcontext() if sync else st.model.no_sync()  # DDP: all-reduce gradients once, at the last
        with ctx, autocast(st.device, tc.dtype):
            loss = train_loss(st.model, st.batches, x, y)  # a mixture also credits each row to its source
            if tc.grad_accum > 1:
                loss = loss / tc.grad_accum
        with ctx:
            loss.backward()
        total += loss.detach()
    if tc.grad_clip > 0:
        torch.nn.utils.clip_grad_norm_(st.model.parameters(), tc.grad_clip)
    st.optimizer.step()
    st.optimizer.zero_grad(set_to_none=True)
    st.step += 1
    return total


def _check_diverged(loss: float, st: _State, run_dir: Path, tc, weights: bool = False) -> None:
    """Stop with one line when the loss (or, before a checkpoint, a weight) is NaN or infinite:
    nothing diverged is logged or saved, and the last good checkpoint stays resumable."""
    bad = not math.isfinite(loss)
    if not bad and weights:
        bad = not all(bool(torch.isfinite(p).all()) for p in st.raw_model.parameters())
    if bad:
        ckpts = list_checkpoints(run_dir)
        last = (f"the last good checkpoint (step {ckpts[-1][0]}) is kept: resume it with a lower train.lr"
                if ckpts else "no checkpoint was saved")
        raise StorylabError(f"training diverged at step {st.step}: loss is {loss} (lr {st.optimizer.param_groups[0]['lr']:.3g}); "
                            f"{last}")


def _out_of_time(st: _State, tc, t0: float) -> bool:
    """Whether max_minutes are used up; also updates the time schedule's fraction (a resumed
    run spreads what was left of the decay over its own max_minutes)."""
    if tc.max_minutes <= 0:
        return False
    used = (time.time() - t0) / (tc.max_minutes * 60)
    if st.ddp:  # every rank must stop at the same step, and step with the same lr
        flag = torch.tensor([used], device=st.device)
        dist.all_reduce(flag, op=dist.ReduceOp.MAX)
        used = float(flag.item())
    st.time_fraction = st.time_fraction_before + (1 - st.time_fraction_before) * min(used, 1.0)
    return used > 1


@locked("run_dir", kind="dir", derive=lambda a: a["run_dir"] if _ddp_env()[0] == 0 else None)
def train(cfg: RunConfig | None, run_dir: str | os.PathLike, resume: bool = False,
          progress: bool = True) -> TrainResult:
    """Train `cfg` into `run_dir`; see the module docstring. With `resume` and no `cfg`,
    the run continues with its own saved config."""
    run_dir = Path(run_dir)
    if cfg is None:
        if not resume:
            raise StorylabError("train needs a config (or resume=True to continue a run with its own)")
        cfg = run_config(run_dir, resume=True)
    cfg.validate()
    tc = cfg.train
    device, rank, world = _init_process(tc)
    cfg, data = prepare_run(cfg, run_dir, resume)
    mc: ModelConfig = cfg.model
    # auto: bf16 autocast where the hardware has bf16 units and the matmuls are wide enough (the summary says which)
    tc.dtype = resolve_dtype(tc.dtype, device, width=mc.d_model * max(mc.hidden, mc.vocab_size))
    check_memory(mc, tc.batch_size, training=True, what="training this model", device=device)
    if rank == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        save_toml(run_dir / "config.toml", to_dict(cfg))
        tok_path, tok_text = run_dir / "tokenizer.json", data.tokenizer.to_str()
        if not tok_path.is_file() or tok_path.read_bytes() != tok_text.encode("utf-8"):  # atomic, and only if new
            with atomic_write(tok_path) as f:
                f.write(tok_text)
    st = _setup(cfg, data, run_dir, resume, device, rank, world)
    if st.master:
        _truncate_metrics(run_dir / "metrics.jsonl", st.step)
    train_tokens, val_tokens = data.split("train"), data.split("val")
    eval_tokens = val_tokens if len(val_tokens) > mc.context + 1 else train_tokens
    tokens_per_step = tc.batch_size * mc.context * tc.grad_accum * world
    metrics = open(run_dir / "metrics.jsonl", "a", encoding="utf-8") if st.master else None

    def log(obj: dict) -> None:
        if metrics is not None:
            metrics.write(json.dumps(obj) + "\n")
            metrics.flush()

    t0 = time.time()
    t_last, tokens_last, start_step = t0, st.tokens_seen, st.step
    loss_value, val_loss = float("nan"), float("nan")
    bar = make_progress(TextColumn("loss {task.fields[loss]:.3f}"), TextColumn("{task.fields[tps]:,.0f} tok/s"),
                        disable=not (progress and st.master))
    with bar:
        task = bar.add_task(run_dir.name, total=tc.steps, completed=st.step, loss=float("nan"), tps=0.0)
        st.model.train()
        while st.step < tc.steps:
            total = _train_step_or_fall_back(st, tc)
            st.tokens_seen += tokens_per_step
            if st.step % tc.log_every == 0 or st.step == tc.steps:
                if st.ddp:
                    dist.all_reduce(total, op=dist.ReduceOp.AVG)
                loss_value, now = float(total), time.time()
                _check_diverged(loss_value, st, run_dir, tc)
                tps = (st.tokens_seen - tokens_last) / max(now - t_last, 1e-9)
                t_last, tokens_last = now, st.tokens_seen
                log({"step": st.step, "loss": loss_value, "lr": st.optimizer.param_groups[0]["lr"], "tokens": st.tokens_seen,
                     "tokens_per_s": round(tps, 1), "seconds": round(st.elapsed_before + now - t0, 3),
                     **log_fields(st.batches)})
                bar.update(task, completed=st.step, loss=loss_value, tps=tps)
            out_of_time = _out_of_time(st, tc, t0)
            last = st.step == tc.steps or out_of_time
            if (tc.eval_every and st.step % tc.eval_every == 0) or last:
                val_loss = evaluate_loss(st.raw_model, eval_tokens, mc.context, tc.batch_size, tc.eval_batches,
                                         device, tc.dtype, align_eot=data.eot_id if tc.align == "document" else None)
                log({"step": st.step, "val_loss": val_loss, **source_val_losses(st.batches, cfg, lambda t: evaluate_loss(
                    st.raw_model, t, mc.context, tc.batch_size, tc.eval_batches, device, tc.dtype))})
            if (tc.ckpt_every and st.step % tc.ckpt_every == 0) or last:
                _check_diverged(float(total), st, run_dir, tc, weights=True)  # never a NaN checkpoint
                _checkpoint(st, run_dir, t0)
            if out_of_time:
                break

    result = TrainResult(run_dir, st.step, loss_value, val_loss, (st.step - start_step) * tokens_per_step,
                         time.time() - t0, st.raw_model.num_params(), st.raw_model.num_params(non_embedding=True),
                         torch.get_num_threads(), tc.dtype, st.compiled)
    if st.ddp:
        _ddp_teardown(st, log)
    if st.master:
        log({"step": st.step, "summary": result.summary()})
        metrics.close()
    return result


def _ddp_teardown(st: _State, log) -> None:
    """Log every rank's parameter checksum (they must agree), then wait until every rank is done talking.

    The process group is not destroyed: storylab.cli ends the rank with os._exit. gloo's worker threads
    drop a finished collective's tensors a moment after it returns, and that takes the GIL. Freeing the
    group joins those threads while holding the GIL (a rank hung); leaving it to interpreter exit, a thread
    asking for the GIL there is killed inside a destructor (exit -6, "terminate called without an active
    exception": test_torchrun_two_cpu_ranks_agree, now and then under load)."""
    checksum = float(sum(p.detach().double().sum() for p in st.raw_model.parameters()))
    sums = [None] * st.world
    dist.all_gather_object(sums, checksum)
    log({"step": st.step, "ddp_world_size": st.world, "param_checksums": sums})
    dist.barrier()  # no rank exits while another still waits on it


def _truncate_metrics(path: Path, step: int) -> None:
    """Drop lines logged after the checkpoint we resume from, so they are not logged twice."""
    if not path.exists():
        return
    keep = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            if json.loads(line).get("step", 0) <= step:
                keep.append(line)
        except json.JSONDecodeError:
            continue  # a torn last line from a kill
    if step == 0:
        keep = []
    with atomic_write(path) as f:
        f.write("".join(l + "\n" for l in keep))

