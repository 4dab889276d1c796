"""The `storylab` command: one verb per pipeline stage, each a thin wrapper over a library call."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from storylab.errors import StorylabError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="storylab: generate stories, train tiny language models, and look inside them.")
console = Console(stderr=True)


@app.callback()
def _root():
    """storylab: generate stories, train tiny language models, and look inside them."""


def _warn(message, category, filename, lineno, file=None, line=None):
    console.print(f"[yellow]warning:[/] {message}", highlight=False)


@app.command("import")
def import_cmd(
    src: Path = typer.Argument(..., help="TinyStories text, JSONL with a 'text' field, or blank-line separated text"),
    out: Path = typer.Option(..., "--out", "-o", help="corpus JSONL to write"),
    fmt: str = typer.Option("auto", "--format", help="auto | tinystories | jsonl | text"),
    limit: Optional[int] = typer.Option(None, help="keep only the first N unique stories"),
):
    """Import an existing corpus into storylab's JSONL format (exact duplicates removed)."""
    from storylab.data.corpus import import_corpus

    stats = import_corpus(src, out, fmt=fmt, limit=limit)
    console.print(f"import: {stats.summary()} -> {out}", highlight=False)


@app.command("prepare")
def prepare_cmd(
    corpus: Path = typer.Argument(..., help="corpus JSONL (from `storylab import` or `storylab generate`)"),
    out: Path = typer.Option(..., "--out", "-o", help="data directory to write"),
    vocab_size: int = typer.Option(4096, help="BPE vocabulary size"),
    val_fraction: float = typer.Option(0.05, help="share of stories held out for validation"),
    seed: int = typer.Option(0, help="seed of the train/val split"),
    tokenizer: Optional[Path] = typer.Option(None, help="use this tokenizer.json instead of training one"),
):
    """Train a byte-level BPE tokenizer and encode the corpus into token shards."""
    from storylab.tokenize import prepare

    stats = prepare(corpus, out, vocab_size=vocab_size, val_fraction=val_fraction, seed=seed, tokenizer=tokenizer)
    console.print(f"prepare: {stats.summary()} in {stats.seconds:.1f}s -> {out}", highlight=False)


@app.command("train")
def train_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="run directory, e.g. runs/NAME"),
    data: Optional[Path] = typer.Option(None, help="prepared data directory"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML config ([model], [train] tables)"),
    set_: List[str] = typer.Option([], "--set", help="override, e.g. --set model.d_model=256 (repeatable)"),
    steps: Optional[int] = typer.Option(None, help="shortcut for --set train.steps=N"),
    minutes: Optional[float] = typer.Option(None, help="stop after this many minutes"),
    resume: bool = typer.Option(False, "--resume", help="continue the run in --out from its last checkpoint"),
):
    """Train a tiny GPT (single process, or DDP under torchrun)."""
    from storylab.config import load_run_config
    from storylab.train import train

    overrides = list(set_)
    if data is not None:
        overrides.append(f"data={data}")
    if steps is not None:
        overrides.append(f"train.steps={steps}")
    if minutes is not None:
        overrides.append(f"train.max_minutes={minutes}")
    if config is None and resume and (out / "config.toml").exists():
        config = out / "config.toml"
    cfg = load_run_config(config, overrides)
    result = train(cfg, out, resume=resume)
    if int(__import__("os").environ.get("RANK", 0)) == 0:
        console.print(result.summary(), highlight=False)


@app.command("sample")
def sample_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    prompt: List[str] = typer.Option([], "--prompt", "-p", help="prompt text (repeatable)"),
    prompts_file: Optional[Path] = typer.Option(None, "--prompts", help="file with one prompt per line"),
    n: int = typer.Option(1, "--n", help="samples per prompt"),
    max_new_tokens: int = typer.Option(200, help="tokens to generate at most"),
    temperature: float = typer.Option(1.0),
    top_k: int = typer.Option(0, help="keep the k most likely tokens (0: all)"),
    top_p: float = typer.Option(1.0, help="nucleus sampling mass"),
    greedy: bool = typer.Option(False, "--greedy", help="always take the most likely token"),
    seed: int = typer.Option(0),
    device: str = typer.Option("cpu", help="cpu | cuda | mps | auto"),
    out: Optional[Path] = typer.Option(None, help="also append the samples to this JSONL"),
):
    """Generate stories from a trained model."""
    import json

    from storylab.io import read_text
    from storylab.sample import SampleSettings, generate, load_for_sampling
    from storylab.train import pick_device

    prompts = list(prompt)
    if prompts_file is not None:
        prompts += [l for l in read_text(prompts_file, "prompts file").splitlines() if l.strip()]
    if not prompts:
        prompts = ["Once upon a time"]
    model, tok = load_for_sampling(run, pick_device(device))
    settings = SampleSettings(max_new_tokens, temperature, top_k, top_p, greedy, seed)
    results = generate(model, tok, prompts, settings, num_samples=n)
    records = []
    for p, outs in zip(prompts, results):
        for text in outs:
            print(p + text)
            print()
            records.append({"prompt": p, "completion": text, **settings.__dict__})
    if out is not None:
        with open(out, "a", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    console.print(f"sample: {len(records)} completions of {len(prompts)} prompts", highlight=False)


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit status 2."""
    warnings.showwarning = _warn
    try:
        app(args=argv)  # standalone: usage errors exit 2 with click's message
    except StorylabError as e:
        console.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
