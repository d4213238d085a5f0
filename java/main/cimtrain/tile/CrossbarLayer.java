package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.Tensor;
import cimtrain.hardware.HardwareSpec;
import cimtrain.rng.Philox;

/**
 * The devices holding one layer's weight matrix (out x k) on a grid of tiles: a differential pair of
 * conductances per weight, one scale factor per tile (weight units per microsiemens), the fixed
 * device-to-device gains and stuck devices, and the programming (write-and-verify) of single weights.
 * Reads go through {@link Backend#crossbarForward}.
 */
public final class CrossbarLayer implements cimtrain.nn.WeightReader {
    public final HardwareSpec hw;
    /** The read model this layer was placed with; see {@link #readParams} for the one in use. */
    public final CrossbarParams params;
    /** The read model in use: {@link #params}, or its exact twin once auto found the aggregate one clipping. */
    private volatile CrossbarParams readParams;
    /** Input vectors of a call read exactly as well, to measure clipping under the aggregate model. */
    public static final int CLIP_SAMPLE_VECTORS = 64;
    /** Under the aggregate model, every this many calls (from the first) are sampled. */
    public static final int CLIP_SAMPLE_EVERY = 16;
    /** Auto: the first this many calls are all sampled, and decide the read model. */
    public static final int AUTO_PROBE_CALLS = 4;
    /** Auto: the aggregate model is kept only where at most this fraction of the probe's conversions saturate. */
    public static final double AUTO_SATURATION_THRESHOLD = 1e-3;
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
    private final long[] clipTotal = new long[5];
    private final long[] clipWindow = new long[5];
    private final long[] probe = new long[3];
    /** Whether the counts came from all reads (exact) or from samples (aggregate), since the last window. */
    private boolean sampled;
    public final int out;
    public final int k;
    private final Backend backend;
    private final float[] gPos;
    private final float[] gNeg;
    private final float[] gainPos;
    private final float[] gainNeg;
    /** 0: programmable, 1: stuck at g_min, 2: stuck at g_max; for the G+ device at [i], G- at [i + size]. */
    private final byte[] stuck;
    private final float[] tileScale;
    private final Tensor gPosT;
    private final Tensor gNegT;
    private final Tensor tileScaleT;
    private final long seed;
    private final long streamBase;
    private final long readStream;
    private final long writeStream;
    private long writeCounter;
    /** The Philox block of the write stream last drawn from (see writeNoise), its words and normals. */
    private long writeBlock = -1;
    private final int[] writeWords = new int[4];
    private final float[] writeNormals = new float[4];
    /** Every device changed on the host since the last sync (a new mapping, drift, a checkpoint). */
    private boolean dirty = true;
    /** Only the tiles' scale factors changed. */
    private boolean scalesDirty;
    /** Weights written since the last sync (those few device pairs are sent, not the whole layer). */
    private int[] pending = new int[16];
    private int pendingCount;
    private float[] pendingValues = new float[16];

    /**
     * @param streamBase two Philox streams of its own: streamBase for reads, streamBase + 1 for writes
     */
    public CrossbarLayer(Backend backend, HardwareSpec hw, int out, int k, long seed, long streamBase) {
        this(backend, hw, out, k, seed, streamBase, false);
    }

    /**
     * @param aggregateReads simulate reads with the aggregate model ({@link CrossbarParams#aggregateReads})
     */
    public CrossbarLayer(Backend backend, HardwareSpec hw, int out, int k, long seed, long streamBase,
                         boolean aggregateReads) {
        this.backend = backend;
        this.hw = hw;
        this.out = out;
        this.k = k;
        this.seed = seed;
        this.streamBase = streamBase;
        this.readStream = streamBase;
        this.writeStream = streamBase + 1;
        HardwareSpec.DeviceSpec dev = hw.device();
        this.params = new CrossbarParams(hw.tile().rows(), hw.outputsPerTile(), hw.dac().bits(), hw.dac().bitSerial(),
                hw.adc().bits(), hw.adc().lsbUa(), hw.adc().noiseLsb(), hw.adc().clip(),
                dev.readNoise() * dev.levelSpacingUs(), hw.readVoltage(), aggregateReads, hw.adc().differential(),
                hw.adc().offsetCancel(), dev.gMinUs());
        int size = out * k;
        gPos = new float[size];
        gNeg = new float[size];
        gainPos = new float[size];
        gainNeg = new float[size];
        stuck = new byte[2 * size];
        // fixed per-device properties, drawn once from their own stream ("the chip as fabricated")
        float[] z = new float[2 * size];
        Philox.fillNormal(seed, streamBase + 2, z, 0, 0, z.length, 0f, 1f);
        float[] u = new float[2 * size];
        Philox.fillUniform(seed, streamBase + 3, u, 0, 0, u.length, 0f, 1f);
        for (int i = 0; i < size; i++) {
            gainPos[i] = (float) (1 + dev.deviceSpread() * z[i]);
            gainNeg[i] = (float) (1 + dev.deviceSpread() * z[size + i]);
        }
        for (int i = 0; i < 2 * size; i++) {
            if (u[i] < dev.stuckAtFraction()) {
                stuck[i] = (byte) (u[i] < dev.stuckAtFraction() / 2 ? 1 : 2);
            }
        }
        this.readParams = params;
        tileScale = new float[params.rowTiles(k) * params.columnTiles(out)];
        gPosT = backend.allocate(size);
        gNegT = backend.allocate(size);
        tileScaleT = backend.allocate(tileScale.length);
    }

    /** The tile (row tile x column tiles + column tile) holding weight {@code index} of the out x k matrix. */
    public int tileOf(int index) {
        int o = index / k, i = index % k;
        return (i / params.tileRows()) * params.columnTiles(out) + o / params.tileOutputs();
    }

    /** Conductance range in use, microsiemens. */
    private double range() {
        return hw.device().gMaxUs() - hw.device().gMinUs();
    }

    /** Tiles, and so scale factors (with granularity layer they all hold the same value). */
    public int tiles() {
        return tileScale.length;
    }

    /**
     * Saves the devices' programmed state for a checkpoint: G+ and G- (out x k, microsiemens), the tiles'
     * scale factors and the write-noise counter. The fixed per-device gains and stuck devices are drawn
     * from the seed again when the chip is rebuilt.
     */
    public void saveState(cimtrain.io.Hdf5Group g) {
        g.putFloats("g_pos_us", gPos, out, k);
        g.putFloats("g_neg_us", gNeg, out, k);
        g.putFloats("tile_scale", tileScale);
        g.putScalar("write_counter", writeCounter);
        // the read model auto chose, and how far its probe got, so that a resumed run reads as the straight one
        synchronized (clipTotal) {
            g.putScalar("reads_exact", readParams.aggregateReads() ? 0L : 1L);
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

    /** Restores {@link #saveState}. */
    public void loadState(cimtrain.io.Hdf5Reader r, String path) {
        System.arraycopy(r.floats(path + "/g_pos_us", out, k), 0, gPos, 0, gPos.length);
        System.arraycopy(r.floats(path + "/g_neg_us", out, k), 0, gNeg, 0, gNeg.length);
        System.arraycopy(r.floats(path + "/tile_scale", tileScale.length), 0, tileScale, 0, tileScale.length);
        writeCounter = r.longScalar(path + "/write_counter");
        if (r.exists(path + "/reads_exact")) {
            synchronized (clipTotal) {
                boolean exact = r.longScalar(path + "/reads_exact") == 1;
                readParams = exact ? params.withAggregateReads(false) : params;
                probeDone = (int) r.longScalar(path + "/auto_probe_done");
                calls = r.longScalar(path + "/read_calls");
                probe[0] = r.longScalar(path + "/auto_probe_conversions");
                probe[1] = r.longScalar(path + "/auto_probe_saturated");
                probe[2] = r.longScalar(path + "/auto_probe_below_zero");
                autoDecision = r.hasAttribute(path, "auto_decision") ? r.stringAttribute(path, "auto_decision") : null;
            }
        }
        dirty = true;
    }

    /** Multiplies one tile's scale factor (a trainable scale's update): its weights scale with it. */
    public void rescale(int tile, float factor) {
        tileScale[tile] *= factor;
        scalesDirty = true;
    }

    /** {@link #programAll(float[], double)} with the training headroom (the mapping training starts from). */
    public void programAll(float[] w) {
        programAll(w, hw.scale().headroom());
    }

    /**
     * Sets each tile's scale so that its largest weight (the layer's, with granularity layer) spans
     * 1/headroom of the conductance range, then programs every weight (the initial mapping; not counted
     * as training writes).
     *
     * @param headroom the hardware's {@code headroom} for a network about to be trained on the chip, its
     *                 {@code inferenceHeadroom} for a trained one that will only be read
     */
    public void programAll(float[] w, double headroom) {
        float[] maxAbs = new float[tileScale.length];
        for (int i = 0; i < w.length; i++) {
            int t = tileOf(i);
            maxAbs[t] = Math.max(maxAbs[t], Math.abs(w[i]));
        }
        if (hw.scale().granularity().equals("layer")) {
            float layerMax = 0f;
            for (float m : maxAbs) {
                layerMax = Math.max(layerMax, m);
            }
            java.util.Arrays.fill(maxAbs, layerMax);
        }
        for (int t = 0; t < tileScale.length; t++) {
            tileScale[t] = (float) (headroom * Math.max(maxAbs[t], 1e-6f) / range());
        }
        dirty = true;
        for (int i = 0; i < w.length; i++) {
            program(i, w[i]);
        }
    }

    /**
     * Programs every weight with given tile scale factors (moving a trained model to another chip: the
     * conductance targets it was trained with, not a new mapping).
     */
    public void programAll(float[] w, float[] scales) {
        if (scales.length != tileScale.length) {
            throw new IllegalArgumentException(scales.length + " scale factors for " + tileScale.length + " tiles");
        }
        System.arraycopy(scales, 0, tileScale, 0, scales.length);
        dirty = true;
        for (int i = 0; i < w.length; i++) {
            program(i, w[i]);
        }
    }

    /**
     * Conductance drift after programming, as a power law: every programmable device's G becomes
     * G (t / 1 s)^-nu (t below 1 s: no drift). Stuck devices do not move.
     */
    public void drift(double seconds, double nu) {
        if (seconds <= 1 || nu == 0) {
            return;
        }
        float factor = (float) Math.pow(seconds, -nu);
        for (int i = 0; i < gPos.length; i++) {
            if (stuck[i] == 0) {
                gPos[i] *= factor;
            }
            if (stuck[gPos.length + i] == 0) {
                gNeg[i] *= factor;
            }
        }
        dirty = true;
    }

    /** The programmed conductances, G+ and G- (each out x k, microsiemens): a copy. */
    public float[][] conductances() {
        return new float[][]{gPos.clone(), gNeg.clone()};
    }

    /**
     * Sets every device to conductances taken by {@link #conductances} from a layer holding the same
     * weights with the same tile scales (another programming of the same chip, for instance one without
     * programming error); the scale factors stay.
     */
    public void setConductances(float[][] g) {
        if (g.length != 2 || g[0].length != gPos.length || g[1].length != gNeg.length) {
            throw new IllegalArgumentException("conductances of another shape than " + out + " x " + k);
        }
        System.arraycopy(g[0], 0, gPos, 0, gPos.length);
        System.arraycopy(g[1], 0, gNeg, 0, gNeg.length);
        dirty = true;
    }

    /** The tiles' scale factors (a copy). */
    public float[] tileScales() {
        return tileScale.clone();
    }

    /**
     * How much of its tile's conductance range each tile's largest weight needs: max |w| over the tile
     * divided by the largest weight the tile can hold (scale x range). 1/headroom right after a fresh
     * mapping; a chip-trained model's tiles drift from that as its weights grow or shrink in training,
     * and a programming error of fixed size in level spacings weighs more on weights that use less.
     */
    public float[] rangeUsed(float[] w) {
        float[] used = new float[tileScale.length];
        for (int i = 0; i < w.length; i++) {
            int t = tileOf(i);
            used[t] = Math.max(used[t], Math.abs(w[i]));
        }
        for (int t = 0; t < used.length; t++) {
            used[t] /= (float) tileLimit(t);
        }
        return used;
    }

    /** Weights larger in magnitude than their tile can hold (scale x range): their devices sit at the range's end. */
    public int beyondRange(float[] w) {
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            // the relative 1e-6: the largest weight of a fresh mapping is exactly at the end, up to float rounding
            if (Math.abs(w[i]) > tileLimit(tileOf(i)) * (1 + 1e-6)) {
                n++;
            }
        }
        return n;
    }

    /**
     * The largest weight magnitude weight {@code index}'s devices can hold (its tile's scale x the
     * conductance range); unbounded on ideal hardware, whose devices are continuous and unbounded.
     */
    public float holdable(int index) {
        return hw.ideal() ? Float.POSITIVE_INFINITY : (float) tileLimit(tileOf(index));
    }

    /** The largest weight tile t can hold, scale x range (what its devices saturate at). */
    private double tileLimit(int t) {
        return tileScale[t] * range();
    }

    /** The update threshold of one weight, in weight units: the configured number of level spacings. */
    public float threshold(int index) {
        return (float) (hw.write().thresholdLevels() * hw.device().levelSpacingUs() * tileScale[tileOf(index)]);
    }

    /**
     * Writes one weight: write-and-verify of both devices of its pair towards the target, each trial with
     * programming error, accepting a device within half a level spacing of its target, keeping the last
     * trial otherwise.
     */
    public void program(int index, float target) {
        HardwareSpec.DeviceSpec dev = hw.device();
        // an ideal device is continuous and unbounded (so that ideal hardware reproduces fp32);
        // a real one saturates at the top of its range
        double g = Math.abs(target) / tileScale[tileOf(index)];
        if (!hw.ideal()) {
            g = Math.min(g, range());
        }
        double spacing = dev.levelSpacingUs();
        if (dev.levels() > 1) {
            g = Math.round(g / spacing) * spacing;
        }
        double pos = dev.gMinUs() + (target >= 0 ? g : 0);
        double neg = dev.gMinUs() + (target >= 0 ? 0 : g);
        gPos[index] = writeDevice(index, pos, gainPos[index]);
        gNeg[index] = writeDevice(out * k + index, neg, gainNeg[index]);
        changed(index);
    }

    /** Notes that weight index's devices changed on the host. */
    private synchronized void changed(int index) {
        if (dirty) {
            return;
        }
        if (pendingCount == pending.length) {
            if (2 * pendingCount > out * k / 4) {
                dirty = true; // a large part of the layer: one whole upload is cheaper
                pendingCount = 0;
                return;
            }
            pending = java.util.Arrays.copyOf(pending, 2 * pendingCount);
        }
        pending[pendingCount++] = index;
    }

    /**
     * Element i of the write stream: {@code Philox.fillNormal(seed, writeStream, .., i, i + 1, 0f, 1f)}.
     * Writes draw one element after the other, and a Philox block holds four: the last block is kept
     * (one whole block per element had cost 3% of mp training).
     */
    private float writeNoise(long i) {
        if (i >>> 2 != writeBlock) {
            writeBlock = i >>> 2;
            Philox.block(seed, writeStream, writeBlock, writeWords);
            Philox.boxMuller(writeWords, writeNormals);
        }
        return 0f + 1f * writeNormals[(int) i & 3];
    }

    private float writeDevice(int device, double target, float gain) {
        HardwareSpec.DeviceSpec dev = hw.device();
        if (stuck[device] != 0) {
            return (float) (stuck[device] == 1 ? dev.gMinUs() : dev.gMaxUs());
        }
        double sigma = dev.programmingError() * dev.levelSpacingUs();
        double reached = target;
        for (int trial = 0; trial < hw.write().maxTrials(); trial++) {
            reached = target;
            if (sigma > 0) {
                reached = target + sigma * writeNoise(writeCounter++);
            }
            if (Math.abs(reached - target) <= dev.levelSpacingUs() / 2) {
                break;
            }
        }
        if (!hw.ideal()) {
            reached = Math.min(Math.max(reached, dev.gMinUs()), dev.gMaxUs());
        }
        return (float) (reached * gain);
    }

    /**
     * Sets the conductances of one weight's device pair directly (pulse-programmed devices, whose response
     * model computes where the pulses leave them). Stuck devices keep their stuck value.
     */
    public void setConductances(int index, float pos, float neg) {
        HardwareSpec.DeviceSpec dev = hw.device();
        gPos[index] = stuck[index] != 0 ? (float) (stuck[index] == 1 ? dev.gMinUs() : dev.gMaxUs()) : pos;
        int n = out * k + index;
        gNeg[index] = stuck[n] != 0 ? (float) (stuck[n] == 1 ? dev.gMinUs() : dev.gMaxUs()) : neg;
        changed(index);
    }

    /** The chip's seed and this layer's first Philox stream: streams streamBase .. streamBase + 3 are taken,
     *  streamBase + 4 .. streamBase + 14 are free for write rules; streamBase + 15 draws the noise of the
     *  exact reads that measure the aggregate model's clipping. */
    public long seed() {
        return seed;
    }

    public long streamBase() {
        return streamBase;
    }

    /** Whether device d is stuck (G+ of weight i is device i, its G- is device i + out * k). */
    public boolean isStuck(int device) {
        return stuck[device] != 0;
    }

    /** The weight the devices hold now (without read noise), host copy. */
    public float[] effectiveWeights() {
        float[] w = new float[out * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = (gPos[i] - gNeg[i]) * tileScale[tileOf(i)];
        }
        return w;
    }

    /** The scale factor (weight units per microsiemens) of the tile holding a weight. */
    public float scaleOf(int index) {
        return tileScale[tileOf(index)];
    }

    public float conductancePos(int index) {
        return gPos[index];
    }

    public float conductanceNeg(int index) {
        return gNeg[index];
    }

    /**
     * y (out x n) = an analog read of x (k x n, one input vector per column), in weight x input units.
     * Replicas of a network read the same devices concurrently; writes happen between passes.
     */
    @Override
    public void forward(Tensor x, int n, Tensor y, long pass, long firstColumn) {
        syncDevices();
        CrossbarParams p = readParams;
        long call;
        synchronized (clipTotal) {
            call = calls++;
        }
        long[] counts = new long[3];
        // each pass owns 2^40 draws of the read stream, each input vector of the batch a slice of them
        backend.crossbarForward(p, gPosT, gNegT, tileScaleT, out, k, x, n, y, seed, readStream, pass << 40,
                firstColumn, p.aggregateReads() ? null : counts);
        boolean probing;
        synchronized (clipTotal) {
            probing = auto && probeDone + probeRunning < AUTO_PROBE_CALLS;
            if (probing) {
                probeRunning++;
            }
        }
        boolean sample = p.aggregateReads() && p.adcBits() > 0 && (call % CLIP_SAMPLE_EVERY == 0 || probing);
        if (sample) {
            // a sample of the same reads, exactly, from a stream of its own (the aggregate reads' noise is unchanged)
            backend.crossbarClipSample(p, gPosT, gNegT, tileScaleT, out, k, x, n, CLIP_SAMPLE_VECTORS, seed,
                    streamBase + 15, (pass << 40) + (firstColumn << 25), counts);
        }
        boolean decided = false;
        synchronized (clipTotal) {
            for (int q = 0; q < 3; q++) {
                clipTotal[q] += counts[q];
                clipWindow[q] += counts[q];
            }
            long counted = !p.aggregateReads() ? n : sample ? Math.min(CLIP_SAMPLE_VECTORS, n) : 0;
            clipTotal[3] += n;
            clipWindow[3] += n;
            clipTotal[4] += counted;
            clipWindow[4] += counted;
            sampled |= p.aggregateReads();
            if (probing) {
                probeRunning--;
                for (int q = 0; q < 3; q++) {
                    probe[q] += counts[q];
                }
                if (++probeDone == AUTO_PROBE_CALLS) {
                    double f = probe[0] == 0 ? 0 : (double) probe[1] / probe[0];
                    boolean exact = f > AUTO_SATURATION_THRESHOLD;
                    autoDecision = String.format(java.util.Locale.ROOT, "%s: %.3g%% of %,d sampled conversions "
                                    + "saturated in the first %d reads (threshold %.3g%%)",
                            exact ? Chip.EXACT : Chip.AGGREGATE, 100 * f, probe[0], AUTO_PROBE_CALLS,
                            100 * AUTO_SATURATION_THRESHOLD);
                    if (exact) {
                        readParams = params.withAggregateReads(false);
                    }
                    decided = true;
                }
            }
        }
        Runnable r = onDecided;
        if (decided && r != null) {
            r.run();
        }
    }

    /** Called once when auto has decided this layer's read model (set by the chip). */
    volatile Runnable onDecided;

    /**
     * Read model auto: this layer starts with the aggregate model, samples the clipping of its first
     * {@link #AUTO_PROBE_CALLS} reads, and goes on with the exact model if more than
     * {@link #AUTO_SATURATION_THRESHOLD} of their conversions saturate.
     */
    public void enableAutoReadModel() {
        synchronized (clipTotal) {
            auto = params.aggregateReads();
        }
    }

    /** The read model in use now: "exact" or "aggregate". */
    public String readModel() {
        return readParams.aggregateReads() ? Chip.AGGREGATE : Chip.EXACT;
    }

    /** Auto's decision and its reason, or null (not auto, or the probe has not finished). */
    public String autoDecision() {
        synchronized (clipTotal) {
            return autoDecision;
        }
    }

    /**
     * The ADC's conversions counted so far: {conversions, saturated, below zero, vectors read, vectors
     * counted}, over every read (exact model) or the sampled ones (aggregate). With {@code window} those since the last window was taken
     * (and a new window starts), else since the layer was placed.
     */
    public long[] clipCounts(boolean window) {
        synchronized (clipTotal) {
            if (!window) {
                return clipTotal.clone();
            }
            long[] c = clipWindow.clone();
            java.util.Arrays.fill(clipWindow, 0);
            return c;
        }
    }

    /** Whether some of the counts since the layer was placed come from samples of aggregate reads. */
    public boolean clipSampled() {
        synchronized (clipTotal) {
            return sampled;
        }
    }

    /**
     * Copies the host's conductances to the backend's buffers after writes (once, whichever replica asks):
     * everything after a new mapping, drift or a restore; otherwise only the device pairs written since
     * the last sync and the scale factors when they moved.
     */
    synchronized void syncDevices() {
        if (dirty) {
            backend.upload(gPos, gPosT, gPos.length);
            backend.upload(gNeg, gNegT, gNeg.length);
            backend.upload(tileScale, tileScaleT, tileScale.length);
            dirty = false;
            scalesDirty = false;
            pendingCount = 0;
            return;
        }
        if (pendingCount > 0) {
            if (pendingValues.length < pendingCount) {
                pendingValues = new float[pending.length];
            }
            for (int j = 0; j < pendingCount; j++) {
                pendingValues[j] = gPos[pending[j]];
            }
            backend.scatter(pending, pendingValues, pendingCount, gPosT);
            for (int j = 0; j < pendingCount; j++) {
                pendingValues[j] = gNeg[pending[j]];
            }
            backend.scatter(pending, pendingValues, pendingCount, gNegT);
            pendingCount = 0;
        }
        if (scalesDirty) {
            backend.upload(tileScale, tileScaleT, tileScale.length);
            scalesDirty = false;
        }
    }

    /** The devices' conductances on the backend (G+, G-; out x k, microsiemens), as of the last sync. */
    Tensor devicePos() {
        return gPosT;
    }

    Tensor deviceNeg() {
        return gNegT;
    }

    /** The update threshold of every tile, in weight units (see {@link #threshold}). */
    float[] tileThresholds(float[] into) {
        double levels = hw.write().thresholdLevels() * hw.device().levelSpacingUs();
        for (int t = 0; t < tileScale.length; t++) {
            into[t] = (float) (levels * tileScale[t]);
        }
        return into;
    }
}
