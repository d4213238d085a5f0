package cimtrain.io;

import cimtrain.util.UserError;
import io.jhdf.HdfFile;
import io.jhdf.Superblock;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Link;
import io.jhdf.api.Node;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.message.DataLayout;
import java.io.IOException;
import java.lang.reflect.Array;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Reads an HDF5 file by path, checking types and shapes; the reading side of {@link Hdf5Writer},
 * and of HDF5 files written by h5py or the HDF5 library (including chunked and deflate-compressed
 * datasets).
 *
 * <p>Every failure is a {@link UserError} with one line naming the file and, where there is one, the
 * path inside it, in the form {@code <kind> <file>: <problem>}, e.g.
 * {@code checkpoint runs/x/ckpt.h5: missing dataset /optimizer/m/3}. That covers a missing or
 * unreadable file, a file that is not HDF5, a truncated file (detected on open: the superblock's
 * end-of-file address lies past the end of the file), a corrupt one (jhdf's exceptions are caught
 * here and translated), a missing group, dataset or attribute, and a wrong type or shape.
 * Over 400 lines: every check above is a line of its own, and they belong together.
 *
 * <p>Paths are absolute or relative to the root ({@code /a/b} and {@code a/b} are the same). Arrays
 * come back flat in row-major (C) order; a shape given as {@code int...} must match exactly, and
 * giving none means "1-D, any length", as in {@link Hdf5Group#putFloats}. Types are strict:
 * {@link #floats} wants float32, {@link #doubles} float64, {@link #ints} int32, {@link #longs} int64;
 * only the scalar getters widen ({@link #longScalar} takes any integer type that fits a long,
 * {@link #doubleScalar} float32 or float64). Close it (try-with-resources); not thread-safe.
 */
public final class Hdf5Reader implements AutoCloseable {
    /** The HDF5 format signature's length; it starts the file (or a later 512-byte boundary). */
    private static final int SIGNATURE_BYTES = 8;

    private final Path file;
    private final String kind;
    private final HdfFile hdf;
    /** The file's size in bytes, to tell a corrupt dataset shape before allocating for it. */
    private final long size;

    private Hdf5Reader(Path file, String kind, HdfFile hdf, long size) {
        this.file = file;
        this.kind = kind;
        this.hdf = hdf;
        this.size = size;
    }

    /**
     * Opens {@code file}; {@code kind} names what the file should be ("checkpoint", "Keras weights")
     * and starts every error message.
     */
    public static Hdf5Reader open(Path file, String kind) {
        String prefix = kind + " " + file + ": ";
        if (!Files.exists(file)) {
            throw new UserError(prefix + "no such file");
        }
        if (!Files.isRegularFile(file)) {
            throw new UserError(prefix + "not a regular file");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UserError(prefix + "cannot read (" + oneLine(e) + ")", e);
        }
        if (size < SIGNATURE_BYTES) {
            // jhdf would fail reading the signature itself, with a bare BufferUnderflowException
            throw new UserError(prefix + "not an HDF5 file");
        }
        HdfFile hdf;
        try {
            hdf = size <= Integer.MAX_VALUE ? mapped(file, size) : new HdfFile(file);
        } catch (IOException | RuntimeException e) {
            String why = oneLine(e);
            throw new UserError(prefix + (why.contains("No valid HDF5 signature") ? "not an HDF5 file"
                    : "corrupt or truncated HDF5 file (" + why + ")"), e);
        }
        try {
            Superblock sb = hdf.getHdfBackingStorage().getSuperblock();
            long end = sb.getBaseAddressByte() + sb.getEndOfFileAddress();
            // an undefined address is all ones, i.e. negative as a long: nothing to compare then
            if (sb.getEndOfFileAddress() >= 0 && end > size) {
                throw new UserError(prefix + "truncated: " + size + " bytes of " + end
                        + " (an interrupted copy or download?)");
            }
            return new Hdf5Reader(file, kind, hdf, size);
        } catch (RuntimeException e) {
            hdf.close();
            throw e instanceof UserError u ? u : new UserError(prefix + "corrupt HDF5 file (" + oneLine(e) + ")", e);
        }
    }

    /**
     * Opens the file through a read-only memory map rather than jhdf's file channel: a corrupt length
     * field then fails at once (a read past the end of the map), where through the channel jhdf first
     * allocates a buffer of that length, up to 2 GB twice over (seen: 15 s, then the error). A map holds
     * at most 2 GB; larger files go through the channel.
     */
    private static HdfFile mapped(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // the map stays valid after the channel is closed
            return HdfFile.fromByteBuffer(ch.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
    }

    public Path file() {
        return file;
    }

    /** The error this reader would throw about {@code path}: for callers' own checks on the content. */
    public UserError error(String path, String problem) {
        return new UserError(kind + " " + file + ": " + normalize(path) + " " + problem);
    }

    /** Whether a group or dataset exists at {@code path}. */
    public boolean exists(String path) {
        return guard(path, () -> find(normalize(path)) != null);
    }

    public boolean isGroup(String path) {
        return guard(path, () -> {
            Node n = find(normalize(path));
            return n != null && n.isGroup();
        });
    }

    /** Names of the children of the group at {@code path}, sorted (HDF5 files need not keep an order). */
    public List<String> children(String path) {
        return guard(path, () -> {
            Node n = node(normalize(path), "group");
            if (!n.isGroup()) {
                throw error(path, "is a dataset, expected a group");
            }
            List<String> names = new ArrayList<>(((Group) n).getChildren().keySet());
            Collections.sort(names);
            return names;
        });
    }

    /** The shape of the dataset at {@code path}; empty for a scalar. */
    public int[] shape(String path) {
        return guard(path, () -> dataset(normalize(path)).getDimensions().clone());
    }

    /**
     * A float32 dataset of exactly {@code shape} (1-D of any length when none is given), flat in
     * row-major order.
     */
    public float[] floats(String path, int... shape) {
        return (float[]) array(path, FloatingPoint.class, 4, "float32", float.class, shape);
    }

    /** As {@link #floats}, for float64. */
    public double[] doubles(String path, int... shape) {
        return (double[]) array(path, FloatingPoint.class, 8, "float64", double.class, shape);
    }

    /** As {@link #floats}, for int32. */
    public int[] ints(String path, int... shape) {
        return (int[]) array(path, FixedPoint.class, 4, "int32", int.class, shape);
    }

    /** As {@link #floats}, for int64. */
    public long[] longs(String path, int... shape) {
        return (long[]) array(path, FixedPoint.class, 8, "int64", long.class, shape);
    }

    /** A scalar float32 or float64 dataset. */
    public double doubleScalar(String path) {
        return guard(path, () -> {
            Dataset d = scalar(normalize(path));
            if (!(d.getDataType() instanceof FloatingPoint)) {
                throw error(path, "is " + typeName(d.getDataType()) + ", expected a floating-point scalar");
            }
            return ((Number) d.getData()).doubleValue();
        });
    }

    /** A scalar integer dataset of any width that fits a long. */
    public long longScalar(String path) {
        return guard(path, () -> {
            Dataset d = scalar(normalize(path));
            if (!(d.getDataType() instanceof FixedPoint)) {
                throw error(path, "is " + typeName(d.getDataType()) + ", expected an integer scalar");
            }
            return exactLong(d.getData(), () -> error(path, "holds a value too large for a long"));
        });
    }

    /** A scalar string dataset (UTF-8 or ASCII, fixed or variable length). */
    public String text(String path) {
        return guard(path, () -> {
            Dataset d = scalar(normalize(path));
            if (d.getJavaType() != String.class) {
                throw error(path, "is " + typeName(d.getDataType()) + ", expected text");
            }
            return (String) d.getData();
        });
    }

    public boolean hasAttribute(String path, String name) {
        return guard(path, () -> node(normalize(path), "group or dataset").getAttribute(name) != null);
    }

    /** A scalar string attribute. */
    public String stringAttribute(String path, String name) {
        return guard(path, () -> {
            Attribute a = attribute(path, name);
            if (a.getJavaType() != String.class || !a.isScalar()) {
                throw attributeError(path, name, "is " + describe(a) + ", expected a string");
            }
            return (String) a.getData();
        });
    }

    /**
     * A 1-D string-array attribute. An empty attribute of any type gives an empty array: h5py
     * stores an empty list as an empty float64 array (Keras does so for layers without weights).
     */
    public String[] stringsAttribute(String path, String name) {
        return guard(path, () -> {
            Attribute a = attribute(path, name);
            if (a.isEmpty() || a.getSize() == 0) {
                return new String[0];
            }
            if (a.getJavaType() != String.class || a.getDimensions().length != 1) {
                throw attributeError(path, name, "is " + describe(a) + ", expected a list of strings");
            }
            return ((String[]) a.getData()).clone();
        });
    }

    /** A scalar integer attribute of any width that fits a long. */
    public long longAttribute(String path, String name) {
        return guard(path, () -> {
            Attribute a = attribute(path, name);
            if (!(a.getDataType() instanceof FixedPoint) || !a.isScalar()) {
                throw attributeError(path, name, "is " + describe(a) + ", expected an integer");
            }
            return exactLong(a.getData(), () -> attributeError(path, name, "holds a value too large for a long"));
        });
    }

    /** A scalar float32 or float64 attribute. */
    public double doubleAttribute(String path, String name) {
        return guard(path, () -> {
            Attribute a = attribute(path, name);
            if (!(a.getDataType() instanceof FloatingPoint) || !a.isScalar()) {
                throw attributeError(path, name, "is " + describe(a) + ", expected a floating-point number");
            }
            return ((Number) a.getData()).doubleValue();
        });
    }

    /** A 1-D int64 attribute. */
    public long[] longsAttribute(String path, String name) {
        return (long[]) arrayAttribute(path, name, FixedPoint.class, 8, "int64", long[].class);
    }

    /** A 1-D float64 attribute. */
    public double[] doublesAttribute(String path, String name) {
        return (double[]) arrayAttribute(path, name, FloatingPoint.class, 8, "float64", double[].class);
    }

    /** Closes the file; a failure to close a file only read loses nothing, so it is not reported. */
    @Override
    public void close() {
        try {
            hdf.close();
        } catch (RuntimeException ignored) {
            // see above
        }
    }

    // ---- navigation ----

    /** The node at an absolute path, or null. */
    private Node find(String path) {
        try {
            return node(path, "node");
        } catch (UserError missing) {
            return null;
        }
    }

    /**
     * The node at an absolute path, following soft links; a missing one is an error naming
     * {@code what} was wanted and where the path breaks off.
     */
    private Node node(String path, String what) {
        Node n = hdf;
        if (path.equals("/")) {
            return n;
        }
        String[] names = path.substring(1).split("/");
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < names.length; i++) {
            if (!(n instanceof Group g)) {
                throw new UserError(kind + " " + file + ": missing " + what + " " + path + " (" + at + " is a dataset)");
            }
            at.append('/').append(names[i]);
            n = g.getChild(names[i]);
            if (n == null) {
                String where = i == names.length - 1 ? "" : " (no group " + at + ")";
                throw new UserError(kind + " " + file + ": missing " + what + " " + path + where);
            }
            if (n.isLink()) {
                n = ((Link) n).getTarget();
            }
        }
        return n;
    }

    private Dataset dataset(String path) {
        Node n = node(path, "dataset");
        if (n.isGroup()) {
            throw error(path, "is a group, expected a dataset");
        }
        return (Dataset) n;
    }

    private Dataset scalar(String path) {
        Dataset d = dataset(path);
        if (!d.isScalar()) {
            throw error(path, "has shape " + Arrays.toString(d.getDimensions()) + ", expected a scalar");
        }
        return d;
    }

    private Attribute attribute(String path, String name) {
        Attribute a = node(normalize(path), "group or dataset").getAttribute(name);
        if (a == null) {
            throw new UserError(kind + " " + file + ": missing attribute '" + name + "' of " + normalize(path));
        }
        return a;
    }

    // ---- typed reads ----

    private Object array(String path, Class<? extends DataType> typeClass, int bytes, String typeName,
                         Class<?> element, int[] shape) {
        return guard(path, () -> {
            Dataset d = dataset(normalize(path));
            DataType t = d.getDataType();
            if (!typeClass.isInstance(t) || t.getSize() != bytes || d.isCompound()
                    || (t instanceof FixedPoint f && !f.isSigned())) {
                throw error(path, "is " + typeName(t) + ", expected " + typeName);
            }
            int[] dims = d.getDimensions();
            boolean fits = shape.length == 0 ? dims.length == 1 : Arrays.equals(dims, shape);
            if (!fits) {
                throw error(path, "has shape " + (d.isScalar() ? "[] (a scalar)" : Arrays.toString(dims))
                        + ", expected " + (shape.length == 0 ? "1-D" : Arrays.toString(shape)));
            }
            long total = 1;
            for (int n : dims) {
                // capped, so that a corrupt shape cannot overflow the product
                total = Math.min(total * n, Integer.MAX_VALUE);
            }
            if (total > Integer.MAX_VALUE - 8) {
                throw error(path, "has shape " + Arrays.toString(dims) + ", too many elements for one Java array");
            }
            // unfiltered data lies in the file byte for byte, so a shape that needs more bytes than the
            // file has is a corrupt header; checked before allocating for it (chunked data may be
            // compressed or left unallocated, so it can legitimately be larger)
            DataLayout layout = d.getDataLayout();
            if ((layout == DataLayout.CONTIGUOUS || layout == DataLayout.COMPACT) && total * bytes > size) {
                throw error(path, "has shape " + Arrays.toString(dims) + ", more data than the whole file holds"
                        + " (corrupt file?)");
            }
            Object flat = Array.newInstance(element, (int) total);
            if (total > 0) {
                flatten(d.getData(), dims, 0, flat, 0);
            }
            return flat;
        });
    }

    private Object arrayAttribute(String path, String name, Class<? extends DataType> typeClass, int bytes,
                                  String typeName, Class<?> arrayClass) {
        return guard(path, () -> {
            Attribute a = attribute(path, name);
            DataType t = a.getDataType();
            if (a.isEmpty() || !typeClass.isInstance(t) || t.getSize() != bytes || a.getDimensions().length != 1
                    || (t instanceof FixedPoint f && !f.isSigned())) {
                throw attributeError(path, name, "is " + describe(a) + ", expected a 1-D " + typeName + " array");
            }
            Object data = a.getData();
            return arrayClass.cast(data);
        });
    }

    /** Copies jhdf's nested arrays into the flat row-major array; returns the next flat offset. */
    private static int flatten(Object nested, int[] dims, int dim, Object flat, int offset) {
        if (dim == dims.length - 1) {
            System.arraycopy(nested, 0, flat, offset, dims[dim]);
            return offset + dims[dim];
        }
        for (int i = 0; i < dims[dim]; i++) {
            offset = flatten(Array.get(nested, i), dims, dim + 1, flat, offset);
        }
        return offset;
    }

    /** jhdf gives unsigned 64-bit integers as BigInteger. */
    private static long exactLong(Object value, Supplier<UserError> tooLarge) {
        if (value instanceof BigInteger b) {
            if (b.bitLength() > 63) {
                throw tooLarge.get();
            }
            return b.longValue();
        }
        return ((Number) value).longValue();
    }

    // ---- errors ----

    /**
     * Runs a read, translating jhdf's runtime exceptions (which it throws on corrupt structures and
     * data it cannot decode) into one-line errors naming the file and the path.
     */
    private <T> T guard(String path, Supplier<T> read) {
        try {
            return read.get();
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            throw new UserError(kind + " " + file + ": cannot read " + normalize(path)
                    + " (corrupt HDF5 file? " + oneLine(e) + ")", e);
        }
    }

    private UserError attributeError(String path, String name, String problem) {
        return new UserError(kind + " " + file + ": attribute '" + name + "' of " + normalize(path) + " " + problem);
    }

    private static String normalize(String path) {
        String p = path.replaceAll("/+", "/");
        if (!p.startsWith("/")) {
            p = "/" + p;
        }
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static String describe(Attribute a) {
        if (a.isEmpty()) {
            return "empty";
        }
        String type = typeName(a.getDataType());
        return a.isScalar() ? "a scalar " + type : type + " of shape " + Arrays.toString(a.getDimensions());
    }

    /** The type in numpy's words (float32, int64, uint8, string), as users know it from h5py. */
    static String typeName(DataType t) {
        if (t instanceof FloatingPoint) {
            return "float" + 8 * t.getSize();
        }
        if (t instanceof FixedPoint f) {
            return (f.isSigned() ? "int" : "uint") + 8 * t.getSize();
        }
        if (t.getJavaType() == String.class) {
            return "string";
        }
        return t.getClass().getSimpleName().toLowerCase(Locale.ROOT);
    }

    /**
     * True for the JDK's exceptions that a damaged structure makes jhdf throw (a null pointer, an index
     * or size out of range): their messages ("-10", "Cannot invoke ...") speak of code, not of the file.
     */
    private static boolean internal(Throwable e) {
        return e instanceof NullPointerException || e instanceof IndexOutOfBoundsException
                || e instanceof NegativeArraySizeException || e instanceof ClassCastException
                || e instanceof ArithmeticException || e instanceof java.nio.BufferUnderflowException
                || e instanceof java.nio.BufferOverflowException || e instanceof ArrayStoreException;
    }

    /** The exception's message and its cause's (jhdf wraps the telling one), on one line. */
    private static String oneLine(Throwable e) {
        if (internal(e) || (e.getCause() != null && internal(e.getCause()) && e.getMessage() == null)) {
            return "its structure is damaged";
        }
        String m = e.getMessage();
        String cause = e.getCause() == null || internal(e.getCause()) ? null : e.getCause().getMessage();
        if (cause != null && (m == null || !m.contains(cause))) {
            m = m == null ? cause : m + ": " + cause;
        }
        return (m == null ? e.getClass().getSimpleName() : m).replaceAll("\\s+", " ").trim();
    }
}
