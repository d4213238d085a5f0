package cimtrain.backend.cuda;

import cimtrain.backend.Backend;
import cimtrain.backend.Backends;
import cimtrain.backend.cpu.CpuBackend;
import jcuda.Pointer;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stand-in's own rules, the ones a real device has: it says what it is and --backend auto never
 * chooses it; launches beyond sm_90's limits, copies outside live allocations and calls without a
 * current context are refused with the driver's codes; new memory holds NaN; stale PTX is refused; and
 * a backend that fails to start leaves no context or module behind. Runs only on the stand-in.
 */
@Tag("cuda")
class StandInTest {

    /** A driver call's status, with JCuda's exceptions off for the call. */
    private static int status(IntSupplier call) {
        JCudaDriver.setExceptionsEnabled(false);
        try {
            return call.getAsInt();
        } finally {
            JCudaDriver.setExceptionsEnabled(true);
        }
    }

    @Test
    void saysWhatItIsAndAutoNeverChoosesIt() {
        CudaTestSupport.assumeStandIn();
        assertEquals(CudaProbe.STAND_IN_NAME, CudaProbe.probe().deviceName());
        String gpu = String.join("\n", Backends.describeGpu());
        assertTrue(gpu.contains("no GPU in use") && gpu.contains("stand-in"), gpu);
        java.util.List<String> notes = new java.util.ArrayList<>();
        try (Backend be = Backends.choose("auto", notes::add).create(1)) {
            assertInstanceOf(CpuBackend.class, be, "--backend auto must not choose the stand-in");
            assertFalse(be.onGpu(), "the CPU backend says it is not on a GPU");
        }
        assertEquals(1, notes.size(), "auto says once why it uses the CPU: " + notes);
        assertTrue(notes.get(0).contains("stand-in"), notes.get(0));
        try (Backend be = Backends.choose("cuda", notes::add).create(1)) {
            assertInstanceOf(CudaBackend.class, be);
            assertTrue(be.onGpu(), "the CUDA backend says it is on a GPU (here the stand-in)");
            assertTrue(String.join("\n", be.describe()).contains("no GPU is in use"), be.describe().toString());
        }
    }

    @Test
    void launchesBeyondTheDeviceLimitsAreRefused() {
        CudaTestSupport.assumeStandIn();
        try (CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED)) {
            var t = be.allocate(16);
            // 2,048 threads a block (limit 1,024), grid y 65,536 (limit 65,535)
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> be.launchKernel("fill_f32", 1, 1, 2048, 1, t, 16L, 1f));
            assertTrue(e.getMessage().contains("fill_f32") && e.getMessage().contains("CUDA_ERROR_INVALID_VALUE"), e.getMessage());
            e = assertThrows(IllegalStateException.class, () -> be.launchKernel("fill_f32", 1, 65536, 256, 1, t, 16L, 1f));
            assertTrue(e.getMessage().contains("CUDA_ERROR_INVALID_VALUE"), e.getMessage());
            // refused launches leave the context usable
            be.fill(t, 16, 2f);
            float[] back = new float[16];
            be.download(t, back, 16);
            assertEquals(2f, back[15]);
        }
    }

    @Test
    void memoryIsCheckedAndStartsAsNaN() throws Exception {
        CudaTestSupport.assumeStandIn();
        try (CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED)) {
            CUdeviceptr p = new CUdeviceptr();
            JCudaDriver.cuMemAlloc(p, 40);
            int[] bits = new int[10];
            JCudaDriver.cuMemcpyDtoH(Pointer.to(bits), p, 40);
            for (int b : bits) {
                assertTrue(Float.isNaN(Float.intBitsToFloat(b)), "new memory holds NaN, got " + Integer.toHexString(b));
            }
            float[] eleven = new float[11];
            assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, status(() -> JCudaDriver.cuMemcpyHtoD(p, Pointer.to(eleven), 44)),
                    "a copy one float past the allocation");
            assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, status(() -> JCudaDriver.cuMemsetD32(p.withByteOffset(4), 0, 10)),
                    "a memset one float past the allocation");
            JCudaDriver.cuMemFree(p);
            assertEquals(CUresult.CUDA_ERROR_INVALID_VALUE, status(() -> JCudaDriver.cuMemcpyDtoH(Pointer.to(bits), p, 4)),
                    "a copy from freed memory");
            // a thread that never made the context current has none
            AtomicInteger fromOtherThread = new AtomicInteger();
            Thread t = new Thread(() -> fromOtherThread.set(status(() -> JCudaDriver.cuMemAlloc(new CUdeviceptr(), 4))));
            t.start();
            t.join();
            assertEquals(CUresult.CUDA_ERROR_INVALID_CONTEXT, fromOtherThread.get(), "an allocation without a current context");
        }
    }

    @Test
    void stalePtxIsRefused() throws IOException {
        CudaTestSupport.assumeStandIn();
        String ptx;
        try (InputStream in = CudaBackend.class.getResourceAsStream("/cimtrain/kernels/ops.ptx")) {
            ptx = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        try (CudaBackend be = CudaBackend.open(CudaBackend.Gemm.TILED)) {
            assertEquals(CUresult.CUDA_SUCCESS, load(ptx), "the shipped PTX loads");
            String changedParameter = ptx.replace(".param .u64 fill_f32_param_1", ".param .u32 fill_f32_param_1");
            assertTrue(!changedParameter.equals(ptx));
            assertEquals(CUresult.CUDA_ERROR_INVALID_PTX, load(changedParameter), "a kernel whose parameter changed");
            String renamed = ptx.replace("fill_f32(", "fill_f32_old(");
            assertEquals(CUresult.CUDA_ERROR_INVALID_PTX, load(renamed), "a kernel the host build does not have");
            be.fill(be.allocate(4), 4, 0f);  // refusals leave the context usable
        }
    }

    private static int load(String ptx) {
        CUmodule m = new CUmodule();
        byte[] text = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
        int s = status(() -> JCudaDriver.cuModuleLoadData(m, text));
        if (s == CUresult.CUDA_SUCCESS) {
            JCudaDriver.cuModuleUnload(m);
        }
        return s;
    }

    @Test
    void aBackendThatFailsToStartLeavesNothingBehind() {
        CudaTestSupport.assumeStandIn();
        CUdevice dev = new CUdevice();
        JCudaDriver.cuDeviceGet(dev, 0);
        int[] active = new int[1];
        JCudaDriver.cuDevicePrimaryCtxGetState(dev, new int[1], active);
        assertEquals(0, active[0], "no backend of an earlier test is still open");
        // the first module loads, the second is missing: the first and the context must be released
        assertThrows(IllegalStateException.class, () -> CudaBackend.open(CudaBackend.Gemm.TILED, "ops", "no-such-module"));
        JCudaDriver.cuDevicePrimaryCtxGetState(dev, new int[1], active);
        assertEquals(0, active[0], "the primary context is released after a failed start");
    }
}
