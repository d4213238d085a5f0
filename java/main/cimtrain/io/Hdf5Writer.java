package cimtrain.io;

import cimtrain.util.AtomicFiles;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import io.jhdf.api.WritableNode;
import io.jhdf.exceptions.HdfException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes an HDF5 file whole or not at all.
 *
 * <p>{@code content} first fills an in-memory tree ({@link Hdf5Group}); only then is the file
 * written, by jhdf (pure Java, writes HDF5 1.10-compatible files: superblock v2, object headers v2,
 * contiguous datasets, little-endian), to a temporary file beside the target
 * ({@code .<name>.tmp-<pid>-<n>}), synced to disk and renamed over the target
 * ({@link AtomicFiles#writeWith}). If {@code content} throws, nothing is written; if writing fails,
 * the temporary file is removed. Either way an existing file under the target's name is left as it
 * was and a reader never sees a partial file.
 *
 * <p>Layout conventions (so that h5py, h5dump and {@link Hdf5Reader} agree): arrays are row-major
 * (C order) multi-dimensional datasets with their true shape; scalars are rank-0 datasets; text is a
 * scalar UTF-8 string dataset; small metadata are attributes. jhdf also puts a string attribute
 * {@code _jHDF} (its version) on the root group; readers ignore it. jhdf does not keep the order in
 * which children were added: a reader that needs an order must store it (as an attribute listing the
 * names, as Keras does with {@code layer_names}).
 */
public final class Hdf5Writer {
    private Hdf5Writer() {
    }

    /** Fills the root group of a new file. */
    @FunctionalInterface
    public interface Content {
        void fill(Hdf5Group root) throws IOException;
    }

    /**
     * Builds the tree with {@code content}, then writes it to {@code target} atomically. Exceptions of
     * {@code content} pass through unchanged; failures to write come out as
     * {@link java.io.UncheckedIOException} naming {@code target}.
     */
    public static void write(Path target, Content content) {
        Hdf5Group root = new Hdf5Group("/");
        try {
            content.fill(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
        AtomicFiles.writeWith(target, tmp -> writeTree(root, tmp));
    }

    private static void writeTree(Hdf5Group root, Path tmp) throws IOException {
        // jhdf keeps the whole tree in memory and writes it in close(); its failures are runtime
        // exceptions, turned into IOException so that AtomicFiles reports them as I/O failures
        try (WritableHdfFile file = HdfFile.write(tmp)) {
            copy(root, file);
        } catch (HdfException e) {
            // jhdf says "Exception writing ..."; the cause says why (no space left on device, ...)
            Throwable first = e;
            while (first.getCause() != null && first.getCause() != first) {
                first = first.getCause();
            }
            String why = first != e && first.getMessage() != null ? first.getMessage() : e.getMessage();
            throw new IOException(why, e);
        }
    }

    private static void copy(Hdf5Group from, WritableGroup to) {
        putAttributes(from, to);
        for (Map.Entry<String, Hdf5Node> child : from.children().entrySet()) {
            if (child.getValue() instanceof Hdf5Group g) {
                copy(g, to.putGroup(child.getKey()));
            } else {
                Hdf5Dataset d = (Hdf5Dataset) child.getValue();
                putAttributes(d, to.putDataset(child.getKey(), d.toJhdf()));
            }
        }
    }

    private static void putAttributes(Hdf5Node from, WritableNode to) {
        for (Map.Entry<String, Object> a : from.attributes().entrySet()) {
            to.putAttribute(a.getKey(), a.getValue());
        }
    }
}
