package cimtrain.tile.pulse;

/** What every response model holds: its conductance bounds and its cycle-to-cycle noise. */
abstract class BoundedResponse implements PulseResponse {
    protected final double lo;
    protected final double hi;
    protected final double cycleNoise;

    /**
     * @param gMinUs     lower bound, uS
     * @param gMaxUs     upper bound, uS
     * @param cycleNoise sigma of the cycle-to-cycle factor on each step (relative)
     */
    BoundedResponse(double gMinUs, double gMaxUs, double cycleNoise) {
        this.lo = gMinUs;
        this.hi = gMaxUs;
        this.cycleNoise = cycleNoise;
    }

    @Override
    public double lowUs() {
        return lo;
    }

    @Override
    public double highUs() {
        return hi;
    }
}
