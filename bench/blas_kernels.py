#!/usr/bin/python3
"""GFLOP/s of OpenBLAS's SGEMM and of PyTorch's convolutions, one thread, on shapes from VGG-8.

Why: cimtrain's convolutions are im2col + OpenBLAS SGEMM, PyTorch's are oneDNN's direct kernels. Which
OpenBLAS kernels run depends on OPENBLAS_CORETYPE (the ./cimtrain launcher holds it to Haswell, AVX2,
for results identical across CPUs), while oneDNN uses AVX-512 wherever the CPU has it. Run it once per
kernel family to see what each gives, e.g.

    OPENBLAS_CORETYPE=Haswell  /usr/bin/python3 bench/blas_kernels.py
    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/blas_kernels.py

Needs Debian's libopenblas0-pthread, numpy and (for the convolution rows) python3-torch.
"""

import ctypes
import os
import time

import numpy as np

LIB = "/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0"
ROW_MAJOR, NO_TRANS = 101, 111


def sgemm_gflops(blas, m, n, k, reps=20):
    a = np.random.rand(m, k).astype(np.float32)
    b = np.random.rand(k, n).astype(np.float32)
    c = np.zeros((m, n), np.float32)
    args = (ROW_MAJOR, NO_TRANS, NO_TRANS, m, n, k, ctypes.c_float(1.0),
            a.ctypes.data_as(ctypes.c_void_p), k, b.ctypes.data_as(ctypes.c_void_p), n,
            ctypes.c_float(0.0), c.ctypes.data_as(ctypes.c_void_p), n)
    for _ in range(3):
        blas.cblas_sgemm(*args)
    t = time.perf_counter()
    for _ in range(reps):
        blas.cblas_sgemm(*args)
    return 2 * m * n * k / ((time.perf_counter() - t) / reps) / 1e9


def conv_gflops(torch, batch, cin, cout, size, reps=10):
    x = torch.rand(batch, cin, size, size)
    w = torch.rand(cout, cin, 3, 3)
    conv = torch.nn.functional.conv2d
    for _ in range(3):
        conv(x, w, padding=1)
    t = time.perf_counter()
    for _ in range(reps):
        conv(x, w, padding=1)
    return 2 * batch * size * size * cout * cin * 9 / ((time.perf_counter() - t) / reps) / 1e9


def main():
    blas = ctypes.CDLL(LIB)
    blas.openblas_set_num_threads(1)
    blas.openblas_get_corename.restype = ctypes.c_char_p
    print("OpenBLAS core %s (OPENBLAS_CORETYPE=%s)"
          % (blas.openblas_get_corename().decode(), os.environ.get("OPENBLAS_CORETYPE", "unset")))
    # M x K times K x N; VGG-8 at width 0.25, half a batch of 64 per replica: M output channels,
    # K = 9 x input channels, N = 32 images x output positions
    for m, n, k, what in [(2048, 2048, 2048, "square"),
                          (32, 32768, 288, "conv2 (32 channels at 32x32)"),
                          (64, 8192, 576, "conv4 (64 channels at 16x16)"),
                          (128, 2048, 1152, "conv6 (128 channels at 8x8)")]:
        print("sgemm %5d x %5d x %5d  %-30s %6.1f GFLOP/s" % (m, n, k, what, sgemm_gflops(blas, m, n, k)))
    try:
        import torch
    except ImportError:
        print("no torch: convolution rows left out (apt-get install python3-torch)")
        return
    torch.set_num_threads(1)
    for cin, cout, size in [(3, 32, 32), (32, 32, 32), (32, 64, 16), (64, 64, 16), (64, 128, 8), (128, 128, 8)]:
        print("torch %s conv %3d -> %3d channels at %2dx%-2d, batch 32  %6.1f GFLOP/s"
              % (torch.__version__, cin, cout, size, size, conv_gflops(torch, 32, cin, cout, size)))


if __name__ == "__main__":
    main()
