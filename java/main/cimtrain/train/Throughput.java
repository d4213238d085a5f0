package cimtrain.train;

import cimtrain.backend.Backend;
import cimtrain.hardware.HardwareSpec;
import cimtrain.tile.Chip;
import cimtrain.model.ModelSpec;
import cimtrain.nn.Network;
import cimtrain.optim.AdamW;
import cimtrain.optim.Optimizer;
import cimtrain.rng.Philox;

/**
 * Training throughput of a network on random inputs: full steps (forward, loss, backward, AdamW
 * update) exactly as in training, data loading excluded.
 */
public final class Throughput {
    private Throughput() {
    }

    /** Samples per second over {@code steps} timed steps after {@code warmup} untimed ones (fp32). */
    public static double measure(Backend be, ModelSpec spec, double width, int batch, int warmup, int steps) {
        return measure(be, spec, width, batch, warmup, steps, null, Chip.AUTO);
    }

    /**
     * The same in mode mp on a simulated chip when {@code hw} is given: forward reads from the crossbars
     * (simulated with {@code readModel}, see {@link Chip#aggregateReads}) and the threshold write rule.
     */
    public static double measure(Backend be, ModelSpec spec, double width, int batch, int warmup, int steps,
                                 HardwareSpec hw, String readModel) {
        try (Network net = new Network(spec.name, be, () -> spec.build(width), spec.input, batch, 1)) {
            if (hw != null) {
                Chip.place(net, hw, Chip.MP, 1, Chip.aggregateReads(readModel, hw));
            }
            float[] x = new float[batch * spec.input.size()];
            Philox.fillUniform(1, 0, x, 0, 0, x.length, 0f, 1f);
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % net.classes;
            }
            net.setInput(x, batch);
            Optimizer opt = new AdamW(be, 0.9f, 0.999f, 1e-8f, 0.01f);
            for (int i = 0; i < warmup; i++) {
                net.forwardBackward(labels, batch, null);
                opt.step(net.parameters(), 1e-3f);
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                net.forwardBackward(labels, batch, null);
                opt.step(net.parameters(), 1e-3f);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return (double) batch * steps / seconds;
        }
    }
}
