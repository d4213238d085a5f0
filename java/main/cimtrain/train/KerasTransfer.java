package cimtrain.train;

import cimtrain.backend.ConvGeometry;
import cimtrain.io.KerasKernels;
import cimtrain.io.KerasWeights;
import cimtrain.nn.Conv2d;
import cimtrain.nn.Flatten;
import cimtrain.nn.Layer;
import cimtrain.nn.Linear;
import cimtrain.nn.Network;
import cimtrain.nn.Parameter;
import cimtrain.nn.Shape;
import cimtrain.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * fp32 weights between our networks and Keras weight files ({@link KerasWeights}): the k-th conv or
 * linear layer of the network (forward order) is the k-th Keras layer with weights, conv to Conv2D,
 * linear to Dense. A linear layer right after the flatten of a feature map has its inputs permuted
 * (Keras flattens height, width, channels; we flatten channels, height, width). Networks with batch
 * norm are not transferred (their running statistics have no Keras kernel/bias form here).
 */
public final class KerasTransfer {
    private KerasTransfer() {
    }

    /** One conv or linear layer with what the conversion needs. */
    private record Slot(Layer layer, Parameter weight, Parameter bias, ConvGeometry conv, Shape flattened) {
    }

    private static List<Slot> slots(Network net) {
        List<Slot> out = new ArrayList<>();
        Shape flattened = null;
        for (Layer l : net.leaves()) {
            if (l instanceof cimtrain.nn.BatchNorm2d) {
                throw new UserError("network " + net.name + " has batch norm; Keras weight files are supported for "
                        + "networks of conv and linear layers only");
            }
            if (l instanceof Flatten) {
                flattened = l.inputShape();
            } else if (l instanceof Conv2d c) {
                out.add(new Slot(l, c.weight(), bias(l), c.geometry(), null));
            } else if (l instanceof Linear f) {
                Shape in = flattened != null && flattened.height() * flattened.width() > 1 ? flattened : null;
                out.add(new Slot(l, f.weight(), bias(l), null, in));
                flattened = null;
            }
        }
        return out;
    }

    private static Parameter bias(Layer l) {
        List<Parameter> ps = l.parameters();
        return ps.size() > 1 ? ps.get(1) : null;
    }

    /** The network's weights as Keras layers named conv2d, conv2d_1, ..., dense, dense_1, ... */
    public static List<KerasWeights.Layer> export(Network net) {
        List<KerasWeights.Layer> layers = new ArrayList<>();
        int convs = 0, denses = 0;
        for (Slot s : slots(net)) {
            float[] w = s.weight().read();
            float[] b = s.bias() == null ? null : s.bias().read();
            int out = s.weight().shape[0], in = s.weight().shape[1];
            if (s.conv() != null) {
                ConvGeometry g = s.conv();
                layers.add(new KerasWeights.Layer(convs == 0 ? "conv2d" : "conv2d_" + convs,
                        KerasKernels.convToConv2d(w, g.kernel(), g.kernel(), g.inChannels(), out),
                        new int[]{g.kernel(), g.kernel(), g.inChannels(), out}, b));
                convs++;
            } else {
                Shape f = s.flattened();
                float[] k = f != null ? KerasKernels.linearToDenseAfterFlatten(w, f.channels(), f.height(), f.width(), out)
                        : KerasKernels.linearToDense(w, in, out);
                layers.add(new KerasWeights.Layer(denses == 0 ? "dense" : "dense_" + denses, k, new int[]{in, out}, b));
                denses++;
            }
        }
        return layers;
    }

    /** Loads a Keras weight file into the network; every mismatch is one line naming the file and layer. */
    public static void importInto(Network net, Path file) {
        List<KerasWeights.Layer> layers = KerasWeights.read(file);
        List<Slot> slots = slots(net);
        String at = "Keras weights " + file;
        if (layers.size() != slots.size()) {
            throw new UserError(at + ": " + layers.size() + " layers with weights, network " + net.name + " has "
                    + slots.size() + " conv and linear layers");
        }
        for (int i = 0; i < slots.size(); i++) {
            Slot s = slots.get(i);
            KerasWeights.Layer k = layers.get(i);
            int out = s.weight().shape[0], in = s.weight().shape[1];
            int[] want;
            float[] w;
            if (s.conv() != null) {
                ConvGeometry g = s.conv();
                want = new int[]{g.kernel(), g.kernel(), g.inChannels(), out};
                check(at, k, want, s);
                w = KerasKernels.conv2dToConv(k.kernel(), g.kernel(), g.kernel(), g.inChannels(), out);
            } else {
                want = new int[]{in, out};
                check(at, k, want, s);
                Shape f = s.flattened();
                w = f != null ? KerasKernels.denseAfterFlattenToLinear(k.kernel(), f.channels(), f.height(), f.width(), out)
                        : KerasKernels.denseToLinear(k.kernel(), in, out);
            }
            if ((k.bias() == null) != (s.bias() == null)) {
                throw new UserError(at + ": layer " + k.name() + (k.bias() == null ? " has no bias" : " has a bias")
                        + ", our " + s.layer().describe() + (s.bias() == null ? " has none" : " has one"));
            }
            s.weight().write(w);
            if (s.bias() != null) {
                s.bias().write(k.bias());
            }
        }
    }

    private static void check(String at, KerasWeights.Layer k, int[] want, Slot s) {
        if (!Arrays.equals(k.kernelShape(), want)) {
            throw new UserError(at + ": layer " + k.name() + " kernel " + Arrays.toString(k.kernelShape()) + ", our "
                    + s.layer().describe() + " needs " + Arrays.toString(want));
        }
    }
}
