package cimtrain.data;

import cimtrain.util.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the CIFAR-10 "binary version": data_batch_1.bin .. data_batch_5.bin (training) and
 * test_batch.bin, each a sequence of 3073-byte records: one label byte (0..9), then 32x32 red,
 * 32x32 green and 32x32 blue pixels. That plane order is already our C x H x W layout, so pixels
 * are copied as they are.
 */
public final class CifarReader {
    public static final int SIDE = 32;
    public static final int CHANNELS = 3;
    public static final int CLASSES = 10;
    public static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
    public static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    /** The most bytes of records read (what one Java array holds, in whole records). */
    static final long MAX_FILE_BYTES = (Integer.MAX_VALUE - 8) / RECORD_BYTES * (long) RECORD_BYTES;

    static final List<String> TRAIN_FILES = List.of(
            "data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    static final String TEST_FILE = "test_batch.bin";
    /** The folder name inside the official archive cifar-10-binary.tar.gz. */
    static final String ARCHIVE_FOLDER = "cifar-10-batches-bin";

    private CifarReader() {
    }

    /**
     * Loads the standard 50,000/10,000 split from {@code dir}, which may be the folder holding the
     * .bin files or the folder the archive was unpacked into (holding cifar-10-batches-bin/).
     */
    public static DataSplit load(Path dir) {
        Path folder = dir;
        if (!Files.exists(dir.resolve(TEST_FILE)) && Files.isDirectory(dir.resolve(ARCHIVE_FOLDER))) {
            folder = dir.resolve(ARCHIVE_FOLDER);
        }
        List<String> missing = new ArrayList<>();
        for (String f : allFiles()) {
            if (!Files.isRegularFile(folder.resolve(f))) {
                missing.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new UserError("cifar10: folder " + folder + " lacks " + String.join(", ", missing)
                    + "; expected data_batch_1.bin .. data_batch_5.bin and " + TEST_FILE
                    + " (the CIFAR-10 binary version) in the folder itself or in its " + ARCHIVE_FOLDER + " subfolder");
        }
        List<Path> train = TRAIN_FILES.stream().map(folder::resolve).toList();
        return new DataSplit(read("cifar10/train", train), read("cifar10/test", List.of(folder.resolve(TEST_FILE))));
    }

    /** The six files of the binary version, training batches first. */
    private static List<String> allFiles() {
        List<String> all = new ArrayList<>(TRAIN_FILES);
        all.add(TEST_FILE);
        return all;
    }

    /** Reads and concatenates the records of the given batch files. */
    public static Dataset read(String name, List<Path> files) {
        List<byte[]> contents = new ArrayList<>();
        int n = 0;
        for (Path f : files) {
            byte[] bytes;
            try {
                // checked before reading: a file past what one array holds would end in OutOfMemoryError
                long size = Files.size(f);
                if (size > MAX_FILE_BYTES || (long) n * RECORD_BYTES + size > MAX_FILE_BYTES) {
                    throw new UserError(String.format(java.util.Locale.ROOT, "CIFAR-10 file %s: %,d bytes, more than the "
                            + "%,d the batches may hold together (a CIFAR-10 batch is %,d)", f, size, MAX_FILE_BYTES,
                            10_000L * RECORD_BYTES));
                }
                bytes = Files.readAllBytes(f);
            } catch (IOException e) {
                throw new UserError("cannot read CIFAR-10 file " + f + ": " + e.getMessage(), e);
            }
            if (bytes.length == 0 || bytes.length % RECORD_BYTES != 0) {
                throw new UserError("CIFAR-10 file " + f + " has " + bytes.length + " bytes, which is not a"
                        + " positive multiple of the " + RECORD_BYTES + "-byte record (truncated or not CIFAR-10 binary)");
            }
            contents.add(bytes);
            n += bytes.length / RECORD_BYTES;
        }
        if ((long) n * IMAGE_BYTES > Integer.MAX_VALUE - 8) {
            throw new UserError("CIFAR-10 files " + files + " hold " + n + " images, more than fit in one array");
        }
        byte[] pixels = new byte[n * IMAGE_BYTES];
        byte[] labels = new byte[n];
        int i = 0;
        for (int k = 0; k < files.size(); k++) {
            byte[] bytes = contents.get(k);
            for (int r = 0; r < bytes.length / RECORD_BYTES; r++, i++) {
                int label = bytes[r * RECORD_BYTES] & 0xff;
                if (label >= CLASSES) {
                    throw new UserError("CIFAR-10 file " + files.get(k) + " has label " + label + " in record " + r
                            + ", outside 0.." + (CLASSES - 1));
                }
                labels[i] = (byte) label;
                System.arraycopy(bytes, r * RECORD_BYTES + 1, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
            }
        }
        return new Dataset(name, CHANNELS, SIDE, SIDE, CLASSES, pixels, labels);
    }
}
