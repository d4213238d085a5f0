package cimtrain.model;

import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Layer;
import cimtrain.nn.LayerTree;
import cimtrain.nn.Sequential;
import cimtrain.nn.Shape;
import cimtrain.tile.ChipMapping;
import cimtrain.tile.CostModel;

import java.util.List;

/**
 * What a network file's model is, without a backend or any weights: its layers' shapes, MACs and
 * parameters, whether it has batch norm, and how it maps onto a chip and what it costs there. The
 * figures are those of the {@link cimtrain.nn.Network} the same spec builds (ModelAnalysisTest compares them).
 */
public final class ModelAnalysis {
    private final String model;
    private final Shape input;
    private final Sequential root;

    private ModelAnalysis(String model, Shape input, Sequential root) {
        this.model = model;
        this.input = input;
        this.root = root;
    }

    /** The model of {@code spec} at {@code width}; a network whose shapes do not fit is a UserError, as for training. */
    public static ModelAnalysis of(ModelSpec spec, double width) {
        Sequential root = spec.build(width);
        LayerTree.checkShapes(spec.name, root, spec.input);
        root.trace(spec.input);
        return new ModelAnalysis(spec.name, spec.input, root);
    }

    public String model() {
        return model;
    }

    public Shape input() {
        return input;
    }

    /** Leaf layers in forward order (containers expanded), with their traced shapes and MACs. */
    public List<Layer> leaves() {
        return LayerTree.leaves(root);
    }

    public long parameterCount() {
        return root.parameterCount();
    }

    public long macsPerSample() {
        return root.macs();
    }

    public boolean hasBatchNorm() {
        return LayerTree.hasBatchNorm(root);
    }

    /** Every conv and linear layer on the chip's tiles. */
    public ChipMapping mapping(HardwareSpec hw) {
        return ChipMapping.of(model, leaves(), hw);
    }

    /** The model's cost on the chip with {@code copies} copies of its slowest layer. */
    public CostModel cost(HardwareSpec hw, int copies) {
        return new CostModel(mapping(hw), hw, copies, macsPerSample());
    }
}
