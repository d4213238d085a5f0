package cimtrain.fuzz;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The fuzz tests' verdict can fail: on another exception, and on allocation past the bound. */
class OutcomeTest {
    @Test
    void onlySuccessAndUserErrorsPass() {
        assertDoesNotThrow(() -> Outcome.onlyUserErrors(() -> { }));
        assertDoesNotThrow(() -> Outcome.onlyUserErrors(() -> {
            throw new UserError("file x: bad");
        }));
        assertThrows(IllegalStateException.class, () -> Outcome.onlyUserErrors(() -> {
            throw new IllegalStateException("a bug");
        }));
        assertThrows(AssertionError.class, () -> Outcome.onlyUserErrors(() -> {
            throw new UserError(" ");
        }), "a UserError says what is wrong");
    }

    @Test
    void allocationPastTheBoundFails() {
        assertThrows(AssertionError.class, () -> Outcome.onlyUserErrors(() -> {
            long sum = 0;
            for (int i = 0; i < 40; i++) {
                sum += new byte[16 << 20].length;
            }
            if (sum < 0) {
                throw new IllegalStateException();
            }
        }));
    }
}
