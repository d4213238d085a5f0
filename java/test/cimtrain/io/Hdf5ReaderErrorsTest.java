package cimtrain.io;

import cimtrain.util.UserError;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Hdf5ReaderErrorsTest {
    @TempDir
    Path dir;
    Path good;

    @BeforeEach
    void writeAGoodFile() {
        good = dir.resolve("ckpt.h5");
        Hdf5Writer.write(good, root -> {
            root.attribute("format", "test");
            root.attribute("step", 5L);
            root.group("optimizer/m").putFloats("0", new float[6], 2, 3);
            root.group("optimizer/m").putDoubles("1", new double[4]);
            root.putScalar("epoch", 3);
            root.putText("net.yaml", "a: 1\n");
            root.putFloats("big", new float[50_000], 500, 100);
        });
    }

    /** Asserts a single-line UserError that starts with the kind and the file; returns its message. */
    private String userError(Path file, Executable read) {
        UserError e = assertThrows(UserError.class, read);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        assertTrue(m.startsWith("checkpoint " + file + ": "), m);
        return m;
    }

    private String openError(Path file) {
        return userError(file, () -> Hdf5Reader.open(file, "checkpoint").close());
    }

    @Test
    void aTruncatedFileIsRejectedOnOpen() throws IOException {
        Path cut = dir.resolve("cut.h5");
        Files.copy(good, cut);
        try (RandomAccessFile raf = new RandomAccessFile(cut.toFile(), "rw")) {
            raf.setLength(raf.length() / 2);
        }
        assertTrue(openError(cut).contains("truncated"));
    }

    @Test
    void aFileCutBeforeItsHeaderIsRejected() throws IOException {
        Path cut = dir.resolve("cut.h5");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(good), 20));
        assertTrue(openError(cut).contains("corrupt or truncated HDF5 file"));
    }

    @Test
    void foreignFilesAreNotHdf5() throws IOException {
        Path text = dir.resolve("notes.h5");
        Files.writeString(text, "epoch: 3\nloss: 0.1\n".repeat(100));
        assertTrue(openError(text).endsWith("not an HDF5 file"));
        Path random = dir.resolve("random.h5");
        byte[] bytes = new byte[100_000];
        new Random(42).nextBytes(bytes);
        Files.write(random, bytes);
        assertTrue(openError(random).endsWith("not an HDF5 file"));
        Path empty = dir.resolve("empty.h5");
        Files.write(empty, new byte[0]);
        assertTrue(openError(empty).endsWith("not an HDF5 file"));
        Path tiny = dir.resolve("tiny.h5");
        Files.writeString(tiny, "ok\n");
        assertTrue(openError(tiny).endsWith("not an HDF5 file"));
    }

    @Test
    void aMissingFileOrAFolderIsReported() {
        assertTrue(openError(dir.resolve("nope.h5")).endsWith("no such file"));
        assertTrue(openError(dir).endsWith("not a regular file"));
    }

    @Test
    void aCorruptedHeaderIsReportedNotThrownRaw() throws IOException {
        // flip 8 bytes at a time across the end of the superblock and the first object headers (jhdf
        // writes the root group's header at 64): whatever breaks must come out as a one-line UserError,
        // never as one of jhdf's own exceptions
        byte[] bytes = Files.readAllBytes(good);
        Path bad = dir.resolve("bad.h5");
        for (int at = 48; at < 600; at += 8) {
            byte[] copy = bytes.clone();
            for (int i = at; i < at + 8; i++) {
                copy[i] ^= (byte) 0x5a;
            }
            Files.write(bad, copy);
            try (Hdf5Reader r = Hdf5Reader.open(bad, "checkpoint")) {
                r.children("/");
                r.floats("/optimizer/m/0", 2, 3);
                r.text("/net.yaml");
            } catch (UserError e) {
                assertFalse(e.getMessage().contains("\n"), e.getMessage());
                assertTrue(e.getMessage().startsWith("checkpoint " + bad + ": "), e.getMessage());
            }
        }
    }

    @Test
    void missingThingsNameThePathInsideTheFile() {
        try (Hdf5Reader r = Hdf5Reader.open(good, "checkpoint")) {
            assertEquals("checkpoint " + good + ": missing dataset /optimizer/m/3",
                    userError(good, () -> r.floats("/optimizer/m/3")));
            assertEquals("checkpoint " + good + ": missing dataset /optimizer/v/0 (no group /optimizer/v)",
                    userError(good, () -> r.floats("optimizer/v/0")));
            assertTrue(userError(good, () -> r.floats("/epoch/x")).contains("(/epoch is a dataset)"));
            assertEquals("checkpoint " + good + ": missing attribute 'seed' of /",
                    userError(good, () -> r.longAttribute("/", "seed")));
            assertTrue(userError(good, () -> r.stringAttribute("/optimizer/q", "x")).contains("missing group or dataset /optimizer/q"));
            assertTrue(userError(good, () -> r.children("/nothing")).contains("missing group /nothing"));
        }
    }

    @Test
    void wrongTypesAndShapesNameThePath() {
        try (Hdf5Reader r = Hdf5Reader.open(good, "checkpoint")) {
            assertEquals("checkpoint " + good + ": /optimizer/m/1 is float64, expected float32",
                    userError(good, () -> r.floats("/optimizer/m/1")));
            assertEquals("checkpoint " + good + ": /optimizer/m/0 has shape [2, 3], expected [3, 2]",
                    userError(good, () -> r.floats("/optimizer/m/0", 3, 2)));
            assertTrue(userError(good, () -> r.floats("/optimizer/m/0")).endsWith("expected 1-D"));
            assertTrue(userError(good, () -> r.ints("/epoch", 1)).contains("/epoch has shape [] (a scalar)"));
            assertTrue(userError(good, () -> r.doubleScalar("/epoch")).contains("/epoch is int32"));
            assertTrue(userError(good, () -> r.longScalar("/optimizer/m/1")).contains("expected a scalar"));
            assertTrue(userError(good, () -> r.text("/epoch")).contains("expected text"));
            assertTrue(userError(good, () -> r.floats("/optimizer")).contains("/optimizer is a group, expected a dataset"));
            assertTrue(userError(good, () -> r.children("/epoch")).contains("is a dataset, expected a group"));
            assertTrue(userError(good, () -> r.longAttribute("/", "format")).contains("attribute 'format' of / is a scalar string"));
            assertTrue(userError(good, () -> r.stringAttribute("/", "step")).contains("expected a string"));
            assertTrue(userError(good, () -> r.stringsAttribute("/", "format")).contains("expected a list of strings"));
        }
    }
}
