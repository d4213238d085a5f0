package cimtrain.tile.pulse;

import cimtrain.hardware.MeasuredCurve;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The table-driven response: interpolation on measured curves, and rejection of bad CSV files. */
class TableResponseTest {
    private static final double EXACT = 1e-9;

    // up: 10 20 28 34 38 40 (steps 10 8 6 4 2); down: 70 55 42 32 24 18 (steps -15 -13 -10 -8 -6)
    private static final List<String> CURVE = List.of(
            "# a hand-made curve",
            "pulse,g_up_us,g_down_us",
            "0,10,70",
            "1,20,55",
            "2,28,42",
            "",
            "3,34,32",
            "4,38,24",
            "5,40,18");

    private static TableResponse table(double cycleNoise) {
        return new TableResponse(MeasuredCurve.parse(CURVE, "curve.csv"), cycleNoise);
    }

    @Test
    void aPulseMovesOneRowAlongTheCurveFromWhereverGLies() {
        TableResponse t = table(0);
        assertEquals(10, t.lowUs(), EXACT);
        assertEquals(70, t.highUs(), EXACT);
        assertEquals(20, t.pulse(10, true, 1, 0), EXACT); // on row 0: to row 1
        // 24 is halfway between rows 1 (20) and 2 (28): p = 1.5, c(2.5) = 28 + 0.5 * (34 - 28) = 31
        assertEquals(31, t.pulse(24, true, 1, 0), EXACT);
        assertEquals(40, t.pulse(38, true, 1, 0), EXACT); // row 4 to row 5
        assertEquals(40, t.pulse(40, true, 1, 0), EXACT); // at the end of the curve: saturated
        assertEquals(50, t.pulse(50, true, 1, 0), EXACT); // past the end of the up curve: no move
        // down: 48.5 is halfway between rows 1 (55) and 2 (42): p = 1.5,
        // c(2.5) = c(2) + 0.5 * (c(3) - c(2)) = 42 + 0.5 * (32 - 42) = 37
        assertEquals(37, t.pulse(48.5, false, 1, 0), EXACT);
        assertEquals(55, t.pulse(70, false, 1, 0), EXACT);
        assertEquals(18, t.pulse(18, false, 1, 0), EXACT); // end of the down curve
        // before the start of a curve the first segment's step applies: 75 - 15 = 60; 5 + 10 = 15
        assertEquals(60, t.pulse(75, false, 1, 0), EXACT);
        assertEquals(15, t.pulse(5, true, 1, 0), EXACT);
    }

    @Test
    void deviceFactorAndCycleNoiseScaleTheStep() {
        // from 24 the nominal step is 31 - 24 = 7; factor 2, noise 0.1, z = 1: 24 + 7 * 2 * 1.1 = 39.4
        assertEquals(39.4, table(0.1).pulse(24, true, 2, 1), EXACT);
        // down from 48.5 the step is -11.5; factor 0.5, z = -2: 48.5 - 11.5 * 0.5 * 0.8 = 43.9
        assertEquals(43.9, table(0.1).pulse(48.5, false, 0.5, -2), EXACT);
        // a step that would leave the curves' range clips: 38 + 2 * 40 = 118 -> 70
        assertEquals(70, table(0).pulse(38, true, 40, 0), EXACT);
    }

    @Test
    void aFlatStretchCountsAsItsEndSoThatTheNextPulseMovesOn() {
        MeasuredCurve flat = MeasuredCurve.parse(List.of("pulse,g_up_us,g_down_us", "0,10,40", "1,20,30", "2,20,20",
                "3,30,10"), "flat.csv");
        TableResponse t = new TableResponse(flat, 0);
        assertEquals(2, TableResponse.position(flat.up(), 20), EXACT);
        assertEquals(30, t.pulse(20, true, 1, 0), EXACT);
        assertEquals(2.5, TableResponse.position(flat.up(), 25), EXACT);
    }

    @Test
    void theShippedSyntheticCurveFollowsItsFormula() {
        // models/hardware/pulse/example-curve.csv: g_up(p) = 10 + 60 (1 - exp(-p/12)) / (1 - exp(-32/12))
        MeasuredCurve c = readShipped("models/hardware/pulse/example-curve.csv");
        assertEquals(33, c.pulses());
        for (int p = 0; p <= 32; p++) {
            double up = 10 + 60 * (1 - Math.exp(-p / 12.0)) / (1 - Math.exp(-32 / 12.0));
            double down = 70 - 60 * (1 - Math.exp(-p / 8.0)) / (1 - Math.exp(-32 / 8.0));
            assertEquals(up, c.up()[p], 0.0005);
            assertEquals(down, c.down()[p], 0.0005);
        }
    }

    private static MeasuredCurve readShipped(String rel) {
        try (var in = cimtrain.util.Home.openShipped(rel)) {
            return MeasuredCurve.read(new java.io.BufferedReader(new java.io.InputStreamReader(in)), rel);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String errorFor(String... lines) {
        UserError e = assertThrows(UserError.class, () -> MeasuredCurve.parse(List.of(lines), "bad.csv"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().contains("bad.csv"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void badCsvFilesAreRejectedWithOneLineNamingFileAndLine() {
        String head = "pulse,g_up_us,g_down_us";
        assertTrue(errorFor("0,10,70", "1,20,55").contains("bad.csv line 1: expected the header"));
        assertTrue(errorFor("pulse,g_up,g_down_us", "0,10,70").contains("line 1: expected the header"));
        assertTrue(errorFor(head, "0,10,70", "1,abc,55").contains("line 3: g_up_us is not a number: 'abc'"));
        assertTrue(errorFor(head, "0,10,70", "2,20,55").contains("line 3: pulse must count"));
        assertTrue(errorFor(head, "0,10,70", "1,20,55", "2,15,50").contains("line 4: g_up_us falls"));
        assertTrue(errorFor(head, "0,10,70", "1,20,55", "2,25,60").contains("line 4: g_down_us rises"));
        assertTrue(errorFor("# c", head, "0,10,70", "1,20").contains("line 4: expected 3 values"));
        assertTrue(errorFor(head, "0,10,70", "1,-1,55").contains("line 3: g_up_us must be a finite number >= 0"));
        assertTrue(errorFor(head, "0,10,70").contains("at least 2 rows"));
        assertTrue(errorFor(head, "0,10,70", "1,10,55").contains("never rises"));
        assertTrue(errorFor(head, "0,10,70", "1,20,70").contains("never falls"));
        assertTrue(errorFor("# only a comment").contains("empty"));
        List<String> reordered = new ArrayList<>(List.of("g_down_us,pulse,g_up_us", "70,0,10", "55,1,20"));
        assertEquals(20, MeasuredCurve.parse(reordered, "ok.csv").up()[1], EXACT);
    }
}
