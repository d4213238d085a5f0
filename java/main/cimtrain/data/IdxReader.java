package cimtrain.data;

import cimtrain.util.UserError;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: a big-endian int magic
 * {@code 0x0000TTDD} (TT = element type, only 0x08 = unsigned byte is supported; DD = number of
 * dimensions), DD big-endian int dimensions, then the elements. Images are {@code 0x00000803}
 * (N x rows x cols), labels {@code 0x00000801} (N).
 *
 * <p>Files may be plain or gzipped; gzip is recognised by its magic bytes 1f 8b rather than by the
 * file name, because downloaded copies are often renamed or transparently decompressed.
 * Every problem with a file is a {@link UserError} that names the file.
 */
public final class IdxReader {
    /** Element type code for unsigned bytes. */
    static final int UBYTE = 0x08;
    /** Largest array Java can allocate, in practice. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    private IdxReader() {
    }

    /** The contents of an IDX file: its dimensions and its elements in row-major order. */
    public record Idx(int[] dims, byte[] data) {
        public int count() {
            return dims[0];
        }
    }

    /** Reads an IDX file of unsigned bytes with exactly {@code expectedDims} dimensions. */
    public static Idx read(Path file, int expectedDims) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in, expectedDims);
        } catch (NoSuchFileException e) {
            throw new UserError("IDX file " + file + " does not exist");
        } catch (IOException e) {
            throw new UserError("cannot read IDX file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads an IDX stream (plain or gzipped); {@code source} names it in error messages. The stream
     * is read to its end, so that trailing bytes are detected, but not closed.
     */
    public static Idx read(String source, InputStream raw, int expectedDims) {
        try {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            InputStream body = (b0 == 0x1f && b1 == 0x8b) ? new GZIPInputStream(buffered, 1 << 16) : buffered;
            return parse(source, new DataInputStream(body), expectedDims);
        } catch (EOFException e) {
            // GZIPInputStream reports a cut-off compressed stream this way.
            throw new UserError("IDX file " + source + " is truncated (gzip stream ends early)", e);
        } catch (ZipException e) {
            throw new UserError("IDX file " + source + " is not valid gzip data: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UserError("cannot read IDX file " + source + ": " + e.getMessage(), e);
        }
    }

    private static Idx parse(String source, DataInputStream in, int expectedDims) throws IOException {
        byte[] header = in.readNBytes(4);
        if (header.length < 4) {
            throw new UserError("IDX file " + source + " is too short to hold an IDX header ("
                    + header.length + " bytes)");
        }
        int magic = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                | (header[3] & 0xff);
        int expectedMagic = (UBYTE << 8) | expectedDims;
        if (magic != expectedMagic) {
            throw new UserError(String.format("IDX file %s has magic number 0x%08x, expected 0x%08x (%s)",
                    source, magic, expectedMagic, expectedDims == 1 ? "unsigned-byte labels"
                            : "unsigned-byte data with " + expectedDims + " dimensions"));
        }
        byte[] dimBytes = in.readNBytes(4 * expectedDims);
        if (dimBytes.length < 4 * expectedDims) {
            throw new UserError("IDX file " + source + " is truncated inside its header");
        }
        int[] dims = new int[expectedDims];
        long total = 1;
        for (int k = 0; k < expectedDims; k++) {
            int o = 4 * k;
            dims[k] = ((dimBytes[o] & 0xff) << 24) | ((dimBytes[o + 1] & 0xff) << 16)
                    | ((dimBytes[o + 2] & 0xff) << 8) | (dimBytes[o + 3] & 0xff);
            if (dims[k] <= 0) {
                throw new UserError("IDX file " + source + " has dimension " + k + " = " + dims[k]
                        + " in its header; dimensions must be positive");
            }
            total *= dims[k];
            if (total > MAX_BYTES) {
                throw new UserError("IDX file " + source + " declares more than " + MAX_BYTES
                        + " bytes of data, which is more than this program can hold");
            }
        }
        byte[] data = in.readNBytes((int) total);
        if (data.length < total) {
            throw new UserError("IDX file " + source + " is truncated: its header promises " + total
                    + " data bytes but only " + data.length + " follow");
        }
        if (in.read() != -1) {
            throw new UserError("IDX file " + source + " has extra bytes after the " + total
                    + " data bytes its header promises");
        }
        return new Idx(dims, data);
    }

    /** Reads an image file (N x rows x cols) and a label file (N) into one single-channel set. */
    public static Dataset readImagesAndLabels(String name, Path images, Path labels, int classes) {
        return toDataset(name, images.toString(), read(images, 3), labels.toString(), read(labels, 1), classes);
    }

    /** Combines an already read image file and label file, checking that they belong together. */
    public static Dataset toDataset(String name, String imageSource, Idx images, String labelSource, Idx labels,
                                    int classes) {
        if (images.count() != labels.count()) {
            throw new UserError("image/label count mismatch: " + imageSource + " holds " + images.count()
                    + " images but " + labelSource + " holds " + labels.count() + " labels");
        }
        byte[] l = labels.data();
        for (int i = 0; i < l.length; i++) {
            if ((l[i] & 0xff) >= classes) {
                throw new UserError("label file " + labelSource + " has label " + (l[i] & 0xff) + " at index " + i
                        + ", outside 0.." + (classes - 1));
            }
        }
        return new Dataset(name, 1, images.dims()[1], images.dims()[2], classes, images.data(), l);
    }
}
