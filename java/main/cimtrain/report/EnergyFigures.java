package cimtrain.report;

import java.util.Map;

/**
 * Energy per inference image as a run folder records it (summary.json, or the {@code cimtrain cost
 * --json} output saved as cost.json), with its parts by layer when the file lists them. The report
 * never computes energy itself: a run without these figures shows "-".
 *
 * @param perImageJ joules per image
 * @param partsJ    joules per image by part (layer name), in the file's order; empty when not given
 * @param source    the file the figures came from
 */
public record EnergyFigures(double perImageJ, Map<String, Double> partsJ, String source) {
}
