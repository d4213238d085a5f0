package cimtrain.train;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.data.Dataset;
import cimtrain.nn.BatchNorm2d;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Flatten;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.ReLU;
import cimtrain.nn.Sequential;
import cimtrain.nn.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class ChipEvaluationTest {
    @Test
    void theConfidenceIntervalIsStudentsT() {
        // mean 0.5, sample sd 0.1 (values 0.4, 0.5, 0.6), t(0.975, 2 dof) = 4.302653: half width 0.248414
        ChipEvaluation.Result r = ChipEvaluation.summarise(new double[]{0.4, 0.5, 0.6}, new long[3]);
        assertEquals(0.5, r.mean(), 1e-12);
        assertEquals(0.1, r.std(), 1e-12);
        assertEquals(0.5 - 0.248414, r.ci95Low(), 1e-5);
        assertEquals(0.5 + 0.248414, r.ci95High(), 1e-5);
    }

    /**
     * Batch-norm recalibration on each new chip: repeatable (each chip seeds its own calibration batches),
     * it changes what the chips measure, and the network's own statistics are back afterwards.
     */
    @Test
    void recalibrationOnEachChipLeavesTheTrainedStatisticsInPlace() {
        Dataset data = randomImages(96, 11);
        HardwareSpec hw = Hardware.load("paper-table1");
        var recal = new BatchNormRecalibration(data, 3, 16);
        double[][] acc = new double[3][];
        // a fresh network each time: read noise is drawn by the network's pass count, which evaluations advance
        for (int run = 0; run < 3; run++) {
            try (var be = new cimtrain.backend.cpu.CpuBackend(2, 1); Network net = tiny(be)) {
                float[][] before = net.batchNormStats();
                acc[run] = ChipEvaluation.run(net, hw, null, true, data, 32, 2, 100, 0, 0, run < 2 ? recal : null)
                        .accuracies();
                float[][] after = net.batchNormStats();
                for (int j = 0; j < before.length; j++) {
                    assertArrayEquals(before[j], after[j]);
                }
            }
        }
        assertArrayEquals(acc[0], acc[1]);
        assertNotEquals(java.util.Arrays.toString(acc[2]), java.util.Arrays.toString(acc[0]),
                "fresh statistics (mean 0, variance 1) against the chips' own");
    }

    private static Network tiny(cimtrain.backend.Backend be) {
        return new Network("tiny", be, () -> new Sequential(List.of(new Conv2d(8, 3, 1, 1, false),
                new BatchNorm2d(1e-5f, 0.1f), new ReLU(), new Flatten(), new Linear(10, true))), new Shape(1, 8, 8), 32, 7);
    }

    static Dataset randomImages(int n, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        byte[] pixels = new byte[n * 64];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) rnd.nextInt(10);
            for (int p = 0; p < 64; p++) {
                // a class-dependent bright square on noise: something the untrained network's output varies with
                pixels[i * 64 + p] = (byte) (rnd.nextInt(60) + (p % 8 == labels[i] ? 180 : 0));
            }
        }
        return new Dataset("random", 1, 8, 8, 10, pixels, labels);
    }

    @Test
    void overridesReplaceOnlyWhatIsGiven() {
        HardwareSpec hw = Hardware.load("paper-chip");
        HardwareSpec o = ChipEvaluation.withOverrides(hw, 0.5, null, 0.01, 6);
        assertEquals(0.5, o.device().programmingError());
        assertEquals(hw.device().readNoise(), o.device().readNoise());
        assertEquals(0.01, o.device().stuckAtFraction());
        assertEquals(6, o.adc().bits());
        assertEquals(hw.adc().fullScaleUa(), o.adc().fullScaleUa());
    }
}
