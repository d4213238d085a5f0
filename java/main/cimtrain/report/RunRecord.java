package cimtrain.report;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the report uses of one finished run folder.
 *
 * @param hardware       the chip's base name ("paper-chip" also for a sweep's
 *                       "paper-chip+device.readNoise=0.1"); null for a software run (fp32)
 * @param hardwareFields every field of the chip as config.json's hardware_spec records it, flattened
 *                       to dotted paths ("device.readNoise") with their JSON text; empty for fp32
 * @param trainingFields the training recipe from config.json ({@link RunReader#TRAINING_FIELDS}) as text
 * @param writesMean     writes per weight, mean over the weights; null for modes that write nothing
 * @param curve          test accuracy after each epoch (metrics.csv); empty when the run has none
 * @param histogram      writes per weight (writes.json); null when the run has none
 * @param energy         energy per image; null when the run folder does not record it
 */
public record RunRecord(Path dir, String model, String dataset, String mode, long seed, String hardware,
                        Map<String, String> hardwareFields, Map<String, String> trainingFields, double testAccuracy, Double writesMean,
                        Double writesMax, Double writeReduction, List<Double> curve, WritesHistogram histogram,
                        EnergyFigures energy) {
}
