package cimtrain.tile.pulse;

/**
 * aihwkit's LinearStep/ConstantStep device: every pulse moves the conductance by the same step,
 * whatever the conductance, until it clips at a bound. Up and down steps differ by the asymmetry a
 * (aihwkit's {@code up_down}): up = step * (1 + a), down = step * (1 - a), so the mean of the two stays
 * the configured step.
 */
public final class LinearStep extends StepResponse {
    /**
     * @param gMinUs     lower bound, uS
     * @param gMaxUs     upper bound, uS
     * @param stepUs     the nominal step of one pulse, uS
     * @param asymmetry  a in [-1, 1]: up steps step * (1 + a), down steps step * (1 - a)
     * @param cycleNoise sigma of the cycle-to-cycle factor on each step (relative)
     */
    public LinearStep(double gMinUs, double gMaxUs, double stepUs, double asymmetry, double cycleNoise) {
        super(gMinUs, gMaxUs, stepUs, asymmetry, cycleNoise);
    }

    @Override
    public double pulse(double g, boolean up, double deviceFactor, double z) {
        return PulseResponse.move(g, up ? stepUp : -stepDown, deviceFactor, cycleNoise, z, lo, hi);
    }
}
