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
        List<LayerMapping> out = new ArrayList<>();
        int i = 0;
        for (Layer l : net.leaves()) {
            i++;
            if (l instanceof Conv2d c) {
                out.add(LayerMapping.of(i + ": " + c.describe(), c.geometry().outChannels(), c.geometry().patchSize(),
                        c.geometry().positions(), hw));
            } else if (l instanceof Linear f) {
                int[] shape = f.weight().shape;
                out.add(LayerMapping.of(i + ": " + f.describe(), shape[0], shape[1], 1, hw));
            }
        }
        return new ChipMapping(net.name, hw.name(), out);
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
