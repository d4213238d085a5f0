package cimtrain.report;

import java.util.List;
import java.util.Objects;

/**
 * Mean and sample standard deviation (n - 1) of the values a group's seeds gave; values a run did not
 * record (null) are left out, so {@link #n} says how many went in.
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
}
