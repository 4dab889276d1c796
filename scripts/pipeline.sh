#!/usr/bin/env bash
# The whole storylab pipeline as one readable script, stage by stage (after nanochat's speedrun.sh).
# About 15 minutes on a 2-core laptop CPU; everything lands in $OUT (default runs/pipeline).
#
#   bash scripts/pipeline.sh            # or: OUT=/tmp/p STORIES=20000 MINUTES=10 bash scripts/pipeline.sh
set -euo pipefail
OUT=${OUT:-runs/pipeline}
STORIES=${STORIES:-10000}
MINUTES=${MINUTES:-5}
mkdir -p "$OUT"

# 1. generate: a curriculum of procedural stories, with ground truth (characters, places, times, skills) in meta
storylab generate --backend procedural --n "$STORIES" --seed 0 --out "$OUT/stories.jsonl"

# (or bring your own text: TinyStories files, JSONL, parquet, Hugging Face datasets)
# storylab import ../shared/data/tinystories/train_prefix_2MiB.txt --out "$OUT/stories.jsonl"

# 2. prepare: a byte-level BPE tokenizer trained on the training split, and uint16 token shards
storylab prepare "$OUT/stories.jsonl" --out "$OUT/data" --vocab-size 2048

# 3. train: a ~1M-parameter GPT for a fixed time budget (exact resume with --resume; DDP under torchrun)
storylab train --data "$OUT/data" --out "$OUT/run" --minutes "$MINUTES" \
  --set model.d_model=128 --set model.n_layers=4 --set model.n_heads=4 --set model.context=256 \
  --set model.positions=alibi --set train.batch_size=8 --set train.lr=6e-3 --set train.min_lr=6e-4 \
  --set train.steps=100000 --set train.ckpt_every=400

# 4. sample: what it writes, greedy and sampled
storylab sample "$OUT/run" --prompt "Once upon a time, there was a little girl named Lily." --greedy
storylab sample "$OUT/run" --prompt "One day, Tom and his dog went to the park." --n 2 --temperature 0.8 --top-k 50

# 5. evaluate: held-out loss and bits per byte, the capability suite over every checkpoint, novelty vs the training data
storylab eval "$OUT/run" --loss --suite --novelty --checkpoints all

# 6. inspect: attention heads, MLP neurons, linear probes of space and time, OOD reversion
storylab inspect "$OUT/run" --stories 100 --probe-stories 800

# 7. report: one self-contained HTML page with everything above
storylab report "$OUT/run"
echo "pipeline: done; open $OUT/run/report.html"
