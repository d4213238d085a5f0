package cimtrain.data;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CifarReaderTest {
    @TempDir
    Path dir;

    /** {@code n} records; record r has label (seed + r) % 10 and pixel k = seed + r + k (mod 256). */
    static byte[] records(int n, int seed) {
        byte[] b = new byte[n * CifarReader.RECORD_BYTES];
        for (int r = 0; r < n; r++) {
            int o = r * CifarReader.RECORD_BYTES;
            b[o] = (byte) ((seed + r) % 10);
            for (int k = 0; k < CifarReader.IMAGE_BYTES; k++) {
                b[o + 1 + k] = (byte) (seed + r + k);
            }
        }
        return b;
    }

    static void writeAll(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (int i = 0; i < 5; i++) {
            Files.write(folder.resolve(CifarReader.TRAIN_FILES.get(i)), records(2, 10 * i));
        }
        Files.write(folder.resolve(CifarReader.TEST_FILE), records(3, 100));
    }

    @Test
    void readsAllBatchesInOrder() throws IOException {
        writeAll(dir);
        DataSplit s = CifarReader.load(dir);
        assertEquals(10, s.train().size());
        assertEquals(3, s.test().size());
        assertEquals(3, s.train().channels);
        assertEquals(32, s.train().height);
        // Image 3 is record 1 of data_batch_2 (seed 10): label 1 + 10 = 11 % 10 = 1.
        assertEquals(1, s.train().label(3));
        int img = 3 * CifarReader.IMAGE_BYTES;
        // CHW order kept: the first green pixel is byte 1024 of the record's pixels.
        assertEquals((byte) (11 + 1024), s.train().pixels()[img + 1024]);
        assertEquals((byte) (100 + 2 + 3071), s.test().pixels()[2 * CifarReader.IMAGE_BYTES + 3071]);
    }

    @Test
    void acceptsArchiveFolderLayout() throws IOException {
        writeAll(dir.resolve("cifar-10-batches-bin"));
        assertEquals(10, CifarReader.load(dir).train().size());
    }

    @Test
    void missingFilesAreListed() throws IOException {
        writeAll(dir);
        Files.delete(dir.resolve("data_batch_4.bin"));
        Files.delete(dir.resolve("test_batch.bin"));
        UserError e = assertThrows(UserError.class, () -> CifarReader.load(dir));
        assertTrue(e.getMessage().contains("lacks data_batch_4.bin, test_batch.bin")
                && e.getMessage().contains("data_batch_1.bin .. data_batch_5.bin") && e.getMessage().contains(dir.toString()), e.getMessage());
    }

    @Test
    void rejectsPartialRecord() throws IOException {
        Path f = dir.resolve("b.bin");
        byte[] two = records(2, 0);
        Files.write(f, java.util.Arrays.copyOf(two, two.length - 5));
        String msg = assertThrows(UserError.class, () -> CifarReader.read("x", List.of(f))).getMessage();
        assertTrue(msg.contains(f.toString()) && msg.contains("6141") && msg.contains("3073"), msg);
        Files.write(f, new byte[0]);
        assertThrows(UserError.class, () -> CifarReader.read("x", List.of(f)));
    }

    @Test
    void rejectsBadLabel() throws IOException {
        Path f = dir.resolve("b.bin");
        byte[] b = records(3, 0);
        b[2 * CifarReader.RECORD_BYTES] = 10;
        Files.write(f, b);
        String msg = assertThrows(UserError.class, () -> CifarReader.read("x", List.of(f))).getMessage();
        assertTrue(msg.contains("label 10") && msg.contains("record 2") && msg.contains(f.toString()), msg);
    }
}
