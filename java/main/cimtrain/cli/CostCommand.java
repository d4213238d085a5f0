package cimtrain.cli;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.tile.CostModel;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "cost", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"What a network costs on a chip, per inference image: devices, crossbars, FLOPs, tile operations,",
                "ADC conversions, digital adds, energy and latency (plain, pipelined, pipelined with copies), from the",
                "mapping and the hardware file's cost figures; with --run, also per training step with its writes.",
                "Example: cimtrain cost --model lenet-paper --hardware paper-chip"})
public final class CostCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME|FILE")
    String model;

    @Option(names = "--hardware", defaultValue = "paper-chip", paramLabel = "NAME|FILE", description = "Default: ${DEFAULT-VALUE}.")
    String hardware;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier. Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--copies", defaultValue = "" + CostModel.DEFAULT_COPIES,
            description = "Copies of every layer's tiles for the pipelined-with-copies latency (the paper's 0.05 ms for "
                    + "LeNet implies about 8 of its slowest layer). Default: ${DEFAULT-VALUE}.")
    int copies;

    @Option(names = "--run", paramLabel = "RUN_DIR", description = "A finished on-chip run: adds the cost of its training steps with the writes it made.")
    Path run;

    @Option(names = "--json", description = "Print one JSON object (devices, crossbars, flops, tile_ops, energy_per_image_j, latency_per_image_s, ...).")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (copies < 1) {
            throw new UserError("--copies must be at least 1");
        }
        ModelSpec spec = Models.load(model);
        HardwareSpec hw = Hardware.load(hardware);
        CostModel cost = ModelAnalysis.of(spec, width).cost(hw, copies);
        Map<String, Object> summary = cost.summary(run == null ? null : runWrites());
        if (json) {
            System.out.println(Json.line(summary));
            return 0;
        }
        System.out.printf(Locale.ROOT, "%s on %s (per inference image)%n", spec.name, hw.name());
        System.out.printf(Locale.ROOT, "%-34s %10s %9s %10s %12s %12s%n", "layer", "positions", "tiles", "tile ops",
                "energy", "latency");
        for (Map<String, Object> l : cost.layers()) {
            System.out.printf(Locale.ROOT, "%-34s %10d %9d %10d %10.3f uJ %9.3f ms%n", l.get("layer"), l.get("positions"),
                    l.get("crossbars"), l.get("tile_ops"), 1e6 * (double) l.get("energy_j"), 1e3 * (double) l.get("latency_s"));
        }
        System.out.printf(Locale.ROOT, "total: %,d devices, %d crossbars, %,d FLOPs, %,d tile ops, %,d ADC conversions%n",
                cost.mapping().devices(), cost.mapping().crossbars(), 2 * cost.macsPerImage(), cost.tileOps(),
                (long) summary.get("adc_conversions"));
        System.out.printf(Locale.ROOT, "energy %.3f uJ per image; latency %.3f ms (%d sequential steps), pipelined %.3f ms, "
                        + "pipelined with %d copies %.3f ms%n", 1e6 * cost.energyPerImageJ(), 1e3 * cost.latencyPerImageS(),
                cost.sequentialSteps(), 1e3 * cost.pipelinedLatencyS(), copies, 1e3 * cost.pipelinedWithCopiesLatencyS());
        if (!cost.missing().isEmpty()) {
            System.out.println("not given by " + hw.name() + " (left out): " + String.join(", ", cost.missing()));
        }
        if (run != null) {
            System.out.println("per training step: " + Json.line(summary.get("training_step")));
        }
        return 0;
    }

    /** What the run made: its batch, its steps and the writes it made in all (a training step makes the mean). */
    private CostModel.RunWrites runWrites() throws IOException {
        Path writes = run.resolve("writes.json"), config = run.resolve("config.json");
        if (!Files.isRegularFile(writes) || !Files.isRegularFile(config)) {
            throw new UserError("--run " + run + ": not a finished on-chip run (no writes.json or config.json)");
        }
        JsonNode w = Json.MAPPER.readTree(writes.toFile()), c = Json.MAPPER.readTree(config.toFile());
        long steps = c.path("steps_per_epoch").asLong() * c.path("epochs").asLong();
        if (steps <= 0 || !w.has("writes")) {
            throw new UserError("--run " + run + ": config.json or writes.json lacks steps_per_epoch, epochs or writes");
        }
        return new CostModel.RunWrites(run.toString(), c.path("batch").asInt(), steps, w.get("writes").asDouble());
    }
}
