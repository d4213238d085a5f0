package cimtrain.cli;

import cimtrain.train.Checkpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 33, silently wrong and stack traces: every value goes through its range check (the same one
 * for the command line and a hardware file), inputs that cannot agree are compared before anything is
 * written, and sizes past what a tensor or the machine holds are one line and status 2, leaving no folder.
 */
class NothingSilentlyWrongTest {
    private static final String[] TINY = Cli.TINY_RUN;
    private final Cli cli = new Cli();

    @Test
    void evaluateOverridesAreRangeCheckedLikeTheHardwareFile(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, cli.run(Cli.concat(TINY, "--out", run.toString())), cli.errText());
        String ckpt = run.resolve(Checkpoint.FILE).toString();
        Path out = tmp.resolve("eval");
        cli.assertBadInput("--stuck-at must be a number in [0, 1], got 2", "evaluate", "--checkpoint", ckpt, "--stuck-at", "2",
                "--out", out.toString());
        cli.assertBadInput("--programming-error must be a number in [0, 100], got -1", "evaluate", "--checkpoint", ckpt,
                "--programming-error", "-1", "--out", out.toString());
        cli.assertBadInput("--adc-bits must be a whole number in [0, 24], got 99", "evaluate", "--checkpoint", ckpt,
                "--adc-bits", "99", "--out", out.toString());
        cli.assertBadInput("--read-noise must be a number in [0, 100], got NaN", "evaluate", "--checkpoint", ckpt,
                "--read-noise", "NaN", "--out", out.toString());
        cli.assertBadInput("--drift-seconds", "evaluate", "--checkpoint", ckpt, "--drift-seconds", "NaN", "--out", out.toString());
        assertFalse(Files.exists(out));
        // the hardware file's field: the same check, the same words
        Path hw = tmp.resolve("hw.yaml");
        Files.writeString(hw, "name: x\ndevice: {stuck_at_fraction: 2}\n");
        cli.assertBadInput("device.stuck_at_fraction must be a number in [0, 1], got 2", "evaluate", "--checkpoint", ckpt,
                "--hardware", hw.toString(), "--out", out.toString());
        Files.writeString(hw, "name: x\ndevice: {read_noise: -1}\n");
        cli.assertBadInput("device.read_noise must be a number in [0, 100], got -1", "evaluate", "--checkpoint", ckpt,
                "--hardware", hw.toString(), "--out", out.toString());
        Files.writeString(hw, "name: x\nadc: {bits: 99}\n");
        cli.assertBadInput("adc.bits must be a whole number in [0, 24], got 99", "evaluate", "--checkpoint", ckpt,
                "--hardware", hw.toString(), "--out", out.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void impossibleTrainingValuesLeaveNoFolder(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        String[][] cases = {
                {"--momentum", "--momentum", "NaN"},
                {"--weight-decay", "--weight-decay", "NaN"},
                {"--threads", "--threads", "100000"},
                {"--steps-per-epoch", "--steps-per-epoch", "2147483647"},
                {"--batch 100000", "--batch", "100000"},
        };
        for (String[] c : cases) {
            cli.assertBadInput(c[0], "train", "--model", "lenet-paper", "--epochs", "1", c[1], c[2], "--out", out.toString());
            assertFalse(Files.exists(out), "no run folder after " + c[1] + " " + c[2]);
        }
    }

    @Test
    void aNetworkThatCannotTakeItsDataIsRefusedBeforeAnyFolder(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        // a layer that does not fit the shape it receives
        Path big = model(tmp, "big-kernel", "  - conv: {out: 4, kernel: 40}\n  - flatten\n  - linear: {out: 10}\n");
        cli.assertBadInput("does not fit", "train", "--model", big.toString(), "--epochs", "1", "--out", out.toString());
        Path pool = model(tmp, "big-pool", "  - conv: {out: 4, kernel: 5}\n  - maxpool: {size: 2}\n  - maxpool: {size: 16}\n"
                + "  - flatten\n  - linear: {out: 10}\n");
        cli.assertBadInput("does not fit", "train", "--model", pool.toString(), "--epochs", "1", "--out", out.toString());
        // as many class scores as the data has classes
        Path seven = model(tmp, "seven", "  - flatten\n  - linear: {out: 7}\n");
        cli.assertBadInput("10 classes", "train", "--model", seven.toString(), "--epochs", "1", "--out", out.toString());
        // a tensor past 2^31 floats: computed in long and refused before it is allocated
        Path huge = model(tmp, "huge", "  - flatten\n  - linear: {out: 3000000}\n  - linear: {out: 10}\n");
        cli.assertBadInput("2^31", "train", "--model", huge.toString(), "--epochs", "1", "--out", out.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void aPlanOfMillionsOfJobsIsRefusedBeforeItIsExpanded(@TempDir Path tmp) throws Exception {
        StringBuilder axes = new StringBuilder("base: {model: lenet-paper, epochs: 1}\naxes:\n");
        for (String axis : new String[]{"seed", "lr", "batch", "epochs"}) {
            axes.append("  ").append(axis).append(": [");
            for (int i = 1; i <= 100; i++) {
                axes.append(i == 1 ? "" : ", ").append(axis.equals("lr") ? "0.00" + i : Integer.toString(i));
            }
            axes.append("]\n");
        }
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, axes);
        long start = System.nanoTime();
        cli.assertBadInput("more than 100000 jobs", "sweep", plan.toString(), "--out", tmp.resolve("s").toString());
        assertTrue(System.nanoTime() - start < 20e9, "refused at once");
        assertFalse(Files.exists(tmp.resolve("s")));
    }

    @Test
    void aCifarBatchPastWhatAnArrayHoldsIsOneLine(@TempDir Path tmp) throws Exception {
        Path batch = tmp.resolve("data_batch_1.bin");
        try (var f = new java.io.RandomAccessFile(batch.toFile(), "rw")) {
            f.setLength((1L << 31) + 3073L); // sparse: no disk used
        }
        cimtrain.util.UserError e = org.junit.jupiter.api.Assertions.assertThrows(cimtrain.util.UserError.class,
                () -> cimtrain.data.CifarReader.read("cifar10", java.util.List.of(batch)));
        assertTrue(e.getMessage().contains(batch.toString()), e.getMessage());
    }

    private static Path model(Path dir, String name, String layers) throws Exception {
        Path p = dir.resolve(name + ".yaml");
        Files.writeString(p, "name: " + name + "\ninput: [1, 28, 28]\nlayers:\n" + layers);
        return p;
    }
}
