package cimtrain.train;

import cimtrain.io.Hdf5Reader;
import cimtrain.io.Hdf5Writer;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The complete state of a training run after an epoch, in one HDF5 file ({@link #FILE} in the run
 * folder), written whole to a temporary name and renamed, so the file under the real name is always
 * a complete checkpoint. Resuming from it continues exactly where the run was (same weights, same
 * noise, same data order). Layout (docs/checkpoints.md):
 * <pre>
 * /                 attributes format = "cimtrain-checkpoint", version, epoch (epochs completed)
 * /run/arguments    text: the run's configuration and inputs (JSON, {@link RunArguments})
 * /run/metrics      float64 (epochs x 8): the metrics.csv columns of the epochs so far
 * /network/p&lt;i&gt;     float32, each parameter's value in parameter order (W_FP for crossbar weights)
 * /network/bn&lt;j&gt;/mean, var   batch-norm running statistics
 * /network/passes   int64: forward passes so far (crossbar read noise is drawn by pass)
 * /optimizer/steps, /optimizer/p&lt;i&gt;/&lt;j&gt;   step count and state tensors (AdamW: m, v; SGD: momentum)
 * /schedule/...     what the learning-rate schedule carries between epochs (plateau: lr, best, bad)
 * /chip/layer&lt;l&gt;/devices/g_pos_us, g_neg_us (out x k, uS), tile_scale, write_counter
 * /chip/layer&lt;l&gt;/rule/...   accumulated, w_fp, writes, updates (mp, direct); chi, pulses (mp-pulse)
 * </pre>
 */
public final class Checkpoint {
    public static final String FILE = "checkpoint.h5";
    static final String FORMAT = "cimtrain-checkpoint";
    static final long VERSION = 1;
    private static final String KIND = "checkpoint";

    private Checkpoint() {
    }

    /** Writes the state after {@code history.size()} epochs to {@code file} (atomically). */
    public static void write(Path file, RunArguments args, Network net, Trainer trainer, Chip chip,
                             List<EpochMetrics> history) {
        Hdf5Writer.write(file, root -> {
            root.attribute("format", FORMAT).attribute("version", VERSION).attribute("epoch", history.size());
            root.group("run").putText("arguments", args.toJson());
            if (!history.isEmpty()) {
                root.group("run").putDoubles("metrics", metrics(history), history.size(), 8)
                        .attribute("columns", EpochMetrics.CSV_HEADER);
            }
            net.saveState(root.group("network"));
            trainer.optimizer().saveState(root.group("optimizer"), net.parameters());
            trainer.schedule().saveState(root.group("schedule"));
            if (chip != null) {
                chip.saveState(root.group("chip"));
            }
        });
    }

    /** The run arguments a checkpoint was written with (to rebuild the run before {@link #restore}). */
    public static RunArguments arguments(Path file) {
        try (Hdf5Reader r = open(file)) {
            return RunArguments.fromJson(r.text("/run/arguments"), KIND + " " + file);
        }
    }

    /**
     * Restores a run rebuilt from {@link #arguments}: network, optimizer, schedule and chip.
     *
     * @return the metrics of the epochs done
     */
    public static List<EpochMetrics> restore(Path file, Network net, Trainer trainer, Chip chip) {
        try (Hdf5Reader r = open(file)) {
            net.loadState(r, "/network");
            trainer.optimizer().loadState(r, "/optimizer", net.parameters());
            trainer.schedule().loadState(r, "/schedule");
            if (chip != null) {
                chip.loadState(r, "/chip");
            }
            long epochs = r.longAttribute("/", "epoch");
            List<EpochMetrics> history = new ArrayList<>();
            if (epochs > 0) {
                double[] m = r.doubles("/run/metrics", (int) epochs, 8);
                for (int e = 0; e < epochs; e++) {
                    history.add(new EpochMetrics((int) m[8 * e], m[8 * e + 1], m[8 * e + 2], m[8 * e + 3], m[8 * e + 4],
                            m[8 * e + 5], m[8 * e + 6], m[8 * e + 7]));
                }
            }
            return history;
        }
    }

    /** Loads only the network's state (a trained model to evaluate elsewhere). */
    public static void loadNetwork(Path file, Network net) {
        try (Hdf5Reader r = open(file)) {
            net.loadState(r, "/network");
        }
    }

    /** Restores only the chip (devices and write rules) onto a chip placed like the training one. */
    public static void restoreChip(Path file, Chip chip) {
        try (Hdf5Reader r = open(file)) {
            chip.loadState(r, "/chip");
        }
    }

    /**
     * The tile scale factors of each crossbar layer of the chip a model was trained on, or null for a
     * model trained off-chip.
     */
    public static List<float[]> tileScales(Path file) {
        try (Hdf5Reader r = open(file)) {
            if (!r.exists("/chip")) {
                return null;
            }
            List<float[]> out = new ArrayList<>();
            for (int l = 0; r.exists("/chip/layer" + l); l++) {
                out.add(r.floats("/chip/layer" + l + "/devices/tile_scale"));
            }
            return out;
        }
    }

    private static Hdf5Reader open(Path file) {
        Hdf5Reader r = Hdf5Reader.open(file, KIND);
        try {
            if (!r.hasAttribute("/", "format") || !FORMAT.equals(r.stringAttribute("/", "format"))) {
                throw r.error("/", "not a cimtrain checkpoint (no format attribute '" + FORMAT + "')");
            }
            long version = r.longAttribute("/", "version");
            if (version != VERSION) {
                throw r.error("/", "checkpoint format version " + version + ", this cimtrain reads " + VERSION);
            }
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static double[] metrics(List<EpochMetrics> history) {
        double[] m = new double[8 * history.size()];
        for (int e = 0; e < history.size(); e++) {
            EpochMetrics x = history.get(e);
            double[] row = {x.epoch(), x.lr(), x.trainLoss(), x.trainAccuracy(), x.testAccuracy(), x.trainSeconds(),
                    x.evalSeconds(), x.samplesPerSecond()};
            System.arraycopy(row, 0, m, 8 * e, 8);
        }
        return m;
    }
}
