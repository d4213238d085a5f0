package cimtrain.report;

import org.apache.commons.math3.distribution.TDistribution;

import java.util.List;
import java.util.Objects;

/**
 * Mean, sample standard deviation (n - 1) and the 95% confidence interval of the mean of the values a
 * group's seeds gave; values a run did not record (null) are left out, so {@link #n} says how many went in.
 */
public record Stats(int n, double mean, double std) {
    public static final Stats NONE = new Stats(0, Double.NaN, Double.NaN);

    public static Stats of(List<Double> values) {
        double[] v = values.stream().filter(Objects::nonNull).mapToDouble(Double::doubleValue).toArray();
        if (v.length == 0) {
            return NONE;
        }
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        double mean = sum / v.length;
        if (v.length == 1) {
            // one seed has no spread: NaN, shown as "-", rather than a misleading 0
            return new Stats(1, mean, Double.NaN);
        }
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new Stats(v.length, mean, Math.sqrt(sq / (v.length - 1)));
    }

    public boolean present() {
        return n > 0;
    }

    /**
     * Half the width of the 95% confidence interval of the mean, Student's t with n - 1 degrees of
     * freedom: t(0.975, n - 1) x std / sqrt(n) (commons-math3, as {@code cimtrain evaluate} computes it);
     * NaN for fewer than two values, which give no interval.
     */
    public double ci95HalfWidth() {
        if (n < 2 || Double.isNaN(std)) {
            return Double.NaN;
        }
        return new TDistribution(n - 1).inverseCumulativeProbability(0.975) * std / Math.sqrt(n);
    }

    public double ci95Low() {
        return mean - ci95HalfWidth();
    }

    public double ci95High() {
        return mean + ci95HalfWidth();
    }
}
