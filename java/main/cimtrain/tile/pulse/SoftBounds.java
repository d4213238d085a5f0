package cimtrain.tile.pulse;

/**
 * aihwkit's SoftBoundsDevice on a conductance range: the step shrinks linearly with the distance
 * already travelled towards the bound it moves to, so repeated pulses saturate smoothly at the bounds
 * and the response is nonlinear in the conductance. With x = (g - g_min) / (g_max - g_min):
 * <pre>
 *   up:   dG = +step_up   * (1 - x)      (step_up   = step * (1 + a), full at g_min, 0 at g_max)
 *   down: dG = -step_down * x            (step_down = step * (1 - a), full at g_max, 0 at g_min)
 * </pre>
 * with the asymmetry a as in aihwkit's {@code up_down}. x is clamped to [0, 1] so that a device found
 * outside the range (e.g. programmed with a gain) is only ever pulled back in.
 */
public final class SoftBounds extends StepResponse {
    /**
     * @param gMinUs     lower bound, uS
     * @param gMaxUs     upper bound, uS
     * @param stepUs     the step of an up pulse at g_min (and of a down pulse at g_max) when a = 0, uS
     * @param asymmetry  a in [-1, 1]: step_up = step * (1 + a), step_down = step * (1 - a)
     * @param cycleNoise sigma of the cycle-to-cycle factor on each step (relative)
     */
    public SoftBounds(double gMinUs, double gMaxUs, double stepUs, double asymmetry, double cycleNoise) {
        super(gMinUs, gMaxUs, stepUs, asymmetry, cycleNoise);
    }

    @Override
    public double pulse(double g, boolean up, double deviceFactor, double z) {
        double x = Math.min(Math.max((g - lo) / (hi - lo), 0), 1);
        double step = up ? stepUp * (1 - x) : -stepDown * x;
        return PulseResponse.move(g, step, deviceFactor, cycleNoise, z, lo, hi);
    }
}
