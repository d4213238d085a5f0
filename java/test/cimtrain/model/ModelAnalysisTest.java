package cimtrain.model;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Layer;
import cimtrain.nn.Network;
import cimtrain.tile.ChipMapping;
import cimtrain.tile.CostModel;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model's analysis without a backend gives the figures of the network the same spec builds. */
class ModelAnalysisTest {
    @Test
    void everyShippedModelMatchesItsBuiltNetwork() {
        for (String name : Models.names()) {
            ModelSpec spec = Models.load(name);
            for (double width : new double[]{1.0, 0.5}) {
                ModelAnalysis a = ModelAnalysis.of(spec, width);
                try (CpuBackend be = new CpuBackend(1, 1);
                     Network net = new Network(spec.name, be, () -> spec.build(width), spec.input, 1, 0)) {
                    String what = name + " at width " + width;
                    assertEquals(net.parameterCount(), a.parameterCount(), what + ": parameters");
                    assertEquals(net.macsPerSample(), a.macsPerSample(), what + ": MACs");
                    assertEquals(net.hasBatchNorm(), a.hasBatchNorm(), what + ": batch norm");
                    List<Layer> built = net.leaves(), traced = a.leaves();
                    assertEquals(built.size(), traced.size(), what + ": leaves");
                    for (int i = 0; i < built.size(); i++) {
                        Layer b = built.get(i), t = traced.get(i);
                        assertEquals(b.describe(), t.describe(), what + ": layer " + i);
                        assertEquals(b.inputShape(), t.inputShape(), what + ": input of " + b.describe());
                        assertEquals(b.outputShape(), t.outputShape(), what + ": output of " + b.describe());
                        assertEquals(b.macs(), t.macs(), what + ": MACs of " + b.describe());
                        assertEquals(b.parameterCount(), t.parameterCount(), what + ": parameters of " + b.describe());
                    }
                    for (String chip : Hardware.PRESETS) {
                        HardwareSpec hw = Hardware.load(chip);
                        assertEquals(ChipMapping.of(net, hw), a.mapping(hw), what + " on " + chip);
                        assertEquals(CostModel.of(net, hw, 8).summary(null), a.cost(hw, 8).summary(null), what + " on " + chip);
                    }
                }
            }
        }
    }

    @Test
    void someModelsHaveBatchNormAndSomeDoNot() {
        // the comparison above means something only if both kinds are shipped
        assertTrue(ModelAnalysis.of(Models.load("resnet18"), 1.0).hasBatchNorm());
        assertFalse(ModelAnalysis.of(Models.load("lenet-paper"), 1.0).hasBatchNorm());
    }
}
