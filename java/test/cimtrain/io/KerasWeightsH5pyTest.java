package cimtrain.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * KerasWeights on files written by h5py the way Keras 2 writes them: what our own writer cannot
 * produce (NUL-padded and variable-length name strings, a layer without weights whose weight_names
 * is an empty float64 array, the HDF5 library's own file format, chunked deflated datasets). Runs
 * where the system Python has h5py (Debian package python3-h5py); skipped elsewhere.
 */
class KerasWeightsH5pyTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private static boolean h5pyAvailable() {
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import h5py, numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static final String SCRIPT = """
            import sys, h5py, numpy as np
            def layer(f, name, weights, fixed):
                g = f.create_group(name)
                names = [("%s/%s:0" % (name, w)).encode("utf8") for w, _ in weights]
                # Keras: group.attrs[name] = list of bytes; h5py 3 makes variable-length strings of
                # that, h5py 2 made fixed-length NUL-padded ones
                g.attrs["weight_names"] = np.array(names, dtype="S") if fixed else names
                for n, (w, val) in zip(names, weights):
                    # Keras does not compress; done here to cover chunked, deflated datasets
                    g.create_dataset(n, data=val, compression="gzip" if w == "kernel" else None)
            with h5py.File(sys.argv[1], "w") as f:
                f.attrs["layer_names"] = [b"conv2d", b"flatten", b"dense"]
                f.attrs["backend"] = b"tensorflow"
                f.attrs["keras_version"] = b"2.15.0"
                k = np.arange(3 * 3 * 2 * 4, dtype=np.float32).reshape(3, 3, 2, 4)
                layer(f, "conv2d", [("kernel", k), ("bias", np.arange(4, dtype=np.float32))], True)
                g = f.create_group("flatten")
                g.attrs["weight_names"] = np.asarray([])  # what Keras writes for a layer without weights
                d = np.arange(6 * 5, dtype=np.float32).reshape(6, 5) / 8
                layer(f, "dense", [("kernel", d), ("bias", np.ones(5, dtype=np.float32))], False)
            """;

    @Test
    void readsAFileWrittenByH5pyInTheKerasLayout() throws Exception {
        assumeTrue(h5pyAvailable(), "no h5py for " + PYTHON + " (Debian package python3-h5py)");
        Path script = dir.resolve("make.py");
        Files.writeString(script, SCRIPT);
        Path f = dir.resolve("keras.h5");
        Process p = new ProcessBuilder(PYTHON, script.toString(), f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);

        List<KerasWeights.Layer> layers = KerasWeights.read(f);
        assertEquals(List.of("conv2d", "dense"), layers.stream().map(KerasWeights.Layer::name).toList());
        assertArrayEquals(new int[] {3, 3, 2, 4}, layers.get(0).kernelShape());
        assertArrayEquals(KerasWeightsTest.ramp(72, 0), layers.get(0).kernel());
        assertArrayEquals(new float[] {0, 1, 2, 3}, layers.get(0).bias());
        float[] dense = new float[30];
        for (int i = 0; i < 30; i++) {
            dense[i] = i / 8f;
        }
        assertArrayEquals(dense, layers.get(1).kernel());
        assertArrayEquals(new float[] {1, 1, 1, 1, 1}, layers.get(1).bias());
    }
}
