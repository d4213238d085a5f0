#!/usr/bin/env bash
# Why is mp further from fp32 on the LeNet reproduction than in the paper? Trains lenet-paper in mode mp
# on mnist-10k with `cimtrain reproduce lenet`'s recipe (AdamW lr 0.004 constant, batch 64, 13 epochs of
# 400 batches, aggregate reads) on paper-chip as it was at commit 8dfe228 (hardware/old.yaml) and on
# variants of it (hardware/*.yaml, each saying what it changes), then writes results.md from the run
# folders. Finished runs (summary.json present) are kept: old-s1 and old-s2 are the mp runs of
# eval-reports/lenet-mnist/ at 8dfe228, copied (the same command), and seed 0 was trained again here.
# Usage: eval-reports/lenet-mnist-gap/run.sh            (about 1 minute per run on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

train() { # NAME HARDWARE SEED LR
  local out="$here/runs/$1-s$3"
  [ -f "$out/summary.json" ] && return 0
  rm -rf "$out"
  echo "training $1 seed $3" >&2
  "$root/cimtrain" train --model lenet-paper --dataset mnist-10k --mode mp --hardware "$2" --epochs 13 \
    --steps-per-epoch 400 --batch 64 --optimizer adamw --lr "$4" --schedule constant --seed "$3" \
    --out "$out" >/dev/null
  rm -f "$out/checkpoint.h5" # 112 kB each; rerun to get the weights
}

for s in 0 1 2; do train old "$here/hardware/old.yaml" "$s" 0.004; done
train lr001 "$here/hardware/old.yaml" 0 0.001
for v in chip128 thr025 quiet trainable; do
  train "$v" "$here/hardware/$v.yaml" 0 0.004
done
for v in head2 head3 c128h3; do
  for s in 0 1 2; do train "$v" "$here/hardware/$v.yaml" "$s" 0.004; done
done
python3 "$here/table.py" "$here" > "$here/results.md.tmp" && mv "$here/results.md.tmp" "$here/results.md"
cat "$here/results.md"
