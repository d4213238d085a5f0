package cimtrain.train;

import cimtrain.data.Dataset;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Flatten;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.ReLU;
import cimtrain.nn.Sequential;
import cimtrain.nn.Shape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class LayerSensitivityTest {
    private static final int CHIPS = 3;
    private static final long SEED = 500;

    /**
     * Reads without noise (no read noise, no ADC) and a large programming error, so every accuracy is a
     * function of the devices alone. With one crossbar layer, "that layer's programming error only" is the
     * ordinary new chip and "no layer's" the chip programmed without error: both must match
     * {@link ChipEvaluation} chip for chip, and differ from each other.
     */
    @Test
    void oneCrossbarLayerGivesTheOrdinaryAndTheErrorFreeChip() {
        Dataset data = ChipEvaluationTest.randomImages(96, 3);
        HardwareSpec hw = quiet(4.0);
        Supplier<Sequential> oneLayer = () -> new Sequential(List.of(new Flatten(), new Linear(10, true)));
        LayerSensitivity.Result s = withNetwork(oneLayer, data, net ->
                LayerSensitivity.run(net, hw, null, true, data, 32, CHIPS, SEED, 0, 0));
        double[] programmed = withNetwork(oneLayer, data, net ->
                ChipEvaluation.run(net, hw, null, true, data, 32, CHIPS, SEED, 0, 0).accuracies());
        double[] errorFree = withNetwork(oneLayer, data, net ->
                ChipEvaluation.run(net, quiet(0.0), null, true, data, 32, CHIPS, SEED, 0, 0).accuracies());
        assertEquals(1, s.layers().size());
        assertEquals(640, s.weights()[0]);
        assertArrayEquals(programmed, s.oneLayer()[0]);
        assertArrayEquals(errorFree, s.errorFree());
        assertNotEquals(java.util.Arrays.toString(errorFree), java.util.Arrays.toString(programmed),
                "a programming error of 4 level spacings changes what the untrained network predicts");
    }

    /**
     * Two crossbar layers: one result each from the same chips, each with only its own layer's error, and
     * the same results again.
     */
    @Test
    void everyCrossbarLayerIsTestedAloneAndRepeatably() {
        Dataset data = ChipEvaluationTest.randomImages(96, 5);
        HardwareSpec hw = quiet(4.0);
        Supplier<Sequential> twoLayers = () -> new Sequential(List.of(new Conv2d(8, 3, 1, 1, false), new ReLU(),
                new Flatten(), new Linear(10, true)));
        LayerSensitivity.Result a = withNetwork(twoLayers, data, net -> LayerSensitivity.run(net, hw, null, true, data, 32, CHIPS,
                SEED, 0, 0));
        LayerSensitivity.Result b = withNetwork(twoLayers, data, net -> LayerSensitivity.run(net, hw, null, true, data, 32, CHIPS,
                SEED, 0, 0));
        assertEquals(2, a.layers().size());
        assertArrayEquals(new long[]{8 * 9, 10 * 8 * 8 * 8}, a.weights());
        assertArrayEquals(a.errorFree(), b.errorFree());
        assertArrayEquals(a.oneLayer()[0], b.oneLayer()[0]);
        assertArrayEquals(a.oneLayer()[1], b.oneLayer()[1]);
        double[] errorFree = withNetwork(twoLayers, data, net ->
                ChipEvaluation.run(net, quiet(0.0), null, true, data, 32, CHIPS, SEED, 0, 0).accuracies());
        assertArrayEquals(errorFree, a.errorFree());
        // the conv's devices were put back before the linear layer's turn: not every layer's error at once
        double[] everyLayer = withNetwork(twoLayers, data, net ->
                ChipEvaluation.run(net, hw, null, true, data, 32, CHIPS, SEED, 0, 0).accuracies());
        assertNotEquals(java.util.Arrays.toString(everyLayer), java.util.Arrays.toString(a.oneLayer()[1]));
        assertEquals(a.errorFreeMean() - a.oneLayerMean(1), a.cost(1), 1e-12);
    }

    /** paper-table1 with a given programming error and noiseless reads: no read noise and no ADC. */
    private static HardwareSpec quiet(double programmingError) {
        HardwareSpec t = ChipEvaluation.withOverrides(Hardware.load("paper-table1"), programmingError, 0.0, null, null);
        return new HardwareSpec(t.name(), t.description(), t.source(), t.tile(), t.mapping(), t.device(), t.dac(),
                new HardwareSpec.AdcSpec(0, t.adc().fullScaleUa(), 0, false), t.readVoltage(), t.scale(), t.write(),
                t.pulse(), t.cost());
    }

    /**
     * A network trained in software on the first 32 images (the same weights every time), so that its
     * predictions depend on the weights: an untrained one here gives every image the same class.
     */
    private static <T> T withNetwork(Supplier<Sequential> layers, Dataset data,
                                     java.util.function.Function<Network, T> f) {
        try (var be = new cimtrain.backend.cpu.CpuBackend(2, 1);
             Network net = new Network("sensitivity", be, layers, new Shape(1, 8, 8), 32, 7)) {
            float[] x = new float[32 * data.imageSize()];
            int[] y = new int[32];
            data.copyBatch(java.util.stream.IntStream.range(0, 32).toArray(), 0, 32, x, y);
            net.setInput(x, 32);
            cimtrain.optim.AdamW opt = new cimtrain.optim.AdamW(be, 0.9f, 0.999f, 1e-8f, 0f);
            for (int step = 0; step < 40; step++) {
                net.forwardBackward(y, 32, null);
                opt.step(net.parameters(), 0.01f);
            }
            return f.apply(net);
        }
    }
}
