#!/usr/bin/env bash
# Builds the self-contained GPU check bundle (issue 4) on this machine; it is then run on a GPU machine
# that has only an NVIDIA driver: no Java, no Maven, no CUDA toolkit, no network.
#
#   scripts/gpu-check.sh [OUT_DIR]     default target/gpu-check; writes OUT_DIR/ and OUT_DIR.tar.gz
#
# The bundle: runtime/ (a Java 17 runtime made with jlink, with jdk.incubator.vector), cimtrain.jar (the
# shaded jar with the PTX kernels and JCuda's driver and cuBLAS bindings), tests.jar (the backend tests),
# junit-console.jar (JUnit's console launcher) and run.sh. On the GPU machine:
#
#   tar xzf gpu-check.tar.gz && gpu-check/run.sh          -> gpu-check/results-HOST-TIME.txt (and $OUT/)
#
# run.sh runs `cimtrain info`, the GPU tests (every backend operation against the CPU backend, the
# tiled GEMM against the simple one, a lenet-paper mp epoch on both backends) with every launch waited
# for (CUDA_LAUNCH_BLOCKING=1, CIMTRAIN_CUDA_SYNC=1: a failing kernel names itself), the GEMM benchmark
# (cuBLAS where it loads, the tiled and the simple own kernel) and `cimtrain bench --backend cuda` for
# lenet-paper, vgg8 and resnet18 at batch 256, fp32 and mp. Each step has a time limit; all of them
# together at most 395 s, so that a rerun still fits a 15-minute GPU slot. The results file names the
# commit the bundle was built from; when $OUT is set (a remote runner's output folder), it is copied there.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$here/target/gpu-check}"
junit_console_version=1.14.1

cd "$here"
echo "gpu-check: building the jar and the test classes ..." >&2
mvn -q -B -DskipTests package
mvn -q -B test-compile
mvn -q -B dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:$junit_console_version \
  -DoutputDirectory="$here/target/gpu-check-deps" >/dev/null

rm -rf "$out"
mkdir -p "$out"
echo "gpu-check: jlink runtime ..." >&2
# the modules the shaded jar needs (jdeps --print-module-deps: java.base, java.desktop, java.sql,
# jdk.incubator.vector, jdk.management, jdk.unsupported, and what those require) but java.desktop (10 MB),
# which only `cimtrain report` (charts) uses: the bundle trains, benchmarks and tests, it draws no plots
modules="java.base,java.logging,java.management,jdk.management,java.naming,java.sql,java.xml,jdk.unsupported,jdk.zipfs,jdk.incubator.vector"
jlink --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 --output "$out/runtime"
cp target/cimtrain.jar "$out/cimtrain.jar"
cp "target/gpu-check-deps/junit-platform-console-standalone-$junit_console_version.jar" "$out/junit-console.jar"
(cd target/test-classes && jar cf "$out/tests.jar" cimtrain/backend)
commit="$(git -C "$here" rev-parse --short HEAD)"
[ -z "$(git -C "$here" status --porcelain --untracked-files=no)" ] || commit="$commit with uncommitted changes"
echo "$commit" > "$out/COMMIT"

cat > "$out/run.sh" <<'RUN'
#!/usr/bin/env bash
# The GPU check: needs only this folder and an NVIDIA driver (release 580 or newer for the PTX ISA 9.0
# kernels). Writes results-HOST-TIME.txt here and prints its name.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
java="$here/runtime/bin/java"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/cimtrain-gpu.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
results="$here/results-$(hostname -s 2>/dev/null || echo host)-$(date -u +%Y%m%dT%H%M%SZ).txt"
opts=(--add-modules jdk.incubator.vector -XX:+UseParallelGC -Xmx16g -Djava.io.tmpdir="$tmp" -Dcimtrain.home="$here")
export OPENBLAS_NUM_THREADS=1
step() { # TITLE SECONDS COMMAND...: one section of the results file
  local title="$1" limit="$2"; shift 2
  echo "===== $title (limit ${limit}s) ====="
  local t0=$SECONDS
  timeout --kill-after=10 "$limit" "$@" 2>&1
  local rc=$?
  echo "----- $title: exit $rc after $((SECONDS - t0)) s$([ $rc = 124 ] && echo ', TIMED OUT')"
  echo
}
{
  echo "cimtrain GPU check, $(date -u), host $(hostname), bundle built from commit $(cat "$here/COMMIT")"
  step "nvidia-smi" 20 nvidia-smi
  step "cimtrain info" 45 "$java" "${opts[@]}" -jar "$here/cimtrain.jar" info
  step "GPU tests (JUnit), every launch waited for" 120 env CUDA_LAUNCH_BLOCKING=1 CIMTRAIN_CUDA_SYNC=1 \
      "$java" "${opts[@]}" -jar "$here/junit-console.jar" execute \
      --class-path "$here/cimtrain.jar:$here/tests.jar" --select-class cimtrain.backend.BackendContractTest \
      --select-class cimtrain.backend.cuda.GemmKernelsTest --select-class cimtrain.backend.CudaLenetEpochTest \
      --details tree --disable-banner --disable-ansi-colors
  step "GEMM GFLOP/s: cuBLAS, gemm_f32_tiled, gemm_f32" 90 "$java" "${opts[@]}" -cp "$here/cimtrain.jar" \
      cimtrain.backend.cuda.GemmBenchmark
  for model in lenet-paper vgg8 resnet18; do
    step "bench $model batch 256, fp32 and mp (cuda)" 40 "$java" "${opts[@]}" -jar "$here/cimtrain.jar" bench \
        --backend cuda --models "$model" --batch 256 --mp --torch off --no-record --seconds 3 --repeats 1
  done
  echo "done $(date -u)"
} > "$results" 2>&1
if [ -n "${OUT:-}" ]; then
  mkdir -p "$OUT" && cp "$results" "$OUT/"
fi
echo "$results"
RUN
chmod +x "$out/run.sh"
tar -C "$(dirname "$out")" -czf "$out.tar.gz" "$(basename "$out")"
echo "gpu-check: bundle $out ($(du -sh "$out" | cut -f1)), archive $out.tar.gz ($(du -h "$out.tar.gz" | cut -f1))" >&2
du -sh "$out"/* >&2
