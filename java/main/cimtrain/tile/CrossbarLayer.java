package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.CrossbarParams;
import cimtrain.backend.Tensor;
import cimtrain.backend.TileGrid;
import cimtrain.hardware.HardwareSpec;

/**
 * One layer's weight matrix (out x k) on a grid of tiles, as the rest of the code sees it: programmed,
 * read, saved. Its parts each have one job: {@link DevicePairs} (the devices, as fabricated and as
 * programmed), {@link TileScales} (the mapping of weights to conductances, one scale per tile),
 * {@link WriteAndVerify} (programming one weight), {@link DeviceSync} (the backend's copy of the devices)
 * and {@link ReadClipping} (the ADC's clipping, and read model auto). Reads go through
 * {@link Backend#crossbarForward}; the update rules ({@link ThresholdWriteRule}, {@code pulse.PulseWriteRule})
 * write through {@link #program} and {@link #setConductances(int, float, float)}.
 */
public final class CrossbarLayer implements cimtrain.nn.WeightReader {
    public final HardwareSpec hw;
    /** The read model this layer was placed with; {@link #readModel} says which one is in use. */
    public final CrossbarParams params;
    /** Input vectors of a call read exactly as well, to measure clipping under the aggregate model. */
    public static final int CLIP_SAMPLE_VECTORS = 64;
    /** Under the aggregate model, every this many forward passes (from the layer's first) are sampled. */
    public static final int CLIP_SAMPLE_EVERY = 16;
    /** Auto: the first this many forward passes (batches) are all sampled, and decide the read model. */
    public static final int AUTO_PROBE_PASSES = 4;
    /** Auto: the aggregate model is kept only where at most this fraction of the probe's conversions saturate. */
    public static final double AUTO_SATURATION_THRESHOLD = 1e-3;
    public final int out;
    public final int k;
    private final Backend backend;
    private final long seed;
    private final long streamBase;
    private final DevicePairs devices;
    private final TileScales scales;
    private final WriteAndVerify writer;
    private final DeviceSync sync;
    private final ReadClipping clipping;

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
        HardwareSpec.DeviceSpec dev = hw.device();
        this.params = new CrossbarParams(hw.tile().rows(), hw.outputsPerTile(), hw.dac().bits(), hw.dac().bitSerial(),
                hw.adc().bits(), hw.adc().lsbUa(), hw.adc().noiseLsb(), hw.adc().clip(),
                dev.readNoise() * dev.levelSpacingUs(), hw.readVoltage(), aggregateReads, hw.adc().differential(),
                hw.adc().offsetCancel(), dev.gMinUs());
        // fixed per-device properties, drawn once from their own streams ("the chip as fabricated")
        this.devices = new DevicePairs(dev, out * k, seed, streamBase + 2);
        this.scales = new TileScales(hw, params.grid(out, k));
        this.writer = new WriteAndVerify(hw, devices, scales, seed, streamBase + 1);
        this.sync = new DeviceSync(backend, devices, scales);
        this.clipping = new ReadClipping(params);
    }

    /** The tile (row tile x column tiles + column tile) holding weight {@code index} of the out x k matrix. */
    public int tileOf(int index) {
        return scales.grid.tileOf(index);
    }

    /** The layer's tiles. */
    public TileGrid grid() {
        return scales.grid;
    }

    /** Tiles, and so scale factors (with granularity layer they all hold the same value). */
    public int tiles() {
        return scales.tiles();
    }

    /**
     * Saves the devices' programmed state for a checkpoint: G+ and G- (out x k, microsiemens), the tiles'
     * scale factors and the write-noise counter, then the read model's state. The fixed per-device gains
     * and stuck devices are drawn from the seed again when the chip is rebuilt.
     */
    public void saveState(cimtrain.io.Hdf5Group g) {
        g.putFloats("g_pos_us", devices.gPos, out, k);
        g.putFloats("g_neg_us", devices.gNeg, out, k);
        g.putFloats("tile_scale", scales.scale);
        g.putScalar("write_counter", writer.counter);
        clipping.saveState(g);
    }

    /** Restores {@link #saveState}. */
    public void loadState(cimtrain.io.Hdf5Reader r, String path) {
        System.arraycopy(r.floats(path + "/g_pos_us", out, k), 0, devices.gPos, 0, devices.size);
        System.arraycopy(r.floats(path + "/g_neg_us", out, k), 0, devices.gNeg, 0, devices.size);
        System.arraycopy(r.floats(path + "/tile_scale", scales.tiles()), 0, scales.scale, 0, scales.tiles());
        writer.counter = r.longScalar(path + "/write_counter");
        clipping.loadState(r, path);
        // the devices as saved: the read model's saved state already knows of every write before it
        written = false;
        sync.allChanged();
    }

    /** Multiplies one tile's scale factor (a trainable scale's update): its weights scale with it. */
    public void rescale(int tile, float factor) {
        scales.scale[tile] *= factor;
        written = true;
        sync.scalesChanged();
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
        scales.map(w, headroom);
        programEvery(w);
    }

    /**
     * Programs every weight with given tile scale factors (moving a trained model to another chip: the
     * conductance targets it was trained with, not a new mapping).
     */
    public void programAll(float[] w, float[] tileScales) {
        scales.set(tileScales);
        programEvery(w);
    }

    private void programEvery(float[] w) {
        sync.allChanged();
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
        devices.scaleProgrammable((float) Math.pow(seconds, -nu));
        sync.allChanged();
    }

    /** The programmed conductances, G+ and G- (each out x k, microsiemens): a copy. */
    public float[][] conductances() {
        return new float[][]{devices.gPos.clone(), devices.gNeg.clone()};
    }

    /**
     * Sets every device to conductances taken by {@link #conductances} from a layer holding the same
     * weights with the same tile scales (another programming of the same chip, for instance one without
     * programming error); the scale factors stay.
     */
    public void setConductances(float[][] g) {
        if (g.length != 2 || g[0].length != devices.size || g[1].length != devices.size) {
            throw new IllegalArgumentException("conductances of another shape than " + out + " x " + k);
        }
        System.arraycopy(g[0], 0, devices.gPos, 0, devices.size);
        System.arraycopy(g[1], 0, devices.gNeg, 0, devices.size);
        sync.allChanged();
    }

    /** The tiles' scale factors (a copy). */
    public float[] tileScales() {
        return scales.scale.clone();
    }

    /**
     * How much of its tile's conductance range each tile's largest weight needs: max |w| over the tile
     * divided by the largest weight the tile can hold (scale x range). 1/headroom right after a fresh
     * mapping; a chip-trained model's tiles drift from that as its weights grow or shrink in training,
     * and a programming error of fixed size in level spacings weighs more on weights that use less.
     */
    public float[] rangeUsed(float[] w) {
        return scales.rangeUsed(w);
    }

    /** Weights larger in magnitude than their tile can hold (scale x range): their devices sit at the range's end. */
    public int beyondRange(float[] w) {
        return scales.beyondRange(w);
    }

    /**
     * The largest weight magnitude weight {@code index}'s devices can hold (its tile's scale x the
     * conductance range); unbounded on ideal hardware, whose devices are continuous and unbounded.
     */
    public float holdable(int index) {
        return hw.ideal() ? Float.POSITIVE_INFINITY : (float) scales.limit(tileOf(index));
    }

    /** Writes one weight's device pair towards target ({@link WriteAndVerify}). */
    public void program(int index, float target) {
        writer.program(index, target);
        written = true;
        sync.changed(index);
    }

    /**
     * Sets the conductances of one weight's device pair directly (pulse-programmed devices, whose response
     * model computes where the pulses leave them). Stuck devices keep their stuck value.
     */
    public void setConductances(int index, float pos, float neg) {
        devices.setKeepingStuck(index, pos, neg);
        written = true;
        sync.changed(index);
    }

    /**
     * Whether weights were written since the last read began (read model auto probes again after writes).
     * Writes happen between passes, so every read of a pass sees the same value until the first clears it.
     */
    private volatile boolean written;

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
        return devices.isStuck(device);
    }

    /** The weight the devices hold now (without read noise), host copy. */
    public float[] effectiveWeights() {
        float[] w = new float[out * k];
        for (int i = 0; i < w.length; i++) {
            w[i] = heldWeight(i);
        }
        return w;
    }

    /** The weight weight {@code index}'s devices hold now (without read noise). */
    public float heldWeight(int index) {
        return devices.difference(index) * scales.of(index);
    }

    /** The scale factor (weight units per microsiemens) of the tile holding a weight. */
    public float scaleOf(int index) {
        return scales.of(index);
    }

    public float conductancePos(int index) {
        return devices.gPos[index];
    }

    public float conductanceNeg(int index) {
        return devices.gNeg[index];
    }

    /**
     * y (out x n) = an analog read of x (k x n, one input vector per column), in weight x input units.
     * Replicas of a network read the same devices concurrently; writes happen between passes.
     */
    @Override
    public void forward(Tensor x, int n, Tensor y, long pass, long firstColumn) {
        sync.sync();
        boolean w = written;
        if (w) {
            written = false;
        }
        ReadClipping.Call call = clipping.begin(pass, w);
        CrossbarParams p = call.params();
        long[] counts = new long[3];
        // each pass owns 2^40 draws of the read stream, each input vector of the batch a slice of them
        backend.crossbarForward(p, sync.gPos, sync.gNeg, sync.tileScale, out, k, x, n, y, seed, streamBase, pass << 40,
                firstColumn, p.aggregateReads() ? null : counts);
        if (call.sample()) {
            // a sample of the same reads, exactly, from a stream of its own (the aggregate reads' noise is unchanged)
            backend.crossbarClipSample(p, sync.gPos, sync.gNeg, sync.tileScale, out, k, x, n, CLIP_SAMPLE_VECTORS, seed,
                    streamBase + 15, (pass << 40) + (firstColumn << 25), counts);
        }
        clipping.end(call, counts, n);
        Runnable r = onDecided;
        if (call.decided() && r != null) {
            r.run();
        }
        java.util.function.Consumer<String> s = onSwitched;
        if (call.switched() != null && s != null) {
            s.accept(call.switched());
        }
    }

    /** Called once when auto has decided this layer's read model (set by the chip). */
    volatile Runnable onDecided;
    /** Called with auto's new decision when a later probe switches the layer to the exact model (set by the chip). */
    volatile java.util.function.Consumer<String> onSwitched;

    /**
     * Read model auto: this layer starts with the aggregate model, samples the clipping of its first
     * {@link #AUTO_PROBE_PASSES} forward passes, and goes on with the exact model if more than
     * {@link #AUTO_SATURATION_THRESHOLD} of their conversions saturate. Once training has written the devices
     * it probes again on every {@link #AUTO_PROBE_PASSES} sampled passes, and switches to the exact model
     * the first time such a probe finds the same ({@link ReadClipping}).
     */
    public void enableAutoReadModel() {
        clipping.enableAuto();
    }

    /** The read model in use now: "exact" or "aggregate". */
    public String readModel() {
        return clipping.current().aggregateReads() ? Chip.AGGREGATE : Chip.EXACT;
    }

    /** Auto's decision and its reason, or null (not auto, or the probe has not finished). */
    public String autoDecision() {
        return clipping.autoDecision();
    }

    /**
     * The ADC's conversions counted so far: {conversions, saturated, below zero, vectors read, vectors
     * counted}, over every read (exact model) or the sampled ones (aggregate). With {@code window} those
     * since the last window was taken (and a new window starts), else since the layer was placed.
     */
    public long[] clipCounts(boolean window) {
        return clipping.counts(window);
    }

    /** {@link #clipCounts} apart for the reads made with the aggregate model ([0]) and the exact one ([1]). */
    public long[][] clipCountsByReadModel(boolean window) {
        return clipping.countsByReadModel(window);
    }

    /** The batch (counted from the layer's first read) from which a later probe of auto made it read exactly; 0: none. */
    public long exactFromBatch() {
        return clipping.switchedAtBatch();
    }

    /** Whether some of the counts since the layer was placed come from samples of aggregate reads. */
    public boolean clipSampled() {
        return clipping.sampled();
    }

    /** Sends host changes to the backend's copy before it is used outside a read (a trainable scale's gradient). */
    void syncDevices() {
        sync.sync();
    }

    /** The devices' conductances on the backend (G+, G-; out x k, microsiemens), as of the last sync. */
    Tensor devicePos() {
        return sync.gPos;
    }

    Tensor deviceNeg() {
        return sync.gNeg;
    }

    /** The tiles' scale factors on the host, for a write rule's per-tile thresholds (not a copy: read only). */
    float[] hostTileScales() {
        return scales.scale;
    }
}
