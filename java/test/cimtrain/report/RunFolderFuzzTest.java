package cimtrain.report;

import cimtrain.fuzz.Outcome;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Coverage-guided fuzzing (Jazzer) of a run folder as {@code cimtrain report} reads it: the input is
 * config.json, metrics.csv and summary.json, separated by NUL bytes; reading it may only succeed or be
 * a UserError ({@link Outcome}). Regression inputs: java/test-resources/cimtrain/report/RunFolderFuzzTestInputs/.
 */
class RunFolderFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void runFolder(byte[] input) throws Exception {
        String[] parts = new String(input, StandardCharsets.UTF_8).split("\0", 3);
        Path dir = Files.createTempDirectory("cimtrain-fuzz-run");
        try {
            String[] names = {"config.json", "metrics.csv", "summary.json"};
            for (int i = 0; i < parts.length; i++) {
                Files.writeString(dir.resolve(names[i]), parts[i]);
            }
            Outcome.onlyUserErrors(() -> RunReader.read(dir));
        } finally {
            try (var files = Files.list(dir)) {
                for (Path p : (Iterable<Path>) files::iterator) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }
}
