package cimtrain.experiment;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed-by-seed standard error of a mode's gap to fp32 in reproduce lenet's report. */
class PairedGapTest {

    private static List<Map<String, Object>> runs(double... accuracies) {
        return java.util.Arrays.stream(accuracies).mapToObj(a -> Map.<String, Object>of("test_accuracy", a)).toList();
    }

    @Test
    void hand_computed_three_seeds() {
        // differences -0.01, -0.02, -0.03: mean -0.02, sample sd 0.01, standard error 0.01 / sqrt(3)
        double se = LenetReproduction.pairedGapStandardError(runs(0.97, 0.98, 0.99), runs(0.96, 0.96, 0.96));
        assertEquals(0.01 / Math.sqrt(3), se, 1e-12);
    }

    @Test
    void a_shared_seed_effect_cancels() {
        // both modes move together from seed to seed: the gap is the same on every seed, so no error at all
        double se = LenetReproduction.pairedGapStandardError(runs(0.95, 0.99, 0.97), runs(0.94, 0.98, 0.96));
        assertEquals(0, se, 1e-12);
    }

    @Test
    void undefined_without_two_paired_seeds() {
        assertTrue(Double.isNaN(LenetReproduction.pairedGapStandardError(null, runs(0.9, 0.8))));
        assertTrue(Double.isNaN(LenetReproduction.pairedGapStandardError(runs(0.9), runs(0.8))));
        assertTrue(Double.isNaN(LenetReproduction.pairedGapStandardError(runs(0.9, 0.8, 0.7), runs(0.8, 0.7))));
    }
}
