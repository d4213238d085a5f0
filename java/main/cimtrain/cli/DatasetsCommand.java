package cimtrain.cli;

import cimtrain.data.DatasetRegistry;
import cimtrain.util.AtomicFiles;
import cimtrain.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** Lists the datasets; exports the fixed mnist-10k split for other tools. */
@Command(name = "datasets", mixinStandardHelpOptions = true,
        description = {"List the datasets cimtrain knows and where each comes from.",
                "--export-split mnist-10k DIR writes the fixed split as row numbers of the shipped files",
                "(train-indices.txt, test-indices.txt), e.g. for bench/torch_reference.py train."})
public final class DatasetsCommand implements Callable<Integer> {
    @Option(names = "--export-split", arity = "2", paramLabel = "NAME DIR",
            description = "Write the split of NAME (mnist-10k) to DIR.")
    String[] export;

    @Override
    public Integer call() {
        if (export == null) {
            for (String name : DatasetRegistry.names()) {
                System.out.printf("%-14s %s%n", name, DatasetRegistry.description(name));
            }
            return 0;
        }
        if (!export[0].equals("mnist-10k")) {
            throw new UserError("--export-split: only mnist-10k has a fixed split of one file set, got '" + export[0] + "'");
        }
        int[][] split = DatasetRegistry.mnist10kSplit();
        Path dir = Path.of(export[1]);
        AtomicFiles.writeString(dir.resolve("train-indices.txt"), join(split[0]));
        AtomicFiles.writeString(dir.resolve("test-indices.txt"), join(split[1]));
        System.out.println("wrote " + split[0].length + " train and " + split[1].length + " test indices to " + dir);
        return 0;
    }

    private static String join(int[] a) {
        return Arrays.stream(a).mapToObj(Integer::toString).collect(Collectors.joining("\n")) + "\n";
    }
}
