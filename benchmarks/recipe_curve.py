"""Bits/byte against minutes for a training recipe: the whole recipe, from raw text to the curve.

    python benchmarks/recipe_curve.py [--config configs/tinystories-cpu-10min.toml] [--minutes 10]
                                      [--work runs/recipe-curve] [--set train.lr=3e-3 ...] [--fig PATH]
                                      [--val-fraction F] [--limit N]

Steps, each what the CLI verb does (the recipe's header comment gives the same as commands):
1. `storylab import` of ../shared/data/tinystories/train_prefix_2MiB.txt (2,316 stories);
2. `storylab prepare` with the recipe's vocabulary (`model.vocab_size` of the config) and the
   `--val-fraction` of the prepare command in the config's header (prepare's default if none);
3. `storylab train --config CONFIG --minutes M` (the recipe's checkpoints make the curve);
4. bits/byte on ../shared/data/tinystories/validation_prefix.txt at every checkpoint (the
   function behind `storylab eval RUN --loss --text PATH`), then `eval` itself on the last one.

Prints minutes, step, tokens and bits/byte per checkpoint, then the final line; saves the curve
as a PNG (default WORK/bpb_vs_minutes.png). Import and prepare are reused from WORK when present
(`--fresh` redoes them); the run directory is new each time (WORK/run-<n>). Minutes are wall
time of the training process, so the figure depends on the cores it gets: run it alone, and say
how many threads it had (the summary line prints them).

References on validation_prefix.txt: storylab's earlier default-ish run (vocab 2048, d128/L4/H4,
context 256, batch 16, lr 2e-3 -> 2e-4, 10 min on 2 threads) 1.317; llama2.c's stories260K
(all of TinyStories, GPU) 1.156.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT.parent / "shared" / "data" / "tinystories"
TRAIN_TEXT, VAL_TEXT = DATA / "train_prefix_2MiB.txt", DATA / "validation_prefix.txt"
CONFIG = ROOT / "configs" / "tinystories-cpu-10min.toml"
REFERENCES = {"earlier default-ish, 10 min": 1.317, "llama2.c stories260K (GPU, all data)": 1.156}


def header_val_fraction(config: Path) -> float:
    """The `--val-fraction F` of the `storylab prepare` command in the config's header comment
    (prepare's own default when the header gives none): the benchmark prepares as the recipe says."""
    import inspect
    import re

    from storylab.shards import prepare

    header = "\n".join(l for l in config.read_text(encoding="utf-8").splitlines() if l.startswith("#"))
    m = re.search(r"storylab prepare [^\n]*--val-fraction ([0-9.]+)", header)
    return float(m.group(1)) if m else inspect.signature(prepare).parameters["val_fraction"].default


def prepare_data(work: Path, vocab: int, fresh: bool, val_fraction: float, limit: int | None = None) -> Path:
    from storylab.corpus import import_corpus
    from storylab.shards import prepare

    corpus = work / "train.jsonl"
    data = work / f"data-v{vocab}-val{val_fraction:g}"
    if fresh or not corpus.exists():
        print(f"import: {import_corpus(TRAIN_TEXT, corpus, limit=limit).summary()}", flush=True)
    if fresh or not (data / "index.json").exists():
        stats = prepare(corpus, data, vocab_size=vocab, val_fraction=val_fraction, progress=False)
        print(f"prepare: {stats.summary()} (val fraction {val_fraction:g})", flush=True)
    return data


def seconds_at(run: Path) -> dict[int, float]:
    """Training seconds at each logged step (metrics.jsonl)."""
    out = {}
    for line in (run / "metrics.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if "seconds" in rec:
            out[rec["step"]] = rec["seconds"]
    return out


def curve(run: Path, last_seconds: float) -> list[dict]:
    """Bits/byte on VAL_TEXT at every checkpoint, with the training minutes it took to get there:
    the last through `evaluate_run` (what `storylab eval RUN --loss --text` runs), the others
    through the function it calls, `text_loss`."""
    from storylab.evaluate import EvalOptions, evaluate_run
    from storylab.evaluate.loss import text_loss
    from storylab.rundir import RunDir

    info, secs = RunDir.open(run), seconds_at(run)
    ckpts, rows = info.pick("all"), []
    for i, (step, path) in enumerate(ckpts):
        if i < len(ckpts) - 1:
            model, tok = info.load(path)
            r = text_loss(model, tok, VAL_TEXT).as_dict()
        else:
            final = evaluate_run(run, EvalOptions(loss=True, suite=False, texts=[str(VAL_TEXT)], progress=False))
            r = final["loss"]["texts"][0]
        logged = [s for s in secs if s <= step]
        minutes = last_seconds / 60 if i == len(ckpts) - 1 else (secs[max(logged)] / 60 if logged else 0.0)
        rows.append({"step": step, "minutes": minutes, "bpb": r["bits_per_byte"], "loss": r["loss"],
                     "tokens": r["tokens"]})
        print(f"{minutes:7.2f} min  step {step:6d}  {r['bits_per_byte']:.4f} bits/byte  (loss {r['loss']:.4f})",
              flush=True)
    return rows


def plot(rows: list[dict], fig: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    f, ax = plt.subplots(figsize=(6.4, 4.0))
    ax.plot([r["minutes"] for r in rows], [r["bpb"] for r in rows], "o-", label="this recipe")
    for (name, v), style in zip(REFERENCES.items(), ("--", ":")):
        ax.axhline(v, color="gray", linestyle=style, label=f"{name}: {v}")
    ax.axhline(1.20, color="tab:red", linewidth=0.8, label="target 1.20")
    ax.set_xlabel("training minutes (wall)")
    ax.set_ylabel("bits/byte on validation_prefix.txt")
    ax.set_ylim(top=min(2.5, max(r["bpb"] for r in rows) + 0.05))
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    f.tight_layout()
    fig.parent.mkdir(parents=True, exist_ok=True)
    f.savefig(fig, dpi=120)
    plt.close(f)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--minutes", type=float, default=None, help="training budget (default: the config's max_minutes)")
    ap.add_argument("--work", type=Path, default=ROOT / "runs" / "recipe-curve")
    ap.add_argument("--set", dest="overrides", action="append", default=[], help="config override, e.g. train.lr=3e-3")
    ap.add_argument("--fig", type=Path, default=None, help="PNG to write (default WORK/RUN/bpb_vs_minutes.png)")
    ap.add_argument("--fresh", action="store_true", help="import and prepare again")
    ap.add_argument("--val-fraction", type=float, default=None,
                    help="stories held out by prepare (default: the config header's prepare command, else prepare's default)")
    ap.add_argument("--no-format-check", action="store_true", help="skip the blank-line format diagnostic")
    ap.add_argument("--limit", type=int, default=None,
                    help="import only the first N stories (a proxy with the final run's epochs in less time; "
                         "use its own --work)")
    args = ap.parse_args()

    from storylab.train import run_config, train

    overrides = list(args.overrides) + ([f"train.max_minutes={args.minutes}"] if args.minutes else [])
    cfg = run_config(args.work, args.config, overrides)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    val_fraction = args.val_fraction if args.val_fraction is not None else header_val_fraction(args.config)
    cfg.data = str(prepare_data(work, cfg.model.vocab_size, args.fresh, val_fraction, args.limit))
    n = 1
    while (work / f"run-{n}").exists():
        n += 1
    run = work / f"run-{n}"
    t0 = time.time()
    res = train(cfg, run, progress=False)
    print(res.summary(), f"(wall {time.time() - t0:.0f}s)", flush=True)
    rows = curve(run, res.seconds)
    text = rows[-1]
    fig = args.fig or run / "bpb_vs_minutes.png"
    mc, tc = cfg.model, cfg.train
    shape = (f"vocab {mc.vocab_size}, d{mc.d_model}/L{mc.n_layers}/H{mc.n_heads}, ctx {mc.context}, "
             f"dropout {mc.dropout}, {res.threads} thread(s), {res.dtype}")
    plot(rows, fig, f"{args.config.name} {' '.join(args.overrides)}\n{shape}")
    (run / "curve.json").write_text(json.dumps({"config": str(args.config), "overrides": args.overrides,
                                                "threads": res.threads, "rows": rows}, indent=1) + "\n")
    print(f"final (storylab eval {run} --loss --text {VAL_TEXT.name}): {text['bpb']:.4f} bits/byte, "
          f"loss {text['loss']:.4f} over {text['tokens']:,} tokens; step {res.step}, {res.tokens:,} training tokens, "
          f"{res.seconds / 60:.2f} min, {shape}", flush=True)
    print(f"figure: {fig}")
    if not args.no_format_check:
        format_check(run, text["bpb"])


def format_check(run: Path, bpb: float) -> None:
    """validation_prefix.txt separates paragraphs (and stories) by blank lines; the training
    file separates paragraphs by one newline and stories by <|endoftext|>. The same model's
    nats on the same text with blank lines collapsed, over the original bytes, say how much of
    the figure is that format (a diagnostic only: the headline is the text as it is)."""
    import re
    import tempfile

    from storylab.evaluate.loss import text_loss
    from storylab.rundir import RunDir

    model, tok = RunDir.open(run).load()
    original = VAL_TEXT.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        alt = Path(tmp) / "validation_single_newlines.txt"
        alt.write_text(re.sub(r"\n\n+", "\n", original), encoding="utf-8")
        r = text_loss(model, tok, alt)
    same_bytes = r.nats / len(original.encode("utf-8")) / 0.6931471805599453
    print(f"format check: with blank lines collapsed to newlines (training's paragraph format) "
          f"{same_bytes:.4f} bits/byte over the original bytes ({bpb - same_bytes:+.4f} of the {bpb:.4f} is the format)")


if __name__ == "__main__":
    main()
