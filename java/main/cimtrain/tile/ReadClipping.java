package cimtrain.tile;

import cimtrain.backend.CrossbarParams;

import static cimtrain.tile.CrossbarLayer.AUTO_PROBE_CALLS;
import static cimtrain.tile.CrossbarLayer.AUTO_SATURATION_THRESHOLD;
import static cimtrain.tile.CrossbarLayer.CLIP_SAMPLE_EVERY;
import static cimtrain.tile.CrossbarLayer.CLIP_SAMPLE_VECTORS;

/**
 * What one layer's reads tell about its ADC, and the read model that follows: the conversions counted
 * (every read under the exact model, a sample under the aggregate one) and those that saturated; under
 * read model auto, the probe of the first {@link CrossbarLayer#AUTO_PROBE_CALLS} reads that keeps the
 * aggregate model or switches the layer to the exact one. Replicas read concurrently: every count is
 * taken under one lock.
 */
final class ReadClipping {
    /** The read model the layer was placed with. */
    private final CrossbarParams placed;
    /** The read model in use: {@link #placed}, or its exact twin once auto found the aggregate one clipping. */
    private volatile CrossbarParams current;
    private final Object lock = new Object();
    private boolean auto;
    private String autoDecision;
    private long calls;
    private int probeDone;
    private int probeRunning;
    /**
     * Conversions, saturated (above the top code; differential also below the bottom), below zero (single-ended);
     * then the input vectors read and those whose conversions were counted (all under the exact model, a
     * sample under the aggregate one), which scale a sample up to the layer's conversions.
     */
    private final long[] total = new long[5];
    private final long[] window = new long[5];
    private final long[] probe = new long[3];
    /** Whether the counts came from all reads (exact) or from samples (aggregate), since the layer was placed. */
    private boolean sampled;

    ReadClipping(CrossbarParams placed) {
        this.placed = placed;
        this.current = placed;
    }

    CrossbarParams current() {
        return current;
    }

    /** Read model auto (when placed with the aggregate model): the probe decides. */
    void enableAuto() {
        synchronized (lock) {
            auto = placed.aggregateReads();
        }
    }

    /** One read call begins under read model p: whether its conversions are sampled, and whether it probes. */
    record Call(boolean sample, boolean probing) {
    }

    Call begin(CrossbarParams p) {
        synchronized (lock) {
            long call = calls++;
            boolean probing = auto && probeDone + probeRunning < AUTO_PROBE_CALLS;
            if (probing) {
                probeRunning++;
            }
            return new Call(p.aggregateReads() && p.adcBits() > 0 && (call % CLIP_SAMPLE_EVERY == 0 || probing),
                    probing);
        }
    }

    /**
     * Adds a call's counts ({conversions, saturated, below zero}) of n input vectors read under p.
     *
     * @return whether this call completed auto's probe (the read model is now decided)
     */
    boolean end(Call call, CrossbarParams p, long[] counts, int n) {
        synchronized (lock) {
            for (int q = 0; q < 3; q++) {
                total[q] += counts[q];
                window[q] += counts[q];
            }
            long counted = !p.aggregateReads() ? n : call.sample() ? Math.min(CLIP_SAMPLE_VECTORS, n) : 0;
            total[3] += n;
            window[3] += n;
            total[4] += counted;
            window[4] += counted;
            sampled |= p.aggregateReads();
            if (!call.probing()) {
                return false;
            }
            probeRunning--;
            for (int q = 0; q < 3; q++) {
                probe[q] += counts[q];
            }
            if (++probeDone != AUTO_PROBE_CALLS) {
                return false;
            }
            double f = probe[0] == 0 ? 0 : (double) probe[1] / probe[0];
            boolean exact = f > AUTO_SATURATION_THRESHOLD;
            autoDecision = String.format(java.util.Locale.ROOT, "%s: %.3g%% of %,d sampled conversions "
                            + "saturated in the first %d reads (threshold %.3g%%)",
                    exact ? Chip.EXACT : Chip.AGGREGATE, 100 * f, probe[0], AUTO_PROBE_CALLS,
                    100 * AUTO_SATURATION_THRESHOLD);
            if (exact) {
                current = placed.withAggregateReads(false);
            }
            return true;
        }
    }

    String autoDecision() {
        synchronized (lock) {
            return autoDecision;
        }
    }

    long[] counts(boolean sinceLastWindow) {
        synchronized (lock) {
            if (!sinceLastWindow) {
                return total.clone();
            }
            long[] c = window.clone();
            java.util.Arrays.fill(window, 0);
            return c;
        }
    }

    boolean sampled() {
        synchronized (lock) {
            return sampled;
        }
    }

    /** The read model auto chose and how far its probe got, so that a resumed run reads as the straight one. */
    void saveState(cimtrain.io.Hdf5Group g) {
        synchronized (lock) {
            g.putScalar("reads_exact", current.aggregateReads() ? 0L : 1L);
            g.putScalar("auto_probe_done", (long) probeDone);
            g.putScalar("read_calls", calls);
            g.putScalar("auto_probe_conversions", probe[0]);
            g.putScalar("auto_probe_saturated", probe[1]);
            g.putScalar("auto_probe_below_zero", probe[2]);
            if (autoDecision != null) {
                g.attribute("auto_decision", autoDecision);
            }
        }
    }

    /** Restores {@link #saveState} (checkpoints from before it was saved have none: nothing to restore). */
    void loadState(cimtrain.io.Hdf5Reader r, String path) {
        if (!r.exists(path + "/reads_exact")) {
            return;
        }
        synchronized (lock) {
            boolean exact = r.longScalar(path + "/reads_exact") == 1;
            current = exact ? placed.withAggregateReads(false) : placed;
            probeDone = (int) r.longScalar(path + "/auto_probe_done");
            calls = r.longScalar(path + "/read_calls");
            probe[0] = r.longScalar(path + "/auto_probe_conversions");
            probe[1] = r.longScalar(path + "/auto_probe_saturated");
            probe[2] = r.longScalar(path + "/auto_probe_below_zero");
            autoDecision = r.hasAttribute(path, "auto_decision") ? r.stringAttribute(path, "auto_decision") : null;
        }
    }
}
