// What ops.cu and crossbar.cu share: the grid-stride loop, Java's float max, the block size the
// reductions are written for, and a check that ends a launch when it fails.
#pragma once

#define GRID_LOOP(i, n) for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (long long) (n); \
                             i += (long long) blockDim.x * gridDim.x)

// The threads of a block of every reduction kernel (shared part[REDUCE_THREADS], halving loops); the
// twin of CudaBackend.REDUCE_THREADS, which launches them (KernelSourcesTest checks that the two agree).
#define REDUCE_THREADS 256

// A launch that breaks a kernel's assumption ends with a device fault (CUDA_ERROR_LAUNCH_FAILED, or
// ILLEGAL_INSTRUCTION on some drivers) instead of computing garbage. On the CPU stand-in, the fault
// names the file, line and condition.
#ifdef __CUDACC__
#define KERNEL_REQUIRE(cond) do { if (!(cond)) __trap(); } while (0)
#else
#define KERNEL_REQUIRE(cond) do { if (!(cond)) ::cimsim::trap("KERNEL_REQUIRE(" #cond ") failed", __FILE__, __LINE__); } while (0)
#endif

// Java's Math.max and Math.min for floats: NaN wins, +0 beats -0 (max), -0 beats +0 (min). fmaxf and
// fminf drop a NaN, which the CPU backend keeps.
__device__ __forceinline__ float jmax(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

__device__ __forceinline__ float jmin(float a, float b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0.0f && b == 0.0f) return signbit(a) ? a : b;
    return a <= b ? a : b;
}
