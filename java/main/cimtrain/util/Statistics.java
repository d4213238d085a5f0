package cimtrain.util;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * The sample statistics every report of seeds and chips uses, written once: the mean, the sample standard
 * deviation (n - 1) and the half width of the 95% confidence interval of the mean (Student's t). Callers
 * decide what a single value shows (0 or "no spread"); the operation order here is what the checked-in
 * reports were computed with, so it must not change.
 */
public final class Statistics {
    private Statistics() {
    }

    /** The sum of the values, in order, divided by their count (NaN for none). */
    public static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Sample standard deviation around {@code mean}: sqrt(sum (v - mean)^2 / (n - 1)); NaN for fewer than 2 values. */
    public static double sampleStd(double[] values, double mean) {
        if (values.length < 2) {
            return Double.NaN;
        }
        double sq = 0;
        for (double v : values) {
            sq += (v - mean) * (v - mean);
        }
        return Math.sqrt(sq / (values.length - 1));
    }

    /**
     * Half the width of the 95% confidence interval of the mean of n values: t(0.975, n - 1) x std / sqrt(n)
     * (commons-math3); NaN for fewer than 2 values, which give no interval.
     */
    public static double ci95HalfWidth(int n, double std) {
        if (n < 2 || Double.isNaN(std)) {
            return Double.NaN;
        }
        return new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
    }
}
