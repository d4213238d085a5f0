package cimtrain.io;

import cimtrain.util.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Hdf5WriterAtomicTest {
    @TempDir
    Path dir;

    private List<String> filesInDir() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aFailingContentLeavesNoFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("ckpt.h5");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Hdf5Writer.write(f, root -> {
            root.putFloats("w", new float[] {1, 2, 3});
            throw new IllegalStateException("boom while filling");
        }));
        assertEquals("boom while filling", e.getMessage());
        assertEquals(List.of(), filesInDir());
    }

    @Test
    void aFailedRewriteKeepsTheOldFileIntact() throws IOException {
        Path f = dir.resolve("ckpt.h5");
        Hdf5Writer.write(f, root -> root.putFloats("w", new float[] {1, 2, 3}));
        byte[] before = Files.readAllBytes(f);
        assertThrows(IllegalArgumentException.class, () -> Hdf5Writer.write(f, root -> {
            root.putFloats("w", new float[] {9, 9, 9});
            root.putFloats("bad", new float[] {1, 2, 3}, 2, 2); // shape does not match
        }));
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals(List.of("ckpt.h5"), filesInDir());
    }

    @Test
    void aFailureAfterTheFileIsWrittenRemovesTheTemporaryFile() throws IOException {
        // the rename fails: the target's name is taken by a folder that is not empty
        Path f = dir.resolve("ckpt.h5");
        Files.createDirectories(f.resolve("inside"));
        assertThrows(UncheckedIOException.class,
                () -> Hdf5Writer.write(f, root -> root.putFloats("w", new float[] {1, 2, 3})));
        assertEquals(List.of("ckpt.h5"), filesInDir());
        assertTrue(Files.isDirectory(f.resolve("inside")));
    }

    @Test
    void aWriterFailingHalfwayThroughLeavesNothing() throws IOException {
        Path f = dir.resolve("half.h5");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> AtomicFiles.writeWith(f, tmp -> {
            Files.write(tmp, new byte[4096]);
            assertTrue(Files.exists(tmp));
            assertTrue(tmp.getFileName().toString().startsWith(".half.h5.tmp-" + ProcessHandle.current().pid()));
            throw new IOException("disk full");
        }));
        assertTrue(e.getMessage().contains("half.h5") && e.getMessage().contains("disk full"), e.getMessage());
        assertEquals(List.of(), filesInDir());
    }

    @Test
    void contentTheLibraryCannotWriteIsRefusedBeforeAnyFileExists() throws IOException {
        Path f = dir.resolve("x.h5");
        List<Hdf5Writer.Content> bad = List.of(
                root -> root.putFloats("empty", new float[0]),
                root -> root.putDoubles("zero", new double[0], 0, 3),
                root -> root.attribute("none", new String[0]),
                root -> root.attribute("big", "y".repeat(Hdf5Node.MAX_ATTRIBUTE_BYTES)),
                root -> root.putText("nul", "a\0b"),
                root -> root.putInts("a/b", new int[] {1}),
                root -> root.group("g//h"),
                root -> {
                    root.putInts("same", new int[] {1});
                    root.putScalar("same", 2);
                },
                root -> {
                    root.putInts("d", new int[] {1});
                    root.group("d/e");
                });
        for (Hdf5Writer.Content c : bad) {
            assertThrows(IllegalArgumentException.class, () -> Hdf5Writer.write(f, c));
            assertEquals(List.of(), filesInDir());
        }
    }
}
