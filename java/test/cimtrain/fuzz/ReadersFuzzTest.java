package cimtrain.fuzz;

import cimtrain.backend.cpu.CpuBackend;
import cimtrain.data.CifarReader;
import cimtrain.data.IdxReader;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.MeasuredCurve;
import cimtrain.io.KerasWeights;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.sweep.SweepPlan;
import cimtrain.train.Checkpoint;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing (Jazzer) of the readers of user files: each gets arbitrary bytes as its file
 * and may only succeed or refuse them with a UserError ({@link Outcome}). In {@code mvn test} each runs
 * on its regression inputs (java/test-resources/cimtrain/fuzz/ReadersFuzzTestInputs/METHOD/: seeds
 * and every finding); {@code JAZZER_FUZZ=1 mvn test -Dtest=ReadersFuzzTest#METHOD} fuzzes one for its
 * maxDuration (eval-reports/robustness-fuzz/README.md).
 */
class ReadersFuzzTest {
    private static Path dir;
    private static CpuBackend backend;
    private static Network lenet;

    @BeforeAll
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("cimtrain-fuzz");
        backend = new CpuBackend(1, 1);
        ModelSpec spec = Models.load("lenet-paper");
        lenet = new Network(spec.name, backend, () -> spec.build(1.0), spec.input, 1, 0);
    }

    @AfterAll
    static void tearDown() throws IOException {
        lenet.close();
        backend.close();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @FuzzTest(maxDuration = "30s")
    void idx(byte[] input) throws Exception {
        Path p = file("images.idx", input);
        Outcome.onlyUserErrors(() -> IdxReader.read(p, 3));
        Outcome.onlyUserErrors(() -> IdxReader.read(p, 1));
    }

    @FuzzTest(maxDuration = "30s")
    void idxImagesAndLabels(byte[] input) throws Exception {
        // the input split in two: an images file and a labels file, read together as a data set
        int cut = input.length == 0 ? 0 : Byte.toUnsignedInt(input[0]) * input.length / 256;
        Path images = file("x-images.idx", Arrays.copyOfRange(input, Math.min(1, input.length), Math.max(cut, Math.min(1, input.length))));
        Path labels = file("x-labels.idx", Arrays.copyOfRange(input, Math.max(cut, Math.min(1, input.length)), input.length));
        Outcome.onlyUserErrors(() -> IdxReader.readImagesAndLabels("fuzz", images, labels, 10));
    }

    @FuzzTest(maxDuration = "30s")
    void cifarBatch(byte[] input) throws Exception {
        Path p = file("data_batch_1.bin", input);
        Outcome.onlyUserErrors(() -> CifarReader.read("fuzz", List.of(p)));
    }

    @FuzzTest(maxDuration = "30s")
    void modelYaml(byte[] input) throws Exception {
        Path p = file("model.yaml", input);
        Outcome.onlyUserErrors(() -> {
            ModelSpec spec = Models.load(p.toString());
            spec.outputShape(1.0);
        });
    }

    @FuzzTest(maxDuration = "30s")
    void hardwareYaml(byte[] input) throws Exception {
        Path p = file("hardware.yaml", input);
        Outcome.onlyUserErrors(() -> Hardware.load(p.toString()));
    }

    @FuzzTest(maxDuration = "30s")
    void pulseTable(byte[] input) throws Exception {
        List<String> lines = new String(input, StandardCharsets.UTF_8).lines().toList();
        Outcome.onlyUserErrors(() -> MeasuredCurve.parse(lines, "fuzz.csv"));
    }

    @FuzzTest(maxDuration = "30s")
    void sweepPlan(byte[] input) throws Exception {
        Path p = file("plan.yaml", input);
        Outcome.onlyUserErrors(() -> {
            SweepPlan plan = SweepPlan.load(p);
            plan.validate(plan.jobs());
        });
    }

    @FuzzTest(maxDuration = "30s")
    void checkpoint(byte[] input) throws Exception {
        Path p = file("checkpoint.h5", input);
        Outcome.onlyUserErrors(() -> Checkpoint.arguments(p));
        Outcome.onlyUserErrors(() -> Checkpoint.loadNetwork(p, lenet));
        Outcome.onlyUserErrors(() -> Checkpoint.tileScales(p));
    }

    @FuzzTest(maxDuration = "30s")
    void kerasWeights(byte[] input) throws Exception {
        Path p = file("weights.h5", input);
        Outcome.onlyUserErrors(() -> KerasWeights.read(p));
    }
}
