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
        return run(be, spec, width, batch, warmup, steps, 0, hw, readModel, false, null);
    }

    /**
     * Samples per second of chip evaluation as {@code evaluate --chips} runs it: the network's weights (here
     * its random initial ones) programmed onto a fresh chip of {@code hw} with evaluate's first chip seed and
     * mapping anew, read model {@code readModel} (auto as evaluate applies it), then forward passes only in
     * evaluation mode, {@code batch} random inputs each, through the crossbars: no backward pass, no update.
     * Programming the chip is not timed; data loading and counting correct answers are not part of it.
     * {@code readModelUsed}, when given, receives the read model the crossbar layers used: aggregate or exact,
     * or for auto which layers (crossbar layers numbered from 0) read with which after auto's probe.
     */
    public static double measureChipEvaluation(Backend be, ModelSpec spec, double width, int batch, int warmup,
                                               int steps, HardwareSpec hw, String readModel, StringBuilder readModelUsed) {
        return run(be, spec, width, batch, warmup, steps, 0, hw, readModel, true, readModelUsed);
    }

    /** Untimed chip-evaluation passes for about {@code seconds} (see {@link #warmUp}); the rate of the second half. */
    public static double warmUpChipEvaluation(Backend be, ModelSpec spec, double width, int batch, double seconds,
                                              HardwareSpec hw, String readModel) {
        return run(be, spec, width, batch, 0, 0, seconds, hw, readModel, true, null);
    }

    /**
     * Untimed steps for about {@code seconds}, so that the JIT has compiled what the steps run (mp's DAC,
     * Philox and write-rule loops on the Vector API reach their speed only after some seconds: a few cold
     * steps made --mp read 0.21x of fp32 where a warm run reads 0.53x); returns the rate of the second half.
     */
    public static double warmUp(Backend be, ModelSpec spec, double width, int batch, double seconds, HardwareSpec hw,
                                String readModel) {
        return run(be, spec, width, batch, 0, 0, seconds, hw, readModel, false, null);
    }

    /** The first chip's seed of {@code evaluate --chips} (its --seed default). */
    private static final long EVALUATION_CHIP_SEED = 1000;

    private static double run(Backend be, ModelSpec spec, double width, int batch, int warmup, int steps,
                              double warmSeconds, HardwareSpec hw, String readModel, boolean chipEvaluation,
                              StringBuilder readModelUsed) {
        try (Network net = new Network(spec.name, be, () -> spec.build(width), spec.input, batch, 1)) {
            Chip chip = null;
            if (chipEvaluation) {
                boolean aggregate = Chip.aggregateReads(readModel, hw);
                chip = Chip.placeTrained(net, hw, EVALUATION_CHIP_SEED, aggregate, null);
                if (aggregate && readModel.equals(Chip.AUTO)) {
                    chip.enableAutoReadModel();
                }
            } else if (hw != null) {
                Chip.place(net, hw, Chip.MP, 1, Chip.aggregateReads(readModel, hw));
            }
            float[] x = new float[batch * spec.input.size()];
            Philox.fillUniform(1, 0, x, 0, 0, x.length, 0f, 1f);
            int[] labels = new int[batch];
            for (int i = 0; i < batch; i++) {
                labels[i] = i % net.classes;
            }
            net.setInput(x, batch);
            Optimizer opt = chipEvaluation ? null : new AdamW(be, 0.9f, 0.999f, 1e-8f, 0.01f);
            int[] predictions = new int[batch];
            Runnable step = chipEvaluation ? () -> net.predict(batch, predictions) : () -> {
                net.forwardBackward(labels, batch, null);
                opt.step(net.parameters(), 1e-3f);
            };
            for (int i = 0; i < warmup; i++) {
                step.run();
            }
            if (warmSeconds > 0) {
                stepsFor(step, warmSeconds / 2);
                long start = System.nanoTime();
                int done = stepsFor(step, warmSeconds / 2);
                return (double) batch * done / ((System.nanoTime() - start) / 1e9);
            }
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (readModelUsed != null && chip != null) {
                readModelUsed.append(readModelsUsed(chip, Chip.aggregateReads(readModel, hw), readModel.equals(Chip.AUTO)));
            }
            return (double) batch * steps / seconds;
        }
    }

    /**
     * "exact", "aggregate", or under auto "auto: exact for crossbar layers 0,1; aggregate for 2" (numbered from 0),
     * "auto: aggregate for all 3 crossbar layers" where auto chose one model for all, or that auto had not decided.
     */
    private static String readModelsUsed(Chip chip, boolean aggregate, boolean auto) {
        java.util.List<String> exact = new java.util.ArrayList<>(), agg = new java.util.ArrayList<>();
        for (int l = 0; l < chip.crossbars().size(); l++) {
            String d = chip.crossbars().get(l).autoDecision();
            if (d != null) {
                (d.startsWith(Chip.EXACT) ? exact : agg).add(Integer.toString(l));
            }
        }
        if (exact.isEmpty() && agg.isEmpty()) {
            // auto reads with the aggregate model until its probe of the first passes has decided
            return auto && aggregate ? "auto: undecided (fewer passes than its probe), aggregate so far"
                    : aggregate ? Chip.AGGREGATE : Chip.EXACT;
        }
        int all = exact.size() + agg.size();
        if (exact.isEmpty() || agg.isEmpty()) {
            return "auto: " + (exact.isEmpty() ? Chip.AGGREGATE : Chip.EXACT) + " for all " + all + " crossbar layers";
        }
        return "auto: exact for crossbar layers " + String.join(",", exact) + "; aggregate for " + String.join(",", agg);
    }

    /** Steps until {@code seconds} have passed (at least one); how many were made. */
    static int stepsFor(Runnable step, double seconds) {
        long t0 = System.nanoTime(), limit = (long) (seconds * 1e9);
        int n = 0;
        do {
            step.run();
            n++;
        } while (System.nanoTime() - t0 < limit);
        return n;
    }
}
