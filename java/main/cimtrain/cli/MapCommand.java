package cimtrain.cli;

import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.tile.ChipMapping;
import cimtrain.tile.LayerMapping;
import cimtrain.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code cimtrain map}: how a network's layers occupy a chip's crossbars. */
@Command(name = "map", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show how every conv and linear layer of a network is split onto a chip's crossbar tiles:",
                "matrix shape (inputs x outputs), tiles, devices, utilization, tile operations per image.",
                "Example: cimtrain map --model lenet-paper --hardware paper-chip"})
public final class MapCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME|FILE", description = "A network (see 'cimtrain models').")
    String model;

    @Option(names = "--hardware", required = true, paramLabel = "NAME|FILE",
            description = "A chip under models/hardware/ (ideal, paper-chip, paper-table1, paper-table1-pulse) or a .yaml file.")
    String hardware;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier. Default: ${DEFAULT-VALUE}.")
    double width;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        ModelSpec spec = Models.load(model);
        HardwareSpec hw = Hardware.load(hardware);
        ChipMapping map = ModelAnalysis.of(spec, width).mapping(hw);
        if (json) {
            List<Map<String, Object>> layers = new ArrayList<>();
            for (LayerMapping l : map.layers()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("layer", l.layer());
                m.put("inputs", l.inputs());
                m.put("outputs", l.outputs());
                m.put("tiles", List.of(l.rowTiles(), l.columnTiles()));
                m.put("crossbars", l.crossbars());
                m.put("devices", l.devices());
                m.put("utilization", Math.round(l.utilization() * 10000) / 10000.0);
                m.put("tile_ops", l.tileOperations());
                layers.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", map.model());
            out.put("hardware", map.hardware());
            out.put("tile", List.of(hw.tile().rows(), hw.tile().columns()));
            out.put("mapping", hw.mapping());
            out.put("layers", layers);
            out.put("devices", map.devices());
            out.put("crossbars", map.crossbars());
            out.put("tile_ops", map.tileOperations());
            System.out.println(Json.line(out));
            return 0;
        }
        System.out.printf("%s on %s: %dx%d tiles, %s mapping%n", map.model(), map.hardware(), hw.tile().rows(),
                hw.tile().columns(), hw.mapping());
        System.out.printf("%-30s %12s %11s %10s %12s %11s%n", "layer", "matrix KxN", "tiles", "devices", "utilization",
                "tile ops");
        for (LayerMapping l : map.layers()) {
            System.out.printf(Locale.ROOT, "%-30s %12s %11s %,10d %11.1f%% %,11d%n", l.layer(), l.inputs() + "x" + l.outputs(),
                    l.rowTiles() + "x" + l.columnTiles() + "=" + l.crossbars(), l.devices(), 100 * l.utilization(),
                    l.tileOperations());
        }
        System.out.printf("total: %,d devices on %d crossbars, %,d tile operations per image%n", map.devices(),
                map.crossbars(), map.tileOperations());
        return 0;
    }
}
