package cimtrain.cli;

import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.nn.Layer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** Lists the networks, or shows one layer by layer. */
@Command(name = "models", mixinStandardHelpOptions = true,
        description = "List the available networks, or show one layer by layer with shapes, parameters and MACs.")
public final class ModelsCommand implements Callable<Integer> {
    @Parameters(arity = "0..1", paramLabel = "MODEL", description = "A model name or a path to a .yaml file.")
    String model;

    @Option(names = "--width", defaultValue = "1.0", description = "Width multiplier (all layers but the last).")
    double width;

    @Override
    public Integer call() {
        if (model == null) {
            for (String name : Models.names()) {
                ModelSpec spec = Models.load(name);
                System.out.printf("%-14s input %-8s %s%n", name, spec.input, spec.description);
            }
            return 0;
        }
        ModelSpec spec = Models.load(model);
        ModelAnalysis net = ModelAnalysis.of(spec, width);
        System.out.println(spec.name + " (" + spec.source + "): " + spec.description);
        for (Layer l : net.leaves()) {
            System.out.printf("  %-36s %-10s -> %-10s macs %,d%n", l.describe(), l.inputShape(), l.outputShape(),
                    l.macs());
        }
        System.out.printf("parameters %,d; forward MACs per sample %,d%n", net.parameterCount(), net.macsPerSample());
        return 0;
    }
}
