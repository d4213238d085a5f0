package cimtrain.tile.pulse;

import cimtrain.hardware.MeasuredCurve;

import java.util.Arrays;

/**
 * A device that follows measured conductance-vs-pulse curves ({@link MeasuredCurve}): to respond to a
 * pulse from conductance g, g is located on the curve of the pulse's direction (a fractional pulse
 * number p, interpolating linearly between rows) and the step is that of moving one pulse along the
 * curve, c(p + 1) - c(p). A nominal, noise-free device on the curve thus lands exactly on c(p + 1);
 * the device factor and cycle noise scale the step like in the other models.
 *
 * <p>Off the curve: before its start (below the up curve's first point, above the down curve's first
 * point) the step of the first segment applies; past its end a pulse moves nothing (the measured
 * saturation). On a flat stretch g is placed at its end, so that the next pulse moves on. The result is
 * clipped to the lowest and highest conductance of the two curves.
 */
public final class TableResponse extends BoundedResponse {
    private final double[] up;
    /** The down curve negated, so that both curves are searched as non-decreasing sequences. */
    private final double[] downNegated;

    public TableResponse(MeasuredCurve curve, double cycleNoise) {
        super(curve.lowUs(), curve.highUs(), cycleNoise);
        this.up = curve.up();
        this.downNegated = Arrays.stream(curve.down()).map(v -> -v).toArray();
    }

    @Override
    public double pulse(double g, boolean up, double deviceFactor, double z) {
        double step = up ? stepAlong(this.up, g) : -stepAlong(downNegated, -g);
        return PulseResponse.move(g, step, deviceFactor, cycleNoise, z, lo, hi);
    }

    /** The step of one pulse from g along a non-decreasing curve c. */
    static double stepAlong(double[] c, double g) {
        double p = position(c, g);
        return valueAt(c, p + 1) - valueAt(c, p);
    }

    /** The fractional pulse number at which c reaches g (the end of a flat stretch; 0 before the start). */
    static double position(double[] c, double g) {
        // the last row j with c[j] <= g
        int lowIdx = 0, high = c.length - 1, j = -1;
        while (lowIdx <= high) {
            int mid = (lowIdx + high) >>> 1;
            if (c[mid] <= g) {
                j = mid;
                lowIdx = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        if (j < 0) {
            return 0;
        }
        if (j == c.length - 1) {
            return j;
        }
        // c[j] <= g < c[j + 1], so the segment is not flat
        return j + (g - c[j]) / (c[j + 1] - c[j]);
    }

    /** c at a fractional pulse number, interpolated linearly; constant past the last row. */
    static double valueAt(double[] c, double p) {
        int last = c.length - 1;
        if (p >= last) {
            return c[last];
        }
        int j = (int) Math.floor(p);
        return c[j] + (p - j) * (c[j + 1] - c[j]);
    }
}
