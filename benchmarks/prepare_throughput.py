"""`storylab prepare` throughput in MB/s of corpus text (tokenizer training + encoding).

    python benchmarks/prepare_throughput.py [TEXT_FILE] [--vocab-size 4096] [--repeat 4]

TEXT_FILE is any TinyStories-layout or plain text file (default: the 2 MiB TinyStories
sample in ../shared/data). `--repeat` concatenates the corpus with itself (with distinct
ids) to measure a larger input.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "tinystories" / "train_prefix_2MiB.txt"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("text", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--vocab-size", type=int, default=4096)
    ap.add_argument("--repeat", type=int, default=4)
    args = ap.parse_args()

    from storylab.corpus import import_corpus, read_corpus
    from storylab.tokenizer import load_tokenizer
    from storylab.shards import prepare

    work = Path(tempfile.mkdtemp(prefix="storylab-prep-"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import_corpus(args.text, work / "one.jsonl")
    records = list(read_corpus(work / "one.jsonl"))
    with open(work / "corpus.jsonl", "w", encoding="utf-8") as f:
        for r in range(args.repeat):
            for rec in records:
                f.write(json.dumps({**rec, "id": f"{r}-{rec['id']}"}) + "\n")
    mb = sum(len(rec["text"].encode()) for rec in records) * args.repeat / 1e6

    t0 = time.perf_counter()
    stats = prepare(work / "corpus.jsonl", work / "data", vocab_size=args.vocab_size, progress=False)
    full = time.perf_counter() - t0
    t0 = time.perf_counter()
    prepare(work / "corpus.jsonl", work / "data2", tokenizer=work / "data" / "tokenizer.json", progress=False)
    encode_only = time.perf_counter() - t0
    print(f"{args.text.name} x{args.repeat}: {mb:.1f} MB of text, {sum(stats.tokens.values()):,} tokens")
    print(f"prepare (train BPE {args.vocab_size} + encode): {mb / full:.1f} MB/s ({full:.2f}s)")
    print(f"prepare with an existing tokenizer (encode only): {mb / encode_only:.1f} MB/s ({encode_only:.2f}s)")


if __name__ == "__main__":
    main()
