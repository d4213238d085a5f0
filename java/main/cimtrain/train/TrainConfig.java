package cimtrain.train;

import cimtrain.util.UserError;

/** Everything that defines a training run, as given on the command line. */
public record TrainConfig(String model, double width, String dataset, String mode, int epochs, int batch,
                          String optimizer, float lr, float momentum, float weightDecay, String schedule,
                          int patience, long seed, int evalBatch, int stepsPerEpoch,
                          String readModel) {
    /**
     * fp32: software; mp: the paper's threshold-accumulated writes; mp-pulse: accumulated updates written
     * as device pulses (n = trunc(acc / eps)) through the hardware's pulse response; direct: every update
     * written at once;
     * qat: software training with weights fake-quantised to the chip's levels.
     */
    public static final java.util.List<String> MODES = java.util.List.of("fp32", "mp", "mp-pulse", "direct", "qat");

    /** The most samples one epoch draws (its shuffled order is held whole, 4 bytes a sample). */
    public static final long MAX_SAMPLES_PER_EPOCH = 1L << 28;

    /** True for the modes that need a hardware description. */
    public boolean needsHardware() {
        return !mode.equals("fp32");
    }

    /** True for the modes whose forward products run on simulated crossbars. */
    public boolean onChip() {
        return mode.equals("mp") || mode.equals("mp-pulse") || mode.equals("direct");
    }

    /** Rejects impossible values with one clear line each. */
    public TrainConfig {
        if (epochs < 1) {
            throw new UserError("--epochs must be at least 1, got " + epochs);
        }
        if (batch < 1) {
            throw new UserError("--batch must be at least 1, got " + batch);
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw new UserError("--lr must be a positive number, got " + lr);
        }
        if (!(width > 0) || width > 64) {
            throw new UserError("--width must be in (0, 64], got " + width);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new UserError("--momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new UserError("--weight-decay must be a number >= 0, got " + weightDecay);
        }
        if (patience < 1) {
            throw new UserError("--patience must be at least 1, got " + patience);
        }
        if (stepsPerEpoch < 0) {
            throw new UserError("--steps-per-epoch must be >= 0 (0: one pass over the training set), got " + stepsPerEpoch);
        }
        if ((long) stepsPerEpoch * batch > MAX_SAMPLES_PER_EPOCH) {
            throw new UserError("--steps-per-epoch " + stepsPerEpoch + " x --batch " + batch + " is more than the "
                    + MAX_SAMPLES_PER_EPOCH + " samples an epoch may draw");
        }
        if (evalBatch < 1) {
            throw new UserError("--eval-batch must be at least 1, got " + evalBatch);
        }
        if (!MODES.contains(mode)) {
            throw new UserError("--mode must be one of " + String.join(", ", MODES) + ", got '" + mode + "'");
        }
        if (!cimtrain.tile.Chip.READ_MODELS.contains(readModel)) {
            throw new UserError("--read-model must be one of " + String.join(", ", cimtrain.tile.Chip.READ_MODELS)
                    + ", got '" + readModel + "'");
        }
        if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
            throw new UserError("--optimizer must be adamw or sgd, got '" + optimizer + "'");
        }
        if (!schedule.equals("constant") && !schedule.equals("plateau") && !schedule.equals("cosine")) {
            throw new UserError("--schedule must be constant, plateau or cosine, got '" + schedule + "'");
        }
    }
}
