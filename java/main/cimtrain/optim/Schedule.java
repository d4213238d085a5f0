package cimtrain.optim;

/** A learning-rate schedule, asked once per optimizer step and told each epoch's test accuracy. */
public interface Schedule {
    /** The learning rate for a step (0-based epoch and step within it). */
    float lr(int epoch, int stepInEpoch, int stepsPerEpoch);

    /** Called after each epoch with its test accuracy (plateau schedules use it). */
    default void endEpoch(double testAccuracy) {
    }

    String describe();

    /** Saves what the schedule has learnt from past epochs (nothing, for most). */
    default void saveState(cimtrain.io.Hdf5Group g) {
    }

    /** Restores {@link #saveState}. */
    default void loadState(cimtrain.io.Hdf5Reader r, String path) {
    }

    static Schedule constant(float lr) {
        return new Schedule() {
            @Override
            public float lr(int epoch, int stepInEpoch, int stepsPerEpoch) {
                return lr;
            }

            @Override
            public String describe() {
                return "constant";
            }
        };
    }
}
