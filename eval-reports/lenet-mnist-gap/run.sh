#!/usr/bin/env bash
# Why is mp further from fp32 on the LeNet reproduction than in the paper? Trains lenet-paper in mode mp
# on mnist-10k with `cimtrain reproduce lenet`'s recipe (AdamW lr 0.004 constant, batch 64, 13 epochs of
# 400 batches, aggregate reads) on paper-chip as it was at commit 8dfe228 (hardware/old.yaml) and on
# variants of it (hardware/*.yaml, each saying what it changes), then writes results.md from the run
# folders. Finished runs (summary.json present) are kept: old-s1 and old-s2 are the mp runs of
# eval-reports/lenet-mnist/ at 8dfe228, copied (the same command), and seed 0 was trained again here.
# The clip variant (2026-12-07) is the current paper-chip with write.clip_target; for it and the runs of
# eval-reports/lenet-mnist/ the W_FP copy alone is also tested on the ideal chip.
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
  [ "${5:-}" = ideal ] && wfp_ideal "$out/checkpoint.h5" "$out/wfp-ideal"
  rm -f "$out/checkpoint.h5" # 112 kB each; rerun to get the weights
}

wfp_ideal() { # CHECKPOINT OUT: the model's W_FP alone, tested on an ideal chip (fp32 arithmetic)
  [ -f "$2/summary.json" ] && return 0
  rm -rf "$2"
  "$root/cimtrain" evaluate --checkpoint "$1" --hardware ideal --mapping new --chips 1 --out "$2" >/dev/null
}

for s in 0 1 2; do train old "$here/hardware/old.yaml" "$s" 0.004; done
train lr001 "$here/hardware/old.yaml" 0 0.001
for v in chip128 thr025 quiet trainable; do
  train "$v" "$here/hardware/$v.yaml" 0 0.004
done
for v in head2 head3 c128h3; do
  for s in 0 1 2; do train "$v" "$here/hardware/$v.yaml" "$s" 0.004; done
done
# write.clip_target (2026-12-07): W_FP takes a write's target clipped to what its tile holds
for s in 0 1 2; do train clip "$here/hardware/clip.yaml" "$s" 0.004 ideal; done
# the same on seeds 3-9, held out from the 0-2 above: beside the mp runs of eval-reports/lenet-mnist-seeds10/
for s in 3 4 5 6 7 8 9; do train clipheld "$here/hardware/clip.yaml" "$s" 0.004; done
for s in 0 1 2; do wfp_ideal "$root/eval-reports/lenet-mnist/runs/mp-s$s/checkpoint.h5" "$here/runs/now-wfp-ideal-s$s"; done
# how far W_FP lies beyond what the tiles hold after the seed-0 mp run of eval-reports/lenet-mnist/
if [ ! -f "$here/runs/now-wfp-range-s0/summary.json" ]; then
  rm -rf "$here/runs/now-wfp-range-s0"
  "$root/cimtrain" evaluate --checkpoint "$root/eval-reports/lenet-mnist/runs/mp-s0/checkpoint.h5" --targets w_fp \
    --programming-error 0 --chips 1 --out "$here/runs/now-wfp-range-s0" >/dev/null
fi
python3 "$here/table.py" "$here" > "$here/results.md.tmp" && mv "$here/results.md.tmp" "$here/results.md"
cat "$here/results.md"
