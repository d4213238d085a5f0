package cimtrain.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Hdf5RoundTripTest {
    @TempDir
    Path dir;

    private static float[] floats(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i * 0.5f - 3f;
        }
        return a;
    }

    @Test
    void everyDatasetTypeAndShapeComesBack() {
        Path f = dir.resolve("all.h5");
        float[] f1 = floats(5), f2 = floats(12), f4 = floats(2 * 3 * 2 * 2);
        double[] d2 = {1e-300, -2.5, Math.PI, 4, 5, 6};
        int[] i3 = {1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE, 6, 7, 8};
        long[] l1 = {Long.MIN_VALUE, 0, Long.MAX_VALUE};
        String yaml = "name: net\nlayers:\n  - conv: {out: 8}  # ünïcödé µ Ω\n" + "x".repeat(100_000);
        Hdf5Writer.write(f, root -> {
            root.putFloats("f1", f1);
            root.group("weights").putFloats("f2", f2, 3, 4);
            root.group("weights/conv").putFloats("f4", f4, 2, 3, 2, 2);
            root.group("weights").putDoubles("d2", d2, 2, 3);
            root.putInts("i3", i3, 2, 2, 2);
            root.putLongs("l1", l1);
            root.group("counters").putScalar("step", 123456789012L);
            root.group("counters").putScalar("epoch", 7);
            root.group("counters").putScalar("lr", 1e-3);
            root.group("counters").putScalar("scale", 0.25f);
            root.putText("network.yaml", yaml);
            root.putText("empty.txt", "");
        });
        try (Hdf5Reader r = Hdf5Reader.open(f, "test")) {
            assertArrayEquals(f1, r.floats("/f1"));
            assertArrayEquals(f1, r.floats("f1", 5));
            assertArrayEquals(f2, r.floats("/weights/f2", 3, 4));
            assertArrayEquals(new int[] {3, 4}, r.shape("/weights/f2"));
            assertArrayEquals(f4, r.floats("/weights/conv/f4", 2, 3, 2, 2));
            assertArrayEquals(d2, r.doubles("/weights/d2", 2, 3));
            assertArrayEquals(i3, r.ints("/i3", 2, 2, 2));
            assertArrayEquals(l1, r.longs("/l1"));
            assertEquals(123456789012L, r.longScalar("/counters/step"));
            assertEquals(7, r.longScalar("/counters/epoch"));
            assertEquals(1e-3, r.doubleScalar("/counters/lr"));
            assertEquals(0.25, r.doubleScalar("/counters/scale"));
            assertArrayEquals(new int[0], r.shape("/counters/lr"));
            assertEquals(yaml, r.text("/network.yaml"));
            assertEquals("", r.text("/empty.txt"));
            assertEquals(List.of("conv", "d2", "f2"), r.children("/weights"));
            assertTrue(r.exists("/weights/conv/f4"));
            assertTrue(r.isGroup("/weights/conv"));
            assertFalse(r.isGroup("/f1"));
            assertFalse(r.exists("/weights/nothing"));
        }
    }

    @Test
    void attributesOfEveryTypeComeBackOnGroupsAndDatasets() {
        Path f = dir.resolve("attrs.h5");
        Hdf5Writer.write(f, root -> {
            root.attribute("format", "cimtrain-checkpoint").attribute("version", 1);
            root.attribute("layer_names", new String[] {"conv2d", "dense_1", "ü"});
            root.attribute("loss", 0.125);
            root.attribute("counts", new long[] {1, 2, Long.MAX_VALUE});
            root.attribute("curve", new double[] {0.5, -1e10});
            root.group("tiles/0").attribute("rows", 64L).attribute("empty", "");
            root.group("tiles/0").putFloats("g", floats(6), 2, 3).attribute("unit", "uS").attribute("gmax", 25.0);
        });
        try (Hdf5Reader r = Hdf5Reader.open(f, "test")) {
            assertEquals("cimtrain-checkpoint", r.stringAttribute("/", "format"));
            assertEquals(1, r.longAttribute("/", "version"));
            assertArrayEquals(new String[] {"conv2d", "dense_1", "ü"}, r.stringsAttribute("/", "layer_names"));
            assertEquals(0.125, r.doubleAttribute("/", "loss"));
            assertArrayEquals(new long[] {1, 2, Long.MAX_VALUE}, r.longsAttribute("/", "counts"));
            assertArrayEquals(new double[] {0.5, -1e10}, r.doublesAttribute("/", "curve"));
            assertEquals(64, r.longAttribute("/tiles/0", "rows"));
            assertEquals("", r.stringAttribute("/tiles/0", "empty"));
            assertEquals("uS", r.stringAttribute("/tiles/0/g", "unit"));
            assertEquals(25.0, r.doubleAttribute("tiles/0/g", "gmax"));
            assertTrue(r.hasAttribute("/", "format"));
            assertFalse(r.hasAttribute("/", "nope"));
        }
    }

    @Test
    void rewritingReplacesTheWholeFile() {
        Path f = dir.resolve("x.h5");
        Hdf5Writer.write(f, root -> root.putFloats("a", floats(100_000), 1000, 100));
        Hdf5Writer.write(f, root -> root.putFloats("b", floats(3)));
        try (Hdf5Reader r = Hdf5Reader.open(f, "test")) {
            assertFalse(r.exists("/a"));
            assertArrayEquals(floats(3), r.floats("/b"));
        }
    }
}
