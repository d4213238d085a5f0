package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.backend.Backends;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.io.Hdf5Group;
import cimtrain.io.Hdf5Writer;
import cimtrain.io.KerasWeights;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.tile.CrossbarLayer;
import cimtrain.train.Checkpoint;
import cimtrain.train.KerasTransfer;
import cimtrain.train.RunArguments;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a trained model out of a checkpoint: --weights as a Keras weights file (fp32; W_FP for a",
                "chip-trained model), --conductances as per-tile conductance maps for programming real hardware.",
                "Example: cimtrain export --checkpoint runs/X/checkpoint.h5 --conductances x-conductances.h5"})
public final class ExportCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, paramLabel = "FILE", description = "A checkpoint.h5 of a run.")
    Path checkpoint;

    @Option(names = "--weights", paramLabel = "FILE", description = "Write the fp32 weights in Keras's .h5 layout. A chip-trained model's W_FP may hold weights "
            + "beyond what its devices hold (they saturate at the top of their range; W_FP is clipped there only "
            + "with the chip's write.clip_target, on in the presets): cimtrain evaluate --targets w_fp reports how many.")
    Path weights;

    @Option(names = {"--conductances"}, paramLabel = "FILE",
            description = "Write per-tile conductances in siemens: the devices of the chip the model was trained on, or, "
                    + "for a model trained off-chip, its weights programmed onto a new --hardware chip (seed --seed).")
    Path conductances;

    @Option(names = "--hardware", paramLabel = "NAME|FILE", description = "Chip for an off-chip model (default paper-chip).")
    String hardware;

    @Option(names = "--seed", defaultValue = "1000", description = "Seed of that chip. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        if (weights == null && conductances == null) {
            throw new UserError("nothing to export: give --weights FILE and/or --conductances FILE");
        }
        cimtrain.util.Outputs.notAnInput(weights, "--weights", checkpoint, "--checkpoint");
        cimtrain.util.Outputs.notAnInput(conductances, "--conductances", checkpoint, "--checkpoint");
        if (weights != null && conductances != null && cimtrain.util.Outputs.same(weights, conductances)) {
            throw new UserError("--weights and --conductances name the same file " + weights + "; give two files");
        }
        if (hardware != null && conductances != null && !Hardware.PRESETS.contains(hardware)) {
            cimtrain.util.Outputs.notAnInput(conductances, "--conductances", Path.of(hardware), "--hardware");
        }
        if (hardware != null && weights != null && !Hardware.PRESETS.contains(hardware)) {
            cimtrain.util.Outputs.notAnInput(weights, "--weights", Path.of(hardware), "--hardware");
        }
        RunArguments args = Checkpoint.arguments(checkpoint);
        ModelSpec spec = Models.load(args.model());
        // only loads and converts: the CPU is the right place whatever --backend other commands take
        try (Backend be = Backends.cpu().create(Runtime.getRuntime().availableProcessors());
             Network net = new Network(spec.name, be, () -> spec.build(args.config().width()), spec.input, 1, 0)) {
            Checkpoint.loadNetwork(checkpoint, net);
            if (weights != null) {
                List<KerasWeights.Layer> layers = KerasTransfer.export(net);
                KerasWeights.write(weights, layers);
                System.out.println("wrote " + layers.size() + " layers of fp32 weights to " + weights);
            }
            if (conductances != null) {
                exportConductances(args, net);
            }
        }
        return 0;
    }

    private void exportConductances(RunArguments args, Network net) {
        boolean trainedOnChip = args.hardware() != null && args.config().onChip();
        String hwName = hardware != null ? hardware : trainedOnChip ? args.hardware() : "paper-chip";
        HardwareSpec hw = Hardware.load(hwName);
        Chip chip = trainedOnChip ? Chip.place(net, hw, Chip.MP, args.config().seed(), true)
                : Chip.placeTrained(net, hw, seed, true, null);
        if (trainedOnChip) {
            // the devices as training left them (the placement above only rebuilt the chip's layout)
            Checkpoint.restoreChip(checkpoint, chip);
        }
        Hdf5Writer.write(conductances, root -> {
            root.attribute("model", net.name).attribute("hardware", hw.name())
                    .attribute("source", trainedOnChip ? "the devices of the training chip" : "programmed onto a new chip, seed " + seed)
                    .attribute("layout", "per tile: float32 (rows, 2 x outputs) in siemens; output j's G+ in column 2j, "
                            + "its G- in column 2j + 1 (a differential pair in adjacent columns); a weight is "
                            + "scale_per_siemens x (G+ - G-)");
            List<CrossbarLayer> xbs = chip.crossbars();
            for (int l = 0; l < xbs.size(); l++) {
                writeLayer(root.group("layer" + l), xbs.get(l), hw);
            }
        });
        System.out.println("wrote the conductances of " + chip.crossbars().size() + " layers (" + hw.name() + ") to " + conductances);
    }

    private static void writeLayer(Hdf5Group g, CrossbarLayer xb, HardwareSpec hw) {
        int rowsPerTile = hw.tile().rows(), outsPerTile = hw.outputsPerTile();
        g.attribute("matrix", new long[]{xb.out, xb.k});
        for (int r0 = 0, rt = 0; r0 < xb.k; r0 += rowsPerTile, rt++) {
            for (int o0 = 0, ct = 0; o0 < xb.out; o0 += outsPerTile, ct++) {
                int rows = Math.min(rowsPerTile, xb.k - r0), outs = Math.min(outsPerTile, xb.out - o0);
                float[] tile = new float[rows * 2 * outs];
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < outs; j++) {
                        int index = (o0 + j) * xb.k + r0 + i;
                        tile[i * 2 * outs + 2 * j] = xb.conductancePos(index) * 1e-6f;
                        tile[i * 2 * outs + 2 * j + 1] = xb.conductanceNeg(index) * 1e-6f;
                    }
                }
                int index = o0 * xb.k + r0;
                g.putFloats("tile_" + rt + "_" + ct, tile, rows, 2 * outs)
                        .attribute("first_row", r0).attribute("first_output", o0)
                        .attribute("scale_per_siemens", xb.scaleOf(index) * 1e6);
            }
        }
    }
}
