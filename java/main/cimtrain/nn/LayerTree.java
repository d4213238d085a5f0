package cimtrain.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * Questions about a tree of layers that need neither a backend nor a built network: its leaves, whether it
 * holds batch norm, whether its shapes fit an input. A {@link Network} asks them before it builds, and a
 * model's analysis (model/ModelAnalysis) instead of building.
 */
public final class LayerTree {
    private LayerTree() {
    }

    /**
     * Checks every layer of a tree against the shape it receives, and that the tree ends in a vector of
     * class scores; a network file that fails is a {@link cimtrain.util.UserError} naming it.
     */
    public static void checkShapes(String name, Layer root, Shape inputShape) {
        Shape end;
        try {
            end = root.outputShape(inputShape);
        } catch (IllegalArgumentException e) {
            throw new cimtrain.util.UserError("network " + name + " on " + inputShape + " inputs: " + e.getMessage());
        }
        if (end.height() != 1 || end.width() != 1) {
            throw new cimtrain.util.UserError("network " + name + ": it must end in a vector of class scores, it ends in "
                    + end + " (add flatten and linear layers)");
        }
    }

    /** Whether a layer tree holds batch norm (then a network keeps one replica: its statistics are per batch). */
    public static boolean hasBatchNorm(Layer l) {
        if (l instanceof BatchNorm2d) {
            return true;
        }
        for (Layer c : l.children()) {
            if (hasBatchNorm(c)) {
                return true;
            }
        }
        return false;
    }

    /** Leaf layers of one layer tree in forward order (containers expanded). */
    public static List<Layer> leaves(Layer root) {
        List<Layer> out = new ArrayList<>();
        collect(root, out);
        return out;
    }

    private static void collect(Layer l, List<Layer> out) {
        if (l.children().isEmpty()) {
            if (!(l instanceof Sequential)) {
                out.add(l);
            }
            return;
        }
        for (Layer c : l.children()) {
            collect(c, out);
        }
    }
}
