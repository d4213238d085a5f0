#!/usr/bin/env bash
# Compares two run folders for a bit-for-bit rerun: every checkpoint dataset but the metrics table (it
# holds timings), metrics.csv without its timing columns, writes.json and clipping.csv. Needs h5dump.
# Usage: compare-runs.sh RUN_A RUN_B   (exit 0: same; 1: differ)
set -uo pipefail
a=$1 b=$2 rc=0
command -v h5dump >/dev/null || { echo "compare-runs.sh: h5dump is needed (apt-get install hdf5-tools)" >&2; exit 2; }
for d in "$a" "$b"; do
  [ -f "$d/metrics.csv" ] || { echo "compare-runs.sh: $d has no metrics.csv (not a finished run folder)" >&2; exit 2; }
done
dump() { h5dump -e "$1" 2>/dev/null | awk '/DATASET "metrics"/{skip=1} skip&&/^   }/{skip=0; next} !skip' | tail -n +2; }
if [ -f "$a/checkpoint.h5" ] || [ -f "$b/checkpoint.h5" ]; then
  if cmp -s <(dump "$a/checkpoint.h5") <(dump "$b/checkpoint.h5"); then echo "same      checkpoint.h5 (all but metrics)"; else echo "DIFFERENT checkpoint.h5"; rc=1; fi
fi
if cmp -s <(cut -d, -f1-5 "$a/metrics.csv") <(cut -d, -f1-5 "$b/metrics.csv"); then echo "same      metrics.csv (epoch..test_accuracy)"; else echo "DIFFERENT metrics.csv"; rc=1; fi
for f in writes.json clipping.csv; do
  [ -f "$a/$f" ] || [ -f "$b/$f" ] || continue
  if cmp -s "$a/$f" "$b/$f"; then echo "same      $f"; else echo "DIFFERENT $f"; rc=1; fi
done
exit $rc
