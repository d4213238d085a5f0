package cimtrain.backend;

import cimtrain.backend.cuda.CudaProbe;
import cimtrain.backend.cuda.CudaTestSupport;
import cimtrain.cli.Main;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A full lenet-paper mp epoch (paper-chip, aggregate reads) on the CPU and on the GPU with the same seed:
 * the same data order, initial weights and read noise (Philox); the GPU's GEMMs round in another order,
 * and a threshold crossed by a rounding difference writes a device one step earlier or later, so the two
 * runs are close, not identical: test accuracy within 3 points (1.5 on the CPU stand-in of the driver),
 * final loss within 10%. Skipped, with the reason, without a GPU or the stand-in.
 */
@Tag("cuda")
class CudaLenetEpochTest {
    @Test
    void lenetPaperMpEpochOnBothBackends(@TempDir Path tmp) throws IOException {
        CudaTestSupport.assumeCuda();
        JsonNode cpu = train("cpu", tmp.resolve("cpu")), cuda = train("cuda", tmp.resolve("cuda"));
        double a = cpu.get("test_accuracy").asDouble(), b = cuda.get("test_accuracy").asDouble();
        System.out.printf("lenet-paper mp, 1 epoch: cpu %.4f, cuda %.4f test accuracy%n", a, b);
        // on the CPU stand-in the GEMMs' summation order is the only difference (seed 3: 86.35% on the stand-in,
        // 86.35% beside the Java BLAS fallback and 85.80% beside OpenBLAS): a tighter bound than on a GPU
        assertEquals(a, b, CudaProbe.probe().standIn() ? 0.015 : 0.03, "test accuracy, cpu vs cuda");
        assertTrue(b > 0.5, "the GPU run learned something: " + b);
        double la = cpu.get("final_train_loss") != null ? cpu.get("final_train_loss").asDouble() : Double.NaN;
        double lb = cuda.get("final_train_loss") != null ? cuda.get("final_train_loss").asDouble() : Double.NaN;
        if (!Double.isNaN(la)) {
            assertEquals(la, lb, 0.1 * la, "final train loss, cpu vs cuda");
        }
    }

    private static JsonNode train(String backend, Path out) throws IOException {
        assertEquals(0, Main.run("train", "--backend", backend, "--model", "lenet-paper", "--dataset", "mnist-10k",
                "--mode", "mp", "--hardware", "paper-chip", "--epochs", "1", "--batch", "64", "--optimizer", "adamw",
                "--lr", "0.004", "--seed", "3", "--threads", "2", "--out", out.toString()));
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }
}
