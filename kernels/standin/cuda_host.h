// The CUDA dialect with a host meaning, so that kernels/*.cu compile with g++ into the CPU stand-in of
// the driver (scripts/cuda-standin.sh). Only what the kernels use: __global__/__device__/__host__,
// static __shared__ arrays (one copy per worker thread: a worker runs one block at a time), the thread
// coordinates, __syncthreads (a fiber switch), __trap, atomicAdd, __float_as_uint and the float maths
// of libm. Built with -ffp-contract=off, the host twin of nvcc's -fmad=false: a product and a sum are
// rounded on their own unless the source writes fmaf().
#pragma once
#include <math.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <utility>

#include "standin.h"

using std::signbit;

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline __attribute__((always_inline))
#define __shared__ static thread_local
#define __launch_bounds__(...)

struct uint3 {
    unsigned x, y, z;
};

#define threadIdx (::cimsim::coords.threadIdx)
#define blockIdx (::cimsim::coords.blockIdx)
#define blockDim (::cimsim::coords.blockDim)
#define gridDim (::cimsim::coords.gridDim)

#define __trap() ::cimsim::trap("__trap()", __FILE__, __LINE__)

inline void __syncthreads() {
    ::cimsim::syncthreads();
}

inline unsigned __float_as_uint(float f) {
    unsigned u;
    std::memcpy(&u, &f, 4);
    return u;
}

inline float __uint_as_float(unsigned u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

inline int min(int a, int b) {
    return a < b ? a : b;
}
inline int max(int a, int b) {
    return a > b ? a : b;
}
inline long long min(long long a, long long b) {
    return a < b ? a : b;
}
inline long long max(long long a, long long b) {
    return a > b ? a : b;
}

// atomicAdd returns the old value, as on the device; blocks run in parallel on the worker threads
inline int atomicAdd(int* p, int v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
inline unsigned atomicAdd(unsigned* p, unsigned v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}
template <typename F, typename U>
inline F atomicAddFloating(F* p, F v) {
    U old = __atomic_load_n(reinterpret_cast<U*>(p), __ATOMIC_RELAXED), next;
    F f;
    do {
        std::memcpy(&f, &old, sizeof f);
        F sum = f + v;
        std::memcpy(&next, &sum, sizeof next);
    } while (!__atomic_compare_exchange_n(reinterpret_cast<U*>(p), &old, next, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return f;
}
inline float atomicAdd(float* p, float v) {
    return atomicAddFloating<float, uint32_t>(p, v);
}
inline double atomicAdd(double* p, double v) {
    return atomicAddFloating<double, uint64_t>(p, v);
}

namespace cimsim {

// cuLaunchKernel's parameter array unpacked into the kernel's typed arguments
template <typename... A, size_t... I>
void invokeWith(void (*f)(A...), void** args, std::index_sequence<I...>) {
    f(*static_cast<std::remove_reference_t<A>*>(args[I])...);
}

template <typename... A>
Entry entry(const char* name, void (*f)(A...)) {
    Entry e;
    e.name = name;
    e.params = {Param{sizeof(A), std::is_pointer<A>::value}...};
    e.fn = reinterpret_cast<void*>(f);
    e.invoke = [](void* fn, void** args) {
        invokeWith(reinterpret_cast<void (*)(A...)>(fn), args, std::index_sequence_for<A...>{});
    };
    return e;
}

}  // namespace cimsim
