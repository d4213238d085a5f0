package cimtrain.nn;

import cimtrain.backend.Tensor;

import java.util.List;

/**
 * Batch normalisation per channel over (batch, height, width), PyTorch's defaults: eps 1e-5,
 * momentum 0.1, gamma 1, beta 0. Training uses batch statistics, evaluation the running ones.
 */
public final class BatchNorm2d extends Layer {
    private final float eps;
    private final float momentum;
    private Parameter gamma;
    private Parameter beta;
    private Tensor runMean;
    private Tensor runVar;
    private Tensor saveMean;
    private Tensor saveInvStd;
    private Tensor input;
    private Tensor y;
    private Tensor dx;
    /** Training passes since {@link #startRecalibration}, or -1 while the running statistics follow momentum. */
    private int recalibrationPasses = -1;

    public BatchNorm2d(float eps, float momentum) {
        this.eps = eps;
        this.momentum = momentum;
    }

    @Override
    public Shape outputShape(Shape in) {
        return in;
    }

    /** gamma and beta, one each per channel (the running statistics are state, not parameters). */
    @Override
    public long parameterCount() {
        return 2L * in.channels();
    }

    @Override
    protected void allocate(Init init) {
        int c = in.channels();
        gamma = new Parameter(backend, "gamma", Parameter.Kind.NORM, c);
        beta = new Parameter(backend, "beta", Parameter.Kind.NORM, c);
        backend.fill(gamma.value(), c, 1f);
        runMean = backend.allocate(c);
        runVar = backend.allocate(c);
        backend.fill(runVar, c, 1f);
        saveMean = backend.allocate(c);
        saveInvStd = backend.allocate(c);
        y = backend.allocate((long) capacity * in.size());
        dx = backend.allocate((long) capacity * in.size());
    }

    /** Running mean and variance (checkpoints need them). */
    public Tensor[] runningStats() {
        return new Tensor[]{runMean, runVar};
    }

    /**
     * From now on each training pass makes the running statistics the plain average over the passes since
     * this call (momentum 1/k on pass k, as PyTorch's momentum=None): the first pass replaces what was there.
     */
    public void startRecalibration() {
        recalibrationPasses = 0;
    }

    /** Back to momentum updates of the running statistics. */
    public void endRecalibration() {
        recalibrationPasses = -1;
    }

    @Override
    public Tensor forward(Tensor x, int batch, boolean training) {
        input = x;
        if (training) {
            float m = recalibrationPasses < 0 ? momentum : 1f / ++recalibrationPasses;
            backend.batchNormTrain(x, batch, in.channels(), in.spatial(), gamma.value(), beta.value(), eps, m,
                    runMean, runVar, saveMean, saveInvStd, y);
        } else {
            backend.batchNormEval(x, batch, in.channels(), in.spatial(), gamma.value(), beta.value(), eps,
                    runMean, runVar, y);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy, int batch, boolean needInputGrad) {
        backend.batchNormBackward(input, dy, batch, in.channels(), in.spatial(), gamma.value(), saveMean, saveInvStd,
                needInputGrad ? dx : null, gamma.grad, beta.grad);
        return needInputGrad ? dx : null;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(gamma, beta);
    }

    @Override
    public String describe() {
        return "batchnorm " + (in == null ? "?" : in.channels());
    }
}
