package cimtrain.util;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The tests' one harness for what code prints: runs it with System.out and System.err going into
 * buffers (UTF-8), and puts the real streams back afterwards, whatever happens. Each call starts with
 * empty buffers.
 */
public final class Captured {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs body captured and returns what it returns. */
    public <T> T get(Supplier<T> body) {
        out.reset();
        err.reset();
        PrintStream oldOut = System.out, oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return body.get();
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    public void run(Runnable body) {
        get(() -> {
            body.run();
            return null;
        });
    }

    /** What the last call printed on stdout. */
    public String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What the last call printed on stderr. */
    public String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** The last line the last call printed on stdout (a command's --json line). */
    public String lastOutLine() {
        String[] lines = out().trim().split("\n");
        return lines[lines.length - 1];
    }

    /** What body prints on stdout. */
    public static String stdout(Runnable body) {
        Captured c = new Captured();
        c.run(body);
        return c.out();
    }

    /** What body prints on stderr. */
    public static String stderr(Runnable body) {
        Captured c = new Captured();
        c.run(body);
        return c.err();
    }
}
