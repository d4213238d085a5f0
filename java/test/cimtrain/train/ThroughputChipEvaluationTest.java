package cimtrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.model.Models;
import cimtrain.tile.CrossbarLayer;
import org.junit.jupiter.api.Test;

/** bench's forward-only measurement runs chip evaluation's passes and says which read model they used. */
class ThroughputChipEvaluationTest {
    @Test
    void chipEvaluationPassesGiveAPositiveRateAndTheReadModelUsed() {
        try (CpuBackend be = new CpuBackend(1)) {
            for (String readModel : new String[]{"aggregate", "exact"}) {
                StringBuilder used = new StringBuilder();
                double r = Throughput.measureChipEvaluation(be, Models.load("lenet-paper"), 1.0, 4, 1, 2,
                        Hardware.load("paper-chip"), readModel, used);
                assertTrue(r > 0 && Double.isFinite(r), readModel + ": " + r);
                assertEquals(readModel, used.toString());
            }
            // auto decides after its probe's passes, and says so before
            StringBuilder used = new StringBuilder();
            Throughput.measureChipEvaluation(be, Models.load("lenet-paper"), 1.0, 4, 1, 1, Hardware.load("paper-chip"),
                    "auto", used);
            assertTrue(used.toString().startsWith("auto: undecided"), used.toString());
            used.setLength(0);
            Throughput.measureChipEvaluation(be, Models.load("lenet-paper"), 1.0, 4, 2, CrossbarLayer.AUTO_PROBE_PASSES,
                    Hardware.load("paper-chip"), "auto", used);
            assertTrue(used.toString().matches("auto: (exact|aggregate) for .*"), used.toString());
        }
    }
}
