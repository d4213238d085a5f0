package cimtrain.tile;

import cimtrain.backend.CrossbarParams;

import static cimtrain.tile.CrossbarLayer.AUTO_PROBE_PASSES;
import static cimtrain.tile.CrossbarLayer.AUTO_SATURATION_THRESHOLD;
import static cimtrain.tile.CrossbarLayer.CLIP_SAMPLE_EVERY;
import static cimtrain.tile.CrossbarLayer.CLIP_SAMPLE_VECTORS;

/**
 * What one layer's reads tell about its ADC, and the read model that follows: the conversions counted
 * (every read under the exact model, a sample under the aggregate one) and those that saturated; under
 * read model auto, the probe of the first {@link CrossbarLayer#AUTO_PROBE_PASSES} forward passes that keeps
 * the aggregate model or switches the layer to the exact one.
 *
 * <p>A decision holds for the weights it was measured on. Once the layer's devices have been written
 * (training), auto probes again: every {@link CrossbarLayer#AUTO_PROBE_PASSES} sampled passes (one in
 * {@link CrossbarLayer#CLIP_SAMPLE_EVERY}) make a new probe, and the layer switches to the exact model the
 * first time one finds more than {@link CrossbarLayer#AUTO_SATURATION_THRESHOLD} of its conversions
 * saturated. Weights grow in training, and a probe of the first batches alone let aggregate layers
 * saturate 10% of their conversions later in a run. A layer never switches back: the exact model is
 * faithful whatever the weights.
 *
 * <p>Replicas of a network read one pass concurrently, in no fixed order, so every choice here is made by
 * the pass number, never by the order of calls: a pass is sampled, or probes, with all its replicas, and
 * auto decides at the first read of the pass after its probe (every read of the probe has ended by then:
 * passes run one after another), or when asked between passes. Same seed, same counts, whatever the
 * threads did. Every count is taken under one lock.
 */
final class ReadClipping {
    /** The read model the layer was placed with. */
    private final CrossbarParams placed;
    /** The read model in use: {@link #placed}, or its exact twin once auto found the aggregate one clipping. */
    private volatile CrossbarParams current;
    private final Object lock = new Object();
    private boolean auto;
    private String autoDecision;
    /** Read calls so far (all replicas); kept for old checkpoints, which knew no pass numbers. */
    private long calls;
    /** The pass of the layer's first read: sampling counts passes from it. -1: not read yet. */
    private long firstPass = -1;
    /** The pass of the first read since auto was enabled: the probe counts passes from it. -1: not yet. */
    private long probeFirstPass = -1;
    /** The latest pass read. */
    private long lastPass = -1;
    /**
     * Conversions, saturated (above the top code; differential also below the bottom), below zero (single-ended);
     * then the input vectors read and those whose conversions were counted (all under the exact model, a
     * sample under the aggregate one), which scale a sample up to the layer's conversions.
     */
    private final long[][] total = new long[2][5];
    private final long[][] window = new long[2][5];
    private final long[] probe = new long[3];
    /** Since auto's last decision: whether the devices were written, and the sampled passes' counts. */
    private boolean written;
    private final long[] watch = new long[3];
    private int watchPasses;
    private long lastWatchPass = -1;
    /** The pass from which the layer reads exactly after a later probe switched it; -1: it did not switch. */
    private long switchedAtPass = -1;
    /** Whether the counts came from all reads (exact) or from samples (aggregate), since the layer was placed. */
    private boolean sampled;

    ReadClipping(CrossbarParams placed) {
        this.placed = placed;
        this.current = placed;
    }

    CrossbarParams current() {
        synchronized (lock) {
            settle();
            return current;
        }
    }

    /** Read model auto (when placed with the aggregate model): the probe decides. */
    void enableAuto() {
        synchronized (lock) {
            auto = placed.aggregateReads();
        }
    }

    /**
     * One read call: the read model it reads with, whether its conversions are sampled, whether it probes,
     * and whether auto decided as it began (the caller says so once its read is done).
     */
    record Call(CrossbarParams params, boolean sample, boolean probing, boolean decided, String switched) {
        /** Whether this call's sampled counts go to the probe that follows auto's decision. */
        boolean watching() {
            return sample && !probing && params.aggregateReads();
        }
    }

    /**
     * A read call of forward pass {@code pass} begins; {@code written}: the layer's devices were written
     * since its last read (writes happen between passes).
     */
    Call begin(long pass, boolean written) {
        synchronized (lock) {
            if (firstPass < 0) {
                // a checkpoint from before pass numbers were kept: its calls stand for passes (one replica)
                firstPass = pass - calls;
            }
            if (auto && probeFirstPass < 0) {
                probeFirstPass = pass;
            }
            this.written |= written;
            // the first read of a new pass: every read of the passes before it has ended
            String switched = pass > lastPass ? reprobe(pass) : null;
            lastPass = Math.max(lastPass, pass);
            calls++;
            boolean decided = auto && autoDecision == null && pass - probeFirstPass >= AUTO_PROBE_PASSES && decide();
            boolean probing = auto && autoDecision == null;
            CrossbarParams p = current;
            boolean sample = p.aggregateReads() && p.adcBits() > 0
                    && ((pass - firstPass) % CLIP_SAMPLE_EVERY == 0 || probing);
            Call call = new Call(p, sample, probing, decided, switched);
            if (call.watching() && pass != lastWatchPass) {
                lastWatchPass = pass;
                watchPasses++;
            }
            return call;
        }
    }

    /**
     * Auto's later probe, at the first read of pass {@code pass}: once {@link CrossbarLayer#AUTO_PROBE_PASSES}
     * sampled passes have been counted since the last probe, and the devices were written meanwhile, the
     * layer switches to the exact model if more than the threshold of their conversions saturated. Returns
     * the decision when it switched, else null. Holds the lock.
     */
    private String reprobe(long pass) {
        if (!auto || autoDecision == null || !current.aggregateReads() || watchPasses < AUTO_PROBE_PASSES) {
            return null;
        }
        double f = watch[0] == 0 ? 0 : (double) watch[1] / watch[0];
        boolean exact = written && f > AUTO_SATURATION_THRESHOLD;
        if (exact) {
            autoDecision = String.format(java.util.Locale.ROOT, "%s from its batch %,d on: %.3g%% of %,d sampled "
                            + "conversions saturated in the %d sampled batches before it, after training wrote its "
                            + "devices (threshold %.3g%%); until then %s",
                    Chip.EXACT, pass - firstPass + 1, 100 * f, watch[0], AUTO_PROBE_PASSES,
                    100 * AUTO_SATURATION_THRESHOLD, autoDecision);
            current = placed.withAggregateReads(false);
            switchedAtPass = pass;
        }
        java.util.Arrays.fill(watch, 0);
        watchPasses = 0;
        written = false;
        return exact ? autoDecision : null;
    }

    /** Adds a call's counts ({conversions, saturated, below zero}) of n input vectors. */
    void end(Call call, long[] counts, int n) {
        synchronized (lock) {
            CrossbarParams p = call.params();
            // counts of aggregate reads (a sample) and of exact ones (all) apart: each stands for its own reads
            int m = p.aggregateReads() ? 0 : 1;
            for (int q = 0; q < 3; q++) {
                total[m][q] += counts[q];
                window[m][q] += counts[q];
            }
            long counted = !p.aggregateReads() ? n : call.sample() ? Math.min(CLIP_SAMPLE_VECTORS, n) : 0;
            total[m][3] += n;
            window[m][3] += n;
            total[m][4] += counted;
            window[m][4] += counted;
            sampled |= p.aggregateReads();
            if (call.probing()) {
                for (int q = 0; q < 3; q++) {
                    probe[q] += counts[q];
                }
            }
            if (call.watching()) {
                for (int q = 0; q < 3; q++) {
                    watch[q] += counts[q];
                }
            }
        }
    }

    /**
     * Asked between passes (a checkpoint, a summary, a test): auto decides now if its probe's passes have all
     * been read, as it would at the next pass's first read. Holds the lock.
     */
    private void settle() {
        if (auto && autoDecision == null && probeFirstPass >= 0 && lastPass - probeFirstPass >= AUTO_PROBE_PASSES - 1) {
            decide();
        }
    }

    /** Auto's decision from the probe's counts; true. Holds the lock. */
    private boolean decide() {
        double f = probe[0] == 0 ? 0 : (double) probe[1] / probe[0];
        boolean exact = f > AUTO_SATURATION_THRESHOLD;
        autoDecision = String.format(java.util.Locale.ROOT, "%s: %.3g%% of %,d sampled conversions "
                        + "saturated in the first %d batches (threshold %.3g%%)",
                exact ? Chip.EXACT : Chip.AGGREGATE, 100 * f, probe[0], AUTO_PROBE_PASSES,
                100 * AUTO_SATURATION_THRESHOLD);
        if (exact) {
            current = placed.withAggregateReads(false);
        }
        // the later probes measure what the weights become from here
        written = false;
        return true;
    }

    String autoDecision() {
        synchronized (lock) {
            settle();
            return autoDecision;
        }
    }

    /** {@link #countsByReadModel} of both read models summed. */
    long[] counts(boolean sinceLastWindow) {
        long[][] c = countsByReadModel(sinceLastWindow);
        long[] sum = c[0].clone();
        for (int q = 0; q < sum.length; q++) {
            sum[q] += c[1][q];
        }
        return sum;
    }

    /**
     * The counts ({conversions, saturated, below zero, vectors read, vectors counted}) of the reads made with
     * the aggregate model (a sample) and of those made with the exact one (all); with {@code sinceLastWindow}
     * those since the last window was taken (and a new window starts).
     */
    long[][] countsByReadModel(boolean sinceLastWindow) {
        synchronized (lock) {
            long[][] src = sinceLastWindow ? window : total;
            long[][] c = {src[0].clone(), src[1].clone()};
            if (sinceLastWindow) {
                java.util.Arrays.fill(window[0], 0);
                java.util.Arrays.fill(window[1], 0);
            }
            return c;
        }
    }

    /** The batch (counted from the layer's first) from which a later probe made the layer read exactly; 0: none. */
    long switchedAtBatch() {
        synchronized (lock) {
            return switchedAtPass < 0 ? 0 : switchedAtPass - firstPass + 1;
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
            settle();
            g.putScalar("reads_exact", current.aggregateReads() ? 0L : 1L);
            g.putScalar("auto_probe_done", probeFirstPass < 0 ? 0L : Math.min(AUTO_PROBE_PASSES, lastPass - probeFirstPass + 1));
            g.putScalar("read_calls", calls);
            g.putScalar("first_read_pass", firstPass);
            g.putScalar("auto_probe_first_pass", probeFirstPass);
            g.putScalar("auto_probe_conversions", probe[0]);
            g.putScalar("auto_probe_saturated", probe[1]);
            g.putScalar("auto_probe_below_zero", probe[2]);
            g.putScalar("auto_written", written ? 1L : 0L);
            g.putScalar("auto_watch_conversions", watch[0]);
            g.putScalar("auto_watch_saturated", watch[1]);
            g.putScalar("auto_watch_below_zero", watch[2]);
            g.putScalar("auto_watch_passes", watchPasses);
            g.putScalar("auto_watch_last_pass", lastWatchPass);
            g.putScalar("auto_switched_pass", switchedAtPass);
            g.putScalar("last_read_pass", lastPass);
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
            calls = r.longScalar(path + "/read_calls");
            probe[0] = r.longScalar(path + "/auto_probe_conversions");
            probe[1] = r.longScalar(path + "/auto_probe_saturated");
            probe[2] = r.longScalar(path + "/auto_probe_below_zero");
            autoDecision = r.hasAttribute(path, "auto_decision") ? r.stringAttribute(path, "auto_decision") : null;
            if (r.exists(path + "/first_read_pass")) {
                firstPass = r.longScalar(path + "/first_read_pass");
                probeFirstPass = r.longScalar(path + "/auto_probe_first_pass");
            }
            if (r.exists(path + "/auto_watch_passes")) {
                written = r.longScalar(path + "/auto_written") == 1;
                watch[0] = r.longScalar(path + "/auto_watch_conversions");
                watch[1] = r.longScalar(path + "/auto_watch_saturated");
                watch[2] = r.longScalar(path + "/auto_watch_below_zero");
                watchPasses = (int) r.longScalar(path + "/auto_watch_passes");
                lastWatchPass = r.longScalar(path + "/auto_watch_last_pass");
                switchedAtPass = r.longScalar(path + "/auto_switched_pass");
                lastPass = r.longScalar(path + "/last_read_pass");
            }
            // an older checkpoint: firstPass is set from the calls at the next read (begin)
        }
    }
}
