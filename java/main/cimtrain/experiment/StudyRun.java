package cimtrain.experiment;

import cimtrain.train.Mode;

/**
 * One training run of a study: a model trained in one mode with one seed. Its id names its folder
 * under {@code runs/}.
 */
public record StudyRun(String model, Mode mode, int seed) {
    public String id() {
        return model + "-" + mode + "-s" + seed;
    }
}
