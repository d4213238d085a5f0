package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one inference image (and one training step) costs on a chip, from the mapping of a network
 * onto it and the hardware's per-operation figures ({@link HardwareSpec.CostSpec}). The counting
 * follows the paper's own decomposition of its LeNet figures (paper-spec.md, Table 2):
 * <ul>
 *   <li>a tile operation is one full-tile VMM: a layer uses each of its tiles once per output
 *       position, so tile ops = tiles x positions; energy = tile ops x the per-op energy;</li>
 *   <li>latency, plain: layer after layer, the tiles of one layer working in parallel, so each layer
 *       takes positions x the per-op time;</li>
 *   <li>pipelined: layers overlap on successive images, so an image leaves every slowest stage time;</li>
 *   <li>pipelined with copies: each layer's tiles copied {@code copies} times, working on different
 *       positions, divide every stage by the copies (and multiply the tiles needed);</li>
 *   <li>ADC conversions: every column of a used tile, once per bit-serial read; digital adds: the
 *       shift-adds of the reads of every output, and the sums over row tiles.</li>
 * </ul>
 * Figures the hardware file does not give (0) are left out of the totals, and {@link #missing} says so.
 */
public record CostModel(ChipMapping mapping, HardwareSpec hw, int copies, long macsPerImage) {
    /** Copies of every layer's tiles for the pipelined-with-copies latency unless told otherwise. */
    public static final int DEFAULT_COPIES = 8;

    /**
     * What a run did to the chip during training, for the cost of its training steps.
     *
     * @param run    the run folder, as the figures name it
     * @param batch  images per step
     * @param steps  the training steps of the whole run (steps per epoch x epochs)
     * @param writes device-pair (weight) writes the run made in all
     */
    public record RunWrites(String run, int batch, long steps, double writes) {
    }

    /** The cost of a network as built (its layers and their shapes) on a chip. */
    public static CostModel of(Network net, HardwareSpec hw, int copies) {
        return new CostModel(ChipMapping.of(net, hw), hw, copies, net.macsPerSample());
    }

    /** Per layer: the counts and the figures derived from them. */
    public List<Map<String, Object>> layers() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (LayerMapping l : mapping.layers()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", l.layer());
            m.put("devices", l.devices());
            m.put("crossbars", l.crossbars());
            m.put("positions", l.uses());
            m.put("tile_ops", l.tileOperations());
            m.put("adc_conversions", conversions(l));
            m.put("digital_adds", digitalAdds(l));
            m.put("energy_j", energy(l));
            m.put("latency_s", l.uses() * hw.cost().tileOpLatencyUs() * 1e-6);
            out.add(m);
        }
        return out;
    }

    private long conversions(LayerMapping l) {
        return l.tileOperations() * hw.tile().columns() * reads();
    }

    private long digitalAdds(LayerMapping l) {
        // each output of each tile op: (reads - 1) shift-adds; each output and position: (row tiles - 1) adds
        return l.tileOperations() * hw.outputsPerTile() * (reads() - 1) + (long) l.outputs() * l.uses() * (l.rowTiles() - 1);
    }

    private int reads() {
        return hw.dac().bitSerial() && hw.dac().bits() > 0 ? hw.dac().bits() : 1;
    }

    private double energy(LayerMapping l) {
        return l.tileOperations() * hw.cost().tileOpEnergyNj() * 1e-9 + digitalAdds(l) * hw.cost().digitalOpEnergyPj() * 1e-12;
    }

    public long tileOps() {
        return mapping.tileOperations();
    }

    public double energyPerImageJ() {
        return mapping.layers().stream().mapToDouble(this::energy).sum();
    }

    /** Sequential steps of one image (positions summed over layers), the paper's "641 operations" for LeNet. */
    public long sequentialSteps() {
        return mapping.layers().stream().mapToLong(LayerMapping::uses).sum();
    }

    public double latencyPerImageS() {
        return sequentialSteps() * hw.cost().tileOpLatencyUs() * 1e-6;
    }

    /** Time between images when layers are pipelined: the slowest stage. */
    public double pipelinedLatencyS() {
        long slowest = mapping.layers().stream().mapToLong(LayerMapping::uses).max().orElse(0);
        return slowest * hw.cost().tileOpLatencyUs() * 1e-6;
    }

    /** The same with {@link #copies} copies of every layer's tiles. */
    public double pipelinedWithCopiesLatencyS() {
        long slowest = mapping.layers().stream().mapToLong(l -> (l.uses() + copies - 1) / copies).max().orElse(0);
        return slowest * hw.cost().tileOpLatencyUs() * 1e-6;
    }

    /**
     * One training step of {@code batch} images with {@code writes} device-pair writes: the forward reads
     * of the batch on the chip and the writes (two devices each); the digital backward pass is not
     * costed (the paper gives no figure for it).
     */
    public Map<String, Object> trainingStep(int batch, double writes) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch", batch);
        m.put("device_writes", 2 * writes);
        m.put("read_energy_j", batch * energyPerImageJ());
        m.put("write_energy_j", 2 * writes * hw.cost().writeEnergyNj() * 1e-9);
        m.put("energy_j", batch * energyPerImageJ() + 2 * writes * hw.cost().writeEnergyNj() * 1e-9);
        m.put("read_latency_s", batch * latencyPerImageS());
        m.put("write_latency_s", 2 * writes * hw.cost().writeLatencyUs() * 1e-6);
        return m;
    }

    /** The figures the hardware file leaves at 0, so left out. */
    public List<String> missing() {
        List<String> m = new ArrayList<>();
        HardwareSpec.CostSpec c = hw.cost();
        if (c.tileOpEnergyNj() == 0) {
            m.add("cost.tile_op_energy_nj");
        }
        if (c.tileOpLatencyUs() == 0) {
            m.add("cost.tile_op_latency_us");
        }
        if (c.writeEnergyNj() == 0) {
            m.add("cost.write_energy_nj");
        }
        if (c.writeLatencyUs() == 0) {
            m.add("cost.write_latency_us");
        }
        if (c.digitalOpEnergyPj() == 0) {
            m.add("cost.digital_op_energy_pj");
        }
        return m;
    }

    /** One training step of a run: {@link #trainingStep} with the run's writes per step, and the run named. */
    public Map<String, Object> trainingStep(RunWrites run) {
        double perStep = run.writes() / run.steps();
        Map<String, Object> step = trainingStep(run.batch(), perStep);
        step.put("run", run.run());
        step.put("weight_writes_per_step", perStep);
        return step;
    }

    /**
     * What {@code cimtrain cost --json} prints and an on-chip run's cost.json holds: {@link #summary()}, and
     * with a run (not null) its training step under {@code training_step}.
     */
    public Map<String, Object> summary(RunWrites run) {
        Map<String, Object> m = summary();
        if (run != null) {
            m.put("training_step", trainingStep(run));
        }
        return m;
    }

    /** Everything for --json: at least devices, crossbars, flops, tile_ops, energy and latency per image. */
    public Map<String, Object> summary() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", mapping.model());
        m.put("hardware", hw.name());
        m.put("devices", mapping.devices());
        m.put("crossbars", mapping.crossbars());
        m.put("macs", macsPerImage);
        m.put("flops", 2 * macsPerImage);
        m.put("tile_ops", tileOps());
        m.put("sequential_steps", sequentialSteps());
        m.put("adc_conversions", mapping.layers().stream().mapToLong(this::conversions).sum());
        m.put("digital_adds", mapping.layers().stream().mapToLong(this::digitalAdds).sum());
        m.put("energy_per_image_j", energyPerImageJ());
        m.put("latency_per_image_s", latencyPerImageS());
        m.put("pipelined_latency_s", pipelinedLatencyS());
        m.put("copies", copies);
        m.put("pipelined_with_copies_latency_s", pipelinedWithCopiesLatencyS());
        m.put("crossbars_with_copies", (long) mapping.crossbars() * copies);
        m.put("not_given", missing());
        m.put("layers", layers());
        return m;
    }
}
