// Philox4x32-10 and the float Box-Muller of cimtrain.rng.Philox, step for step (see that class's doc:
// every float operation below is one of its documented steps, in the same order).
//
// Rounding: the kernels are built with -fmad=false (scripts/build-kernels.sh), so nvcc never fuses a
// product and a sum; the fused steps of the Java code are written as fmaf(). sqrtf is the correctly
// rounded one (-prec-sqrt=true, nvcc's default). The functions are __host__ __device__ so that the same
// source can be checked on a machine without a GPU (PhiloxCudaHostTest compiles it for the host).
#pragma once
#include <stdint.h>
#include <math.h>

#ifdef __CUDACC__
#define CIM_HD __host__ __device__ __forceinline__
#else
#define CIM_HD static inline
#endif

namespace cim {

CIM_HD uint32_t mulhi32(uint32_t a, uint32_t b) {
#ifdef __CUDA_ARCH__
    return __umulhi(a, b);
#else
    return (uint32_t) (((uint64_t) a * b) >> 32);
#endif
}

CIM_HD float bits_to_float(uint32_t b) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(b);
#else
    union { uint32_t u; float f; } v; v.u = b; return v.f;
#endif
}

CIM_HD uint32_t float_to_bits(float f) {
#ifdef __CUDA_ARCH__
    return __float_as_uint(f);
#else
    union { uint32_t u; float f; } v; v.f = f; return v.u;
#endif
}

/** One Philox4x32-10 block: key = seed, counter = (block lo, block hi, stream lo, stream hi). */
CIM_HD void philox_block(uint64_t seed, uint64_t stream, uint64_t block, uint32_t out[4]) {
    uint32_t c0 = (uint32_t) block, c1 = (uint32_t) (block >> 32), c2 = (uint32_t) stream, c3 = (uint32_t) (stream >> 32);
    uint32_t k0 = (uint32_t) seed, k1 = (uint32_t) (seed >> 32);
    for (int round = 0; round < 10; round++) {
        uint32_t hi0 = mulhi32(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
        uint32_t hi1 = mulhi32(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
        uint32_t n0 = hi1 ^ c1 ^ k0;
        uint32_t n2 = hi0 ^ c3 ^ k1;
        c1 = lo1;
        c3 = lo0;
        c0 = n0;
        c2 = n2;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

/** Top 24 bits to a float in [0, 1) (exact). */
CIM_HD float to_uniform(uint32_t bits) {
    return (float) (bits >> 8) * 0x1p-24f;
}

/** sqrt(-2 ln u), u = ((a >>> 8) + 1) 2^-24, with the Cephes logf of Philox.radius. */
CIM_HD float bm_radius(uint32_t a) {
    float u = (float) ((a >> 8) + 1u) * 0x1p-24f;
    int32_t ix = (int32_t) float_to_bits(u);
    int32_t e = (ix - 0x3F3504F3) >> 23;  // arithmetic shift
    float x = bits_to_float((uint32_t) (ix - (e << 23))) - 1.0f;
    float z = x * x;
    float y = 0x1.204376p-4f;
    y = fmaf(y, x, -0x1.d7a37p-4f);
    y = fmaf(y, x, 0x1.de4a34p-4f);
    y = fmaf(y, x, -0x1.fcba9ep-4f);
    y = fmaf(y, x, 0x1.23d37ep-3f);
    y = fmaf(y, x, -0x1.555cap-3f);
    y = fmaf(y, x, 0x1.999d58p-3f);
    y = fmaf(y, x, -0x1.fffff8p-3f);
    y = fmaf(y, x, 0x1.555554p-2f);
    y = y * x * z;
    float fe = (float) e;
    y = fmaf(fe, -0x1.bd0106p-13f, y);
    y = fmaf(z, -0.5f, y);
    float l = fmaf(fe, 0x1.63p-1f, x + y);
    return sqrtf(l * -2.0f);
}

/** The Box-Muller pair of words (a, b): r cos(theta) to *c, r sin(theta) to *s (Philox.boxMuller). */
CIM_HD void bm_pair(uint32_t a, uint32_t b, float* c, float* s) {
    float r = bm_radius(a);
    int32_t sv = (int32_t) ((b >> 8) + 0x200000u);
    int32_t q = (int32_t) (((uint32_t) sv >> 22) & 3u);
    float t = (float) ((sv & 0x3FFFFF) - 0x200000) * 0x1.921fb6p-22f;
    float t2 = t * t;
    float sn = fmaf(fmaf(fmaf(-0x1.9943f2p-13f, t2, 0x1.11073cp-7f), t2, -0x1.555546p-3f), t2 * t, t);
    float cs = fmaf(fmaf(fmaf(0x1.99eb9cp-16f, t2, -0x1.6c0c34p-10f), t2, 0x1.55554ap-5f), t2 * t2,
                    fmaf(t2, -0.5f, 1.0f));
    uint32_t snb = float_to_bits(sn), csb = float_to_bits(cs);
    uint32_t d = (csb ^ snb) & (uint32_t) (-(q & 1));
    *c = r * bits_to_float(csb ^ d ^ ((uint32_t) ((q + 1) & 2) << 30));
    *s = r * bits_to_float(snb ^ d ^ ((uint32_t) (q & 2) << 30));
}

/** Element i of the standard-normal stream (seed, stream). */
CIM_HD float normal_at(uint64_t seed, uint64_t stream, uint64_t i) {
    uint32_t w[4];
    philox_block(seed, stream, i >> 2, w);
    int p = (int) (i & 2);
    float c, s;
    bm_pair(w[p], w[p + 1], &c, &s);
    return (i & 1) ? s : c;
}

/** Elements i and i + 1 of the standard-normal stream (one Box-Muller pair when i is even). */
CIM_HD void normal2_at(uint64_t seed, uint64_t stream, uint64_t i, float* z0, float* z1) {
    if ((i & 1) == 0) {
        uint32_t w[4];
        philox_block(seed, stream, i >> 2, w);
        int p = (int) (i & 2);
        bm_pair(w[p], w[p + 1], z0, z1);
    } else {
        *z0 = normal_at(seed, stream, i);
        *z1 = normal_at(seed, stream, i + 1);
    }
}

/** Element i of the uniform stream in [0, 1). */
CIM_HD float uniform_at(uint64_t seed, uint64_t stream, uint64_t i) {
    uint32_t w[4];
    philox_block(seed, stream, i >> 2, w);
    return to_uniform(w[i & 3]);
}

}  // namespace cim
