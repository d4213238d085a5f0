package cimtrain.train;

import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.tile.CostModel;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Json;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * cost.json for a finished run on a chip that has none (runs trained before training wrote it): the
 * same object training writes, made from the run's config.json and writes.json, so that a reproduction
 * reusing old runs reports their energy like new ones.
 */
public final class RunCost {
    private RunCost() {
    }

    /** Writes cost.json into a finished run on a chip that lacks one; returns whether it wrote. */
    public static boolean backfill(Path runDir, ModelSpec spec, HardwareSpec hw) {
        Path file = runDir.resolve(RunFolder.COST);
        if (hw == null || Files.isRegularFile(file)) {
            return false;
        }
        try {
            JsonNode config = Json.MAPPER.readTree(runDir.resolve("config.json").toFile());
            if (Mode.FP32.is(config.path("mode").asText())) {
                return false;
            }
            double width = config.path("width").asDouble(1.0);
            Path writesFile = runDir.resolve("writes.json");
            CostModel.RunWrites made = null;
            if (Files.isRegularFile(writesFile)) {
                JsonNode w = Json.MAPPER.readTree(writesFile.toFile());
                made = new CostModel.RunWrites(cimtrain.util.Home.recorded(runDir), config.path("batch").asInt(),
                        config.path("steps_per_epoch").asLong() * config.path("epochs").asLong(), w.path("writes").asDouble());
            }
            CostModel cost = ModelAnalysis.of(spec, width).cost(hw, CostModel.DEFAULT_COPIES);
            AtomicFiles.writeString(file, Json.pretty(cost.summary(made)));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + runDir + " to price it: " + e.getMessage(), e);
        }
    }
}
