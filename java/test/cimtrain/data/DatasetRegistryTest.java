package cimtrain.data;

import cimtrain.util.SettingError;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class DatasetRegistryTest {
    @TempDir
    Path dir;

    static int[] classCounts(Dataset d) {
        int[] counts = new int[d.classes];
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
        }
        return counts;
    }

    @Test
    void mnist10kLoadsWithFixedSplit() {
        DataSplit a = DatasetRegistry.load("mnist-10k", null, DataOptions.NONE);
        assertEquals(8000, a.train().size());
        assertEquals(2000, a.test().size());
        assertEquals(1, a.train().channels);
        assertEquals(28, a.train().height);
        assertEquals(28, a.train().width);
        int[] test = classCounts(a.test());
        int[] train = classCounts(a.train());
        for (int c = 0; c < 10; c++) {
            assertEquals(200, test[c], "test images of class " + c);
            assertTrue(train[c] > 600, "train images of class " + c);
        }
        // The shipped per-class totals (see datasets/mnist-10k/README.md).
        int[] total = new int[10];
        Arrays.setAll(total, c -> test[c] + train[c]);
        assertArrayEquals(new int[] {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978}, total);
        // The training set comes in well mixed order, so that a train limit (the first N) is
        // about balanced: in the first 1,000 each class has its share +-40%.
        int[] head = classCounts(Transforms.limit(a.train(), 1000));
        for (int c = 0; c < 10; c++) {
            double share = 1000.0 * train[c] / 8000;
            assertTrue(Math.abs(head[c] - share) < 0.4 * share, "class " + c + ": " + head[c] + " of the first 1000");
        }

        DataSplit b = DatasetRegistry.load("mnist-10k", null, DataOptions.NONE);
        assertArrayEquals(a.train().pixels(), b.train().pixels());
        assertArrayEquals(a.train().labels(), b.train().labels());
        assertArrayEquals(a.test().pixels(), b.test().pixels());
        assertArrayEquals(a.test().labels(), b.test().labels());
    }

    @Test
    void mnist10kSplitIsPinned() {
        // Guards against silent changes of the split (e.g. a JDK changing SplittableRandom): the
        // CRC32 of the test indices, then the train indices, in order, as computed when the split
        // was fixed (the train order matters too: a train limit keeps its head).
        byte[] labels = new byte[10000];
        int[] perClass = {1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978};
        for (int c = 0, i = 0; c < 10; c++) {
            for (int k = 0; k < perClass[c]; k++) {
                labels[i++] = (byte) c;
            }
        }
        int[][] split = DatasetRegistry.mnist10kSplitIndices(labels);
        CRC32 crc = new CRC32();
        for (int[] part : new int[][] {split[1], split[0]}) {
            for (int idx : part) {
                crc.update(new byte[] {(byte) (idx >> 8), (byte) idx});
            }
        }
        assertEquals(MNIST_10K_TEST_CRC, crc.getValue());
        // Train and test are disjoint and cover everything.
        boolean[] seen = new boolean[10000];
        for (int[] part : split) {
            for (int idx : part) {
                assertFalse(seen[idx]);
                seen[idx] = true;
            }
        }
        assertEquals(8000, split[0].length);
    }

    static final long MNIST_10K_TEST_CRC = 491106256L;

    @Test
    void optionsAreApplied() {
        DataSplit s = DatasetRegistry.load("mnist-10k", null, new DataOptions(32, "pad", 3, 1000));
        assertEquals(1000, s.train().size());
        assertEquals(2000, s.test().size());
        assertEquals(3, s.test().channels);
        assertEquals(32, s.test().height);
    }

    @Test
    void namesAndDescriptions() {
        assertEquals(List.of("mnist-10k", "fashion-mnist", "mnist", "cifar10"), DatasetRegistry.names());
        for (String n : DatasetRegistry.names()) {
            String d = DatasetRegistry.description(n);
            assertFalse(d.isBlank() || d.contains("\n"), n);
        }
    }

    @Test
    void unknownNameListsKnownOnes() {
        UserError e = assertThrows(UserError.class, () -> DatasetRegistry.load("mnsit", null, DataOptions.NONE));
        assertTrue(e.getMessage().contains("'mnsit'") && e.getMessage().contains("mnist-10k, fashion-mnist, mnist, cifar10"),
                e.getMessage());
        assertThrows(UserError.class, () -> DatasetRegistry.description("nope"));
    }

    @Test
    void mnistAndCifarNeedADataFolder() {
        // the message names the data setting, which the command line shows as --data
        assertTrue(SettingError.asFlags(assertThrows(UserError.class, () -> DatasetRegistry.load("mnist", null, DataOptions.NONE)))
                .contains("pass --data DIR"));
        assertTrue(SettingError.asFlags(assertThrows(UserError.class, () -> DatasetRegistry.load("cifar10", null, DataOptions.NONE)))
                .contains("pass --data DIR"));
        Path none = dir.resolve("absent");
        assertTrue(assertThrows(UserError.class, () -> DatasetRegistry.load("mnist", none, DataOptions.NONE))
                .getMessage().contains(none.toString()));
    }

    @Test
    void loadsMnistFromDataFolder() throws IOException {
        Dataset train = IdxReaderTest.sample();
        IdxWriter.writeDataset(train, dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), true);
        // The test files unzipped and with the dotted spelling of some mirrors.
        IdxWriter.writeDataset(train, dir.resolve("t10k-images.idx3-ubyte"), dir.resolve("t10k-labels.idx1-ubyte"), false);
        DataSplit s = DatasetRegistry.load("mnist", dir, DataOptions.NONE);
        assertArrayEquals(train.pixels(), s.train().pixels());
        assertArrayEquals(train.labels(), s.test().labels());
        assertEquals("mnist/train", s.train().name);
    }

    @Test
    void loadsCifarFromDataFolder() throws IOException {
        CifarReaderTest.writeAll(dir.resolve("cifar-10-batches-bin"));
        DataSplit s = DatasetRegistry.load("cifar10", dir, DataOptions.NONE);
        assertEquals(10, s.train().size());
        assertEquals(3, s.test().size());
    }

    @Test
    void fashionMnistMissingFilesSayHowToGetThem() {
        String msg = SettingError.asFlags(assertThrows(UserError.class,
                () -> DatasetRegistry.load("fashion-mnist", dir, DataOptions.NONE)));
        assertTrue(msg.contains("train-images-idx3-ubyte") && msg.contains("apt-get install dataset-fashion-mnist")
                && msg.contains("--data"), msg);
    }

    @Test
    void fashionMnistFromDebianPackage() {
        assumeTrue(Files.isDirectory(DatasetRegistry.DEBIAN_FASHION_MNIST), "dataset-fashion-mnist not installed");
        DataSplit s = DatasetRegistry.load("fashion-mnist", null, DataOptions.NONE);
        assertEquals(60000, s.train().size());
        assertEquals(10000, s.test().size());
        assertEquals(28, s.train().width);
        int[] counts = classCounts(s.test());
        for (int c = 0; c < 10; c++) {
            assertEquals(1000, counts[c]);
        }
    }
}
