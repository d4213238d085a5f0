package cimtrain.tile;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;
import cimtrain.optim.AdamW;
import cimtrain.rng.Philox;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On ideal hardware the mixed-precision mode must train exactly like fp32, up to float rounding. */
class IdealChipTest {
    @Test
    void mixedPrecisionOnIdealHardwareMatchesFp32() {
        for (boolean aggregate : new boolean[]{false, true}) {
            for (int replicas = 1; replicas <= 2; replicas++) {
                trainBoth(aggregate, replicas);
            }
        }
    }

    private static void trainBoth(boolean aggregate, int replicas) {
        try (CpuBackend be = new CpuBackend(2, replicas)) {
            var spec = Models.load("lenet-paper");
            Network fp32 = new Network("a", be, () -> spec.build(1.0), spec.input, 16, 3);
            Network mp = new Network("b", be, () -> spec.build(1.0), spec.input, 16, 3);
            Chip.place(mp, Hardware.load("ideal"), Chip.MP, 3, aggregate);
            AdamW o1 = new AdamW(be, 0.9f, 0.999f, 1e-8f, 0.01f), o2 = new AdamW(be, 0.9f, 0.999f, 1e-8f, 0.01f);
            float[] x = new float[16 * 784];
            int[] y = new int[16];
            for (int step = 0; step < 15; step++) {
                Philox.fillUniform(9, step, x, 0, 0, x.length, 0f, 1f);
                for (int i = 0; i < 16; i++) {
                    y[i] = (i + step) % 10;
                }
                fp32.setInput(x, 16);
                mp.setInput(x, 16);
                double l1 = fp32.forwardBackward(y, 16, null), l2 = mp.forwardBackward(y, 16, null);
                assertEquals(l1, l2, 1e-4 * Math.abs(l1), "loss at step " + step);
                o1.step(fp32.parameters(), 0.004f);
                o2.step(mp.parameters(), 0.004f);
            }
            List<Parameter> a = fp32.parameters(), b = mp.parameters();
            for (int p = 0; p < a.size(); p++) {
                float[] wa = a.get(p).read(), wb = b.get(p).read();
                for (int i = 0; i < wa.length; i++) {
                    assertEquals(wa[i], wb[i], 1e-4, a.get(p).name + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void thePaperChipIsNotIdeal() {
        assertTrue(!Hardware.load("paper-chip").ideal());
    }
}
