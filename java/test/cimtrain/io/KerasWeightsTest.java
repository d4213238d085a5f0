package cimtrain.io;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KerasWeights on files in the Keras h5 layout written with our writer (string-list attributes
 * included). jhdf cannot write the empty weight_names of a layer without weights; that case is
 * covered by {@link KerasWeightsH5pyTest} where h5py is installed.
 */
class KerasWeightsTest {
    @TempDir
    Path dir;

    static float[] ramp(int n, float start) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = start + i;
        }
        return a;
    }

    /** A layer group as Keras writes it: weight_names, and the datasets under /<layer>/<weight name>. */
    static void layer(Hdf5Group under, String name, String[] weightNames, float[][] values, int[][] shapes) {
        Hdf5Group g = under.group(name);
        g.attribute("weight_names", weightNames);
        for (int i = 0; i < weightNames.length; i++) {
            String w = weightNames[i];
            int slash = w.lastIndexOf('/');
            Hdf5Group parent = slash < 0 ? g : g.group(w.substring(0, slash));
            parent.putFloats(w.substring(slash + 1), values[i], shapes[i]);
        }
    }

    static void kerasModel(Hdf5Group root) {
        root.attribute("layer_names", new String[] {"conv2d", "dense", "dense_1"});
        root.attribute("backend", "tensorflow");
        root.attribute("keras_version", "2.15.0");
        layer(root, "conv2d", new String[] {"conv2d/kernel:0", "conv2d/bias:0"},
                new float[][] {ramp(3 * 3 * 2 * 4, 0), ramp(4, 100)}, new int[][] {{3, 3, 2, 4}, {4}});
        // listed after conv2d in the model, but the file does not keep any order: layer_names gives it
        layer(root, "dense_1", new String[] {"dense_1/kernel:0"},
                new float[][] {ramp(5 * 2, 0)}, new int[][] {{5, 2}});
        layer(root, "dense", new String[] {"dense/kernel:0", "dense/bias:0"},
                new float[][] {ramp(6 * 5, -10), ramp(5, 0)}, new int[][] {{6, 5}, {5}});
    }

    @Test
    void readsLayersInModelOrderWithShapes() {
        Path f = dir.resolve("weights.h5");
        Hdf5Writer.write(f, KerasWeightsTest::kerasModel);
        List<KerasWeights.Layer> layers = KerasWeights.read(f);
        assertEquals(List.of("conv2d", "dense", "dense_1"), layers.stream().map(KerasWeights.Layer::name).toList());
        KerasWeights.Layer conv = layers.get(0);
        assertArrayEquals(new int[] {3, 3, 2, 4}, conv.kernelShape());
        assertArrayEquals(ramp(72, 0), conv.kernel());
        assertArrayEquals(ramp(4, 100), conv.bias());
        assertArrayEquals(new int[] {6, 5}, layers.get(1).kernelShape());
        assertArrayEquals(ramp(30, -10), layers.get(1).kernel());
        assertNull(layers.get(2).bias());
    }

    @Test
    void readsAFullModelFileAndChunkedNamesAndNamesWithoutSuffix() {
        Path f = dir.resolve("model.h5");
        Hdf5Writer.write(f, root -> {
            root.attribute("model_config", "{\"class_name\": \"Sequential\"}");
            Hdf5Group w = root.group("model_weights");
            // Keras splits a names attribute over 64 KB into layer_names0, layer_names1, ...
            w.attribute("layer_names0", new String[] {"a"});
            w.attribute("layer_names1", new String[] {"b"});
            layer(w, "a", new String[] {"a/kernel"}, new float[][] {ramp(4, 0)}, new int[][] {{2, 2}});
            layer(w, "b", new String[] {"b/kernel:0", "b/bias:0"}, new float[][] {ramp(6, 0), ramp(3, 0)},
                    new int[][] {{2, 3}, {3}});
        });
        List<KerasWeights.Layer> layers = KerasWeights.read(f);
        assertEquals(List.of("a", "b"), layers.stream().map(KerasWeights.Layer::name).toList());
        assertArrayEquals(ramp(3, 0), layers.get(1).bias());
    }

    private String error(Hdf5Writer.Content content) {
        Path f = dir.resolve("bad.h5");
        Hdf5Writer.write(f, content);
        UserError e = assertThrows(UserError.class, () -> KerasWeights.read(f));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith("Keras weights " + f + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void problemsAreOneLineUserErrorsNamingThePath() {
        assertTrue(error(root -> root.putScalar("x", 1)).contains("no attribute 'layer_names'"));
        assertTrue(error(root -> {
            root.group("layers/dense/vars").putFloats("0", ramp(4, 0), 2, 2);
        }).contains("Keras 3"));
        assertTrue(error(root -> {
            root.attribute("layer_names", new String[] {"dense"});
            root.group("dense").attribute("weight_names", new String[] {"dense/kernel:0"});
        }).contains("missing dataset /dense/dense/kernel:0"));
        assertTrue(error(root -> {
            root.attribute("layer_names", new String[] {"dense"});
            root.group("dense").putScalar("x", 1);
        }).contains("missing attribute 'weight_names' of /dense"));
        assertTrue(error(root -> root.attribute("layer_names", new String[] {"ghost"}))
                .contains("missing group or dataset /ghost"));
        assertTrue(error(root -> {
            root.attribute("layer_names", new String[] {"dense"});
            root.group("dense").attribute("weight_names", new String[] {"dense/kernel:0"});
            root.group("dense/dense").putDoubles("kernel:0", new double[4], 2, 2);
        }).contains("/dense/dense/kernel:0 is float64, expected float32"));
        assertTrue(error(root -> {
            root.attribute("layer_names", new String[] {"bn"});
            layer(root, "bn", new String[] {"bn/gamma:0", "bn/beta:0"}, new float[][] {ramp(2, 0), ramp(2, 0)},
                    new int[][] {{2}, {2}});
        }).contains("/bn has weights [bn/gamma:0, bn/beta:0]"));
        assertTrue(error(root -> {
            root.attribute("layer_names", new String[] {"d"});
            layer(root, "d", new String[] {"d/kernel:0", "d/bias:0"}, new float[][] {ramp(6, 0), ramp(2, 0)},
                    new int[][] {{2, 3}, {2}});
        }).contains("/d/d/bias:0 has shape [2] but the kernel [2, 3] has 3 outputs"));
    }
}
