package cimtrain.tile;

import cimtrain.nn.Parameter;
import cimtrain.backend.Tensor;

/**
 * The seed paper's mixed-precision update of a weight matrix on a crossbar: every optimizer update is
 * accumulated in a high-precision buffer; a weight's devices are written (write-and-verify towards
 * W_FP + accumulated) only when the accumulated update reaches the threshold; then W_FP takes the
 * target and the buffer of that weight resets. The parameter's value is W_FP, which the digital
 * backward pass uses.
 *
 * <p>With {@code direct} there is neither accumulation nor a high-precision copy: every update is
 * written at once and the weight is whatever the devices then hold (the paper's 77.8% baseline).
 */
public final class ThresholdWriteRule extends WriteCounting implements Parameter.UpdateRule {
    private final CrossbarLayer crossbar;
    private final boolean direct;
    private final float[] accumulated;
    private final float[] wfp;
    private final float[] delta;
    private final ScaleTrainer scales;
    private final float[] grad;

    public ThresholdWriteRule(CrossbarLayer crossbar, float[] initialWeights, boolean direct) {
        super(initialWeights.length);
        this.crossbar = crossbar;
        this.direct = direct;
        this.wfp = initialWeights.clone();
        this.accumulated = new float[wfp.length];
        this.delta = new float[wfp.length];
        this.scales = crossbar.hw.scale().trainable() ? new ScaleTrainer(crossbar) : null;
        this.grad = scales != null ? new float[wfp.length] : null;
        if (direct) {
            float[] held = crossbar.effectiveWeights();
            System.arraycopy(held, 0, wfp, 0, wfp.length);
        }
    }

    @Override
    public void apply(Parameter p, Tensor d) {
        float[] dh = delta;
        p.backend().download(d, dh, dh.length);
        if (scales != null) {
            // the factors move first (from this step's gradient); W_FP follows what the tiles now hold
            p.backend().download(p.grad, grad, grad.length);
            float[] factors = scales.step(grad);
            for (int i = 0; i < wfp.length; i++) {
                wfp[i] *= factors[crossbar.tileOf(i)];
            }
        }
        for (int i = 0; i < dh.length; i++) {
            if (dh[i] == 0f) {
                continue;
            }
            updates++;
            accumulated[i] += dh[i];
            if (!direct && Math.abs(accumulated[i]) < crossbar.threshold(i)) {
                continue;
            }
            float target = wfp[i] + accumulated[i];
            crossbar.program(i, target);
            writes[i]++;
            accumulated[i] = 0f;
            wfp[i] = direct ? (crossbar.conductancePos(i) - crossbar.conductanceNeg(i)) * crossbar.scaleOf(i) : target;
        }
        p.write(wfp);
    }

    @Override
    protected void saveRule(cimtrain.io.Hdf5Group g) {
        g.putFloats("accumulated", accumulated);
        g.putFloats("w_fp", wfp);
        if (scales != null) {
            scales.saveState(g.group("scale"));
        }
    }

    @Override
    protected void loadRule(cimtrain.io.Hdf5Reader r, String path) {
        System.arraycopy(r.floats(path + "/accumulated", accumulated.length), 0, accumulated, 0, accumulated.length);
        System.arraycopy(r.floats(path + "/w_fp", wfp.length), 0, wfp, 0, wfp.length);
        if (scales != null) {
            scales.loadState(r, path + "/scale");
        }
    }

    /** The accumulated, not yet written update of each weight. */
    public float[] accumulated() {
        return accumulated;
    }
}
