package cimtrain.backend.cuda;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.backend.cpu.CpuBackend;
import cimtrain.rng.Philox;

/**
 * Run in a child JVM by {@link PlantedBugTest} against a stand-in built from kernel sources with a
 * planted bug: one backend operation on the CUDA backend and on the CPU, compared. Exit status 0 when
 * they agree, 3 when they differ, 4 when the CUDA backend failed (the stand-in's message is on stderr).
 */
public final class PlantedBugProbe {
    private PlantedBugProbe() {
    }

    public static void main(String[] args) {
        try {
            boolean same = switch (args[0]) {
                case "relu" -> relu();
                case "batchnorm" -> batchNorm();
                default -> throw new IllegalArgumentException("unknown probe " + args[0]);
            };
            System.out.println(args[0] + (same ? ": CUDA and CPU agree" : ": CUDA and CPU differ"));
            System.exit(same ? 0 : 3);
        } catch (RuntimeException e) {
            System.out.println(args[0] + ": the CUDA backend failed: " + e);
            System.exit(4);
        }
    }

    private static float[] random(int n, long stream) {
        float[] x = new float[n];
        Philox.fillUniform(12345, stream, x, 0, 0, n, -1f, 1f);
        return x;
    }

    private static boolean relu() {
        int n = 1000;  // 4,000 bytes: the end of the output abuts the no-access page
        float[] x = random(n, 1);
        return compare(n, 0, (be, in) -> {
            Tensor y = be.allocate(n);
            be.reluForward(in[0], y, n);
            return y;
        }, x);
    }

    private static boolean batchNorm() {
        int batch = 8, channels = 3, spatial = 50;
        int n = batch * channels * spatial;
        float[] x = random(n, 2);
        return compare(n, 1e-5, (be, in) -> {
            Tensor g = be.allocate(channels), b = be.allocate(channels), rm = be.allocate(channels),
                    rv = be.allocate(channels), sm = be.allocate(channels), si = be.allocate(channels), y = be.allocate(n);
            be.fill(g, channels, 1f);
            be.fill(rv, channels, 1f);
            be.batchNormTrain(in[0], batch, channels, spatial, g, b, 1e-5f, 0.1f, rm, rv, sm, si, y);
            return y;
        }, x);
    }

    interface Op {
        Tensor apply(Backend be, Tensor[] inputs);
    }

    private static boolean compare(int n, double tolerance, Op op, float[]... inputs) {
        float[] want = runOn(new CpuBackend(1, 1), n, op, inputs);
        float[] got;
        try (CudaBackend cuda = CudaBackend.open(CudaBackend.Gemm.TILED)) {
            got = runOn(cuda, n, op, inputs);
        }
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(want[i] - got[i]) <= tolerance * (1 + Math.abs(want[i])))) {
                System.out.println("first difference at " + i + ": CPU " + want[i] + ", CUDA " + got[i]);
                return false;
            }
        }
        return true;
    }

    private static float[] runOn(Backend be, int n, Op op, float[][] inputs) {
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = be.allocate(inputs[i].length);
            be.upload(inputs[i], in[i], inputs[i].length);
        }
        Tensor y = op.apply(be, in);
        float[] out = new float[n];
        be.download(y, out, n);
        return out;
    }
}
