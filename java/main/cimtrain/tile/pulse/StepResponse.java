package cimtrain.tile.pulse;

/** A response model with a nominal step and an up/down asymmetry (aihwkit's {@code up_down}). */
abstract class StepResponse extends BoundedResponse {
    protected final double stepUp;
    protected final double stepDown;

    /**
     * @param stepUs    the nominal step of one pulse, uS (see each model for where it applies)
     * @param asymmetry a in [-1, 1]: up steps step * (1 + a), down steps step * (1 - a)
     */
    StepResponse(double gMinUs, double gMaxUs, double stepUs, double asymmetry, double cycleNoise) {
        super(gMinUs, gMaxUs, cycleNoise);
        this.stepUp = stepUs * (1 + asymmetry);
        this.stepDown = stepUs * (1 - asymmetry);
    }
}
