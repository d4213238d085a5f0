package cimtrain.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileTreeTest {
    @Test
    void deletesAFolderWithEverythingBelowItAndNothingBeside(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Files.createDirectories(run.resolve("a/b"));
        Files.writeString(run.resolve("a/b/checkpoint.h5"), "x");
        Files.writeString(run.resolve("metrics.csv"), "y");
        Path beside = Files.writeString(tmp.resolve("run.txt"), "z");
        FileTree.delete(run);
        assertFalse(Files.exists(run));
        assertTrue(Files.exists(beside));
    }

    @Test
    void aFolderThatDoesNotExistIsNothingToDo(@TempDir Path tmp) {
        assertDoesNotThrow(() -> FileTree.delete(tmp.resolve("never")));
        assertDoesNotThrow(() -> FileTree.deleteUnchecked(tmp.resolve("never")));
    }
}
