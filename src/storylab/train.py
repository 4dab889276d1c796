"""The training loop: one process, or DDP when launched by torchrun.

Reading order, nanoGPT-style: set up (devices, data, model, optimizer, resume), then
one linear loop (batch → forward → backward → clip → step → log / eval / checkpoint).
A resume is exact on CPU: weights, AdamW moments, the LR schedule (a function of the
step), the data sampler's RNG and torch's RNG are all restored.
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

from storylab.checkpoint import list_checkpoints, load_state, read_safetensors, save_checkpoint, state_path
from storylab.config import ModelConfig, RunConfig, load_toml, save_toml, to_dict
from storylab.errors import StorylabError
from storylab.model import GPT
from storylab.shards import TokenData, load_data
from storylab.tokenizer import load_tokenizer, tokenizer_hash


def pick_device(name: str = "auto") -> str:
    if name != "auto":
        if name.startswith("cuda") and not torch.cuda.is_available():
            raise StorylabError("device cuda requested but CUDA is not available")
        if name == "mps" and not torch.backends.mps.is_available():
            raise StorylabError("device mps requested but MPS is not available")
        return name
    if torch.cuda.is_available():
        return "cuda"
    if torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def autocast(device: str, dtype: str):
    if dtype == "float32":
        return nullcontext()
    if dtype != "bfloat16":
        raise StorylabError(f"train.dtype={dtype!r}; choose float32 or bfloat16")
    return torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16)


def lr_at(step: int, cfg) -> float:
    """Linear warmup, then cosine decay to min_lr at the last step."""
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = min(1.0, (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.min_lr)


class Batches:
    """Random context windows from a flat token array, reproducible from its RNG state."""

    def __init__(self, tokens: np.ndarray, context: int, batch: int, seed: int):
        if len(tokens) <= context + 1:
            raise StorylabError(f"only {len(tokens)} tokens of data; need more than the context ({context})")
        self.tokens, self.context, self.batch = tokens, context, batch
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def next(self, device: str) -> tuple[torch.Tensor, torch.Tensor]:
        ix = self.rng.integers(0, len(self.tokens) - self.context - 1, size=self.batch)
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
                  dtype: str = "float32", seed: int = 0) -> float:
    """Mean loss over a fixed set of windows (the same ones at every call)."""
    model.eval()
    b = Batches(tokens, context, batch, seed)
    losses = []
    for _ in range(n_batches):
        x, y = b.next(device)
        with autocast(device, dtype):
            losses.append(model(x, y).item())
    model.train()
    return float(np.mean(losses))


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

    def summary(self) -> str:
        return (f"trained {self.run_dir.name}: step {self.step}, train loss {self.train_loss:.3f}, "
                f"val loss {self.val_loss:.3f}, {self.tokens:,} tokens in {self.seconds:.0f}s "
                f"({self.tokens / max(self.seconds, 1e-9):,.0f} tok/s), {self.params:,} params")


def _ddp_env() -> tuple[int, int, int]:
    return int(os.environ.get("RANK", 0)), int(os.environ.get("WORLD_SIZE", 1)), int(os.environ.get("LOCAL_RANK", 0))


def _diff_model_configs(old: dict, new: dict) -> list[str]:
    return [f"{k}: {old.get(k)!r} -> {new.get(k)!r}" for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)]


def prepare_run(cfg: RunConfig, run_dir: Path, resume: bool) -> tuple[RunConfig, TokenData]:
    """Resolve the config against the data and the run directory (fresh or resumed)."""
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


def train(cfg: RunConfig, run_dir: str | os.PathLike, resume: bool = False, progress: bool = True) -> TrainResult:
    """Train `cfg` into `run_dir`; see the module docstring."""
    run_dir = Path(run_dir)
    rank, world, local_rank = _ddp_env()
    ddp = world > 1
    tc = cfg.train
    device = pick_device(tc.device)
    if ddp:
        import torch.distributed as dist

        if device.startswith("cuda"):
            device = f"cuda:{local_rank}"
            torch.cuda.set_device(device)
        dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
    master = rank == 0
    if tc.threads:
        torch.set_num_threads(tc.threads)
    if device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True

    cfg, data = prepare_run(cfg, run_dir, resume)
    mc: ModelConfig = cfg.model
    if master:
        run_dir.mkdir(parents=True, exist_ok=True)
        save_toml(run_dir / "config.toml", to_dict(cfg))
        (run_dir / "tokenizer.json").write_text(data.tokenizer.to_str(), encoding="utf-8")

    torch.manual_seed(tc.seed)
    model = GPT(mc).to(device)
    optimizer = model.configure_optimizer(tc.lr, tc.weight_decay, (tc.beta1, tc.beta2), device.split(":")[0])
    train_tokens, val_tokens = data.split("train"), data.split("val")
    batches = Batches(train_tokens, mc.context, tc.batch_size, seed=tc.seed * 1000 + rank)

    step, tokens_seen, elapsed_before = 0, 0, 0.0
    if resume:
        ckpts = [(s, p) for s, p in list_checkpoints(run_dir) if state_path(run_dir, s).exists()]
        if ckpts:
            step = ckpts[-1][0]
            tensors, _ = read_safetensors(ckpts[-1][1], "checkpoint")
            model.load_state_dict(tensors)
            state = load_state(run_dir, step, model, optimizer)
            batches.state = state["data_rng"][rank] if rank < len(state["data_rng"]) else state["data_rng"][0]
            tokens_seen = state.get("tokens", 0)
            elapsed_before = state.get("seconds", 0.0)
    if master:
        _truncate_metrics(run_dir / "metrics.jsonl", step)

    raw_model = model
    if tc.compile:
        if device == "mps":
            from storylab.progress import console
            console.print("[yellow]warning:[/] torch.compile is not supported on MPS; running eagerly")
        else:
            model = torch.compile(model)
    if ddp:
        from torch.nn.parallel import DistributedDataParallel as DDP

        model = DDP(model, device_ids=[local_rank] if device.startswith("cuda") else None)

    tokens_per_step = tc.batch_size * mc.context * tc.grad_accum * world
    metrics = open(run_dir / "metrics.jsonl", "a", encoding="utf-8") if master else None
    t0 = time.time()
    t_last, tokens_last = t0, tokens_seen
    loss_value, val_loss = float("nan"), float("nan")
    start_step = step
    n_params = raw_model.num_params()

    def log(obj: dict) -> None:
        if metrics is not None:
            metrics.write(json.dumps(obj) + "\n")
            metrics.flush()

    def checkpoint() -> None:
        data_rng = [batches.state]
        if ddp:
            import torch.distributed as dist

            gathered = [None] * world
            dist.all_gather_object(gathered, batches.state)
            data_rng = gathered
        if master:
            save_checkpoint(run_dir, step, raw_model, optimizer, {
                "step": step, "tokens": tokens_seen, "seconds": elapsed_before + time.time() - t0,
                "data_rng": data_rng})
            for s, _ in list_checkpoints(run_dir)[:-1]:  # optimizer state only for the newest
                state_path(run_dir, s).unlink(missing_ok=True)

    from rich.progress import TextColumn

    from storylab.progress import progress as make_progress

    bar = make_progress(TextColumn("loss {task.fields[loss]:.3f}"), TextColumn("{task.fields[tps]:,.0f} tok/s"),
                        disable=not (progress and master))
    with bar:
        task = bar.add_task(run_dir.name, total=tc.steps, completed=step, loss=float("nan"), tps=0.0)
        model.train()
        while step < tc.steps:
            lr = lr_at(step, tc)
            for g in optimizer.param_groups:
                g["lr"] = lr
            total = 0.0
            for micro in range(tc.grad_accum):
                x, y = batches.next(device)
                sync = not ddp or micro == tc.grad_accum - 1
                ctx = nullcontext() if sync else model.no_sync()
                with ctx, autocast(device, tc.dtype):
                    loss = model(x, y)
                    if tc.grad_accum > 1:
                        loss = loss / tc.grad_accum
                with ctx:
                    loss.backward()
                total += loss.detach()
            if tc.grad_clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), tc.grad_clip)
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            tokens_seen += tokens_per_step

            if step % tc.log_every == 0 or step == tc.steps:
                if ddp:
                    import torch.distributed as dist

                    dist.all_reduce(total, op=dist.ReduceOp.AVG)
                loss_value = float(total)
                now = time.time()
                tps = (tokens_seen - tokens_last) / max(now - t_last, 1e-9)
                t_last, tokens_last = now, tokens_seen
                log({"step": step, "loss": loss_value, "lr": lr, "tokens": tokens_seen, "tokens_per_s": round(tps, 1),
                     "seconds": round(elapsed_before + now - t0, 3)})
                bar.update(task, completed=step, loss=loss_value, tps=tps)
            out_of_time = tc.max_minutes > 0 and (time.time() - t0) > tc.max_minutes * 60
            if ddp and tc.max_minutes > 0:  # every rank must stop at the same step
                import torch.distributed as dist

                flag = torch.tensor([float(out_of_time)], device=device)
                dist.all_reduce(flag, op=dist.ReduceOp.MAX)
                out_of_time = bool(flag.item())
            last = step == tc.steps or out_of_time
            if (tc.eval_every and step % tc.eval_every == 0) or last:
                val_loss = evaluate_loss(raw_model, val_tokens if len(val_tokens) > mc.context + 1 else train_tokens,
                                         mc.context, tc.batch_size, tc.eval_batches, device, tc.dtype)
                log({"step": step, "val_loss": val_loss})
            if (tc.ckpt_every and step % tc.ckpt_every == 0) or last:
                checkpoint()
            if out_of_time:
                break

    seconds = time.time() - t0
    result = TrainResult(run_dir, step, loss_value, val_loss, tokens_seen - (start_step * tokens_per_step),
                         seconds, n_params, raw_model.num_params(non_embedding=True))
    if ddp:
        import torch.distributed as dist

        checksum = float(sum(p.double().sum() for p in raw_model.parameters()))
        sums = [None] * world
        dist.all_gather_object(sums, checksum)
        log({"step": step, "ddp_world_size": world, "param_checksums": sums})
        dist.barrier()  # no rank tears gloo down while another still talks to it (that aborts the process)
        dist.destroy_process_group()
    if master:
        log({"step": step, "summary": result.summary()})
        metrics.close()
    return result


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
    from storylab.io import atomic_write

    with atomic_write(path) as f:
        f.write("".join(l + "\n" for l in keep))

