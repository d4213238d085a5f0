package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.backend.TileGrid;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;
import cimtrain.nn.WeightReader;

/**
 * Quantisation-aware training (mode qat): the forward product uses the weights rounded to what the
 * chip's devices can hold (a differential pair of {@code levels} conductances gives 2 x levels - 1
 * weight values per tile, the tile's largest |w| at the top), with no noise; the backward pass uses
 * the full-precision weights, so the gradient passes the rounding unchanged (straight-through).
 */
public final class FakeQuantization implements WeightReader {
    private final Backend backend;
    private final Parameter weight;
    private final HardwareSpec hw;
    private final int out;
    private final int k;
    private final float[] host;
    private final Tensor quantized;

    private FakeQuantization(Backend backend, Parameter weight, HardwareSpec hw) {
        this.backend = backend;
        this.weight = weight;
        this.hw = hw;
        this.out = weight.shape[0];
        this.k = weight.shape[1];
        this.host = new float[out * k];
        this.quantized = backend.allocate((long) out * k);
    }

    /** Makes every conv and linear layer of the network read fake-quantised weights. */
    public static void apply(Network net, HardwareSpec hw) {
        // one per replica layer: each keeps its own quantised copy (replicas run concurrently)
        for (cimtrain.nn.Sequential root : net.replicaRoots()) {
            for (Layer l : Network.leaves(root)) {
                if (l instanceof Conv2d c) {
                    c.setWeightReader(new FakeQuantization(net.backend(), c.weight(), hw));
                } else if (l instanceof Linear f) {
                    f.setWeightReader(new FakeQuantization(net.backend(), f.weight(), hw));
                }
            }
        }
    }

    /**
     * Rounds w (out x k, row-major) in place to the weight grid the chip would program it on: per tile
     * (per layer with granularity layer) the scale a trained model is programmed with, inference
     * headroom x the largest |w| over the conductance range, so a step of inferenceHeadroom x max /
     * (levels - 1), at most levels - 1 steps either way (a differential pair). So a qat model moved to
     * the chip lands on the same values.
     */
    static void quantize(float[] w, int out, int k, HardwareSpec hw) {
        int levels = hw.device().levels();
        if (levels < 2) {
            return;
        }
        TileGrid grid = new TileGrid(out, k, hw.tile().rows(), hw.outputsPerTile());
        float[] max = TileScales.largestPerMapping(grid, w, hw);
        for (int i = 0; i < out * k; i++) {
            int t = grid.tileOf(i);
            if (max[t] == 0f) {
                continue;
            }
            float step = (float) (hw.scale().inferenceHeadroom() * max[t] / (levels - 1));
            float n = Math.max(-(levels - 1), Math.min(levels - 1, Math.round(w[i] / step)));
            w[i] = n * step;
        }
    }

    @Override
    public void forward(Tensor x, int n, Tensor y, long pass, long firstColumn) {
        backend.download(weight.value(), host, host.length);
        quantize(host, out, k, hw);
        backend.upload(host, quantized, host.length);
        backend.gemm(false, false, out, n, k, 1f, quantized, x, 0f, y);
    }
}
