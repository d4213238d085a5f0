package cimtrain.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The files pass the reference tool: h5dump (Debian package hdf5-tools, installed by .ci/run) reads
 * the whole structure. Skipped where h5dump is missing.
 */
class Hdf5DumpTest {
    @TempDir
    Path dir;

    static boolean onPath(String command) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(d, command).canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void h5dumpReadsAWrittenFile() throws Exception {
        assumeTrue(onPath("h5dump"), "h5dump not installed (Debian package hdf5-tools)");
        Path f = dir.resolve("dump.h5");
        Hdf5Writer.write(f, root -> {
            root.attribute("layer_names", new String[] {"conv2d", "dense"});
            root.attribute("step", 42L);
            root.group("weights/conv2d").putFloats("kernel", new float[24], 2, 3, 2, 2);
            root.group("optimizer").putDoubles("lr", new double[] {0.1});
            root.group("optimizer").putScalar("t", 7L);
            root.putText("network.yaml", "name: x\n");
        });
        Process p = new ProcessBuilder("h5dump", "-H", f.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "h5dump did not finish");
        assertEquals(0, p.exitValue(), out);
        for (String expected : new String[] {"GROUP \"weights\"", "GROUP \"conv2d\"", "DATASET \"kernel\"",
                "( 2, 3, 2, 2 )", "GROUP \"optimizer\"", "DATASET \"t\"", "ATTRIBUTE \"layer_names\"",
                "DATASET \"network.yaml\"", "H5T_IEEE_F32LE", "H5T_STD_I64LE"}) {
            assertTrue(out.contains(expected), "h5dump -H shows " + expected + ":\n" + out);
        }
    }
}
