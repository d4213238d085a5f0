package cimtrain.tile;

import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;

import java.util.ArrayList;
import java.util.List;

/** The mapping of every conv and linear layer of a network onto a chip's tiles. */
public record ChipMapping(String model, String hardware, List<LayerMapping> layers) {

    public static ChipMapping of(Network net, HardwareSpec hw) {
        return of(net.name, net.leaves(), hw);
    }

    /** The mapping of a model's leaf layers, built or only traced ({@link Layer#trace}). */
    public static ChipMapping of(String model, List<Layer> leaves, HardwareSpec hw) {
        List<LayerMapping> out = new ArrayList<>();
        int i = 0;
        for (Layer l : leaves) {
            i++;
            if (l instanceof Conv2d c) {
                out.add(LayerMapping.of(i + ": " + c.describe(), c.geometry().outChannels(), c.geometry().patchSize(),
                        c.geometry().positions(), hw));
            } else if (l instanceof Linear f) {
                // the weight matrix is outputs x inputs
                out.add(LayerMapping.of(i + ": " + f.describe(), f.outputShape().size(), f.inputShape().size(), 1, hw));
            }
        }
        return new ChipMapping(model, hw.name(), out);
    }

    public long devices() {
        return layers.stream().mapToLong(LayerMapping::devices).sum();
    }

    public int crossbars() {
        return layers.stream().mapToInt(LayerMapping::crossbars).sum();
    }

    public long tileOperations() {
        return layers.stream().mapToLong(LayerMapping::tileOperations).sum();
    }
}
