package cimtrain.backend.cuda;

import cimtrain.backend.AggregateReadNoise;
import cimtrain.backend.Backend;
import cimtrain.backend.ConvGeometry;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.PoolGeometry;
import cimtrain.backend.Tensor;
import cimtrain.backend.TileGrid;
import cimtrain.backend.WriteList;
import cimtrain.util.SettingError;

import jcuda.Pointer;
import jcuda.Sizeof;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoD;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;

/**
 * The GPU backend: every {@link Backend} operation as a CUDA kernel (kernels/*.cu, shipped as PTX in
 * the jar under cimtrain/kernels/) launched through JCuda's driver API on device 0's primary context,
 * tensors in device memory, GEMMs through cuBLAS when libcublas.so.12 loads, else through the own
 * register-tiled {@code gemm_f32_tiled} kernel. One layer's crossbar read is one launch over all its
 * tiles (plus the DAC, the product and the noise); random numbers come from the same Philox counters as
 * the CPU backend.
 *
 * <p>All work goes to the legacy default stream, so operations run in call order; downloads wait for
 * them, and a kernel's fault surfaces at the next call that waits. With {@code CIMTRAIN_CUDA_SYNC=1}
 * (or {@code -Dcimtrain.cuda.sync=true}) every launch is waited for, so a failing kernel names itself.
 * Not thread-safe: networks run as one replica ({@link #dataParallelReplicas()} is 1).
 * Over 400 lines: one launch wrapper per operation of the {@link Backend} interface, each a few lines.
 *
 * <p>Where it has run: on the CPU stand-in of the driver in every CI run (kernels/standin/README.md);
 * see docs/gpu.md for what has been measured on a card.
 */
public final class CudaBackend implements Backend {
    /** Threads of a block of the grid-stride kernels. */
    private static final int THREADS = 256;
    /** Threads of a block of the reduction kernels: the twin of REDUCE_THREADS in kernels/common.cuh. */
    public static final int REDUCE_THREADS = 256;
    /** gemm_f32_tiled: threads of a block and the rows and columns of C a block computes (kernels/ops.cu). */
    static final int GEMM_THREADS = 256, GEMM_TILE = 128;
    private static final int MAX_BLOCKS = 65535;
    private static final boolean SYNC_EACH_LAUNCH = Boolean.getBoolean("cimtrain.cuda.sync")
            || "1".equals(System.getenv("CIMTRAIN_CUDA_SYNC"));

    /** Which kernel does the GEMMs. */
    public enum Gemm {
        /** cuBLAS where libcublas.so.12 loads, else {@link #TILED} */
        AUTO,
        /** the own register-tiled kernel gemm_f32_tiled */
        TILED,
        /** the own first kernel gemm_f32 (16 x 16 tiles, one output a thread): the yardstick for TILED */
        SIMPLE
    }
    private static final String[] MODULES = {"ops", "crossbar"};
    private static final Cleaner CLEANER = Cleaner.create();
    private static final ThreadLocal<CudaBackend> CURRENT = new ThreadLocal<>();
    private static volatile boolean gemmLogged;

    private final CudaProbe.Result device;
    private final CUdevice dev = new CUdevice();
    private final CUcontext ctx = new CUcontext();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final List<CUmodule> modules = new ArrayList<>();
    private cublasHandle cublas;
    private final Gemm gemmKernel;
    private final String gemm;
    private final Set<Allocation> live = ConcurrentHashMap.newKeySet();
    // bytes held by live allocations now, and the most they ever held (peak GPU memory of a run)
    private final java.util.concurrent.atomic.AtomicLong liveBytes = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong peakBytes = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Allocation> scratch = new HashMap<>();
    private volatile boolean closed;

    /** Opens device 0; throws {@link cimtrain.util.UserError} with one line when there is none or its driver is too old. */
    public static CudaBackend open() {
        return open(Gemm.AUTO);
    }

    /** @param gemm which kernel does the GEMMs (tests and the GEMM benchmark compare them) */
    public static CudaBackend open(Gemm gemm) {
        return open(gemm, MODULES);
    }

    /** With other kernel modules than the shipped ones: tests that a failed start leaks nothing. */
    static CudaBackend open(Gemm gemm, String... modules) {
        CudaProbe.Result r = CudaProbe.probe();
        if (!r.available()) {
            throw SettingError.of("backend", " cuda: " + r.reason());
        }
        return new CudaBackend(r, gemm, modules);
    }

    private CudaBackend(CudaProbe.Result device, Gemm gemmKernel, String[] moduleNames) {
        this.device = device;
        this.gemmKernel = gemmKernel;
        JCudaDriver.setExceptionsEnabled(true);
        JCudaDriver.cuDeviceGet(dev, 0);
        JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev);
        try {
            ensureContext();
            loadModules(moduleNames);
            this.cublas = gemmKernel == Gemm.AUTO ? cublas() : null;
        } catch (RuntimeException | Error e) {
            // nothing of a backend that did not start stays behind: its modules and the context reference
            releaseQuietly();
            throw e;
        }
        this.gemm = cublas != null ? "cuBLAS (libcublas.so.12)" : gemmKernel == Gemm.SIMPLE ? "own CUDA GEMM kernel gemm_f32"
                : "own CUDA GEMM kernel gemm_f32_tiled" + (gemmKernel == Gemm.AUTO ? " (cuBLAS unavailable: " + cublasMissing + ")" : "");
        if (!gemmLogged && gemmKernel == Gemm.AUTO) {
            gemmLogged = true;
            System.err.println("cimtrain: cuda on " + device.deviceName() + ", GEMM: " + gemm);
        }
    }

    private String cublasMissing;

    private void loadModules(String[] moduleNames) {
        for (String m : moduleNames) {
            CUmodule module = new CUmodule();
            byte[] ptx = ptx(m);
            int status;
            try {
                JCudaDriver.setExceptionsEnabled(false);
                status = JCudaDriver.cuModuleLoadData(module, ptx);
            } finally {
                JCudaDriver.setExceptionsEnabled(true);
            }
            if (status != CUresult.CUDA_SUCCESS) {
                String what = CudaProbe.errorName(status);
                if (status == CUresult.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) {
                    throw SettingError.of("backend", " cuda: the NVIDIA driver (" + device.driverApi() + ") cannot load "
                            + "the kernels (" + what + "): they are PTX ISA 9.0 from nvcc 13 and need driver "
                            + "release 580 or newer");
                }
                throw SettingError.of("backend", " cuda: loading kernels " + m + ".ptx failed: " + what);
            }
            modules.add(module);
        }
    }

    /** A cuBLAS handle, or null (and why in cublasMissing) where libcublas.so.12 does not load. */
    private cublasHandle cublas() {
        cublasHandle handle = new cublasHandle();
        try {
            CudaProbe.withPrivateTmp(() -> {
                JCublas2.setExceptionsEnabled(true);
                JCublas2.cublasCreate(handle);
            });
            return handle;
        } catch (Throwable t) {
            cublasMissing = t instanceof LinkageError || t.getCause() instanceof LinkageError
                    ? "libcublas.so.12 not found" : CudaProbe.oneLine(t);
            return null;
        }
    }

    /** Unloads the modules and releases the context, whatever state a failure left them in. */
    private void releaseQuietly() {
        JCudaDriver.setExceptionsEnabled(false);
        try {
            for (CUmodule m : modules) {
                JCudaDriver.cuModuleUnload(m);
            }
            modules.clear();
            JCudaDriver.cuDevicePrimaryCtxRelease(dev);
            CURRENT.remove();
        } finally {
            JCudaDriver.setExceptionsEnabled(true);
        }
    }

    private static byte[] ptx(String module) {
        String path = "/cimtrain/kernels/" + module + ".ptx";
        try (InputStream in = CudaBackend.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel resource " + path + " missing from the jar (scripts/build-kernels.sh)");
            }
            byte[] text = in.readAllBytes();
            byte[] z = new byte[text.length + 1]; // cuModuleLoadData wants a NUL-terminated image
            System.arraycopy(text, 0, z, 0, text.length);
            return z;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + path, e);
        }
    }

    private void ensureContext() {
        if (CURRENT.get() != this) {
            cuCtxSetCurrent(ctx);
            CURRENT.set(this);
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public boolean onGpu() {
        return true;
    }

    @Override
    public long peakDeviceBytes() {
        return peakBytes.get();
    }

    /** The GEMM in use: cuBLAS or the own kernel (with why). */
    @Override
    public String gemmName() {
        return gemm;
    }

    public boolean usesCublas() {
        return cublas != null;
    }

    public CudaProbe.Result device() {
        return device;
    }

    @Override
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        if (device.standIn()) {
            lines.add("backend: cuda on the cimtrain CPU stand-in of the NVIDIA driver: no GPU is in use; the CUDA "
                    + "kernels run on this machine's CPU cores (for testing them, not for speed)");
        }
        lines.add(String.format(Locale.ROOT, "backend: cuda, device 0: %s, %.1f GiB, compute capability %d.%d, driver %s",
                device.deviceName(), device.memoryBytes() / (double) (1L << 30), device.computeMajor(),
                device.computeMinor(), device.driverApi()));
        lines.add("gemm: " + gemm);
        return lines;
    }

    /**
     * Frees every allocation, the modules and the context reference. A kernel's fault that was not yet
     * reported is thrown, after everything is released (a faulted context is made anew by the next open).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        ensureContext();
        JCudaDriver.setExceptionsEnabled(false);
        int status = JCudaDriver.cuCtxSynchronize();
        JCudaDriver.setExceptionsEnabled(true);
        closed = true;
        try {
            JCudaDriver.setExceptionsEnabled(false);
            for (Allocation a : live.toArray(new Allocation[0])) {
                a.run();
            }
            scratch.clear();
            if (cublas != null) {
                JCublas2.cublasDestroy(cublas);
            }
        } finally {
            JCudaDriver.setExceptionsEnabled(true);
            releaseQuietly();
        }
        if (status != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException("CUDA: a kernel failed (" + CudaProbe.errorName(status) + "); "
                    + "run with CIMTRAIN_CUDA_SYNC=1 to find which");
        }
    }

    // ---- memory ----

    /** One device allocation, freed by close() or when its tensor is collected, whichever comes first. */
    private final class Allocation implements Runnable {
        final CUdeviceptr ptr = new CUdeviceptr();
        final long bytes;
        private boolean freed;

        Allocation(long bytes) {
            this.bytes = bytes;
            ensureContext();
            cuMemAlloc(ptr, Math.max(4, bytes));
            live.add(this);
            long now = liveBytes.addAndGet(Math.max(4, bytes));
            peakBytes.accumulateAndGet(now, Math::max);
        }

        @Override
        public synchronized void run() {
            if (freed) {
                return;
            }
            freed = true;
            live.remove(this);
            liveBytes.addAndGet(-Math.max(4, bytes));
            cuCtxSetCurrent(ctx);
            cuMemFree(ptr);
        }
    }

    static final class CudaTensor extends Tensor {
        final CUdeviceptr ptr;

        CudaTensor(long size, CUdeviceptr ptr) {
            super(size);
            this.ptr = ptr;
        }
    }

    private static CUdeviceptr d(Tensor t) {
        return ((CudaTensor) t).ptr;
    }

    @Override
    public Tensor allocate(long size) {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("tensors hold at most 2^31 floats, asked for " + size);
        }
        Allocation a = new Allocation(size * Sizeof.FLOAT);
        cuMemsetD32(a.ptr, 0, Math.max(1, size));
        CudaTensor t = new CudaTensor(size, a.ptr);
        CLEANER.register(t, a);
        return t;
    }

    /** A grow-only scratch buffer of at least {@code bytes}, reused from call to call. */
    private CUdeviceptr scratch(String key, long bytes) {
        Allocation a = scratch.get(key);
        if (a == null || a.bytes < bytes) {
            if (a != null) {
                a.run();
            }
            a = new Allocation(Math.max(bytes, a == null ? 0 : 2 * a.bytes));
            scratch.put(key, a);
        }
        return a.ptr;
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst, int n) {
        if (n > 0) {
            ensureContext();
            cuMemcpyHtoD(d(dst), Pointer.to(src).withByteOffset((long) srcOffset * Sizeof.FLOAT), (long) n * Sizeof.FLOAT);
        }
    }

    @Override
    public void download(Tensor src, float[] dst, int n) {
        if (n > 0) {
            ensureContext();
            cuMemcpyDtoH(Pointer.to(dst), d(src), (long) n * Sizeof.FLOAT);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst, long n) {
        if (n > 0) {
            ensureContext();
            cuMemcpyDtoD(d(dst), d(src), n * Sizeof.FLOAT);
        }
    }

    @Override
    public void fill(Tensor t, long n, float value) {
        if (n > 0) {
            ensureContext();
            cuMemsetD32(d(t), Float.floatToRawIntBits(value), n);
        }
    }

    // ---- launching ----

    private static final Object NULL = new Object();

    private CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            f = new CUfunction();
            boolean found = false;
            for (CUmodule m : modules) {
                JCudaDriver.setExceptionsEnabled(false);
                int status = JCudaDriver.cuModuleGetFunction(f, m, name);
                JCudaDriver.setExceptionsEnabled(true);
                if (status == CUresult.CUDA_SUCCESS) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                throw new IllegalStateException("kernel " + name + " not found in the PTX modules");
            }
            functions.put(name, f);
        }
        return f;
    }

    private static Pointer params(Object... args) {
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a == null || a == NULL) {
                ps[i] = Pointer.to(new CUdeviceptr());
            } else if (a instanceof Tensor t) {
                ps[i] = Pointer.to(d(t));
            } else if (a instanceof CUdeviceptr p) {
                ps[i] = Pointer.to(p);
            } else if (a instanceof Integer v) {
                ps[i] = Pointer.to(new int[]{v});
            } else if (a instanceof Boolean v) {
                ps[i] = Pointer.to(new int[]{v ? 1 : 0});
            } else if (a instanceof Long v) {
                ps[i] = Pointer.to(new long[]{v});
            } else if (a instanceof Float v) {
                ps[i] = Pointer.to(new float[]{v});
            } else if (a instanceof Double v) {
                ps[i] = Pointer.to(new double[]{v});
            } else {
                throw new IllegalArgumentException("kernel argument of type " + a.getClass());
            }
        }
        return Pointer.to(ps);
    }

    /** A grid-stride kernel over {@code work} items. */
    private void launch(String name, long work, Object... args) {
        if (work <= 0) {
            return;
        }
        int blocks = (int) Math.min(MAX_BLOCKS, (work + THREADS - 1) / THREADS);
        launchKernel(name, blocks, 1, THREADS, 1, args);
    }

    /** One block of REDUCE_THREADS threads per item (per-channel or per-row reductions). */
    private void launchBlocks(String name, int blocks, Object... args) {
        if (blocks <= 0) {
            return;
        }
        launchKernel(name, blocks, 1, REDUCE_THREADS, 1, args);
    }

    /**
     * Every launch goes through here: a launch the driver refuses, or (with CIMTRAIN_CUDA_SYNC=1) a kernel
     * that faults, is reported with the kernel's name and shape.
     */
    void launchKernel(String name, int gridX, int gridY, int blockX, int blockY, Object... args) {
        ensureContext();
        CUfunction f = function(name);
        JCudaDriver.setExceptionsEnabled(false);
        int status;
        try {
            status = cuLaunchKernel(f, gridX, gridY, 1, blockX, blockY, 1, 0, null, params(args), null);
            if (status == CUresult.CUDA_SUCCESS && SYNC_EACH_LAUNCH) {
                status = JCudaDriver.cuCtxSynchronize();
            }
        } finally {
            JCudaDriver.setExceptionsEnabled(true);
        }
        if (status != CUresult.CUDA_SUCCESS) {
            throw new IllegalStateException(String.format(Locale.ROOT, "CUDA kernel %s (grid %dx%d, block %dx%d) failed: %s",
                    name, gridX, gridY, blockX, blockY, CudaProbe.errorName(status)));
        }
    }

    // ---- linear algebra ----

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, Tensor b,
                     float beta, Tensor c) {
        gemm(transA, transB, m, n, k, alpha, d(a), d(b), beta, d(c));
    }

    private void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, CUdeviceptr a, CUdeviceptr b,
                      float beta, CUdeviceptr c) {
        if (m == 0 || n == 0) {
            return;
        }
        ensureContext();
        int lda = transA ? m : k, ldb = transB ? k : n;
        if (cublas != null) {
            // row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands
            JCublas2.cublasSgemm(cublas, transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N,
                    transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N, n, m, k,
                    Pointer.to(new float[]{alpha}), b, ldb, a, lda, Pointer.to(new float[]{beta}), c, n);
            return;
        }
        if (gemmKernel == Gemm.SIMPLE) {
            launchKernel("gemm_f32", (n + 15) / 16, (m + 15) / 16, 16, 16, transA, transB, m, n, k, alpha, a, b, beta, c);
        } else {
            launchKernel("gemm_f32_tiled", (n + GEMM_TILE - 1) / GEMM_TILE, (m + GEMM_TILE - 1) / GEMM_TILE, GEMM_THREADS, 1,
                    transA, transB, m, n, k, alpha, a, b, beta, c);
        }
    }

    @Override
    public void axpy(long n, float alpha, Tensor x, Tensor y) {
        launch("axpy_f32", n, n, alpha, x, y);
    }

    @Override
    public void scale(long n, float alpha, Tensor x) {
        launch("scale_f32", n, n, alpha, x);
    }

    @Override
    public void add(long n, Tensor a, Tensor b, Tensor out) {
        launch("add_f32", n, n, a, b, out);
    }

    @Override
    public void sumRows(Tensor m, int rows, int cols, Tensor out) {
        launch("sum_rows", cols, m, rows, cols, out);
    }

    @Override
    public void sumColumns(Tensor m, int rows, int cols, Tensor out) {
        launchBlocks("sum_columns", rows, m, rows, cols, out);
    }

    @Override
    public void addRowBias(Tensor m, int rows, int cols, Tensor bias) {
        launch("add_row_bias", (long) rows * cols, m, rows, cols, bias);
    }

    // ---- convolution lowering ----

    @Override
    public void im2col(Tensor x, int batch, ConvGeometry g, Tensor cols) {
        launch("im2col_f32", (long) g.patchSize() * batch * g.positions(), x, batch, g.inChannels(), g.inHeight(),
                g.inWidth(), g.kernel(), g.stride(), g.padding(), g.outHeight(), g.outWidth(), cols);
    }

    @Override
    public void col2im(Tensor cols, int batch, ConvGeometry g, Tensor dx) {
        launch("col2im_f32", (long) batch * g.inSize(), cols, batch, g.inChannels(), g.inHeight(), g.inWidth(),
                g.kernel(), g.stride(), g.padding(), g.outHeight(), g.outWidth(), dx);
    }

    @Override
    public void channelMajorToImages(Tensor m, int batch, int channels, int positions, Tensor bias, Tensor y) {
        launch("channel_major_to_images", (long) batch * channels * positions, m, batch, channels, positions,
                bias == null ? NULL : bias, y);
    }

    @Override
    public void imagesToChannelMajor(Tensor dy, int batch, int channels, int positions, Tensor m) {
        launch("images_to_channel_major", (long) batch * channels * positions, dy, batch, channels, positions, m);
    }

    // ---- activations and pooling ----

    @Override
    public void reluForward(Tensor x, Tensor y, long n) {
        launch("relu_forward", n, x, y, n);
    }

    @Override
    public void reluBackward(Tensor y, Tensor dy, Tensor dx, long n) {
        launch("relu_backward", n, y, dy, dx, n);
    }

    @Override
    public void maxPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y) {
        int planes = batch * g.channels();
        launch("maxpool_forward", (long) planes * g.outHeight() * g.outWidth(), x, planes, g.inHeight(), g.inWidth(),
                g.size(), g.stride(), g.outHeight(), g.outWidth(), y);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, int batch, PoolGeometry g, Tensor dx) {
        int planes = batch * g.channels();
        if (g.size() == 2 && g.stride() == 2) {
            fill(dx, (long) planes * g.inHeight() * g.inWidth(), 0f);
            launch("maxpool_backward_2x2", (long) planes * g.outHeight() * g.outWidth(), x, y, dy, planes,
                    g.inHeight(), g.inWidth(), g.outHeight(), g.outWidth(), dx);
        } else {
            launch("maxpool_backward", (long) planes * g.inHeight() * g.inWidth(), x, y, dy, planes, g.inHeight(),
                    g.inWidth(), g.size(), g.stride(), g.outHeight(), g.outWidth(), dx);
        }
    }

    @Override
    public void avgPoolForward(Tensor x, int batch, PoolGeometry g, Tensor y) {
        int planes = batch * g.channels();
        float inv = 1f / (g.size() * g.size());
        launch("avgpool_forward", (long) planes * g.outHeight() * g.outWidth(), x, planes, g.inHeight(), g.inWidth(),
                g.size(), g.stride(), g.outHeight(), g.outWidth(), inv, y);
    }

    @Override
    public void avgPoolBackward(Tensor dy, int batch, PoolGeometry g, Tensor dx) {
        int planes = batch * g.channels();
        float inv = 1f / (g.size() * g.size());
        launch("avgpool_backward", (long) planes * g.inHeight() * g.inWidth(), dy, planes, g.inHeight(), g.inWidth(),
                g.size(), g.stride(), g.outHeight(), g.outWidth(), inv, dx);
    }

    // ---- batch norm ----

    @Override
    public void batchNormTrain(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta, float eps,
                               float momentum, Tensor runMean, Tensor runVar, Tensor saveMean, Tensor saveInvStd,
                               Tensor y) {
        launchBlocks("batchnorm_train", channels, x, batch, channels, spatial, gamma, beta, eps, momentum, runMean,
                runVar, saveMean, saveInvStd, y);
    }

    @Override
    public void batchNormEval(Tensor x, int batch, int channels, int spatial, Tensor gamma, Tensor beta, float eps,
                              Tensor runMean, Tensor runVar, Tensor y) {
        launch("batchnorm_eval", (long) batch * channels * spatial, x, batch, channels, spatial, gamma, beta, eps,
                runMean, runVar, y);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, int batch, int channels, int spatial, Tensor gamma,
                                  Tensor saveMean, Tensor saveInvStd, Tensor dx, Tensor dGamma, Tensor dBeta) {
        launchBlocks("batchnorm_backward", channels, x, dy, batch, channels, spatial, gamma, saveMean, saveInvStd,
                dx == null ? NULL : dx, dGamma, dBeta);
    }

    // ---- crossbars ----

    @Override
    public void crossbarForward(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k, Tensor x,
                                int n, Tensor y, long seed, long stream, long counter, long firstColumn,
                                long[] clipCounts) {
        if (n == 0 || out == 0) {
            return;
        }
        crossbarForward(p, gPos, gNeg, tileScale, out, k, d(x), n, d(y), seed, stream, counter, firstColumn, clipCounts);
    }

    @Override
    public void crossbarClipSample(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k,
                                   Tensor x, int n, int samples, long seed, long stream, long counter,
                                   long[] clipCounts) {
        samples = CrossbarParams.clipSamples(samples, n, out);
        if (samples == 0) {
            return;
        }
        CUdeviceptr sample = scratch("xb.sample", (long) k * samples * 4), ys = scratch("xb.sampleOut",
                (long) out * samples * 4);
        launch("xb_gather_columns", (long) k * samples, x, k, n, samples, sample);
        crossbarForward(p.withAggregateReads(false), gPos, gNeg, tileScale, out, k, sample, samples, ys, seed, stream,
                counter, 0, clipCounts);
    }

    private void crossbarForward(CrossbarParams p, Tensor gPos, Tensor gNeg, Tensor tileScale, int out, int k,
                                 CUdeviceptr x, int n, CUdeviceptr y, long seed, long stream, long counter,
                                 long firstColumn, long[] clipCounts) {
        int levels = p.dacLevels();
        int tiles = p.rowTiles(k);
        float volt = (float) p.readVoltage();
        CUdeviceptr fs = scratch("xb.fullScale", (long) n * 4), inv = scratch("xb.inverse", (long) n * 4),
                min = scratch("xb.min", (long) n * 4);
        launch("xb_ranges", n, x, k, n, fs, inv, min);
        if (p.aggregateReads()) {
            CUdeviceptr amp = scratch("xb.amplitude", (long) k * n * 4), sq = scratch("xb.squares", (long) tiles * n * 4),
                    w = scratch("xb.weights", (long) out * k * 4);
            launch("xb_quantize", (long) tiles * n, x, k, n, p.tileRows(), levels, p.reads() > 1, inv, amp, sq);
            launch("xb_device_weights", (long) out * k, gPos, gNeg, tileScale, out, k, p.tileRows(), p.tileOutputs(), w);
            // the mean of every read of a vector, shifted and added: the product with the quantised inputs
            gemm(false, false, out, n, k, 1f, w, amp, 0f, y);
            // the kernel sums AggregateReadNoise.tileVariance over the row tiles, as CpuCrossbar.addNoise does
            AggregateReadNoise noise = AggregateReadNoise.of(p);
            launch("xb_aggregate_finish", (long) out * n, y, out, n, k, p.tileRows(), p.tileOutputs(), tileScale, fs, min,
                    sq, !noise.silent(), noise.readVar(), noise.conversionVar(), volt, seed, stream, counter, firstColumn);
        } else {
            int maxCode = p.adcMaxCode();
            boolean noisy = p.readNoiseUs() > 0 || p.adcNoiseLsb() > 0;
            double readVar = p.exactReadVar();
            double adcVar = p.exactAdcVar();
            long perColumn = Backend.crossbarDrawsPerColumn(p, out, k);
            float offset = p.offsetCancel() ? (float) (volt * p.gMinUs()) : 0f;
            CUdeviceptr counts = clipCounts != null ? scratch("xb.clipCounts", 24) : null;
            if (counts != null) {
                ensureContext();
                cuMemsetD32(counts, 0, 6);
            }
            launch("xb_exact", (long) out * n, x, gPos, gNeg, tileScale, out, k, n, p.tileRows(), p.tileOutputs(), levels,
                    p.reads(), volt, maxCode, (float) p.adcLsbUa(), p.adcClip(), noisy, readVar, adcVar, fs, inv, min,
                    seed, stream, counter, firstColumn, perColumn, y, p.differential(), offset,
                    counts != null ? counts : NULL);
            if (counts != null) {
                long[] c = new long[3];
                cuMemcpyDtoH(Pointer.to(c), counts, 24);
                for (int q = 0; q < 3; q++) {
                    clipCounts[q] += c[q];
                }
            }
        }
    }

    /**
     * The threshold-accumulate update of every tile of a layer in one launch (kernel
     * {@code threshold_accumulate}; CPU reference {@link cimtrain.backend.ThresholdAccumulate}). Only the
     * counts and the listed writes (index, target) come back to the host; the kernel lists them in
     * whatever order its threads finish, so they are sorted by index here, the order every backend
     * programs them in.
     */
    @Override
    public void thresholdAccumulate(TileGrid grid, Tensor delta, Tensor accumulated, Tensor wfp, float[] tileThreshold,
                                    boolean direct, WriteList written) {
        long size = (long) grid.out * grid.k;
        CUdeviceptr thr = scratch("ta.threshold", (long) tileThreshold.length * 4), idx = scratch("ta.indices", size * 4),
                tgt = scratch("ta.targets", size * 4), counts = scratch("ta.counts", 16);
        ensureContext();
        cuMemcpyHtoD(thr, Pointer.to(tileThreshold), (long) tileThreshold.length * 4);
        cuMemsetD32(counts, 0, 4);
        launch("threshold_accumulate", size, grid.out, grid.k, grid.tileRows, grid.tileOutputs, delta, accumulated, wfp,
                thr, direct, idx, tgt, counts);
        long[] c = new long[2];
        cuMemcpyDtoH(Pointer.to(c), counts, 16);
        int n = (int) c[1];
        written.ensureCapacity(n);
        if (n > 0) {
            cuMemcpyDtoH(Pointer.to(written.indexArray()), idx, (long) n * 4);
            cuMemcpyDtoH(Pointer.to(written.targetArray()), tgt, (long) n * 4);
        }
        written.set(n, c[0]);
        written.sortByIndex();
    }

    @Override
    public void tileSums(TileGrid grid, Tensor grad, Tensor gPos, Tensor gNeg, double[] sums) {
        CUdeviceptr s = scratch("tile.sums", (long) sums.length * 8);
        launchBlocks("tile_sums", sums.length, grid.out, grid.k, grid.tileRows, grid.tileOutputs, grad, gPos, gNeg, s);
        cuMemcpyDtoH(Pointer.to(sums), s, (long) sums.length * 8);
    }

    @Override
    public void scaleByTile(TileGrid grid, Tensor x, float[] factors) {
        CUdeviceptr f = scratch("tile.factors", (long) factors.length * 4);
        ensureContext();
        cuMemcpyHtoD(f, Pointer.to(factors), (long) factors.length * 4);
        launch("scale_by_tile", (long) grid.out * grid.k, grid.out, grid.k, grid.tileRows, grid.tileOutputs, x, f);
    }

    @Override
    public void scatter(int[] indices, float[] values, int count, Tensor dst) {
        if (count == 0) {
            return;
        }
        CUdeviceptr idx = scratch("scatter.indices", (long) count * 4), val = scratch("scatter.values", (long) count * 4);
        ensureContext();
        cuMemcpyHtoD(idx, Pointer.to(indices), (long) count * 4);
        cuMemcpyHtoD(val, Pointer.to(values), (long) count * 4);
        launch("scatter_f32", count, count, idx, val, dst);
    }

    @Override
    public void transpose(Tensor a, int rows, int cols, Tensor out) {
        launch("transpose_f32", (long) rows * cols, a, rows, cols, out);
    }

    // ---- loss ----

    @Override
    public double softmaxCrossEntropy(Tensor logits, int[] labels, int batch, int classes, Tensor dLogits,
                                      int[] predictions) {
        if (batch == 0) {
            return Double.NaN;
        }
        Backend.checkLabels(labels, batch, classes);
        CUdeviceptr lab = scratch("loss.labels", (long) batch * 4), rowLoss = scratch("loss.rows", (long) batch * 8),
                pred = scratch("loss.predictions", (long) batch * 4);
        ensureContext();
        cuMemcpyHtoD(lab, Pointer.to(labels), (long) batch * 4);
        launch("softmax_xent", batch, logits, lab, batch, classes, dLogits, rowLoss, pred);
        double[] losses = new double[batch];
        cuMemcpyDtoH(Pointer.to(losses), rowLoss, (long) batch * 8);
        if (predictions != null) {
            cuMemcpyDtoH(Pointer.to(predictions), pred, (long) batch * 4);
        }
        double loss = 0;
        for (double l : losses) {
            loss += l;
        }
        return loss / batch;
    }

    @Override
    public void argmaxRows(Tensor logits, int batch, int classes, int[] predictions) {
        if (batch == 0) {
            return;
        }
        CUdeviceptr pred = scratch("loss.predictions", (long) batch * 4);
        launch("argmax_rows", batch, logits, batch, classes, pred);
        cuMemcpyDtoH(Pointer.to(predictions), pred, (long) batch * 4);
    }

    // ---- optimizers ----

    @Override
    public void sgdDelta(long n, Tensor w, Tensor g, Tensor buf, float lr, float momentum, float weightDecay,
                         boolean firstStep, Tensor delta) {
        launch("sgd_delta", n, n, w, g, buf, lr, momentum, weightDecay, firstStep, delta);
    }

    @Override
    public void adamwDelta(long n, Tensor w, Tensor g, Tensor m, Tensor v, float lr, float beta1, float beta2,
                           float eps, float weightDecay, int step, Tensor delta) {
        float c1 = (float) (1 - Math.pow(beta1, step));
        float c2 = (float) Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = lr / c1;
        launch("adamw_delta", n, n, w, g, m, v, lr, beta1, beta2, eps, weightDecay, c2, stepSize, delta);
    }

    // ---- random numbers ----

    @Override
    public void fillUniform(Tensor t, long n, float lo, float hi, long seed, long stream) {
        launch("fill_uniform", n, t, n, lo, hi - lo, seed, stream);
    }

    @Override
    public void fillNormal(Tensor t, long n, float mean, float std, long seed, long stream) {
        launch("fill_normal", n, t, n, mean, std, seed, stream);
    }
}
