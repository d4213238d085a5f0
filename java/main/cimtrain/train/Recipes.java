package cimtrain.train;

/**
 * The seed paper's training recipes as named settings (paper-spec.md), so that an experiment says which
 * recipe it trains with instead of repeating sixteen positional values. Both use AdamW with momentum 0.9
 * and weight decay 0.01, batch 64 and test batches of 256.
 */
public final class Recipes {
    /** Images per training step, both recipes. */
    public static final int BATCH = 64;
    /** Images per test batch, both recipes (it changes no figure, only memory and speed). */
    public static final int EVAL_BATCH = 256;
    public static final String OPTIMIZER = "adamw";
    /** The LeNet recipe's learning rate, held constant. */
    public static final float LENET_LR = 0.004f;
    /** The VGG-8 and ResNet-18 recipe's learning rate, halved after {@code patience} epochs without test gain. */
    public static final float CIFAR_LR = 0.003f;
    public static final String CIFAR_SCHEDULE = "plateau";
    private static final float MOMENTUM = 0.9f;
    private static final float WEIGHT_DECAY = 0.01f;
    /** Unused by the constant schedule; TrainConfig still needs a valid value. */
    private static final int UNUSED_PATIENCE = 5;

    private Recipes() {
    }

    /**
     * lenet-paper on the embedded digits (mnist-10k), full width, constant rate 0.004.
     *
     * @param stepsPerEpoch batches per epoch (the paper: 400 random batches; 0: one pass)
     */
    public static TrainConfig lenet(Mode mode, int epochs, int stepsPerEpoch, long seed, String readModel) {
        return new TrainConfig("lenet-paper", 1.0, "mnist-10k", mode, epochs, BATCH, OPTIMIZER, LENET_LR, MOMENTUM,
                WEIGHT_DECAY, "constant", UNUSED_PATIENCE, seed, EVAL_BATCH, stepsPerEpoch, readModel);
    }

    /** VGG-8 or ResNet-18 on CIFAR-sized images: rate 0.003 halved on a plateau, one pass over the data per epoch. */
    public static TrainConfig cifar(String model, double width, String dataset, Mode mode, int epochs, int patience,
                                    long seed, String readModel) {
        return new TrainConfig(model, width, dataset, mode, epochs, BATCH, OPTIMIZER, CIFAR_LR, MOMENTUM, WEIGHT_DECAY,
                CIFAR_SCHEDULE, patience, seed, EVAL_BATCH, 0, readModel);
    }
}
