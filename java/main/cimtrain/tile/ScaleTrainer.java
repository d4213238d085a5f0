package cimtrain.tile;

/**
 * Trains a crossbar layer's digital scale factors (hardware {@code scale.trainable}). A tile holds the
 * weights factor x (G+ - G-), so the loss gradient of its factor is the sum over its weights of the
 * digital weight gradient times (G+ - G-). The factor is updated by Adam on log(factor): a step changes
 * it by about the learning rate at most, relative to its size, which is the same for a factor of 1e-3
 * as for one of 10 (plain Adam steps would be absolute). With granularity layer all tiles share one
 * factor and one gradient.
 */
final class ScaleTrainer {
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final CrossbarLayer crossbar;
    private final double lr;
    private final boolean shared;
    private final double[] m;
    private final double[] v;
    private long steps;

    ScaleTrainer(CrossbarLayer crossbar) {
        this.crossbar = crossbar;
        this.lr = crossbar.hw.scale().learningRate();
        this.shared = crossbar.hw.scale().granularity().equals("layer");
        this.m = new double[crossbar.tiles()];
        this.v = new double[crossbar.tiles()];
    }

    void saveState(cimtrain.io.Hdf5Group g) {
        g.putDoubles("m", m);
        g.putDoubles("v", v);
        g.putScalar("steps", steps);
    }

    void loadState(cimtrain.io.Hdf5Reader r, String path) {
        System.arraycopy(r.doubles(path + "/m", m.length), 0, m, 0, m.length);
        System.arraycopy(r.doubles(path + "/v", v.length), 0, v, 0, v.length);
        steps = r.longScalar(path + "/steps");
    }

    /**
     * One update from the weight gradient (out x k, on the backend); rescales the crossbar's tiles. The
     * per-tile sums are made where the gradient lives, so only one number per tile crosses to the host.
     *
     * @return per tile, the factor its scale (and so its weights) was multiplied by
     */
    float[] step(cimtrain.backend.Backend backend, cimtrain.backend.Tensor grad) {
        int tiles = crossbar.tiles();
        double[] g = new double[tiles];
        crossbar.syncDevices();
        backend.tileSums(crossbar.grid(), grad, crossbar.devicePos(), crossbar.deviceNeg(), g);
        float[] scale = crossbar.tileScales();
        for (int t = 0; t < tiles; t++) {
            // d loss / d log(factor) = factor x d loss / d factor = sum of grad x (the weight the devices hold)
            g[t] *= scale[t];
        }
        if (shared) {
            double sum = 0;
            for (double x : g) {
                sum += x;
            }
            java.util.Arrays.fill(g, sum);
        }
        steps++;
        float[] factors = new float[tiles];
        double c1 = 1 - Math.pow(BETA1, steps), c2 = 1 - Math.pow(BETA2, steps);
        for (int t = 0; t < tiles; t++) {
            m[t] = BETA1 * m[t] + (1 - BETA1) * g[t];
            v[t] = BETA2 * v[t] + (1 - BETA2) * g[t] * g[t];
            double step = lr * (m[t] / c1) / (Math.sqrt(v[t] / c2) + EPS);
            factors[t] = (float) Math.exp(-step);
            crossbar.rescale(t, factors[t]);
        }
        return factors;
    }
}
