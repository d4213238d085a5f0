#!/usr/bin/env bash
# Trains lenet-paper in fp32 on mnist-10k with the paper's recipe in cimtrain and in PyTorch
# (bench/torch_reference.py, Debian's python3-torch) on the same 8,000/2,000 split, for seeds 0..K-1,
# and writes eval-reports/lenet-fp32/README.md. Usage: scripts/lenet-fp32-parity.sh [K]
set -euo pipefail
cd "$(dirname "$0")/.."
K=${1:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
./cimtrain datasets --export-split mnist-10k "$work/split" >/dev/null
out=eval-reports/lenet-fp32
mkdir -p "$out"
rows=""
for s in $(seq 0 $((K - 1))); do
  ours=$(./cimtrain train --model lenet-paper --dataset mnist-10k --mode fp32 --epochs 13 --batch 64 \
         --optimizer adamw --lr 0.004 --seed "$s" --out "$work/run$s" --json | tail -1)
  theirs=$(/usr/bin/python3 bench/torch_reference.py train --images datasets/mnist-10k/images-idx3-ubyte.gz \
           --labels datasets/mnist-10k/labels-idx1-ubyte.gz --train-indices "$work/split/train-indices.txt" \
           --test-indices "$work/split/test-indices.txt" --seed "$s" --threads 2 | tail -1)
  rows+=$(/usr/bin/python3 - "$ours" "$theirs" <<'PY'
import json, sys
o, t = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"| {o['seed']} | {100*o['test_accuracy']:.2f} | {100*o['best_test_accuracy']:.2f} | {o['train_seconds']:.1f} | {o['train_samples_per_s']:,.0f} | {100*t['test_accuracy']:.2f} | {t['seconds']:.1f} |")
PY
)$'\n'
done
tmp="$out/.README.md.tmp"
{
  echo "# lenet-paper, fp32, mnist-10k: cimtrain beside PyTorch"
  echo
  echo "Made by \`scripts/lenet-fp32-parity.sh $K\` on $(date -u +%Y-%m-%d) at commit $(git describe --always --dirty),"
  echo "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores. Recipe: AdamW lr 0.004 (weight decay 0.01), batch 64,"
  echo "13 epochs, constant rate; the same 8,000/2,000 split (\`cimtrain datasets --export-split mnist-10k\`)"
  echo "in both engines; seeds give different initial weights and shuffles in each engine."
  echo
  echo "| seed | cimtrain test % (final) | cimtrain best epoch % | cimtrain train s | cimtrain samples/s | PyTorch test % (final) | PyTorch s (incl. eval) |"
  echo "|---|---|---|---|---|---|---|"
  printf "%s" "$rows"
} > "$tmp"
mv "$tmp" "$out/README.md"
cat "$out/README.md"
