package cimtrain.tile;

import cimtrain.backend.Backend;
import cimtrain.backend.Tensor;
import cimtrain.backend.WriteList;
import cimtrain.nn.Parameter;

/**
 * The seed paper's mixed-precision update of a weight matrix on a crossbar: every optimizer update is
 * accumulated in a high-precision buffer; a weight's devices are written (write-and-verify towards
 * W_FP + accumulated) only when the accumulated update reaches the threshold; then W_FP takes the
 * target and the buffer of that weight resets. The parameter's value is W_FP, which the digital
 * backward pass uses.
 *
 * <p>One step ({@link #apply}) in order: (1) trainable scales move first ({@link ScaleTrainer});
 * (2) the backend accumulates and compares every weight in one pass ({@link Backend#thresholdAccumulate};
 * the buffer and W_FP stay there, on the GPU with CUDA) and hands back only the weights to write, in
 * index order; (3) this rule programs them, in that order (so their write noise is drawn in the same
 * order on every backend): {@link CrossbarLayer#program}, write-and-verify; (4) where W_FP must differ
 * from the target the backend chose (direct: what the devices hold; clipped targets), the corrected
 * values go back to the backend in one scatter.
 *
 * <p>With {@code direct} there is neither accumulation nor a high-precision copy: every update is
 * written at once and the weight is whatever the devices then hold (the paper's 77.8% baseline).
 */
public final class ThresholdWriteRule extends WriteCounting implements Parameter.UpdateRule {
    private final CrossbarLayer crossbar;
    private final Parameter weight;
    private final boolean direct;
    private final Tensor accumulated;
    private final ScaleTrainer scales;
    private final WriteList written = new WriteList();
    private final float[] tileThreshold;
    // the W_FP corrections of step (4): their weights and values
    private int[] correctedIndex = new int[16];
    private float[] corrected = new float[16];

    /**
     * @param weight the parameter whose value is W_FP (the devices are already programmed from it); in
     *               direct mode its value becomes what the devices hold
     */
    public ThresholdWriteRule(CrossbarLayer crossbar, Parameter weight, boolean direct) {
        super((int) weight.size);
        this.crossbar = crossbar;
        this.weight = weight;
        this.direct = direct;
        this.accumulated = weight.backend().allocate(weight.size);
        this.scales = crossbar.hw.scale().trainable() ? new ScaleTrainer(crossbar) : null;
        this.tileThreshold = new float[crossbar.tiles()];
        if (direct) {
            weight.write(crossbar.effectiveWeights());
        }
    }

    @Override
    public void apply(Parameter p, Tensor d) {
        if (p.value() != weight.value()) {
            throw new IllegalStateException("rule of " + weight.name + " applied to " + p.name);
        }
        Backend be = p.backend();
        if (scales != null) {
            // the factors move first (from this step's gradient); W_FP follows what the tiles now hold
            be.scaleByTile(crossbar.grid(), p.value(), scales.step(be, p.grad));
        }
        be.thresholdAccumulate(crossbar.grid(), d, accumulated, p.value(), tileThresholds(), direct, written);
        updates += written.updates();
        int n = programWritten();
        if (n > 0) {
            be.scatter(correctedIndex, corrected, n, p.value());
        }
    }

    /** The update threshold of one weight, in weight units: see {@link #thresholdOf}. */
    public float threshold(int index) {
        return thresholdOf(crossbar.scaleOf(index));
    }

    /** The update threshold of every tile (the configured number of level spacings), in weight units. */
    private float[] tileThresholds() {
        float[] scale = crossbar.hostTileScales();
        for (int t = 0; t < tileThreshold.length; t++) {
            tileThreshold[t] = thresholdOf(scale[t]);
        }
        return tileThreshold;
    }

    /** The configured number of level spacings, in the weight units of a tile of this scale. */
    private float thresholdOf(float scale) {
        return (float) (crossbar.hw.write().thresholdLevels() * crossbar.hw.device().levelSpacingUs() * scale);
    }

    /**
     * Programs the listed weights in index order, each towards its target (clipped to what its devices
     * can hold when the hardware says so), counting the writes.
     *
     * @return how many W_FP corrections were listed: every weight written in direct mode (what its
     * devices now hold), else those whose target was clipped (W_FP already took the requested target
     * on the backend; it gets the clipped one)
     */
    private int programWritten() {
        int n = written.count();
        boolean clip = !direct && crossbar.hw.write().clipTarget();
        if ((direct || clip) && corrected.length < n) {
            corrected = new float[Math.max(n, 2 * corrected.length)];
            correctedIndex = new int[corrected.length];
        }
        int corrections = 0;
        for (int j = 0; j < n; j++) {
            int i = written.index(j);
            float target = written.target(j);
            if (clip) {
                float bound = crossbar.holdable(i);
                if (Math.abs(target) > bound) {
                    target = Math.copySign(bound, target);
                    correctedIndex[corrections] = i;
                    corrected[corrections++] = target;
                }
            }
            crossbar.program(i, target);
            writes[i]++;
            if (direct) {
                correctedIndex[corrections] = i;
                corrected[corrections++] = crossbar.heldWeight(i);
            }
        }
        return corrections;
    }

    @Override
    protected void saveRule(cimtrain.io.Hdf5Group g) {
        g.putFloats("accumulated", accumulated());
        g.putFloats("w_fp", weight.read());
        if (scales != null) {
            scales.saveState(g.group("scale"));
        }
    }

    @Override
    protected void loadRule(cimtrain.io.Hdf5Reader r, String path) {
        float[] acc = r.floats(path + "/accumulated", (int) weight.size);
        weight.backend().upload(acc, accumulated, acc.length);
        weight.write(r.floats(path + "/w_fp", (int) weight.size));
        if (scales != null) {
            scales.loadState(r, path + "/scale");
        }
    }

    /** The accumulated, not yet written update of each weight (a host copy). */
    public float[] accumulated() {
        float[] a = new float[(int) weight.size];
        weight.backend().download(accumulated, a, a.length);
        return a;
    }
}
