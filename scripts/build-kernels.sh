#!/usr/bin/env bash
# Compiles kernels/*.cu to PTX for the CUDA backend and writes them to
# java/resources/cimtrain/kernels/NAME.ptx (checked in: the Maven build never needs nvcc).
#
#   scripts/build-kernels.sh            rebuild the checked-in PTX
#   scripts/build-kernels.sh --out DIR  write them to DIR instead (KernelSourcesTest compares the two)
#
# Flags: -arch=compute_80 emits PTX for the virtual architecture sm_80, which the driver JIT-compiles for
# any newer GPU (A100, H100, H200, ...). -fmad=false: no product and sum is fused unless the source says
# fmaf(), so elementwise kernels round exactly as the Java CPU backend does (see rng/Philox.java). nvcc 13
# writes PTX ISA 9.0, which needs an NVIDIA driver of release 580 or newer to load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/java/resources/cimtrain/kernels"
if [ "${1:-}" = "--out" ]; then
  out="$2"
fi
NVCC="${NVCC:-nvcc}"
command -v "$NVCC" >/dev/null || { echo "build-kernels: nvcc not found (install the CUDA toolkit or set NVCC)" >&2; exit 2; }
mkdir -p "$out"
for cu in "$here"/kernels/*.cu; do
  name="$(basename "$cu" .cu)"
  "$NVCC" -ptx -arch=compute_80 -fmad=false -std=c++17 -o "$out/$name.ptx" "$cu"
  echo "built $out/$name.ptx ($(grep -c '^.visible .entry' "$out/$name.ptx") kernels)"
done
