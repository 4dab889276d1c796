"""The `storylab` command: one verb per pipeline stage, each a thin wrapper over a library call."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console
from rich.text import Text

from storylab.errors import StorylabError

try:  # typer >= 0.20 vendors click as typer._click; older typer uses click itself
    from typer._click import exceptions as _cx
except ImportError:  # pragma: no cover
    from click import exceptions as _cx

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="storylab: generate stories, train tiny language models, and look inside them.")
# markup=False: paths, values and messages are printed as they are (a "[/]" in a path is text)
console = Console(stderr=True, markup=False, soft_wrap=True)


@app.callback()
def _root():
    """storylab: generate stories, train tiny language models, and look inside them."""


def _range(lo=None, hi=None, *, lo_open: bool = False, hi_open: bool = False):
    """Typer callback: a finite number within [lo, hi] (ends open where asked), checked where the
    option is parsed. None (an option left out) and each item of a repeated option are checked."""
    import math

    def check(value):
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if v is None:
                continue
            if isinstance(v, float) and not math.isfinite(v):
                raise typer.BadParameter(f"must be a finite number, got {v}")
            if (lo is not None and (v < lo or (lo_open and v == lo))) or \
                    (hi is not None and (v > hi or (hi_open and v == hi))):
                want = " and ".join(w for w in (
                    f"{'>' if lo_open else '>='} {lo}" if lo is not None else "",
                    f"{'<' if hi_open else '<='} {hi}" if hi is not None else "") if w)
                raise typer.BadParameter(f"must be {want}, got {v}")
        return value
    return check


def _refuse_if_locked(out: Path, kind: str) -> None:
    """Fail fast, before the heavy imports, when another process writes `out`. (The library
    function takes the lock itself; this only saves the second writer the wait.)"""
    from storylab.locks import is_locked

    pid = is_locked(out, kind) if int(os.environ.get("RANK", 0)) == 0 else None
    if pid is not None:
        raise StorylabError(f"{out} is being written by another storylab process (pid {pid})")


def _line(label: str, style: str, message) -> None:
    """One line on stderr: a styled label, then the message as plain text (never markup)."""
    text = " ".join(str(message).split())  # a message with newlines would be several lines
    console.print(Text.assemble((label, style), " ", text), highlight=False, soft_wrap=True)


def _warn(message, category, filename, lineno, file=None, line=None):
    _line("warning:", "yellow", message)


@app.command("demo")
def demo_cmd(
    out: Path = typer.Option(Path("runs/demo"), "--out", "-o", help="where to leave the corpus, data and run"),
    minutes: float = typer.Option(7.0, callback=_range(0, 24 * 60, lo_open=True), help="training time budget"),
    steps: Optional[int] = typer.Option(None, callback=_range(1), help="train exactly this many steps instead (reproducible)"),
    stories: int = typer.Option(30000, callback=_range(100, 10**8), help="procedural stories to generate"),
    seed: int = typer.Option(0),
    dtype: str = typer.Option("float32", help="float32 | bfloat16 (faster on CPUs with bf16 units)"),
):
    """Generate stories, train a ~1M-parameter model on the CPU, and show what it writes."""
    from storylab.demo import run_demo

    r = run_demo(out, minutes=minutes, stories=stories, seed=seed, dtype=dtype, steps=steps)
    for title, texts in (("greedy", r.greedy), ("sampled (temperature 0.8, top-k 50)", r.sampled)):
        print(f"\n=== {title} ===")
        for t in texts:
            print(f"\n{t}")
    print()
    console.print(f"demo: {r.params:,}-parameter model, validation loss {r.val_loss:.3f}, "
                  f"{r.seconds / 60:.1f} minutes in all; everything is in {r.run_dir}/", highlight=False)


@app.command("generate")
def generate_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="corpus JSONL to write"),
    n: int = typer.Option(..., "--n", help="number of stories"),
    seed: int = typer.Option(0, "--seed", help="random seed; story i depends only on (seed, i)"),
    backend: str = typer.Option("procedural", "--backend",
                                help="procedural | llm | othello | lego | logic | variables | evidence"),
    board: int = typer.Option(8, "--board", callback=_range(4, 16), help="othello: board size (6 or 8)"),
    workers: Optional[int] = typer.Option(None, "--workers", callback=_range(1, 1024), help="processes (default: all cores for large N)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show a progress bar"),
    base_url: Optional[str] = typer.Option(None, help="llm: OpenAI-compatible base URL, e.g. http://localhost:8000/v1"),
    model: Optional[str] = typer.Option(None, help="llm: model name"),
    api_key_env: Optional[str] = typer.Option(None, help="llm: NAME of the environment variable holding the key"),
    in_flight: int = typer.Option(16, callback=_range(1, 4096), help="llm: requests in flight"),
    rpm: Optional[float] = typer.Option(None, callback=_range(0, None, lo_open=True), help="llm: requests per minute limit"),
    tpm: Optional[float] = typer.Option(None, callback=_range(0, None, lo_open=True), help="llm: tokens per minute limit"),
    timeout: float = typer.Option(120.0, callback=_range(0, 24 * 3600, lo_open=True), help="llm: seconds per request attempt"),
    max_retries: int = typer.Option(6, callback=_range(0, 100), help="llm: retries per request (429, 5xx, timeouts, bad bodies)"),
    max_tokens: int = typer.Option(1024, callback=_range(1, 10**6), help="llm: max_tokens per answer"),
    temperature: float = typer.Option(1.0, callback=_range(0, 2), help="llm: sampling temperature"),
    instruct: bool = typer.Option(False, "--instruct", help="llm: also ask for a summary; write TinyStories-Instruct"),
    template: Optional[Path] = typer.Option(None, help="llm: prompt template file ({verb} or $verb fields)"),
    words: Optional[Path] = typer.Option(None, help="llm: word list file (default: the built-in vocabulary)"),
    max_features: int = typer.Option(3, callback=_range(0, 100), help="llm: at most this many story features per prompt"),
    max_offvocab: float = typer.Option(0.15, callback=_range(0, 1), help="llm: reject stories with a larger share of words outside the vocabulary (real TinyStories: median 7%, 90th percentile 12%)"),
    near_dup: float = typer.Option(0.7, callback=_range(0, 1, lo_open=True), help="llm: MinHash similarity at which a story is a near duplicate"),
    price_in: float = typer.Option(0.0, callback=_range(0), help="llm: $ per 1M input tokens, for the cost estimate"),
    price_out: float = typer.Option(0.0, callback=_range(0), help="llm: $ per 1M output tokens, for the cost estimate"),
    plant: List[str] = typer.Option([], "--plant", help="plant a made-up fact WORD=MEANING (repeatable), e.g. zib=purple"),
    plant_k: int = typer.Option(20, "--plant-k", callback=_range(1, 10**9), help="stories that carry each planted fact"),
    plant_repeat: int = typer.Option(1, "--plant-repeat", callback=_range(1, 100), help="times the fact is said in each such story"),
    length: Optional[int] = typer.Option(None, "--length", callback=_range(1, 10**4),
                                         help="lego: chain length (6); variables: statements (5)"),
    evidence_rate: float = typer.Option(0.0, "--evidence-rate", callback=_range(0, 1),
                                        help="procedural: append a dated evidence passage to this share of stories"),
):
    """Generate a corpus of stories: the procedural story world (offline, deterministic) or an
    LLM behind any OpenAI-compatible endpoint (resumable: rerun the same command to continue)."""
    if n < 1:
        raise StorylabError(f"--n must be at least 1, got {n}")
    if n > 10**9:
        raise StorylabError(f"--n must be at most 1,000,000,000, got {n}")
    if workers is not None and workers < 1:
        raise StorylabError(f"--workers must be at least 1, got {workers}")
    if evidence_rate and (backend != "procedural" or not 0 < evidence_rate <= 1):
        raise StorylabError("--evidence-rate must be in (0, 1] and applies to --backend procedural")
    if length is not None and backend not in ("lego", "variables"):
        raise StorylabError("--length applies to --backend lego and variables")
    if backend == "procedural":
        from storylab.world import generate_corpus

        facts = None
        if plant:
            from storylab.world.plant import choose, parse_facts, plant_corpus

            facts = parse_facts(plant)
            choose(n, facts, plant_k, seed)  # check k before generating
        stats = generate_corpus(out, n, seed, workers=workers, progress=progress)
        if evidence_rate:
            from storylab.corpus.records import read_corpus, write_corpus
            from storylab.curricula.evidence import add_evidence

            write_corpus(out, add_evidence(read_corpus(out), evidence_rate, seed))  # streams: rename at the end
        if facts:
            plant_corpus(out, facts, plant_k, seed, plant_repeat)
            times = f", {plant_repeat} times each" if plant_repeat > 1 else ""
            console.print(f"generate: planted {', '.join(f'{w}={m}' for w, m in facts)} in {plant_k} stories each"
                          f"{times} (meta.planted)", highlight=False)
        console.print(f"generate: {stats.summary()}", highlight=False)
    elif backend == "llm":
        from storylab.llmgen.client import Endpoint
        from storylab.llmgen.generate import generate_llm_corpus

        if not base_url or not model:
            raise StorylabError("--backend llm needs --base-url and --model")
        cfg = Endpoint(base_url, model, api_key_env, in_flight=in_flight, rpm=rpm, tpm=tpm, timeout=timeout,
                       max_retries=max_retries, max_tokens=max_tokens, temperature=temperature,
                       price_in=price_in, price_out=price_out)
        stats = generate_llm_corpus(out, n, seed, cfg, words=words, template=template, instruct=instruct,
                                    max_features=max_features, max_offvocab=max_offvocab,
                                    near_dup_threshold=near_dup, progress=progress)
        console.print(f"generate: {stats.summary()} in {stats.seconds:.1f}s -> {out}", highlight=False,
                      soft_wrap=True)
    elif backend == "othello":
        from storylab.games.othello import generate_corpus as generate_games

        stats = generate_games(out, board, n, seed, progress=progress)
        console.print(f"generate: {stats.summary()}", highlight=False, soft_wrap=True)
    else:
        from storylab.curricula import BACKENDS, generate_curriculum

        if backend not in BACKENDS:
            raise StorylabError(f"unknown backend {backend!r}; choose procedural, llm, othello, {', '.join(BACKENDS)}")
        console.print(f"generate: {generate_curriculum(backend, out, n, seed, length, progress).summary()}",
                      highlight=False)


@app.command("import")
def import_cmd(
    src: Path = typer.Argument(..., help="TinyStories(-Instruct) text, JSONL with a 'text' field, blank-line "
                                         "separated text, parquet, or a Hugging Face dataset directory / Hub name"),
    out: Path = typer.Option(..., "--out", "-o", help="corpus JSONL to write"),
    fmt: str = typer.Option("auto", "--format", help="auto | tinystories | jsonl | text | instruct | parquet | hf"),
    limit: Optional[int] = typer.Option(None, callback=_range(1), help="keep only the first N unique stories"),
    keep_whitespace: bool = typer.Option(False, "--keep-whitespace",
                                         help="keep TinyStories stories byte for byte (no stripping)"),
):
    """Import an existing corpus into storylab's JSONL format (exact duplicates removed)."""
    from storylab.corpus import import_corpus

    stats = import_corpus(src, out, fmt=fmt, limit=limit, keep_whitespace=keep_whitespace)
    console.print(f"import: {stats.summary()} -> {out}", highlight=False)


@app.command("export")
def export_cmd(
    corpus: Path = typer.Argument(..., help="corpus JSONL"),
    to: str = typer.Option(..., "--to", help="tinystories | parquet"),
    out: Path = typer.Option(..., "--out", "-o", help="file to write"),
):
    """Export a corpus as TinyStories text (stories separated by <|endoftext|>) or parquet."""
    from storylab.corpus import export_corpus

    console.print(export_corpus(corpus, to, out).summary(), highlight=False, soft_wrap=True)


@app.command("prepare")
def prepare_cmd(
    corpus: List[Path] = typer.Argument(..., help="corpus JSONL (from `storylab import` or `storylab generate`); "
                                              "several: one data directory OUT/NAME each, one shared tokenizer"),
    out: Path = typer.Option(..., "--out", "-o", help="data directory to write (several corpora: their parent)"),
    vocab_size: int = typer.Option(4096, callback=_range(257, 1 << 24), help="BPE vocabulary size"),
    val_fraction: float = typer.Option(0.05, callback=_range(0, 1, hi_open=True), help="share of stories held out for validation"),
    seed: int = typer.Option(0, help="seed of the train/val split"),
    tokenizer: Optional[Path] = typer.Option(None, help="use this tokenizer.json instead of training one"),
):
    """Train a byte-level BPE tokenizer and encode the corpus into token shards."""
    _refuse_if_locked(out, "dir")
    from storylab.shards import prepare, prepare_many

    if len(corpus) > 1:  # for mixtures (train.sources): one tokenizer over all of them
        stats = prepare_many(corpus, out, vocab_size=vocab_size, val_fraction=val_fraction, seed=seed,
                             tokenizer=tokenizer)
        console.print(f"prepare: {stats.summary()} in {stats.seconds:.1f}s -> {out}/", highlight=False)
        return
    corpus = corpus[0]
    stats = prepare(corpus, out, vocab_size=vocab_size, val_fraction=val_fraction, seed=seed, tokenizer=tokenizer)
    console.print(f"prepare: {stats.summary()} in {stats.seconds:.1f}s -> {out}", highlight=False)


@app.command("train")
def train_cmd(
    out: Path = typer.Option(..., "--out", "-o", help="run directory, e.g. runs/NAME"),
    data: Optional[Path] = typer.Option(None, help="prepared data directory"),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="TOML config with model and train tables"),
    set_: List[str] = typer.Option([], "--set", help="override, e.g. --set model.d_model=256 (repeatable)"),
    steps: Optional[int] = typer.Option(None, callback=_range(1, 1 << 40), help="shortcut for --set train.steps=N"),
    minutes: Optional[float] = typer.Option(None, callback=_range(0, None, lo_open=True), help="stop after this many minutes"),
    resume: bool = typer.Option(False, "--resume", help="continue the run in --out from its last checkpoint"),
):
    """Train a tiny GPT (single process, or DDP under torchrun)."""
    _refuse_if_locked(out, "dir")
    from storylab.train import run_config, train

    overrides = list(set_)
    if data is not None:
        overrides.append(f"data={data}")
    if steps is not None:
        overrides.append(f"train.steps={steps}")
    if minutes is not None:
        overrides.append(f"train.max_minutes={minutes}")
    result = train(run_config(out, config, overrides, resume), out, resume=resume)
    if int(os.environ.get("RANK", 0)) == 0:
        console.print(result.summary(), highlight=False)


@app.command("sample")
def sample_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    prompt: List[str] = typer.Option([], "--prompt", "-p", help="prompt text (repeatable)"),
    prompts_file: Optional[Path] = typer.Option(None, "--prompts", help="file with one prompt per line"),
    n: int = typer.Option(1, "--n", callback=_range(1, 10**6), help="samples per prompt"),
    max_new_tokens: Optional[int] = typer.Option(None, callback=_range(1, 1 << 20),
                                                 help="tokens to generate at most (default: 200, or what the context leaves after the prompt)"),
    temperature: float = typer.Option(1.0, callback=_range(0, 100)),
    top_k: int = typer.Option(0, callback=_range(0), help="keep the k most likely tokens (0: all)"),
    top_p: float = typer.Option(1.0, callback=_range(0, 1, lo_open=True), help="nucleus sampling mass"),
    greedy: bool = typer.Option(False, "--greedy", help="always take the most likely token"),
    seed: int = typer.Option(0),
    device: str = typer.Option("cpu", help="cpu | cuda | mps | auto"),
    threads: int = typer.Option(0, callback=_range(0, 4096), help="CPU threads (0: automatic, from the batch and the cores free now)"),
    out: Optional[Path] = typer.Option(None, help="also append the samples to this JSONL"),
):
    """Generate stories (or, from a game run, games) from a trained model."""
    from storylab.device import pick_device
    from storylab.io import read_text
    from storylab.sample import SampleSettings, sample_run

    prompts = list(prompt)
    if prompts_file is not None:
        from_file = [l for l in read_text(prompts_file, "prompts file").splitlines() if l.strip()]
        if not from_file:
            raise StorylabError(f"{prompts_file}: no prompts in it (one prompt per line)")
        prompts += from_file
    settings = SampleSettings(max_new_tokens or 200, temperature, top_k, top_p, greedy, seed)
    result = sample_run(run, prompts or None, settings, num_samples=n, device=pick_device(device), out=out, threads=threads,
                        fit_context=max_new_tokens is None)
    for r in result.records:
        print(r["prompt"] + r["completion"])
        print()
    console.print(result.summary(), highlight=False)


@app.command("eval")
def eval_cmd(
    runs: List[Path] = typer.Argument(..., help="run directories; two or more are compared side by side"),
    loss: bool = typer.Option(False, "--loss", help="held-out loss, perplexity and bits per byte"),
    suite: bool = typer.Option(False, "--suite", help="the capability suite (accuracy per skill)"),
    judge: bool = typer.Option(False, "--judge", help="grade story completions with an LLM judge"),
    novelty: bool = typer.Option(False, "--novelty", help="n-gram overlap of completions with the training data"),
    legal: bool = typer.Option(False, "--legal", help="game runs: share of top-1 moves that are legal on held-out games"),
    games: int = typer.Option(500, "--games", help="held-out games for --legal"),
    text: List[Path] = typer.Option([], "--text", help="also the loss on this text or corpus file (repeatable)"),
    text_mode: str = typer.Option("auto", help="how --text is split: auto | stream | blocks | tinystories | jsonl"),
    tasks: List[Path] = typer.Option([], "--tasks", help="extra task JSONL file or directory (repeatable)"),
    no_builtin: bool = typer.Option(False, "--no-builtin-tasks", help="only the --tasks items"),
    skill: List[str] = typer.Option([], "--skill", help="only these skills (repeatable)"),
    checkpoints: str = typer.Option("latest", "--checkpoints", help="latest | all | steps like 200,400"),
    instruct: Optional[bool] = typer.Option(None, "--instruct/--no-instruct",
                                            help="run instruction-following items (default: detect)"),
    samples: int = typer.Option(3, "--samples", callback=_range(1, 10**6), help="completions per story beginning (judge, novelty)"),
    beginnings: Optional[Path] = typer.Option(None, help="JSONL of story beginnings (default: storylab's 50)"),
    max_new_tokens: int = typer.Option(200, callback=_range(1, 1 << 20), help="tokens per completion at most"),
    temperature: float = typer.Option(0.8, callback=_range(0, 100), help="sampling temperature of completions"),
    seed: int = typer.Option(0, help="sampling seed of completions"),
    judge_url: Optional[str] = typer.Option(None, "--judge-url", help="OpenAI-compatible base URL, e.g. http://host/v1"),
    judge_model: Optional[str] = typer.Option(None, "--judge-model", help="judge model name"),
    judge_key_env: Optional[str] = typer.Option(None, "--judge-key-env",
                                                help="NAME of the environment variable holding the API key"),
    judge_concurrency: int = typer.Option(8, "--judge-concurrency", callback=_range(1, 4096), help="judge requests in flight"),
    judge_rpm: Optional[float] = typer.Option(None, "--judge-rpm", callback=_range(0, None, lo_open=True), help="judge requests per minute at most"),
    judge_retries: int = typer.Option(4, "--judge-retries", callback=_range(0, 100), help="retries per judge request"),
    judge_cache: Optional[Path] = typer.Option(None, "--judge-cache", help="cache file (default: RUN/eval/judge_cache.jsonl)"),
    judge_repeats: int = typer.Option(1, "--judge-repeats", help="grade each completion K times: spread and "
                                      "agreement between repeats (use a judge temperature above 0)"),
    judge_temperature: float = typer.Option(0.0, "--judge-temperature", help="sampling temperature of the judge"),
    judge_max_tokens: int = typer.Option(400, "--judge-max-tokens", help="tokens per judge answer at most"),
    judge_timeout: float = typer.Option(60.0, "--judge-timeout", help="seconds per judge request"),
    novelty_corpus: Optional[Path] = typer.Option(None, "--novelty-corpus",
                                                  help="check novelty against this instead of the run's training "
                                                       "split: a corpus JSONL, a TinyStories text file (stories "
                                                       "separated by <|endoftext|> lines) or a run directory"),
    device: str = typer.Option("cpu", help="cpu | cuda | mps | auto"),
    batch_size: int = typer.Option(16, callback=_range(1, 1 << 20), help="context windows per batch for the loss"),
    threads: int = typer.Option(0, callback=_range(0, 4096), help="torch CPU threads (0: torch's default; 1 is fastest for tiny models)"),
):
    """Evaluate runs: loss, capability suite, LLM judge, novelty (default: --loss --suite)."""
    from rich.console import Console as _Console

    from storylab.evaluate.display import print_comparison, print_judge_difference, print_summary
    from storylab.evaluate.judge import judge_difference, judge_endpoint
    from storylab.evaluate.runner import EvalOptions, evaluate_run, load_judge

    if legal:
        from storylab.games.evaluate import evaluate_legal

        if threads:
            import torch

            torch.set_num_threads(threads)
        for run in runs:
            for r in evaluate_legal(run, games, checkpoints, device, seed):
                console.print(f"eval: {r.summary()}", highlight=False, soft_wrap=True)
        if not (loss or suite or judge or novelty):
            return
    if not (loss or suite or judge or novelty):
        loss = suite = True
    for run in runs:  # `eval RUN --novelty FILE` reads FILE as a second run: say what was meant
        if run.is_file() and not run.name.endswith(".safetensors"):
            raise StorylabError(f"{run}: expected a run directory (runs/NAME) or a checkpoint inside one"
                                + ("; to check novelty against this file, pass --novelty-corpus "
                                   f"{run}" if novelty or novelty_corpus else ""))
    js = None
    if judge:
        if not judge_url or not judge_model:
            raise StorylabError("--judge needs --judge-url and --judge-model")
        if judge_repeats < 1:
            raise StorylabError(f"--judge-repeats must be at least 1, got {judge_repeats}")
        if judge_repeats > 1 and judge_temperature == 0:
            console.print("[yellow]warning:[/] --judge-repeats with --judge-temperature 0: the repeats measure only "
                          "the server's own nondeterminism", highlight=False)
        js = judge_endpoint(judge_url, judge_model, judge_key_env, in_flight=judge_concurrency, rpm=judge_rpm,
                            max_retries=judge_retries, temperature=judge_temperature, max_tokens=judge_max_tokens,
                            timeout=judge_timeout)
    opts = EvalOptions(loss=loss, suite=suite, judge=judge, novelty=novelty, texts=list(text), text_mode=text_mode,
                       tasks=list(tasks), builtin_tasks=not no_builtin, skills=list(skill) or None,
                       checkpoints=checkpoints, device=device, batch_size=batch_size, threads=threads, instruct=instruct,
                       beginnings=str(beginnings) if beginnings else None, samples_per_prompt=samples,
                       max_new_tokens=max_new_tokens, temperature=temperature, seed=seed, judge_settings=js,
                       judge_cache=str(judge_cache) if judge_cache else None, judge_repeats=judge_repeats,
                       novelty_corpus=str(novelty_corpus) if novelty_corpus else None)
    out = _Console()
    results = []
    for run in runs:
        r = evaluate_run(run, opts)
        results.append(r)
        print_summary(r.data, out)
    if len(results) > 1:
        out.print()
        print_comparison([r.data for r in results], out)
        if judge:
            base = load_judge(runs[0])
            for run, r in zip(runs[1:], results[1:]):
                print_judge_difference(r.data["run"], results[0].data["run"], judge_difference(load_judge(run), base),
                                       out)
    for r in results:
        console.print(f"eval: {r.summary()}", highlight=False, soft_wrap=True)


@app.command("inspect")
def inspect_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    heads: bool = typer.Option(False, "--heads", help="attention heads: distance profiles, positional/semantic"),
    neurons: bool = typer.Option(False, "--neurons", help="MLP neurons: top contexts, category selectivity"),
    probes: bool = typer.Option(False, "--probes", help="linear probes of space, time, ... per layer"),
    ood: bool = typer.Option(False, "--ood", help="reversion to the unigram under perturbed inputs"),
    stories: int = typer.Option(200, callback=_range(1, 10**7), help="stories to analyse (heads, neurons, OOD)"),
    probe_stories: int = typer.Option(1500, callback=_range(1, 10**7), help="stories to build the built-in probe datasets from (game runs: held-out games)"),
    corpus: Optional[Path] = typer.Option(None, help="corpus JSONL to draw stories from (default: the run's)"),
    probe_data: Optional[Path] = typer.Option(None, help="your own probe JSONL: {text, position, target, group?}"),
    layer: List[int] = typer.Option([], "--layer", callback=_range(0, 4096), help="layers for --neurons (repeatable; default all)"),
    out: Optional[Path] = typer.Option(None, help="output directory (default RUN/inspect)"),
    device: str = typer.Option("cpu", help="cpu | cuda | mps | auto"),
    seed: int = typer.Option(0),
):
    """Look inside a trained model; with no analysis flags, run them all."""
    from storylab.device import pick_device
    from storylab.interpret.run import inspect_run

    from storylab.games.tokenizer import board_of_tokenizer
    from storylab.rundir import RunDir

    if board_of_tokenizer(RunDir.open(run).tokenizer()) is not None:  # a game run: board probes
        from storylab.games.probes import inspect_board

        if heads or neurons or ood:
            console.print("inspect: a game run has board probes only (--probes)", highlight=False)
        r = inspect_board(run, n_games=probe_stories, out=out,
                          device=pick_device(device), seed=seed)
        console.print(f"inspect: {r.summary()} in {r.seconds:.0f}s", highlight=False, soft_wrap=True)
        return
    if not (heads or neurons or probes or ood):
        heads = neurons = probes = ood = True
    r = inspect_run(run, heads=heads, neurons=neurons, probes=probes, ood=ood, n_stories=stories,
                    probe_stories=probe_stories, corpus=corpus, probe_data=probe_data, layers=layer or None,
                    out=out, device=pick_device(device), seed=seed)
    console.print(f"inspect: {r.summary()}", highlight=False, soft_wrap=True)


@app.command("report")
def report_cmd(
    run: Optional[Path] = typer.Argument(None, help="run directory"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="HTML file (default: RUN/report.html)"),
    sweep: Optional[Path] = typer.Option(None, "--sweep", help="report on a sweep directory instead (sweeps/NAME)"),
):
    """Write RUN/report.html: curves, skills, judge grades, samples, novelty, inspection."""
    from storylab.report import build_report

    if sweep is not None:
        from storylab.report.sweep import build_sweep_report

        path = build_sweep_report(sweep, out)
        console.print(f"report: {path} ({path.stat().st_size / 1024:.0f} KiB)", highlight=False, soft_wrap=True)
    elif run is None:
        raise StorylabError("give a RUN directory, or --sweep sweeps/NAME")
    else:
        console.print(build_report(run, out).summary(), highlight=False, soft_wrap=True)


@app.command("import-hf")
def import_hf_cmd(
    src: str = typer.Argument(..., help="Hugging Face model directory, or a Hub name (needs network)"),
    out: Path = typer.Option(..., "--out", "-o", help="run directory to write, e.g. runs/NAME"),
    context: Optional[int] = typer.Option(None, callback=_range(1, 1 << 20), help="context length (default: the config's; TinyStories "
                                                     "GPT-Neo models were trained at 512 though their configs say 2048)"),
    force: bool = typer.Option(False, "--force", help="replace --out if it exists"),
):
    """Import a Hugging Face Llama or GPT-Neo model (and its tokenizer) as a storylab run."""
    from storylab.interop.hf import import_hf

    console.print(import_hf(src, out, context=context, overwrite=force).summary(), highlight=False, soft_wrap=True)


@app.command("export-hf")
def export_hf_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    out: Path = typer.Option(..., "--out", "-o", help="Hugging Face model directory to write"),
    force: bool = typer.Option(False, "--force", help="replace --out if it exists"),
):
    """Export a run to a Hugging Face model directory (LlamaForCausalLM or GPTNeoForCausalLM + tokenizer)."""
    from storylab.interop.hf import export_hf

    console.print(export_hf(run, out, overwrite=force).summary(), highlight=False, soft_wrap=True)


@app.command("import-llama2c")
def import_llama2c_cmd(
    checkpoint: Path = typer.Argument(..., help="llama2.c checkpoint .bin (version 0 or 1)"),
    tokenizer: Path = typer.Option(..., "--tokenizer", "-t", help="llama2.c tokenizer .bin (e.g. tok512.bin)"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="run directory (default: runs/<checkpoint stem>)"),
    force: bool = typer.Option(False, "--force", help="replace --out if it exists"),
):
    """Import a llama2.c model and tokenizer as a storylab run."""
    from storylab.interop.llama2c import import_llama2c

    console.print(import_llama2c(checkpoint, tokenizer, out, overwrite=force).summary(), highlight=False,
                  soft_wrap=True)


@app.command("stop")
def stop_cmd(
    base_url: str = typer.Option(..., "--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1"),
    model: str = typer.Option(..., "--model", help="model name the endpoint serves"),
    api_key_env: Optional[str] = typer.Option(None, "--api-key-env", help="environment variable holding the API key"),
    iterations: int = typer.Option(3, "--iterations", "-T", callback=_range(1, 1000), help="self-improvement iterations per mode"),
    out: Path = typer.Option(..., "--out", "-o", help="output directory (iterations, cache, report.json/.md)"),
    tasks: str = typer.Option("parity", help="training tasks for the meta-utility: parity, 3sat, maxcut, recipe"),
    transfer: str = typer.Option("3sat,maxcut", help="held-out tasks for transfer ('' for none)"),
    modes: str = typer.Option("warning,no_warning", help="with and/or without the sandbox warning in the prompt"),
    n: int = typer.Option(4, "--n", callback=_range(1, 1000), help="candidates per model call"),
    lm_budget: int = typer.Option(8, callback=_range(1), help="model answers per improver run on a task"),
    utility_budget: int = typer.Option(8, callback=_range(1), help="utility calls per improver run on a task"),
    meta_lm_budget: int = typer.Option(4, callback=_range(1), help="model answers when an improver improves an improver"),
    meta_utility_budget: int = typer.Option(4, callback=_range(1), help="meta-utility calls when an improver improves an improver"),
    max_lm_calls: int = typer.Option(400, callback=_range(1), help="model answers for the whole run; stops asking after that"),
    data: Optional[str] = typer.Option(None, help="prepared data directory (needed by the recipe task)"),
    recipe_steps: int = typer.Option(200, callback=_range(1), help="training steps per recipe evaluation (one thread)"),
    seed: int = typer.Option(0, help="seed of the task instances"),
    force: bool = typer.Option(False, "--force", help="replace --out if it exists"),
):
    """STOP: let the seed improver improve itself with a language model, in a sandbox that counts escapes."""
    from storylab.stop import run_stop

    split = lambda s: tuple(x.strip() for x in s.split(",") if x.strip())
    result = run_stop(base_url, model, out, api_key_env=api_key_env, iterations=iterations, tasks=split(tasks),
                      transfer=split(transfer), modes=split(modes), n=n, lm_budget=lm_budget,
                      utility_budget=utility_budget, meta_lm_budget=meta_lm_budget,
                      meta_utility_budget=meta_utility_budget, max_lm_calls=max_lm_calls, data=data,
                      recipe_steps=recipe_steps, seed=seed, force=force)
    console.print(result.summary(), highlight=False, soft_wrap=True)


@app.command("explore")
def explore_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    run2: Optional[Path] = typer.Argument(None, help="a second run, to compare on the same prompt"),
    port: int = typer.Option(8000, "--port", callback=_range(0, 65535), help="port to listen on (0: any free port)"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on; anything but loopback "
                                                         "opens the page to the network (a warning is printed)"),
    device: str = typer.Option("cpu", "--device", help="cpu | cuda | mps"),
):
    """Serve a local, read-only web page to look inside a model while it writes."""
    import time

    t0 = time.perf_counter()
    try:
        from storylab.explore.server import serve
    except ImportError as e:
        raise StorylabError(f"explore needs starlette and uvicorn ({e.name} is missing): "
                            f"pip install 'storylab[explore]'") from None
    serve([run] + ([run2] if run2 is not None else []), host=host, port=port, device=device, started=t0,
          echo=lambda m: console.print(m, highlight=False, soft_wrap=True))


@app.command("influence")
def influence_cmd(
    run: Path = typer.Argument(..., help="run directory (or a checkpoint .safetensors inside one)"),
    prompt: Optional[str] = typer.Option(None, "--prompt", "-p", help="the query's prompt, e.g. 'The zib is'"),
    completion: Optional[str] = typer.Option(None, "--completion", "-c", help="the completion whose log p is explained, e.g. ' always purple'"),
    queries: Optional[Path] = typer.Option(None, "--queries", help="JSONL of {prompt, completion} queries"),
    method: str = typer.Option("ekfac", "--method", "-m", help="ekfac | kfac | diagonal | tracin | overlap"),
    top: int = typer.Option(20, "--top", callback=_range(1, 10**6), help="stories to show per query"),
    checkpoints: Optional[str] = typer.Option(None, help="tracin: checkpoints to sum over ('all' (default), 'latest', '100,200')"),
    max_stories: Optional[int] = typer.Option(None, callback=_range(1), help="only the first N training stories"),
    batch: int = typer.Option(16, callback=_range(1, 1 << 20), help="training windows per batch"),
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="results JSON (default RUN/inspect/influence/METHOD-QUERY.json)"),
    device: str = typer.Option("cpu", help="cpu | cuda | mps"),
    progress: bool = typer.Option(True, "--progress/--no-progress"),
):
    """Which training stories raised log p(COMPLETION | PROMPT) most? Influence functions (EK-FAC), TracIn, or BM25."""
    from storylab.interpret.influence import influence

    r = influence(run, prompt, completion, queries=queries, method=method, top=top, checkpoints=checkpoints,
                  max_stories=max_stories, batch=batch, out=out, device=device, progress=progress)
    for q in r.queries:
        print(f"\n=== {q['prompt']!r} -> {q['completion']!r}  (log p = {q['logp']:.3f}) ===")
        for p in q["planted"]:
            print(f"planted '{p['word']}': precision@{p['k']} = {p['precision_at_k']:.2f}")
        for t in q["top"]:
            mark = f" [planted: {t['planted']}]" if t["planted"] else ""
            toks = "; ".join(f"{k['context']!r} {k['score']:+.3g}" for k in t["tokens"][:3])
            print(f"{t['rank']:>3}. {t['score']:+.4g}  {t['id']}{mark}  {toks}")
    console.print(f"influence: {r.summary()} -> {r.path}", highlight=False, soft_wrap=True)


@app.command("sweep")
def sweep_cmd(
    spec: Path = typer.Argument(..., help="sweep spec (TOML: base config, [axes], [budget], [eval])"),
    out: Path = typer.Option(..., "--out", "-o", help="sweep directory, e.g. sweeps/NAME"),
    workers: Optional[int] = typer.Option(None, "--workers", help="local trial processes (default: one per core)"),
    ray: Optional[str] = typer.Option(None, "--ray", help="run trials as Ray tasks: auto | local | ADDRESS"),
):
    """Train and evaluate a grid of runs; rerun to resume (finished trials are skipped)."""
    from storylab.sweep import run_sweep

    console.print(run_sweep(spec, out, workers=workers, ray=ray).summary(), highlight=False, soft_wrap=True)


def _os_error(e: OSError) -> str:
    """One line naming the path for a read-only or full disk, a missing directory, ..."""
    import errno

    what = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
            errno.EFBIG: "file too large (file size limit reached)", errno.EROFS: "read-only file system",
            errno.EACCES: "permission denied", errno.EPERM: "operation not permitted"}.get(e.errno, e.strerror or str(e))
    paths = [p for p in (e.filename, getattr(e, "filename2", None)) if p]
    where = " -> ".join(os.fsdecode(p) for p in paths) if paths else "(no path given)"
    return f"cannot write {where}: {what}" if e.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS) \
        else f"{where}: {what}"


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors (bad options, bad files, OS errors such as a full or read-only
    disk) become one line on stderr and exit status 2, never a traceback."""
    import signal

    warnings.showwarning = _warn
    if hasattr(signal, "SIGXFSZ"):  # a file-size limit: let write() fail with EFBIG instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    try:
        _main(argv)
    except SystemExit as e:
        if argv is None:
            _exit_rank(e.code)
        raise
    finally:
        if argv is None:  # a whole process (not a test calling main([...])): see _fast_exit
            _fast_exit()


def _exit_rank(code) -> None:
    """A torchrun rank that trained in a process group ends here with os._exit, its output flushed:
    tearing gloo down inside the process races its threads for the GIL (see train._ddp_teardown)."""
    dist = sys.modules.get("torch.distributed")
    if dist is None or not dist.is_available() or not dist.is_initialized():
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if code is None else code if isinstance(code, int) else 1)


def _fast_exit() -> None:
    """Start-up/shut-down time: after `import torch` the interpreter holds ~10^6 objects, and the
    cyclic GC's last passes over them at exit cost ~0.2 s of every verb. Frozen objects are skipped
    by those passes; exit still runs atexit handlers, flushes files and frees by refcount."""
    import gc

    gc.freeze()


def _main(argv: list[str] | None) -> None:
    try:
        rc = app(args=argv, prog_name="storylab", standalone_mode=False)
    except _cx.NoArgsIsHelpError as e:
        print(e.ctx.get_help(), file=sys.stderr)
        sys.exit(2)
    except _cx.UsageError as e:
        hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
        _line("error:", "red", e.format_message() + hint)
        sys.exit(2)
    except typer.Abort:
        _line("error:", "red", "aborted")
        sys.exit(130)
    except _cx.ClickException as e:
        _line("error:", "red", e.format_message())
        sys.exit(2)
    except StorylabError as e:
        _line("error:", "red", e)
        sys.exit(2)
    except MemoryError:
        _line("error:", "red", "out of memory (try a smaller model, batch or context)")
        sys.exit(2)
    except OSError as e:
        if e.errno == 32:  # EPIPE: stdout closed early (| head); nothing to say
            sys.exit(1)
        _line("error:", "red", _os_error(e))
        sys.exit(2)
    sys.exit(rc if isinstance(rc, int) else 0)


if __name__ == "__main__":
    main()
