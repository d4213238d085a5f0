package cimtrain.optim;

/** Cosine annealing from the base rate to zero over all training steps, updated every step. */
public final class CosineSchedule implements Schedule {
    private final float base;
    private final int epochs;

    public CosineSchedule(float base, int epochs) {
        this.base = base;
        this.epochs = epochs;
    }

    @Override
    public float lr(int epoch, int stepInEpoch, int stepsPerEpoch) {
        double t = (epoch + (double) stepInEpoch / stepsPerEpoch) / epochs;
        return (float) (0.5 * base * (1 + Math.cos(Math.PI * t)));
    }

    @Override
    public String describe() {
        return "cosine";
    }
}
