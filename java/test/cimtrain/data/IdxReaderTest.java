package cimtrain.data;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    /** Five 3x4 images with distinct pixels and labels 0..4. */
    static Dataset sample() {
        byte[] pixels = new byte[5 * 12];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) (i * 7 + 3);
        }
        return new Dataset("s", 1, 3, 4, 10, pixels, new byte[] {0, 1, 2, 3, 4});
    }

    private static void assertSame(Dataset expected, Dataset actual) {
        assertEquals(expected.size(), actual.size());
        assertEquals(expected.channels, actual.channels);
        assertEquals(expected.height, actual.height);
        assertEquals(expected.width, actual.width);
        assertArrayEquals(expected.pixels(), actual.pixels());
        assertArrayEquals(expected.labels(), actual.labels());
    }

    private static String messageOf(Runnable r) {
        String msg = assertThrows(UserError.class, r::run).getMessage();
        assertTrue(!msg.contains("\n"), "message must be one line: " + msg);
        return msg;
    }

    @Test
    void roundTripsPlainAndGzip() throws IOException {
        for (boolean gzip : new boolean[] {false, true}) {
            Path img = dir.resolve("img" + gzip);
            Path lab = dir.resolve("lab" + gzip);
            IdxWriter.writeDataset(sample(), img, lab, gzip);
            byte[] head = Arrays.copyOf(Files.readAllBytes(img), 4);
            assertEquals(gzip, head[0] == (byte) 0x1f && head[1] == (byte) 0x8b);
            if (!gzip) {
                assertArrayEquals(new byte[] {0, 0, 8, 3}, head);
            }
            assertSame(sample(), IdxReader.readImagesAndLabels("s", img, lab, 10));
        }
    }

    @Test
    void detectsGzipByContentNotName() throws IOException {
        Path gzNamedPlain = dir.resolve("images.gz");
        Path plainNamedGz = dir.resolve("images-idx3-ubyte");
        IdxWriter.write(gzNamedPlain, new int[] {5, 3, 4}, sample().pixels(), false);
        IdxWriter.write(plainNamedGz, new int[] {5, 3, 4}, sample().pixels(), true);
        assertArrayEquals(sample().pixels(), IdxReader.read(gzNamedPlain, 3).data());
        assertArrayEquals(sample().pixels(), IdxReader.read(plainNamedGz, 3).data());
        assertArrayEquals(new int[] {5, 3, 4}, IdxReader.read(plainNamedGz, 3).dims());
    }

    @Test
    void rejectsTruncatedPlainFile() throws IOException {
        Path img = dir.resolve("img");
        IdxWriter.write(img, new int[] {5, 3, 4}, sample().pixels(), false);
        byte[] all = Files.readAllBytes(img);
        Files.write(img, Arrays.copyOf(all, all.length - 1));
        String msg = messageOf(() -> IdxReader.read(img, 3));
        assertTrue(msg.contains(img.toString()) && msg.contains("truncated") && msg.contains("60"), msg);

        Files.write(img, Arrays.copyOf(all, 10)); // cut inside the dimensions
        assertTrue(messageOf(() -> IdxReader.read(img, 3)).contains("header"));
        Files.write(img, new byte[] {0, 0});
        assertTrue(messageOf(() -> IdxReader.read(img, 3)).contains("too short"));
    }

    @Test
    void rejectsTruncatedGzipFile() throws IOException {
        Path img = dir.resolve("img.gz");
        IdxWriter.write(img, new int[] {5, 3, 4}, sample().pixels(), true);
        byte[] all = Files.readAllBytes(img);
        Files.write(img, Arrays.copyOf(all, all.length / 2));
        String msg = messageOf(() -> IdxReader.read(img, 3));
        assertTrue(msg.contains(img.toString()) && msg.contains("truncated"), msg);
    }

    @Test
    void rejectsGzipStreamHoldingTooFewBytes() throws IOException {
        // A complete gzip stream whose content is cut: the IDX check, not gzip, must catch it.
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(raw)) {
            gz.write(new byte[] {0, 0, 8, 1, 0, 0, 0, 9, 1, 2, 3});
        }
        Path lab = dir.resolve("labels");
        Files.write(lab, raw.toByteArray());
        String msg = messageOf(() -> IdxReader.read(lab, 1));
        assertTrue(msg.contains("promises 9") && msg.contains("only 3"), msg);
    }

    @Test
    void rejectsExtraBytes() throws IOException {
        Path lab = dir.resolve("labels");
        Files.write(lab, new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3});
        assertTrue(messageOf(() -> IdxReader.read(lab, 1)).contains("extra bytes"));
    }

    @Test
    void rejectsWrongMagic() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.writeDataset(sample(), img, lab, true);
        // Labels and images swapped: a classic mistake.
        String msg = messageOf(() -> IdxReader.readImagesAndLabels("s", lab, img, 10));
        assertTrue(msg.contains(lab.toString()) && msg.contains("0x00000801") && msg.contains("0x00000803"), msg);
        Files.write(img, new byte[] {0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}); // float type
        assertTrue(messageOf(() -> IdxReader.read(img, 1)).contains("0x00000d01"));
        Files.write(img, "not an idx file at all".getBytes());
        assertTrue(messageOf(() -> IdxReader.read(img, 3)).contains("magic"));
    }

    @Test
    void rejectsNonPositiveDims() throws IOException {
        Path lab = dir.resolve("lab");
        Files.write(lab, new byte[] {0, 0, 8, 1, (byte) 0x80, 0, 0, 0});
        assertTrue(messageOf(() -> IdxReader.read(lab, 1)).contains("must be positive"));
    }

    @Test
    void rejectsCountMismatch() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.write(img, new int[] {5, 3, 4}, sample().pixels(), false);
        IdxWriter.write(lab, new int[] {4}, new byte[] {0, 1, 2, 3}, false);
        String msg = messageOf(() -> IdxReader.readImagesAndLabels("s", img, lab, 10));
        assertTrue(msg.contains("mismatch") && msg.contains("5 images") && msg.contains("4 labels")
                && msg.contains(img.toString()) && msg.contains(lab.toString()), msg);
    }

    @Test
    void rejectsLabelOutOfRange() throws IOException {
        Path img = dir.resolve("img");
        Path lab = dir.resolve("lab");
        IdxWriter.write(img, new int[] {5, 3, 4}, sample().pixels(), false);
        IdxWriter.write(lab, new int[] {5}, new byte[] {0, 1, 10, 3, 4}, false);
        String msg = messageOf(() -> IdxReader.readImagesAndLabels("s", img, lab, 10));
        assertTrue(msg.contains("label 10") && msg.contains("index 2") && msg.contains(lab.toString()), msg);
    }

    @Test
    void rejectsMissingFile() {
        Path none = dir.resolve("nothing-here");
        String msg = messageOf(() -> IdxReader.read(none, 3));
        assertTrue(msg.contains(none.toString()) && msg.contains("does not exist"), msg);
    }
}
