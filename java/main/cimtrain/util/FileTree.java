package cimtrain.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removing a folder with everything in it (a run folder that starts again, a temporary folder). */
public final class FileTree {
    private FileTree() {
    }

    /** Deletes dir and everything below it, deepest first; nothing when it does not exist. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@link #delete}, for callers that cannot throw IOException. */
    public static void deleteUnchecked(Path dir) {
        try {
            delete(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
