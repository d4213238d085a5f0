package cimtrain.tile.pulse;

import cimtrain.rng.Philox;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The linear-step and soft-bounds responses against hand-computed values, and their noise. */
class PulseResponseTest {
    private static final double EXACT = 1e-9;

    @Test
    void linearStepMovesByItsAsymmetricStepsAndClipsAtTheBounds() {
        // range 10-70 uS, step 4, asymmetry 0.25: up = 4 * 1.25 = 5, down = 4 * 0.75 = 3
        LinearStep m = new LinearStep(10, 70, 4, 0.25, 0.1);
        assertEquals(45, m.pulse(40, true, 1, 0), EXACT);   // 40 + 5
        assertEquals(37, m.pulse(40, false, 1, 0), EXACT);  // 40 - 3
        assertEquals(70, m.pulse(68, true, 1, 0), EXACT);   // 68 + 5 = 73, clipped to 70
        assertEquals(10, m.pulse(11, false, 1, 0), EXACT);  // 11 - 3 = 8, clipped to 10
        // device factor 1.2, cycle noise 0.1 with z = 0.5: 40 + 5 * 1.2 * (1 + 0.1 * 0.5) = 40 + 6.3
        assertEquals(46.3, m.pulse(40, true, 1.2, 0.5), EXACT);
        // device factor 0.8, z = -1: 40 - 3 * 0.8 * (1 - 0.1) = 40 - 2.16
        assertEquals(37.84, m.pulse(40, false, 0.8, -1), EXACT);
    }

    @Test
    void softBoundsStepShrinksWithTheDistanceTravelled() {
        // range 10-70 (60 uS), step 6, symmetric: up dG = 6 (1 - x), down dG = -6 x, x = (g - 10) / 60
        SoftBounds m = new SoftBounds(10, 70, 6, 0, 0);
        assertEquals(16, m.pulse(10, true, 1, 0), EXACT);   // x = 0: full step up
        assertEquals(21.4, m.pulse(16, true, 1, 0), EXACT); // x = 0.1: 16 + 6 * 0.9
        assertEquals(64, m.pulse(70, false, 1, 0), EXACT);  // x = 1: full step down
        assertEquals(37, m.pulse(40, false, 1, 0), EXACT);  // x = 0.5: 40 - 3
        assertEquals(43, m.pulse(40, true, 1, 0), EXACT);   // x = 0.5: 40 + 3
        assertEquals(10, m.pulse(10, false, 1, 0), EXACT);  // x = 0: a down pulse cannot move it
        assertEquals(70, m.pulse(70, true, 1, 0), EXACT);   // x = 1: nor an up pulse at the top
        // factor 2, cycle noise 0.1, z = 1: 40 + 6 * 0.5 * 2 * 1.1 = 46.6
        assertEquals(46.6, new SoftBounds(10, 70, 6, 0, 0.1).pulse(40, true, 2, 1), EXACT);
    }

    @Test
    void softBoundsAsymmetryScalesUpAndDownSteps() {
        // asymmetry 0.2: step_up = 6 * 1.2 = 7.2, step_down = 6 * 0.8 = 4.8
        SoftBounds m = new SoftBounds(10, 70, 6, 0.2, 0);
        assertEquals(43.6, m.pulse(40, true, 1, 0), EXACT);  // x = 0.5: 40 + 7.2 * 0.5
        assertEquals(37.6, m.pulse(40, false, 1, 0), EXACT); // x = 0.5: 40 - 4.8 * 0.5
        assertEquals(30.4, m.pulse(25, true, 1, 0), EXACT);  // x = 0.25: 25 + 7.2 * 0.75
        assertEquals(23.8, m.pulse(25, false, 1, 0), EXACT); // x = 0.25: 25 - 4.8 * 0.25
        // alternating up and down pulses settle where they balance. In x: up x' = x + 0.12 (1 - x),
        // down x'' = 0.92 x'; the fixed point of down(up(x)) is x = 0.92 (0.88 x + 0.12), i.e.
        // x = 0.1104 / 0.1904, above mid-range because up steps are larger
        double g = 10;
        for (int i = 0; i < 500; i++) {
            g = m.pulse(m.pulse(g, true, 1, 0), false, 1, 0);
        }
        assertEquals(10 + 60 * 0.1104 / 0.1904, g, 1e-9);
    }

    @Test
    void softBoundsSaturatesTowardsTheBounds() {
        // step / range = 0.1, so after n up pulses from g_min: 70 - g_n = 60 * 0.9^n; down from g_max mirrored
        SoftBounds m = new SoftBounds(10, 70, 6, 0, 0);
        double up = 10, down = 70, lastStep = Double.MAX_VALUE;
        for (int n = 1; n <= 50; n++) {
            double next = m.pulse(up, true, 1, 0);
            assertTrue(next - up < lastStep && next > up && next < 70, "pulse " + n);
            lastStep = next - up;
            up = next;
            down = m.pulse(down, false, 1, 0);
            assertEquals(70 - 60 * Math.pow(0.9, n), up, 1e-9);
            assertEquals(10 + 60 * Math.pow(0.9, n), down, 1e-9);
        }
        assertEquals(69.69, up, 0.01); // 70 - 60 * 0.9^50 = 70 - 0.309
    }

    @Test
    void cycleToCycleNoiseHasItsConfiguredSpread() {
        // a linear step of 1 uS with cycle noise 0.1: dG = 1 + 0.1 z, so sigma(dG) = 0.1
        LinearStep m = new LinearStep(10, 70, 1, 0, 0.1);
        int n = 20_000;
        float[] z = new float[n];
        Philox.fillNormal(11, 3, z, 0, 0, n, 0f, 1f);
        double[] dg = new double[n];
        for (int i = 0; i < n; i++) {
            dg[i] = m.pulse(40, true, 1, z[i]) - 40;
        }
        assertEquals(0.1, Stats.sigma(dg), 0.005);
        assertEquals(1.0, Stats.mean(dg), 0.005);
    }
}
