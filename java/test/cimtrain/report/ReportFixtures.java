package cimtrain.report;

import cimtrain.util.Json;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Run folders for the report tests: a frozen copy of the LeNet reproduction's runs (their JSON and CSV
 * files, as eval-reports/lenet-mnist held them on 2026-12-07), copied again and edited in a temp folder.
 * A copy of their own, so that remaking the reproduction's report never changes what these tests read.
 */
final class ReportFixtures {
    /** The reproduction the tests read (never write): 3 seeds each of fp32, qat, mp and direct. */
    static final Path LENET = Path.of("java/test-resources/cimtrain/report/lenet-mnist");

    private ReportFixtures() {
    }

    /**
     * Copies a run of the reproduction (its JSON and CSV files; the checkpoint is not read) to {@code to},
     * without its cost.json: the fixtures record no energy unless a test adds it.
     */
    static Path copyRun(String name, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(LENET.resolve("runs").resolve(name))) {
            for (Path f : files.filter(f -> (f.toString().endsWith(".json") || f.toString().endsWith(".csv"))
                    && !f.getFileName().toString().equals("cost.json")).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    /** Rewrites a JSON object file in place. */
    static void editJson(Path file, Consumer<ObjectNode> edit) {
        try {
            ObjectNode n = (ObjectNode) Json.MAPPER.readTree(file.toFile());
            edit.accept(n);
            Files.writeString(file, Json.pretty(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
