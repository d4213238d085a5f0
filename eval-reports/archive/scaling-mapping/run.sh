#!/usr/bin/env bash
# Is ResNet-18's mp losing more than qat on new chips an artefact of how the models are mapped there?
# An fp32 or qat model is mapped anew on each new chip (each tile's largest weight at the top of the
# range); an mp model keeps the tile scale factors it was trained with, and its tiles' weights need more
# or less than the range. This moves the quick scaling study's ResNet-18 models (3 seeds per mode) to the
# same 5 new paper-table1 chips (seeds 1000-1004) on the whole 10,000-image test set, the mp models both
# ways (`cimtrain evaluate --mapping trained|new`), and writes results.md from the evaluation folders.
# The checkpoints come from `reproduce scaling --models resnet18 --seeds 3 --train-limit 3000` (the quick
# budget before it took 6,000 images; about 30 minutes on 2 cores),
# run into study/ when it has none (git-ignored; its runs are the scaling study's ResNet-18 runs, and
# results.md says whether their accuracies match eval-reports/archive/scaling-train3000/ exactly).
# Usage: eval-reports/archive/scaling-mapping/run.sh        (about 1 minute per evaluation on 2 cores, 12 of them)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
study="$here/study"
if [ ! -f "$study/runs/resnet18-mp-s2/checkpoint.h5" ]; then
  "$root/cimtrain" reproduce scaling --models resnet18 --seeds 3 --train-limit 3000 --backend cpu --out "$study" >/dev/null
fi

evaluate() { # NAME RUN MAPPING
  local out="$here/evaluations/$1"
  [ -f "$out/summary.json" ] && return 0
  rm -rf "$out"
  echo "evaluating $1" >&2
  "$root/cimtrain" evaluate --checkpoint "$study/runs/$2/checkpoint.h5" --hardware paper-table1 --chips 5 \
    --seed 1000 --mapping "$3" --backend cpu --out "$out" >/dev/null
}

for s in 0 1 2; do
  evaluate "fp32-s$s" "resnet18-fp32-s$s" new
  evaluate "qat-s$s" "resnet18-qat-s$s" new
  evaluate "mp-trained-s$s" "resnet18-mp-s$s" trained
  evaluate "mp-new-s$s" "resnet18-mp-s$s" new
done
python3 "$here/table.py" "$here" "$root/eval-reports/archive/scaling-train3000/results.csv" > "$here/results.md.tmp"
mv "$here/results.md.tmp" "$here/results.md"
cat "$here/results.md"
