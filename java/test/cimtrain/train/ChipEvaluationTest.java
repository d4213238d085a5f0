package cimtrain.train;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
