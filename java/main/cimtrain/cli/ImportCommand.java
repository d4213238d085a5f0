package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.data.DataSplit;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Network;
import cimtrain.options.BackendOption;
import cimtrain.options.DataArgs;
import cimtrain.train.Checkpoint;
import cimtrain.train.KerasTransfer;
import cimtrain.train.Mode;
import cimtrain.train.RunArguments;
import cimtrain.train.RunFolder;
import cimtrain.train.TrainConfig;
import cimtrain.train.Trainer;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Read fp32 weights from a Keras weights file (HDF5, model.save_weights('x.h5') layout) into one of",
                "our networks, test it in software, and write a run folder with a checkpoint that 'evaluate' moves to",
                "simulated chips. Conv layers map to Conv2D, linear to Dense, in order.",
                "Example: cimtrain import --model lenet-paper --weights lenet.h5 --out runs/keras-lenet"})
public final class ImportCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "NAME|FILE", description = "The network the weights are for.")
    String model;

    @Option(names = "--weights", required = true, paramLabel = "FILE", description = "The Keras weights file (.h5).")
    Path weights;

    @Mixin
    DataArgs data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The run folder to create.")
    Path out;

    @Option(names = "--json", description = "End stdout with one JSON line: model, test_accuracy, run_dir.")
    boolean json;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Override
    public Integer call() {
        backend.select();
        ModelSpec spec = Models.load(model);
        DataSplit split = data.load();
        TrainConfig cfg = new TrainConfig(model, 1.0, data.dataset, Mode.FP32, 1, 64, "adamw", 0.001f, 0.9f, 0.01f,
                "constant", 5, 0, 256, 0, "auto");
        RunArguments args = new RunArguments(cfg, model, null, data.dataDir == null ? null : data.dataDir.toString(),
                data.size, data.fit, data.channels, data.trainLimit);
        try (Backend be = backend.chosen().create(Runtime.getRuntime().availableProcessors());
             Network net = new Network(spec.name, be, () -> spec.build(1.0), spec.input, 256, 0)) {
            if (!net.inputShape.equals(new cimtrain.nn.Shape(split.test().channels, split.test().height, split.test().width))) {
                throw new UserError("model " + spec.name + " takes " + net.inputShape + " inputs, " + data.dataset
                        + " images differ (use --image-size and --channels)");
            }
            KerasTransfer.importInto(net, weights);
            ConsoleListener console = new ConsoleListener(backend);
            try (RunFolder run = RunFolder.create(out, console)) {
            console.accepted();
            double acc = Trainer.evaluate(net, split.test(), 256);
            Checkpoint.write(out.resolve(Checkpoint.FILE), args, net, new Trainer(cfg, net), null, List.of());
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model", spec.name);
            summary.put("imported_from", weights.toString());
            summary.put("dataset", data.dataset);
            summary.put("mode", Mode.FP32);
            summary.put("test_accuracy", acc);
            summary.put("run_dir", Home.recorded(out));
            run.writeSummary(summary);
            System.out.printf(Locale.ROOT, "imported %s into %s: test accuracy %.2f%% on %s; checkpoint %s%n", weights,
                    spec.name, 100 * acc, data.dataset, out.resolve(Checkpoint.FILE));
            if (json) {
                System.out.println(Json.line(summary));
            }
            }
        }
        return 0;
    }
}
