package cimtrain.io;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Reads fp32 layer weights from an HDF5 file in the layout of Keras 2 / tf.keras
 * {@code model.save_weights('x.h5')} (the "h5" format):
 *
 * <pre>
 * /                               attribute layer_names  = ["conv2d", "flatten", "dense"]  (model order)
 *                                 attributes backend, keras_version (strings; not read)
 * /conv2d                         attribute weight_names = ["conv2d/kernel:0", "conv2d/bias:0"]
 * /conv2d/conv2d/kernel:0         float32 (kh, kw, in, out)
 * /conv2d/conv2d/bias:0           float32 (out)
 * /flatten                        attribute weight_names = []  (empty: h5py writes an empty float64 array)
 * /dense                          attribute weight_names = ["dense/kernel:0", "dense/bias:0"]
 * /dense/dense/kernel:0           float32 (in, out)
 * /dense/dense/bias:0             float32 (out)
 * </pre>
 *
 * Each weight's dataset is {@code /<layer>/<weight name>}. The names are strings, fixed or variable
 * length (both occur, depending on the h5py version). Keras splits an attribute larger than 64 KB
 * into {@code layer_names0}, {@code layer_names1}, ...; those are joined. Weight names may also lack
 * the {@code :0} suffix (Keras 3's legacy writer: {@code dense/kernel}); a weight is recognised by its
 * last name segment without the suffix, {@code kernel} or {@code bias}. A full-model file
 * ({@code model.save('x.h5')}) keeps the same layout under {@code /model_weights}, which is used when
 * the root has no {@code layer_names}. Keras 3's own {@code .weights.h5} format
 * ({@code /layers/<name>/vars/0}) is a different layout and is refused with a hint.
 *
 * <p>Kernel shapes as Keras stores them: Dense {@code (in, out)}; Conv2D {@code (kh, kw, in, out)}
 * (whatever the layer's data_format); Conv1D {@code (k, in, out)}. Biases are {@code (out)}.
 * {@link KerasKernels} turns them into this project's layouts. Layers without weights are skipped;
 * a layer with weights other than kernel and bias (BatchNormalization's gamma, beta, moving mean and
 * variance, for instance) is refused, so that nothing is dropped silently. Weights must be float32.
 *
 * <p>Every problem (missing attribute or dataset, wrong type, a bias that does not match the
 * kernel) is a one-line {@link cimtrain.util.UserError} naming the file and the path inside it.
 */
public final class KerasWeights {
    private KerasWeights() {
    }

    /**
     * One layer's weights as Keras stores them.
     *
     * @param kernel      flat, row-major in Keras's order, of shape {@code kernelShape}
     * @param bias        of length {@code kernelShape[last]}, or null when the layer has none
     */
    public record Layer(String name, float[] kernel, int[] kernelShape, float[] bias) {
        @Override
        public String toString() {
            return name + " kernel " + Arrays.toString(kernelShape) + (bias == null ? " no bias" : " bias");
        }
    }

    /**
     * Writes layers in the layout above ({@code layer_names}, {@code weight_names}, {@code kernel:0} and
     * {@code bias:0} datasets of float32), atomically; h5py and Keras read it as a weights file.
     */
    public static void write(Path file, List<Layer> layers) {
        Hdf5Writer.write(file, root -> {
            root.attribute("layer_names", layers.stream().map(Layer::name).toArray(String[]::new));
            root.attribute("backend", "cimtrain");
            for (Layer l : layers) {
                Hdf5Group g = root.group(l.name());
                List<String> names = new java.util.ArrayList<>();
                names.add(l.name() + "/kernel:0");
                g.group(l.name()).putFloats("kernel:0", l.kernel(), l.kernelShape());
                if (l.bias() != null) {
                    names.add(l.name() + "/bias:0");
                    g.group(l.name()).putFloats("bias:0", l.bias());
                }
                g.attribute("weight_names", names.toArray(new String[0]));
            }
        });
    }

    /** The layers with weights, in the model's order ({@code layer_names}). */
    public static List<Layer> read(Path file) {
        try (Hdf5Reader r = Hdf5Reader.open(file, "Keras weights")) {
            String root = rootOf(r);
            List<Layer> layers = new ArrayList<>();
            for (String name : namesAttribute(r, root, "layer_names")) {
                String group = join(root, name);
                List<String> weightNames = namesAttribute(r, group, "weight_names");
                if (!weightNames.isEmpty()) {
                    layers.add(readLayer(r, name, group, weightNames));
                }
            }
            return Collections.unmodifiableList(layers);
        }
    }

    private static Layer readLayer(Hdf5Reader r, String name, String group, List<String> weightNames) {
        String kernelPath = null;
        String biasPath = null;
        for (String w : weightNames) {
            String role = role(w);
            if (role.equals("kernel") && kernelPath == null) {
                kernelPath = join(group, w);
            } else if (role.equals("bias") && biasPath == null) {
                biasPath = join(group, w);
            } else {
                throw r.error(group, "has weights " + weightNames
                        + "; only one kernel and one bias per layer can be imported");
            }
        }
        if (kernelPath == null) {
            throw r.error(group, "has weights " + weightNames + " but no kernel");
        }
        int[] kernelShape = r.shape(kernelPath);
        if (kernelShape.length < 2) {
            throw r.error(kernelPath, "has shape " + Arrays.toString(kernelShape) + "; a kernel has at least 2 dimensions");
        }
        float[] kernel = r.floats(kernelPath, kernelShape);
        float[] bias = null;
        if (biasPath != null) {
            int out = kernelShape[kernelShape.length - 1];
            int[] biasShape = r.shape(biasPath);
            if (!Arrays.equals(biasShape, new int[] {out})) {
                throw r.error(biasPath, "has shape " + Arrays.toString(biasShape) + " but the kernel "
                        + Arrays.toString(kernelShape) + " has " + out + " outputs");
            }
            bias = r.floats(biasPath, out);
        }
        return new Layer(name, kernel, kernelShape, bias);
    }

    /** Where the layer groups are: the root, or /model_weights in a full-model file. */
    private static String rootOf(Hdf5Reader r) {
        if (hasNames(r, "/", "layer_names")) {
            return "/";
        }
        if (r.isGroup("/model_weights") && hasNames(r, "/model_weights", "layer_names")) {
            return "/model_weights";
        }
        if (r.isGroup("/layers")) {
            throw r.error("/", "has no attribute 'layer_names' but a group /layers: this looks like Keras 3's"
                    + " .weights.h5 format; save in the h5 format instead (model.save('x.h5'))");
        }
        throw r.error("/", "has no attribute 'layer_names': not Keras weights in the h5 format");
    }

    private static boolean hasNames(Hdf5Reader r, String path, String name) {
        return r.hasAttribute(path, name) || r.hasAttribute(path, name + "0");
    }

    /** A names attribute, joined from its chunks {@code name0, name1, ...} when Keras split it. */
    private static List<String> namesAttribute(Hdf5Reader r, String path, String name) {
        if (r.hasAttribute(path, name) || !r.hasAttribute(path, name + "0")) {
            return List.of(r.stringsAttribute(path, name));
        }
        List<String> names = new ArrayList<>();
        for (int chunk = 0; r.hasAttribute(path, name + chunk); chunk++) {
            names.addAll(List.of(r.stringsAttribute(path, name + chunk)));
        }
        return names;
    }

    /** "dense/kernel:0" -> "kernel"; "dense/kernel" -> "kernel". */
    static String role(String weightName) {
        String last = weightName.substring(weightName.lastIndexOf('/') + 1);
        return last.replaceFirst(":\\d+$", "");
    }

    private static String join(String group, String name) {
        return group.equals("/") ? "/" + name : group + "/" + name;
    }
}
