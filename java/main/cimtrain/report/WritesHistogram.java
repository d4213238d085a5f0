package cimtrain.report;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A run's writes-per-weight histogram from its writes.json: {@code counts[i]} weights were written at
 * most {@code upperEdges[i]} times (and more than the edge before); the last count is the open bin
 * above the last edge.
 */
public record WritesHistogram(int[] upperEdges, long[] counts) {
    private static final Pattern BRACKETS = Pattern.compile("\\[([^\\]]*)\\]");

    /**
     * Reads the edges from writes.json's {@code histogram_bins} text ("writes per weight <= [0, 1, 2,
     * 5], then more"), the only place a run records them; null when the text names none.
     */
    static int[] edgesFrom(String binsText) {
        Matcher m = BRACKETS.matcher(binsText == null ? "" : binsText);
        if (!m.find()) {
            return null;
        }
        String[] parts = m.group(1).split(",");
        int[] edges = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            edges[i] = Integer.parseInt(parts[i].trim());
        }
        return edges;
    }

    /** The bins' labels: "0", "1", "3-5", ..., ">200". */
    public List<String> labels() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < upperEdges.length; i++) {
            int low = i == 0 ? 0 : upperEdges[i - 1] + 1, high = upperEdges[i];
            out.add(low == high ? Integer.toString(high) : low + "-" + high);
        }
        out.add(">" + upperEdges[upperEdges.length - 1]);
        return out;
    }

    /** Per bin, the percentage of all the run's weights. */
    public double[] percentages() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] p = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            p[i] = total == 0 ? 0 : 100.0 * counts[i] / total;
        }
        return p;
    }
}
