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
 * <p>The buffer and W_FP stay on the backend (the GPU, there); each step the backend accumulates and
 * compares in one pass ({@link Backend#thresholdAccumulate}) and hands back only the weights to write,
 * which the host programs in index order (their write noise is drawn in that order on every backend).
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
    // direct: what the devices of each written weight hold; clip: the clipped targets, at clippedIndex
    private float[] held = new float[16];
    private int[] clippedIndex = new int[16];

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
        int out = crossbar.out, k = crossbar.k, rows = crossbar.params.tileRows(), cols = crossbar.params.tileOutputs();
        if (scales != null) {
            // the factors move first (from this step's gradient); W_FP follows what the tiles now hold
            be.scaleByTile(out, k, rows, cols, p.value(), scales.step(be, p.grad));
        }
        be.thresholdAccumulate(out, k, rows, cols, d, accumulated, p.value(), crossbar.tileThresholds(tileThreshold),
                direct, written);
        updates += written.updates();
        int n = written.count();
        boolean clip = !direct && crossbar.hw.write().clipTarget();
        if ((direct || clip) && held.length < n) {
            held = new float[Math.max(n, 2 * held.length)];
            clippedIndex = new int[held.length];
        }
        int clipped = 0;
        for (int j = 0; j < n; j++) {
            int i = written.index(j);
            float target = written.target(j);
            if (clip) {
                float bound = crossbar.holdable(i);
                if (Math.abs(target) > bound) {
                    // W_FP already took the requested target on the backend; it gets the clipped one below
                    target = Math.copySign(bound, target);
                    clippedIndex[clipped] = i;
                    held[clipped++] = target;
                }
            }
            crossbar.program(i, target);
            writes[i]++;
            if (direct) {
                held[j] = (crossbar.conductancePos(i) - crossbar.conductanceNeg(i)) * crossbar.scaleOf(i);
            }
        }
        if (direct) {
            be.scatter(written.indexArray(), held, n, p.value());
        } else if (clipped > 0) {
            be.scatter(clippedIndex, held, clipped, p.value());
        }
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
