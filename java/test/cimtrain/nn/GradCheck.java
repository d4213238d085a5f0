package cimtrain.nn;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.rng.Philox;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finite-difference gradient check of one layer under the loss L = sum(r * y) for a fixed random r:
 * the analytic input and parameter gradients must match central differences.
 */
final class GradCheck {
    private GradCheck() {
    }

    /**
     * @param input the input values (chosen away from kinks by the caller)
     * @param eps   finite-difference step
     */
    static void check(Backend be, Layer layer, Shape in, int batch, float[] input, float eps, double tol) {
        layer.build(be, new Workspace(be), in, batch, new Init(11));
        Shape out = layer.outputShape();
        int n = batch * out.size();
        float[] r = new float[n];
        Philox.fillUniform(5, 77, r, 0, 0, n, -1f, 1f);
        Tensor x = be.allocate(input.length);
        be.upload(input, x, input.length);
        Tensor rt = be.allocate(n);
        be.upload(r, rt, n);

        layer.forward(x, batch, true);
        Tensor dxT = layer.backward(rt, batch, true);
        float[] dx = new float[input.length];
        be.download(dxT, dx, dx.length);

        // input gradient at a sample of positions
        int checks = Math.min(input.length, 60);
        for (int c = 0; c < checks; c++) {
            int i = (int) ((long) c * input.length / checks);
            float keep = input[i];
            input[i] = keep + eps;
            double lp = loss(be, layer, x, input, batch, r);
            input[i] = keep - eps;
            double lm = loss(be, layer, x, input, batch, r);
            input[i] = keep;
            be.upload(input, x, input.length);
            compare("d input[" + i + "] of " + layer.describe(), dx[i], (lp - lm) / (2 * eps), tol);
        }
        // parameter gradients (read after the unperturbed backward above)
        for (Parameter p : layer.parameters()) {
            float[] grad = p.readGrad();
            float[] w = p.read();
            int pc = (int) Math.min(p.size, 40);
            for (int c = 0; c < pc; c++) {
                int i = (int) ((long) c * p.size / pc);
                float keep = w[i];
                w[i] = keep + eps;
                p.write(w);
                double lp = loss(be, layer, x, input, batch, r);
                w[i] = keep - eps;
                p.write(w);
                double lm = loss(be, layer, x, input, batch, r);
                w[i] = keep;
                p.write(w);
                compare("d " + p.name + "[" + i + "] of " + layer.describe(), grad[i], (lp - lm) / (2 * eps), tol);
            }
        }
    }

    private static double loss(Backend be, Layer layer, Tensor x, float[] input, int batch, float[] r) {
        be.upload(input, x, input.length);
        Tensor y = layer.forward(x, batch, true);
        float[] out = new float[r.length];
        be.download(y, out, out.length);
        double s = 0;
        for (int i = 0; i < out.length; i++) {
            s += (double) r[i] * out[i];
        }
        return s;
    }

    static void compare(String what, double analytic, double numeric, double tol) {
        double err = Math.abs(analytic - numeric);
        double scale = Math.max(1.0, Math.max(Math.abs(analytic), Math.abs(numeric)));
        assertTrue(err <= tol * scale, what + ": analytic " + analytic + " vs numeric " + numeric);
    }
}
