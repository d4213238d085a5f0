package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;
import cimtrain.tile.pulse.PulseWriteRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A network placed on a simulated chip: every conv and linear weight matrix is programmed onto
 * crossbars, its forward products are read from them, and its updates follow the write rule of the
 * training mode. Biases, batch norm and everything else stay digital, as on the paper's chip.
 * Over 400 lines: placement, the read-model choice and the chip's clipping and write records are one
 * object's life; the devices, mapping and write rule themselves are in their own classes.
 */
public final class Chip {
    /** Upper bounds of the writes-per-weight histogram bins (the last bin is open). */
    public static final int[] HISTOGRAM_BINS = {0, 1, 2, 5, 10, 20, 50, 100, 200};

    private final List<String> names = new ArrayList<>();
    private final List<CrossbarLayer> crossbars = new ArrayList<>();
    /** The weight matrix each crossbar holds, in the same order. */
    private final List<Parameter> weights = new ArrayList<>();
    private final List<WriteCounting> rules = new ArrayList<>();

    private Chip() {
    }

    /** Write rules (training modes on a chip). */
    public static final String MP = "mp";
    public static final String DIRECT = "direct";
    public static final String MP_PULSE = "mp-pulse";

    /** How crossbar reads are simulated: {@link #READ_MODELS}. */
    public static final String AUTO = "auto";
    public static final String EXACT = "exact";
    public static final String AGGREGATE = "aggregate";
    public static final List<String> READ_MODELS = List.of(AUTO, EXACT, AGGREGATE);

    /**
     * Whether reads on this hardware use the aggregate model: always for {@code aggregate} (refused where
     * it would not be faithful), never for {@code exact}, and where faithful for {@code auto}.
     */
    /**
     * Where the aggregate read model departs from the exact one by more than noise: it leaves ADC
     * saturation out, and a column read separately (with every active row's G_min baseline) can exceed
     * the ADC's full scale when a tile's rows all draw G_max. Null where no column can saturate.
     */
    public static String saturationNote(HardwareSpec hw) {
        double worstUa = worstCaseUa(hw);
        if (hw.adc().bits() == 0 || !hw.adc().clip() || worstUa <= hw.adc().fullScaleUa()) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "%s: a column of %d rows can draw up to %.0f uA, over the ADC's %.0f uA full "
                        + "scale; the aggregate read model leaves this saturation out (--read-model exact includes it)",
                hw.name(), hw.tile().rows(), worstUa, hw.adc().fullScaleUa());
    }

    /**
     * The largest current one conversion can see: a tile's rows all driven at full amplitude through
     * devices at g_max (single-ended), above g_min (single-ended with the offset cancelled), or a pair's
     * largest difference, rows x (g_max - g_min) x V (differential).
     */
    public static double worstCaseUa(HardwareSpec hw) {
        double g = hw.adc().differential() || hw.adc().offsetCancel() ? hw.device().gMaxUs() - hw.device().gMinUs()
                : hw.device().gMaxUs();
        return hw.tile().rows() * g * hw.readVoltage();
    }

    /** Read model auto on every crossbar (see {@link CrossbarLayer#enableAutoReadModel}). */
    public void enableAutoReadModel() {
        enableAutoReadModel(null);
    }

    /**
     * The same, and {@code whenDecided} gets {@link #autoReport} once every layer has decided, and a line
     * whenever a later probe switches a layer to the exact model.
     */
    public void enableAutoReadModel(java.util.function.Consumer<String> whenDecided) {
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(crossbars.size());
        for (int l = 0; l < crossbars.size(); l++) {
            CrossbarLayer xb = crossbars.get(l);
            if (whenDecided != null) {
                xb.onDecided = () -> {
                    if (left.decrementAndGet() == 0) {
                        whenDecided.accept(autoReport());
                    }
                };
                String layer = names.get(l).split(":")[0];
                xb.onSwitched = d -> whenDecided.accept("read model auto: layer " + layer + " reads " + d);
            }
            xb.enableAutoReadModel();
        }
    }

    /**
     * Auto's decisions, one line: which layers read exactly and which in aggregate, and why; null when no
     * layer has decided (not auto, or fewer reads than the probe).
     */
    public String autoReport() {
        List<String> exact = new ArrayList<>(), aggregate = new ArrayList<>();
        StringBuilder why = new StringBuilder();
        for (int l = 0; l < crossbars.size(); l++) {
            String d = crossbars.get(l).autoDecision();
            if (d == null) {
                continue;
            }
            (d.startsWith(EXACT) ? exact : aggregate).add(names.get(l).split(":")[0]);
            why.append(why.length() == 0 ? "" : "; ").append("layer ").append(names.get(l).split(":")[0]).append(" ")
                    .append(d);
        }
        if (exact.isEmpty() && aggregate.isEmpty()) {
            return null;
        }
        return String.format(java.util.Locale.ROOT, "read model auto: exact for layers %s, aggregate for %s (threshold: "
                        + "%.3g%% of the ADC's conversions saturated in the first %d batches a layer read, or, once "
                        + "training has written it, in any %d of its sampled batches after, measured by exact "
                        + "reads of %d of their input vectors): %s",
                exact.isEmpty() ? "none" : String.join(",", exact), aggregate.isEmpty() ? "none" : String.join(",", aggregate),
                100 * CrossbarLayer.AUTO_SATURATION_THRESHOLD, CrossbarLayer.AUTO_PROBE_PASSES,
                CrossbarLayer.AUTO_PROBE_PASSES, CrossbarLayer.CLIP_SAMPLE_VECTORS, why);
    }

    /**
     * Layers that read with the aggregate model although more than auto's threshold of their sampled
     * conversions saturated since the chip was placed (without auto, or where no single probe of auto found
     * it over the threshold), one line; null when there are none.
     */
    public String saturationWarning() {
        List<String> over = new ArrayList<>();
        for (int l = 0; l < crossbars.size(); l++) {
            CrossbarLayer xb = crossbars.get(l);
            long[] c = xb.clipCounts(false);
            if (xb.readModel().equals(AGGREGATE) && c[0] > 0
                    && (double) c[1] / c[0] > CrossbarLayer.AUTO_SATURATION_THRESHOLD) {
                over.add(String.format(java.util.Locale.ROOT, "layer %s %.3g%%", names.get(l).split(":")[0],
                        100.0 * c[1] / c[0]));
            }
        }
        return over.isEmpty() ? null : String.format(java.util.Locale.ROOT, "warning: read with the aggregate model, "
                        + "which leaves ADC saturation out, these layers saturated more than %.3g%% of their sampled "
                        + "conversions over the run: %s (--read-model exact reads them faithfully)",
                100 * CrossbarLayer.AUTO_SATURATION_THRESHOLD, String.join(", ", over));
    }

    /** How the counts of a layer were made, for the records. */
    public static final String SAMPLING = "exact reads of " + CrossbarLayer.CLIP_SAMPLE_VECTORS + " input vectors "
            + "(evenly spaced over each replica's share of the batch) of every " + CrossbarLayer.CLIP_SAMPLE_EVERY
            + "th batch the layer reads (and of each of its first " + CrossbarLayer.AUTO_PROBE_PASSES
            + " batches under read model auto)";

    /**
     * The ADC's clipping per layer and in total: conversions counted, the fraction that saturated (above
     * the top code; differential sensing: beyond either end) and, single-ended, the fraction that fell below
     * code 0 (mostly noise around an empty read), with the read model each layer used and how its counts
     * were made. {@code window}: since the last window (an epoch), else since the chip was placed.
     */
    public Map<String, Object> clipStatistics(boolean window) {
        List<Map<String, Object>> layers = new ArrayList<>();
        long conv = 0;
        double estimated = 0, sat = 0, below = 0;
        for (int l = 0; l < crossbars.size(); l++) {
            CrossbarLayer xb = crossbars.get(l);
            long[][] byModel = xb.clipCountsByReadModel(window);
            // a sample stands for all the layer's reads with its read model: its conversions scaled by vectors
            // read / vectors counted (a layer that auto switched to exact has reads of both kinds)
            long c0 = 0;
            double est = 0, s = 0, z = 0;
            long[] only = byModel[1][0] == 0 ? byModel[0] : byModel[0][0] == 0 ? byModel[1] : null;
            for (long[] c : byModel) {
                double e = c[4] == 0 ? 0 : c[0] * ((double) c[3] / c[4]);
                c0 += c[0];
                if (c[0] > 0) {
                    est += e;
                    s += e * c[1] / c[0];
                    z += e * c[2] / c[0];
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", names.get(l));
            m.put("read_model", xb.readModel());
            if (xb.exactFromBatch() > 0) {
                m.put("exact_from_batch", xb.exactFromBatch());
            }
            m.put("conversions", c0);
            m.put("conversions_estimated", Math.round(est));
            // one read model: its counts' own fractions; both: each weighted by the reads it stands for
            m.put("saturated_fraction", c0 == 0 ? null : only != null ? (double) only[1] / only[0] : s / est);
            m.put("below_zero_fraction", c0 == 0 ? null : only != null ? (double) only[2] / only[0] : z / est);
            m.put("counted", !xb.clipSampled() ? "every read" : xb.exactFromBatch() > 0 ? "sampled, then every read"
                    : "sampled");
            layers.add(m);
            conv += c0;
            estimated += est;
            sat += s;
            below += z;
        }
        Map<String, Object> total = new LinkedHashMap<>();
        total.put("conversions", conv);
        total.put("conversions_estimated", Math.round(estimated));
        // each layer's fraction weighted by its estimated conversions (exact layers count all, aggregate ones a sample)
        total.put("saturated_fraction", estimated == 0 ? null : sat / estimated);
        total.put("below_zero_fraction", estimated == 0 ? null : below / estimated);
        total.put("sampling", SAMPLING);
        total.put("layers", layers);
        return total;
    }

    /** Adds a chip's counts (from {@link #clipStatistics}) to a running sum per layer. */
    public static Map<String, Object> addClipStatistics(Map<String, Object> sum, Map<String, Object> more) {
        if (sum == null) {
            return more;
        }
        @SuppressWarnings("unchecked") List<Map<String, Object>> a = (List<Map<String, Object>>) sum.get("layers");
        @SuppressWarnings("unchecked") List<Map<String, Object>> b = (List<Map<String, Object>>) more.get("layers");
        List<Map<String, Object>> layers = new ArrayList<>();
        long conv = 0;
        double estimated = 0, sat = 0, below = 0;
        for (int l = 0; l < a.size(); l++) {
            Map<String, Object> x = a.get(l), y = b.get(l), m = new LinkedHashMap<>(x);
            long cx = (long) x.get("conversions"), cy = (long) y.get("conversions"), c = cx + cy;
            double ex = ((Number) x.get("conversions_estimated")).doubleValue();
            double ey = ((Number) y.get("conversions_estimated")).doubleValue();
            // per layer, each chip's fraction weighted by its estimated conversions
            double s = frac(x, "saturated_fraction") * ex + frac(y, "saturated_fraction") * ey;
            double z = frac(x, "below_zero_fraction") * ex + frac(y, "below_zero_fraction") * ey;
            double e = ex + ey;
            m.put("conversions", c);
            m.put("conversions_estimated", Math.round(e));
            m.put("saturated_fraction", e == 0 ? null : s / e);
            m.put("below_zero_fraction", e == 0 ? null : z / e);
            if (!x.get("read_model").equals(y.get("read_model"))) {
                m.put("read_model", "mixed");
            }
            layers.add(m);
            conv += c;
            estimated += e;
            sat += s;
            below += z;
        }
        Map<String, Object> total = new LinkedHashMap<>(sum);
        total.put("conversions", conv);
        total.put("conversions_estimated", Math.round(estimated));
        total.put("saturated_fraction", estimated == 0 ? null : sat / estimated);
        total.put("below_zero_fraction", estimated == 0 ? null : below / estimated);
        total.put("layers", layers);
        return total;
    }

    private static double frac(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v == null ? 0 : ((Number) v).doubleValue();
    }

    public static boolean aggregateReads(String readModel, HardwareSpec hw) {
        boolean valid = hw.adc().bits() == 0 || hw.adc().noiseLsb() >= 0.5;
        return switch (readModel) {
            case EXACT -> false;
            case AGGREGATE -> {
                if (!valid) {
                    throw new cimtrain.util.SettingError(name -> name.apply("read-model") + " aggregate needs ADC noise of at "
                            + "least 0.5 LSB (its rounding is modelled as noise), hardware " + hw.name() + " has "
                            + hw.adc().noiseLsb() + "; use " + name.apply("read-model") + " exact");
                }
                yield true;
            }
            case AUTO -> valid;
            default -> throw cimtrain.util.SettingError.of("read-model", " must be one of " + String.join(", ", READ_MODELS)
                    + ", got '" + readModel + "'");
        };
    }

    /**
     * Programs every conv and linear weight matrix of the network onto crossbars. All replicas of the
     * network read the same devices; the updates (applied to the shared parameters) write them.
     *
     * @param writeRule      {@link #MP}: the threshold rule with write-and-verify; {@link #DIRECT}: every
     *                       update written at once, no high-precision copy; {@link #MP_PULSE}: updates
     *                       accumulated and written as pulses through the hardware's pulse response
     * @param aggregateReads simulate reads with the aggregate model (see {@link #aggregateReads})
     */
    public static Chip place(Network net, HardwareSpec hw, String writeRule, long seed, boolean aggregateReads) {
        return place(net, hw, writeRule, seed, aggregateReads, null, hw.scale().headroom());
    }

    /**
     * A trained model programmed onto a chip to be read (moved to a new chip, exported): with the tile
     * scale factors it was trained with ({@code scales.get(l)} for the l-th crossbar layer) when
     * {@code scales} is not null, else mapped anew with the hardware's inference headroom (no update
     * follows, so the weights need no room to grow). Its updates would be written as mp's.
     */
    public static Chip placeTrained(Network net, HardwareSpec hw, long seed, boolean aggregateReads,
                                    List<float[]> scales) {
        return place(net, hw, MP, seed, aggregateReads, scales, hw.scale().inferenceHeadroom());
    }

    private static Chip place(Network net, HardwareSpec hw, String writeRule, long seed, boolean aggregateReads,
                              List<float[]> scales, double headroom) {
        if (writeRule.equals(MP_PULSE) && hw.pulse() == null) {
            throw new cimtrain.util.SettingError(name -> "mode mp-pulse needs a 'pulse:' section in hardware " + hw.name()
                    + " (see models/hardware/README.md, e.g. " + name.apply("hardware") + " paper-table1-pulse)");
        }
        Chip chip = new Chip();
        List<List<Layer>> replicaLeaves = new ArrayList<>();
        for (cimtrain.nn.Sequential root : net.replicaRoots()) {
            replicaLeaves.add(Network.leaves(root));
        }
        List<Layer> leaves = replicaLeaves.get(0);
        for (int index = 1; index <= leaves.size(); index++) {
            Layer l = leaves.get(index - 1);
            Parameter w;
            if (l instanceof Conv2d c) {
                w = c.weight();
            } else if (l instanceof Linear f) {
                w = f.weight();
            } else {
                continue;
            }
            CrossbarLayer xb = new CrossbarLayer(net.backend(), hw, w.shape[0], w.shape[1], seed, 1000L + 16L * index,
                    aggregateReads);
            float[] initial = w.read();
            if (scales != null) {
                xb.programAll(initial, scales.get(chip.crossbars.size()));
            } else {
                xb.programAll(initial, headroom);
            }
            Parameter.UpdateRule rule;
            if (writeRule.equals(MP_PULSE)) {
                PulseWriteRule pulses = new PulseWriteRule(xb);
                // no high-precision copy: the backward pass uses what the devices hold from the start
                w.write(pulses.heldWeights());
                rule = pulses;
            } else {
                rule = new ThresholdWriteRule(xb, w, writeRule.equals(DIRECT));
            }
            w.setRule(rule);
            for (List<Layer> mine : replicaLeaves) {
                Layer same = mine.get(index - 1);
                if (same instanceof Conv2d c) {
                    c.setWeightReader(xb);
                } else {
                    ((Linear) same).setWeightReader(xb);
                }
            }
            chip.names.add(index + ": " + l.describe());
            chip.crossbars.add(xb);
            chip.weights.add(w);
            chip.rules.add((WriteCounting) rule);
        }
        return chip;
    }

    /** Saves every crossbar's devices and write rule as {@code layer<i>/devices} and {@code layer<i>/rule}. */
    public void saveState(cimtrain.io.Hdf5Group g) {
        g.attribute("layers", names.toArray(new String[0]));
        for (int l = 0; l < crossbars.size(); l++) {
            crossbars.get(l).saveState(g.group("layer" + l + "/devices"));
            rules.get(l).saveState(g.group("layer" + l + "/rule"));
        }
    }

    /** Restores {@link #saveState} onto a chip placed the same way. */
    public void loadState(cimtrain.io.Hdf5Reader r, String path) {
        String[] saved = r.stringsAttribute(path, "layers");
        if (!java.util.Arrays.equals(saved, names.toArray(new String[0]))) {
            throw r.error(path, "holds crossbars for " + java.util.Arrays.toString(saved) + ", this chip has " + names);
        }
        for (int l = 0; l < crossbars.size(); l++) {
            crossbars.get(l).loadState(r, path + "/layer" + l + "/devices");
            rules.get(l).loadState(r, path + "/layer" + l + "/rule");
        }
    }

    /** Each crossbar's layer, "index: description" (the network's leaf layers counted from 1). */
    public List<String> layerNames() {
        return java.util.Collections.unmodifiableList(names);
    }

    public List<CrossbarLayer> crossbars() {
        return crossbars;
    }

    /** The network parameter each crossbar holds ({@code weights().get(l)} on {@code crossbars().get(l)}). */
    public List<Parameter> weights() {
        return weights;
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
