package cimtrain.train;

import cimtrain.util.SettingError;

/**
 * Everything that defines a training run. Its checks name each setting by its key ("lr",
 * "steps-per-epoch"), which the command line shows as its flag.
 */
public record TrainConfig(String model, double width, String dataset, Mode mode, int epochs, int batch,
                          String optimizer, float lr, float momentum, float weightDecay, String schedule,
                          int patience, long seed, int evalBatch, int stepsPerEpoch,
                          String readModel) {
    /** The labels of the training modes ({@link Mode}), in their order. */
    public static final java.util.List<String> MODES = Mode.labels();

    /** The most samples one epoch draws (its shuffled order is held whole, 4 bytes a sample). */
    public static final long MAX_SAMPLES_PER_EPOCH = 1L << 28;

    /** True for the modes that need a hardware description. */
    public boolean needsHardware() {
        return mode.needsHardware();
    }

    /** True for the modes whose forward products run on simulated crossbars. */
    public boolean onChip() {
        return mode.onChip();
    }

    /** Rejects impossible values with one clear line each. */
    public TrainConfig {
        if (epochs < 1) {
            throw SettingError.of("epochs", " must be at least 1, got " + epochs);
        }
        if (batch < 1) {
            throw SettingError.of("batch", " must be at least 1, got " + batch);
        }
        if (!(lr > 0) || Float.isInfinite(lr)) {
            throw SettingError.of("lr", " must be a positive number, got " + lr);
        }
        if (!(width > 0) || width > 64) {
            throw SettingError.of("width", " must be in (0, 64], got " + width);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw SettingError.of("momentum", " must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw SettingError.of("weight-decay", " must be a number >= 0, got " + weightDecay);
        }
        if (patience < 1) {
            throw SettingError.of("patience", " must be at least 1, got " + patience);
        }
        if (stepsPerEpoch < 0) {
            throw SettingError.of("steps-per-epoch", " must be >= 0 (0: one pass over the training set), got " + stepsPerEpoch);
        }
        if ((long) stepsPerEpoch * batch > MAX_SAMPLES_PER_EPOCH) {
            throw new SettingError(name -> name.apply("steps-per-epoch") + " " + stepsPerEpoch + " x " + name.apply("batch")
                    + " " + batch + " is more than the " + MAX_SAMPLES_PER_EPOCH + " samples an epoch may draw");
        }
        if (evalBatch < 1) {
            throw SettingError.of("eval-batch", " must be at least 1, got " + evalBatch);
        }
        if (mode == null) {
            throw SettingError.of("mode", " must be one of " + String.join(", ", MODES) + ", got none");
        }
        if (!cimtrain.tile.Chip.READ_MODELS.contains(readModel)) {
            throw SettingError.of("read-model", " must be one of " + String.join(", ", cimtrain.tile.Chip.READ_MODELS)
                    + ", got '" + readModel + "'");
        }
        if (!optimizer.equals("adamw") && !optimizer.equals("sgd")) {
            throw SettingError.of("optimizer", " must be adamw or sgd, got '" + optimizer + "'");
        }
        if (!schedule.equals("constant") && !schedule.equals("plateau") && !schedule.equals("cosine")) {
            throw SettingError.of("schedule", " must be constant, plateau or cosine, got '" + schedule + "'");
        }
    }
}
