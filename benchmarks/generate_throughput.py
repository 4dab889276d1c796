"""Procedural story generation: speed (one process) and corpus statistics vs TinyStories.

    python benchmarks/generate_throughput.py [--n 100000] [--seed 0]

Targets (issue 13, story world v2): >= 1,000 stories per CPU-second; distinct-3 over the
first 2,316 stories (the TinyStories sample's size) >= 0.45; share of sentence occurrences
whose sentence occurs more than 100 times in 100,000 stories <= 3%; >= 3,000 distinct word
forms per 100,000 stories; no identical stories. The last column says whether each is met.
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

from storylab.corpus.readers import iter_tinystories
from storylab.corpus.stats import corpus_stats, words
from storylab.world import World, generate_stories

TINYSTORIES = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "tinystories" / "train_prefix_2MiB.txt"
ROWS = [("stories", "{:,.0f}"), ("words", "{:,.0f}"), ("distinct_words", "{:,.0f}"), ("mean_words", "{:.1f}"),
        ("median_words", "{:.1f}"), ("distinct_1", "{:.4f}"), ("distinct_2", "{:.4f}"), ("distinct_3", "{:.4f}"),
        ("duplicate_share", "{:.4f}"), ("frequent_sentence_share", "{:.4f}")]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    World.get()  # vocabulary load is not part of the per-story cost
    t0, c0 = time.perf_counter(), time.process_time()
    texts = [r["text"] for r in generate_stories(args.n, args.seed)]
    dt, dc = time.perf_counter() - t0, time.process_time() - c0
    print(f"procedural: {args.n:,} stories in {dt:.1f} s = {args.n / dt:,.0f} stories/s wall-clock, "
          f"{args.n / dc:,.0f} stories per CPU-second (1 process; the two differ when the machine is busy)")

    ours = corpus_stats(texts)
    ref = None
    if TINYSTORIES.exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = corpus_stats(iter_tinystories(TINYSTORIES))
    else:
        print(f"(TinyStories sample not found at {TINYSTORIES.resolve()})")

    # n-gram ratios and sentence counts depend on corpus size: also compare at the sample's size
    small = corpus_stats(texts[: ref["stories"]]) if ref else None
    head = f"procedural[:{ref['stories']:,}]" if ref else "-"
    print(f"\n{'statistic':<26}{'procedural':>14}{head:>20}{'TinyStories 2MiB':>18}")
    for key, fmt in ROWS:
        a = fmt.format(ours[key])
        c = fmt.format(small[key]) if small else "-"
        b = fmt.format(ref[key]) if ref else "-"
        print(f"{key:<26}{a:>14}{c:>20}{b:>18}")
    print("\n(frequent_sentence_share: share of sentence occurrences whose sentence occurs more than 100 times)")
    names = {n["name"].lower() for n in World.get().vocab.names}
    forms = {w for t in texts for w in words(t)}
    named = sum(w in names or (w.endswith("'s") and w[:-2] in names) for w in forms)
    print(f"distinct word forms: {len(forms):,}, of which names and their possessives {named:,}, "
          f"other words {len(forms) - named:,}")
    per_core = args.n / dc
    checks = [("stories per CPU-second >= 1,000", per_core, per_core >= 1000)]
    if small:
        checks.append(("distinct_3 over the first 2,316 >= 0.45", small["distinct_3"], small["distinct_3"] >= 0.45))
    if args.n >= 100_000:
        checks += [("frequent_sentence_share <= 0.03", ours["frequent_sentence_share"],
                    ours["frequent_sentence_share"] <= 0.03),
                   ("distinct_words >= 3,000", ours["distinct_words"], ours["distinct_words"] >= 3000)]
    checks.append(("duplicate_share == 0", ours["duplicate_share"], ours["duplicate_share"] == 0))
    print("\ntargets (issue 13):")
    for name, value, ok in checks:
        print(f"  {'met    ' if ok else 'NOT met'}  {name:<44}{value:,.4g}")


if __name__ == "__main__":
    main()
