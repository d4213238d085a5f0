package cimtrain.options;

import cimtrain.data.DataOptions;
import cimtrain.data.DataSplit;
import cimtrain.data.DatasetRegistry;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Dataset options shared by the commands that read data. */
public final class DataArgs {
    @Option(names = "--dataset", defaultValue = "mnist-10k", paramLabel = "NAME",
            description = "mnist-10k (embedded), fashion-mnist (Debian package or --data), mnist, cifar10 (--data). Default: ${DEFAULT-VALUE}.")
    public String dataset;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder holding the dataset's files.")
    public Path dataDir;

    @Option(names = "--image-size", defaultValue = "0", paramLabel = "PX",
            description = "Bring images to PX x PX (0: keep; e.g. 32 to feed 28x28 digits to VGG/ResNet).")
    public int size;

    @Option(names = "--fit", defaultValue = "pad", paramLabel = "pad|resize",
            description = "How --image-size is reached: pad (centre on black) or resize (bilinear). Default: ${DEFAULT-VALUE}.")
    public String fit;

    @Option(names = "--channels", defaultValue = "0", paramLabel = "C",
            description = "1 or 3 (3 replicates a grey channel); 0 keeps the dataset's own.")
    public int channels;

    @Option(names = "--train-limit", defaultValue = "0", paramLabel = "N",
            description = "Train on the first N training images only (0: all). The test set is never cut.")
    public int trainLimit;

    public DataSplit load() {
        return DatasetRegistry.load(dataset, dataDir, new DataOptions(size, fit, channels, trainLimit));
    }
}
