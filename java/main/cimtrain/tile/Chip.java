package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network placed on a simulated chip: every conv and linear weight matrix is programmed onto
 * crossbars, its forward products are read from them, and its updates follow the write rule of the
 * training mode. Biases, batch norm and everything else stay digital, as on the paper's chip.
 */
public final class Chip {
    /** Upper bounds of the writes-per-weight histogram bins (the last bin is open). */
    public static final int[] HISTOGRAM_BINS = {0, 1, 2, 5, 10, 20, 50, 100, 200};

    private final List<String> names = new ArrayList<>();
    private final List<CrossbarLayer> crossbars = new ArrayList<>();
    private final List<ThresholdWriteRule> rules = new ArrayList<>();

    private Chip() {
    }

    /**
     * @param direct write every update at once with no high-precision copy (mode direct), instead of
     *               the threshold rule (mode mp)
     */
    public static Chip place(Network net, HardwareSpec hw, boolean direct, long seed) {
        if (net.replicaCount() != 1) {
            // replicas would each need the same devices; on-chip modes build networks with one
            throw new IllegalArgumentException("a network on a chip must have one replica, it has " + net.replicaCount());
        }
        Chip chip = new Chip();
        int index = 0;
        for (Layer l : net.leaves()) {
            index++;
            Parameter w;
            if (l instanceof Conv2d c) {
                w = c.weight();
            } else if (l instanceof Linear f) {
                w = f.weight();
            } else {
                continue;
            }
            CrossbarLayer xb = new CrossbarLayer(net.backend(), hw, w.shape[0], w.shape[1], seed, 1000L + 16L * index);
            float[] initial = w.read();
            xb.programAll(initial);
            ThresholdWriteRule rule = new ThresholdWriteRule(xb, initial, direct);
            w.setRule(rule);
            if (l instanceof Conv2d c) {
                c.setWeightReader(xb);
            } else {
                ((Linear) l).setWeightReader(xb);
            }
            chip.names.add(index + ": " + l.describe());
            chip.crossbars.add(xb);
            chip.rules.add(rule);
        }
        return chip;
    }

    public List<CrossbarLayer> crossbars() {
        return crossbars;
    }

    /** Write statistics per layer and in total, for the run folder and the --json summary. */
    public Map<String, Object> writeStatistics() {
        List<Map<String, Object>> layers = new ArrayList<>();
        long weights = 0, writes = 0, updates = 0;
        int max = 0;
        long[] histogram = new long[HISTOGRAM_BINS.length + 1];
        for (int l = 0; l < rules.size(); l++) {
            int[] w = rules.get(l).writes();
            long sum = 0;
            int lmax = 0;
            long[] lh = new long[HISTOGRAM_BINS.length + 1];
            for (int v : w) {
                sum += v;
                lmax = Math.max(lmax, v);
                lh[bin(v)]++;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", names.get(l));
            m.put("weights", w.length);
            m.put("writes", sum);
            m.put("writes_per_weight_mean", (double) sum / w.length);
            m.put("writes_per_weight_max", lmax);
            m.put("updates_without_threshold", rules.get(l).updates());
            m.put("write_reduction", sum == 0 ? null : (double) rules.get(l).updates() / sum);
            m.put("histogram", lh);
            layers.add(m);
            weights += w.length;
            writes += sum;
            updates += rules.get(l).updates();
            max = Math.max(max, lmax);
            for (int b = 0; b < lh.length; b++) {
                histogram[b] += lh[b];
            }
        }
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("weights", weights);
        total.put("writes", writes);
        total.put("writes_per_weight_mean", weights == 0 ? 0 : (double) writes / weights);
        total.put("writes_per_weight_max", max);
        total.put("updates_without_threshold", updates);
        total.put("write_reduction", writes == 0 ? null : (double) updates / writes);
        total.put("histogram_bins", "writes per weight <= " + java.util.Arrays.toString(HISTOGRAM_BINS) + ", then more");
        total.put("histogram", histogram);
        total.put("layers", layers);
        return total;
    }

    private static int bin(int v) {
        for (int b = 0; b < HISTOGRAM_BINS.length; b++) {
            if (v <= HISTOGRAM_BINS[b]) {
                return b;
            }
        }
        return HISTOGRAM_BINS.length;
    }
}
