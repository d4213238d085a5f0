package cimtrain.tile;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost model against the paper's own LeNet figures (Table 2 and its decomposition in paper-spec.md). */
class CostModelTest {
    private static CostModel lenet(int copies) {
        ModelSpec spec = Models.load("lenet-paper");
        HardwareSpec hw = Hardware.load("paper-chip");
        try (CpuBackend be = new CpuBackend(1, 1); Network net = new Network(spec.name, be, () -> spec.build(1.0), spec.input, 1, 0)) {
            return new CostModel(ChipMapping.of(net, hw), hw, copies, net.macsPerSample());
        }
    }

    @Test
    void lenetOnThePaperChipCostsWhatThePaperSays() {
        CostModel c = lenet(8);
        Map<String, Object> s = c.summary();
        assertEquals(6440L, s.get("devices"));
        assertEquals(6, s.get("crossbars"));
        assertEquals(272_640L, s.get("flops"), "136,320 MACs");
        assertEquals(707L, c.tileOps(), "576 + 128 + 3");
        assertEquals(641L, c.sequentialSteps(), "576 + 64 + 1");
        // 707 x 2.66 nJ and 641 x 0.72 us, within 10% of the paper's 1.9 uJ and 0.46 ms
        assertEquals(707 * 2.66e-9, c.energyPerImageJ(), 1e-15);
        assertEquals(1.9e-6, c.energyPerImageJ(), 0.1 * 1.9e-6);
        assertEquals(641 * 0.72e-6, c.latencyPerImageS(), 1e-12);
        assertEquals(0.46e-3, c.latencyPerImageS(), 0.1 * 0.46e-3);
        assertEquals(576 * 0.72e-6, c.pipelinedLatencyS(), 1e-12);
        assertEquals(72 * 0.72e-6, c.pipelinedWithCopiesLatencyS(), 1e-12, "576 positions over 8 copies");
        // 8-bit bit-serial reads: every column of every tile op converted 8 times
        assertEquals(707L * 64 * 8, s.get("adc_conversions"));
        assertTrue(c.missing().contains("cost.write_energy_nj"), "the paper gives no write energy");
    }

    @Test
    void aTrainingStepAddsItsWrites() {
        CostModel c = lenet(1);
        Map<String, Object> step = c.trainingStep(64, 10);
        assertEquals(64 * c.energyPerImageJ(), (double) step.get("read_energy_j"), 1e-15);
        assertEquals(20.0, (double) step.get("device_writes"), 0, "a weight write programs its two devices");
        assertEquals(0.0, (double) step.get("write_energy_j"), 0, "not given for paper-chip");
    }
}
