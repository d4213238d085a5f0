#!/usr/bin/env bash
# Why is mp further from fp32 on the LeNet reproduction than in the paper? Trains lenet-paper in mode mp
# on mnist-10k with `cimtrain reproduce lenet`'s recipe (AdamW lr 0.004 constant, batch 64, 13 epochs of
# 400 batches, aggregate reads) on paper-chip as it was at commit 8dfe228 (hardware/old.yaml) and on
# variants of it (hardware/*.yaml, each saying what it changes), then writes results.md from the run
# folders. Finished runs (summary.json present) are kept: old-s1 and old-s2 are the mp runs of
# eval-reports/lenet-mnist/ at 8dfe228, copied (the same command), and seed 0 was trained again here.
# The clip variant (2026-12-07) is paper-chip with write.clip_target, which paper-chip has had since
# (hardware/noclip.yaml is paper-chip from 2026-11-29 to then). noclip-s0..2 are the mp runs of
# eval-reports/lenet-mnist/ at 2223fbc and noclipheld-s3..9 those of eval-reports/lenet-mnist-seeds10/ at
# 8a1034f, copied (the same command); fp32-s0..9 are the fp32 runs of those reports, copied. For clip and
# noclip the W_FP copy alone is also tested on the ideal chip.
# Usage: eval-reports/archive/lenet-mnist-gap/run.sh            (about 1 minute per run on 2 cores)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

train() { # NAME HARDWARE SEED LR [ideal: test W_FP alone on the ideal chip | keep: keep the checkpoint]
  local out="$here/runs/$1-s$3"
  [ -f "$out/summary.json" ] && return 0
  rm -rf "$out"
  echo "training $1 seed $3" >&2
  "$root/cimtrain" train --model lenet-paper --dataset mnist-10k --mode mp --hardware "$2" --epochs 13 \
    --steps-per-epoch 400 --batch 64 --optimizer adamw --lr "$4" --schedule constant --seed "$3" \
    --out "$out" >/dev/null
  [ "${5:-}" = ideal ] && wfp_ideal "$out/checkpoint.h5" "$out/wfp-ideal"
  [ "${5:-}" = keep ] || rm -f "$out/checkpoint.h5" # 112 kB each; rerun to get the weights
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
# noclip keeps its checkpoints (the W_FP tests below read them); its runs are trained here only if missing
fp32() { # SEED: the software baseline of the same recipe
  local out="$here/runs/fp32-s$1"
  [ -f "$out/summary.json" ] && return 0
  rm -rf "$out"
  "$root/cimtrain" train --model lenet-paper --dataset mnist-10k --mode fp32 --epochs 13 --steps-per-epoch 400 \
    --batch 64 --optimizer adamw --lr 0.004 --schedule constant --seed "$1" --out "$out" >/dev/null
  rm -f "$out/checkpoint.h5"
}
for s in 0 1 2 3 4 5 6 7 8 9; do fp32 "$s"; done
for s in 0 1 2; do
  train noclip "$here/hardware/noclip.yaml" "$s" 0.004 keep
  wfp_ideal "$here/runs/noclip-s$s/checkpoint.h5" "$here/runs/noclip-wfp-ideal-s$s"
done
for s in 3 4 5 6 7 8 9; do train noclipheld "$here/hardware/noclip.yaml" "$s" 0.004; done
# how far W_FP lies beyond what the tiles hold after noclip's seed-0 run
if [ ! -f "$here/runs/noclip-wfp-range-s0/summary.json" ]; then
  rm -rf "$here/runs/noclip-wfp-range-s0"
  "$root/cimtrain" evaluate --checkpoint "$here/runs/noclip-s0/checkpoint.h5" --targets w_fp \
    --programming-error 0 --chips 1 --out "$here/runs/noclip-wfp-range-s0" >/dev/null
fi
python3 "$here/table.py" "$here" > "$here/results.md.tmp" && mv "$here/results.md.tmp" "$here/results.md"
cat "$here/results.md"
