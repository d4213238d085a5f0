package cimtrain.data;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes unsigned-byte IDX files (the inverse of {@link IdxReader}), plain or gzipped. */
public final class IdxWriter {
    private IdxWriter() {
    }

    /** Writes {@code data} with the given dimensions; the magic is {@code 0x0000_08_<dims.length>}. */
    public static void write(Path file, int[] dims, byte[] data, boolean gzip) throws IOException {
        long total = 1;
        for (int d : dims) {
            total *= d;
        }
        if (total != data.length) {
            throw new IllegalArgumentException("IDX dims give " + total + " bytes but data has " + data.length);
        }
        try (OutputStream file0 = Files.newOutputStream(file);
             OutputStream body = gzip ? new GZIPOutputStream(file0, 1 << 16) : new BufferedOutputStream(file0, 1 << 16);
             DataOutputStream out = new DataOutputStream(body)) {
            out.writeInt((IdxReader.UBYTE << 8) | dims.length);
            for (int d : dims) {
                out.writeInt(d);
            }
            out.write(data);
        }
    }

    /** Writes a single-channel set as an image file (N x H x W) and a label file (N). */
    public static void writeDataset(Dataset set, Path images, Path labels, boolean gzip) throws IOException {
        if (set.channels != 1) {
            throw new IllegalArgumentException("IDX image files hold one channel, " + set.name + " has "
                    + set.channels);
        }
        write(images, new int[] {set.size(), set.height, set.width}, set.pixels(), gzip);
        write(labels, new int[] {set.size()}, set.labels(), gzip);
    }
}
