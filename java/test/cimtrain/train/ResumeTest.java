package cimtrain.train;

import cimtrain.backend.Backends;
import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.DatasetRegistry;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.io.Hdf5Reader;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run stopped after an epoch and resumed from its checkpoint ends exactly like one that never stopped. */
class ResumeTest {
    private static final DataSplit DATA = DatasetRegistry.load("mnist-10k", null, new DataOptions(0, "pad", 0, 640));

    private static RunArguments args(String mode, String hardware) {
        TrainConfig cfg = new TrainConfig("lenet-paper", 1.0, "mnist-10k", Mode.of(mode), 4, 64, "adamw", 0.004f, 0.9f, 0.01f,
                "plateau", 1, 3, 256, 0, "auto");
        return new RunArguments(cfg, "lenet-paper", hardware, null, 0, "pad", 0, 640);
    }

    private static Map<String, Object> run(RunArguments a, Path dir, boolean resume, int stopAfter) {
        ModelSpec spec = Models.load(a.model());
        HardwareSpec hw = a.hardware() == null ? null : Hardware.load(a.hardware());
        return TrainRun.execute(a, spec, "mnist-10k", DATA, hw, dir,
                new RunContext(Backends.choose("auto", note -> { }), 2, RunListener.SILENT), resume, stopAfter);
    }

    @Test
    void stoppedAndResumedEqualsStraight(@TempDir Path tmp) throws IOException {
        for (String[] m : new String[][]{{"fp32", null}, {"mp", "paper-chip"}, {"mp-pulse", "paper-table1-pulse"}}) {
            RunArguments a = args(m[0], m[1]);
            Path straight = tmp.resolve(m[0] + "-straight"), broken = tmp.resolve(m[0] + "-broken");
            Map<String, Object> s1 = run(a, straight, false, 0);
            assertEquals(null, run(a, broken, false, 2), "stopped after epoch 2");
            assertFalse(Files.exists(broken.resolve(RunFolder.SUMMARY)));
            Map<String, Object> s2 = run(a, broken, true, 0);
            assertEquals(s1.get("test_accuracy"), s2.get("test_accuracy"), m[0]);
            assertEquals(s1.get("final_train_loss"), s2.get("final_train_loss"), m[0]);
            assertEquals(s1.get("writes_per_weight_mean"), s2.get("writes_per_weight_mean"), m[0]);
            assertSameState(straight.resolve(Checkpoint.FILE), broken.resolve(Checkpoint.FILE), m[0]);
            assertEquals(testAccuracies(straight), testAccuracies(broken), m[0] + " metrics.csv");
            h5dumpReads(broken.resolve(Checkpoint.FILE));
        }
    }

    /** The reference HDF5 tool reads a checkpoint (where Debian's hdf5-tools is installed, as .ci/run does). */
    private static void h5dumpReads(Path file) throws IOException {
        if (!Files.isExecutable(Path.of("/usr/bin/h5dump"))) {
            return;
        }
        Process p = new ProcessBuilder("/usr/bin/h5dump", "-H", file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            assertEquals(0, p.waitFor(), out);
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        assertTrue(out.contains("GROUP \"network\"") && out.contains("GROUP \"optimizer\""), out);
    }

    /** Every float32 dataset of the two checkpoints (weights, devices, optimizer moments) is bit-identical. */
    private static void assertSameState(Path a, Path b, String mode) {
        try (Hdf5Reader ra = Hdf5Reader.open(a, "checkpoint"); Hdf5Reader rb = Hdf5Reader.open(b, "checkpoint")) {
            List<String> paths = new ArrayList<>();
            collect(ra, "/network", paths);
            collect(ra, "/optimizer", paths);
            if (ra.exists("/chip")) {
                collect(ra, "/chip", paths);
            }
            assertTrue(paths.size() > 4, "state datasets found: " + paths);
            for (String p : paths) {
                if (ra.shape(p).length > 0 && !p.endsWith("metrics")) {
                    assertArrayEquals(values(ra, p), values(rb, p), mode + " " + p);
                }
            }
            assertEquals(ra.longScalar("/network/passes"), rb.longScalar("/network/passes"));
        }
    }

    /** A dataset of any of the array types checkpoints hold, widened to double. */
    private static double[] values(Hdf5Reader r, String p) {
        for (int type = 0; ; type++) {
            try {
                switch (type) {
                    case 0: {
                        float[] f = r.floats(p, r.shape(p));
                        double[] d = new double[f.length];
                        for (int i = 0; i < f.length; i++) {
                            d[i] = f[i];
                        }
                        return d;
                    }
                    case 1:
                        return r.doubles(p, r.shape(p));
                    default: {
                        int[] n = r.ints(p, r.shape(p));
                        return java.util.Arrays.stream(n).asDoubleStream().toArray();
                    }
                }
            } catch (UserError e) {
                if (type == 2) {
                    throw e;
                }
            }
        }
    }

    private static void collect(Hdf5Reader r, String path, List<String> out) {
        for (String c : r.children(path)) {
            String p = path + "/" + c;
            if (r.isGroup(p)) {
                collect(r, p, out);
            } else {
                out.add(p);
            }
        }
    }

    private static List<String> testAccuracies(Path run) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(RunFolder.METRICS))) {
            out.add(line.split(",")[0] + ":" + line.split(",")[4]);
        }
        return out;
    }

    @Test
    void resumeRefusesWhatItCannotContinue(@TempDir Path tmp) throws IOException {
        assertThrows(UserError.class, () -> RunFolder.resume(tmp.resolve("missing")));
        assertThrows(UserError.class, () -> RunFolder.resume(tmp), "no checkpoint");
        Files.writeString(tmp.resolve(Checkpoint.FILE), "not hdf5");
        UserError e = assertThrows(UserError.class, () -> Checkpoint.arguments(tmp.resolve(Checkpoint.FILE)));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Files.writeString(tmp.resolve(RunFolder.SUMMARY), "{}");
        assertThrows(UserError.class, () -> RunFolder.resume(tmp), "finished run");
    }

    @Test
    void aCheckpointOfAnotherModelIsRefused(@TempDir Path tmp) {
        RunArguments a = args("fp32", null);
        run(a, tmp.resolve("lenet"), false, 1);
        TrainConfig other = new TrainConfig("lenet5", 1.0, "mnist-10k", Mode.FP32, 4, 64, "adamw", 0.004f, 0.9f, 0.01f,
                "plateau", 1, 3, 256, 0, "auto");
        // the run folder's checkpoint holds lenet-paper; resuming it as lenet5 must fail with one line
        RunArguments wrong = new RunArguments(other, "lenet5", null, null, 0, "pad", 0, 640);
        UserError e = assertThrows(UserError.class, () -> run(wrong, tmp.resolve("lenet"), true, 0));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
