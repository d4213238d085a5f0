package cimtrain.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.model.Models;
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
        }
    }
}
