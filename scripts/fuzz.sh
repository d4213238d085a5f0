#!/usr/bin/env bash
# Coverage-guided fuzzing (Jazzer) of the readers of user files: each fuzz test in fuzzing mode for its
# @FuzzTest maxDuration (30 s), ROUNDS times over all of them (default 1; the generated corpus in
# .cifuzz-corpus/ carries over between rounds, so more rounds fuzz deeper). A finding fails the script:
# Jazzer leaves the input as crash-* in the repository root; fix the reader and keep the input under
# java/test-resources/.../<Test>Inputs/<method>/ as a regression input (every mvn test runs those).
# Prints one line per fuzz test: executions and seconds, from libFuzzer's "Done N runs in S second(s)".
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-1}"
targets=(
  cimtrain.fuzz.ReadersFuzzTest#idx
  cimtrain.fuzz.ReadersFuzzTest#idxImagesAndLabels
  cimtrain.fuzz.ReadersFuzzTest#cifarBatch
  cimtrain.fuzz.ReadersFuzzTest#modelYaml
  cimtrain.fuzz.ReadersFuzzTest#hardwareYaml
  cimtrain.fuzz.ReadersFuzzTest#pulseTable
  cimtrain.fuzz.ReadersFuzzTest#sweepPlan
  cimtrain.fuzz.ReadersFuzzTest#checkpoint
  cimtrain.fuzz.ReadersFuzzTest#kerasWeights
  cimtrain.report.RunFolderFuzzTest#runFolder
)
mvn -q -B test-compile
logs="$(mktemp -d)"
status=0
for ((r = 1; r <= rounds; r++)); do
  for t in "${targets[@]}"; do
    log="$logs/${t##*.}-$r.log"
    if ! JAZZER_FUZZ=1 mvn -o -B surefire:test -Dtest="$t" >"$log" 2>&1; then
      status=1
      echo "fuzz: round $r $t: FINDING (log: $log)"
      grep -E '^== Java Exception|AssertionError|^Caused by' "$log" | head -5 || true
    fi
    done_line="$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)"
    echo "fuzz: round $r $t: ${done_line:-no libFuzzer summary (see $log)}"
  done
done
exit $status
