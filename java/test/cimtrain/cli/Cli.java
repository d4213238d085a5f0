package cimtrain.cli;

import cimtrain.util.Captured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs command lines in this process with stdout and stderr captured: the command-line tests' one harness. */
final class Cli {
    /** A training run of two steps: a checkpoint and a run folder in about a second. */
    static final String[] TINY_RUN = {"train", "--model", "lenet-paper", "--epochs", "1", "--steps-per-epoch", "2",
            "--train-limit", "128", "--threads", "1"};

    private final Captured captured = new Captured();

    int run(String... args) {
        return captured.get(() -> Main.run(args));
    }

    /** Runs a command line that must exit with status 0 (stderr in the failure message); returns its stdout. */
    String ok(String... args) {
        int status = run(args);
        assertEquals(0, status, String.join(" ", args) + ": " + errText());
        return outText();
    }

    String errText() {
        return captured.err().trim();
    }

    /** Everything the last command printed on stdout. */
    String outText() {
        return captured.out();
    }

    /** The last stdout line of the last command (its --json object). */
    String lastLine() {
        return captured.lastOutLine();
    }

    /** Status 2 and exactly one line on stderr, naming {@code mentions}, no exception's name. */
    void assertBadInput(String mentions, String... args) {
        int status = run(args);
        String e = errText();
        assertEquals(2, status, "exit status for " + String.join(" ", args) + "; stderr: " + e);
        assertEquals(1, e.lines().count(), "one line on stderr for " + String.join(" ", args) + ", got: " + e);
        assertTrue(e.contains(mentions), "'" + e + "' should mention " + mentions);
        assertFalse(e.contains("Exception"), "no exception's name: " + e);
    }

    static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
