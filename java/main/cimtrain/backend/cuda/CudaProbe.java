package cimtrain.backend.cuda;

import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether this machine can run the CUDA backend, found out without risking the JVM: loading JCuda's
 * driver binding needs libcuda.so.1 (the NVIDIA driver); when it is missing the load fails with an
 * UnsatisfiedLinkError, caught here. Probed once per process.
 */
public final class CudaProbe {
    /** nvcc 13 writes PTX ISA 9.0, which the CUDA 13.0 driver API (release 580) is the first to load. */
    public static final int MIN_DRIVER_API = 13000;
    /** The device name of the CPU stand-in of the driver (kernels/standin/driver.cpp). */
    public static final String STAND_IN_NAME = "cimtrain CPU stand-in";

    /**
     * @param available     a device was found and its driver can load the kernels
     * @param reason        why not (one line), when not available
     * @param driverVersion cuDriverGetVersion (e.g. 13000 for CUDA 13.0), 0 when unknown
     */
    public record Result(boolean available, String reason, String deviceName, long memoryBytes, int driverVersion,
                         int computeMajor, int computeMinor) {
        static Result missing(String reason) {
            return new Result(false, reason, null, 0, 0, 0, 0);
        }

        /**
         * The driver found is cimtrain's CPU stand-in (scripts/cuda-standin.sh), not a GPU: only an explicit
         * {@code --backend cuda} uses it.
         */
        public boolean standIn() {
            return STAND_IN_NAME.equals(deviceName);
        }

        /** "CUDA 13.0" from the driver API version. */
        public String driverApi() {
            return driverVersion == 0 ? "unknown" : String.format(Locale.ROOT, "CUDA %d.%d", driverVersion / 1000,
                    (driverVersion % 1000) / 10);
        }
    }

    private static Result result;
    private static Path nativeDir;

    private CudaProbe() {
    }

    public static synchronized Result probe() {
        if (result == null) {
            result = run();
        }
        return result;
    }

    private static Result run() {
        try {
            withPrivateTmp(() -> JCudaDriver.setExceptionsEnabled(false)); // class init loads the native library
        } catch (Throwable t) {
            if (t instanceof LinkageError || t.getCause() instanceof LinkageError) {
                return Result.missing("no NVIDIA driver found (libcuda.so.1 could not be loaded)");
            }
            return Result.missing("the CUDA driver binding did not load: " + oneLine(t));
        }
        try {
            int status = JCudaDriver.cuInit(0);
            if (status != 0) {
                return Result.missing("no usable CUDA device (cuInit: " + errorName(status) + ")");
            }
            int[] count = new int[1];
            JCudaDriver.cuDeviceGetCount(count);
            if (count[0] == 0) {
                return Result.missing("the NVIDIA driver sees no CUDA device");
            }
            CUdevice dev = new CUdevice();
            JCudaDriver.cuDeviceGet(dev, 0);
            byte[] name = new byte[256];
            JCudaDriver.cuDeviceGetName(name, name.length, dev);
            int len = 0;
            while (len < name.length && name[len] != 0) {
                len++;
            }
            long[] mem = new long[1];
            JCudaDriver.cuDeviceTotalMem(mem, dev);
            int[] version = new int[1];
            JCudaDriver.cuDriverGetVersion(version);
            int[] major = new int[1], minor = new int[1];
            JCudaDriver.cuDeviceGetAttribute(major, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev);
            JCudaDriver.cuDeviceGetAttribute(minor, jcuda.driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev);
            String deviceName = new String(name, 0, len, StandardCharsets.US_ASCII);
            Result r = new Result(true, null, deviceName, mem[0], version[0], major[0], minor[0]);
            if (version[0] < MIN_DRIVER_API) {
                return new Result(false, String.format(Locale.ROOT, "the NVIDIA driver supports %s, but the kernels are "
                        + "PTX ISA 9.0 (nvcc 13) and need CUDA 13.0 (driver release 580 or newer)", r.driverApi()),
                        deviceName, mem[0], version[0], major[0], minor[0]);
            }
            if (major[0] < 8) {
                return new Result(false, "GPU " + deviceName + " has compute capability " + major[0] + "." + minor[0]
                        + "; the kernels are built for 8.0 or newer", deviceName, mem[0], version[0], major[0], minor[0]);
            }
            return r;
        } catch (Throwable t) {
            return Result.missing("CUDA initialisation failed: " + oneLine(t));
        }
    }

    /**
     * JCuda unpacks its native libraries into java.io.tmpdir under a fixed name and loads whatever file it
     * finds there: two JVMs sharing a folder can load each other's half-written copy. The ./cimtrain
     * launcher gives each JVM its own java.io.tmpdir; elsewhere (tests, a bare java -jar) the libraries go
     * to a fresh folder of this process, removed at exit.
     */
    static synchronized void withPrivateTmp(Runnable load) throws IOException {
        if (System.getProperty("cimtrain.home") != null && System.getProperty("cimtrain.jcuda.tmp") == null) {
            load.run();
            return;
        }
        if (nativeDir == null) {
            nativeDir = Files.createTempDirectory("cimtrain-jcuda");
            Path dir = nativeDir;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    cimtrain.util.FileTree.delete(dir);
                } catch (IOException ignored) {
                    // best effort at exit
                }
            }));
        }
        String saved = System.getProperty("java.io.tmpdir");
        System.setProperty("java.io.tmpdir", nativeDir.toString());
        try {
            load.run();
        } finally {
            System.setProperty("java.io.tmpdir", saved);
        }
    }

    static String errorName(int status) {
        try {
            return jcuda.driver.CUresult.stringFor(status);
        } catch (Throwable t) {
            return "error " + status;
        }
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).trim();
    }
}
