package cimtrain.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class TrainerTest {
    @Test
    void anEpochOfManyBatchesIsConsecutiveShufflesOfTheWholeSet() {
        int n = 100;
        int[] order = Trainer.passes(n, 7, 2, 250);
        assertEquals(250, order.length);
        for (int pass = 0; pass < 2; pass++) {
            int[] one = Arrays.copyOfRange(order, pass * n, (pass + 1) * n);
            Arrays.sort(one);
            for (int i = 0; i < n; i++) {
                assertEquals(i, one[i], "pass " + pass + " is a permutation");
            }
        }
        assertFalse(Arrays.equals(Arrays.copyOfRange(order, 0, n), Arrays.copyOfRange(order, n, 2 * n)),
                "each pass is shuffled anew");
        assertArrayEquals(order, Trainer.passes(n, 7, 2, 250), "seeded");
    }
}
