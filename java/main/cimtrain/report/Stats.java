package cimtrain.report;

import cimtrain.util.Statistics;

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
        double mean = Statistics.mean(v);
        // one seed has no spread: NaN, shown as "-", rather than a misleading 0
        return new Stats(v.length, mean, Statistics.sampleStd(v, mean));
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
        return Statistics.ci95HalfWidth(n, std);
    }

    public double ci95Low() {
        return mean - ci95HalfWidth();
    }

    public double ci95High() {
        return mean + ci95HalfWidth();
    }
}
