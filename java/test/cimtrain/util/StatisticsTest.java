package cimtrain.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one home of the sample statistics: hand-computed values, and what too few values give. */
class StatisticsTest {
    @Test
    void meanSampleStandardDeviationAndInterval() {
        double[] v = {0.4, 0.5, 0.6};
        double mean = Statistics.mean(v);
        assertEquals(0.5, mean, 1e-15);
        assertEquals(0.1, Statistics.sampleStd(v, mean), 1e-15);
        // t(0.975, 2) = 4.302653 (tables)
        assertEquals(4.302653 * 0.1 / Math.sqrt(3), Statistics.ci95HalfWidth(3, 0.1), 1e-6);
    }

    @Test
    void theSumIsTakenInOrderThenDivided() {
        double[] v = {0.1, 0.2, 0.3, 1e16, -1e16};
        assertEquals((((0.1 + 0.2) + 0.3) + 1e16 - 1e16) / 5, Statistics.mean(v));
    }

    @Test
    void oneValueHasNoSpreadAndNoInterval() {
        assertTrue(Double.isNaN(Statistics.sampleStd(new double[]{0.7}, 0.7)));
        assertTrue(Double.isNaN(Statistics.ci95HalfWidth(1, 0.0)));
        assertTrue(Double.isNaN(Statistics.ci95HalfWidth(5, Double.NaN)));
    }
}
