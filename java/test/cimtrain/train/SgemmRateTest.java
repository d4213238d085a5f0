package cimtrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The arithmetic bench reports with; the SGEMM measurement returns a rate (never a speed threshold). */
class SgemmRateTest {
    @Test
    void gflopsCountFlopPerMacTimesMacsPerSampleTimesSamplesPerSecond() {
        // a training step at 6 FLOP per MAC: 6 x 1,000 MACs x 1e6 samples/s = 6 GFLOP/s
        assertEquals(6.0, SgemmRate.gflops(1_000, SgemmRate.TRAINING_FLOP_PER_MAC, 1e6), 1e-12);
        // a forward pass at 2 FLOP per MAC, MACs beyond int range
        assertEquals(2.0 * 3_000_000_000L * 250 / 1e9,
                SgemmRate.gflops(3_000_000_000L, SgemmRate.FORWARD_FLOP_PER_MAC, 250), 1e-9);
        assertEquals(0.0, SgemmRate.gflops(1_000, 6, 0), 0.0);
        assertEquals(3 * SgemmRate.FORWARD_FLOP_PER_MAC, SgemmRate.TRAINING_FLOP_PER_MAC);
    }

    @Test
    void fractionIsOverTheSgemmRateAndNanWithoutOne() {
        assertEquals(0.25, SgemmRate.fraction(50, 200), 1e-12);
        assertTrue(Double.isNaN(SgemmRate.fraction(50, 0)));
    }

    @Test
    void aTinySgemmGivesAPositiveFiniteRateOnOneThreadAndOnSeveral() {
        for (int threads : new int[]{1, 2}) {
            double r = SgemmRate.measure(threads, 8, 5, 3, 0.01);
            assertTrue(r > 0 && Double.isFinite(r), threads + " threads: " + r);
        }
    }

    @Test
    void nonPositiveSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> SgemmRate.measure(0, 8, 8, 8, 0.01));
        assertThrows(IllegalArgumentException.class, () -> SgemmRate.measure(1, 8, 0, 8, 0.01));
        assertThrows(IllegalArgumentException.class, () -> SgemmRate.measure(1, 8, 8, 8, 0));
    }
}
