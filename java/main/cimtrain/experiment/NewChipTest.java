package cimtrain.experiment;

import cimtrain.backend.Backend;
import cimtrain.train.RunContext;
import cimtrain.data.Dataset;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.nn.Network;
import cimtrain.train.BatchNormRecalibration;
import cimtrain.train.Checkpoint;
import cimtrain.train.ChipEvaluation;

import java.nio.file.Path;
import java.util.List;

/**
 * A trained model (its run's checkpoint) programmed onto fresh chips and tested, as the robustness
 * reproduction and the scaling study both move their models: with the tile scales it was trained with where
 * they fit the chip, else mapped anew.
 *
 * @param result     the per-chip accuracies and their summary
 * @param keptScales whether the trained tile scales were kept
 */
record NewChipTest(ChipEvaluation.Result result, boolean keptScales) {
    /** Test batch of every new-chip test (it changes no figure, only memory and speed). */
    static final int EVAL_BATCH = 256;

    /**
     * @param aggregate     aggregate read model; with {@code auto} as well, a layer whose first reads saturate the
     *                      ADC goes on exactly
     * @param firstSeed     chip c has seed firstSeed + c
     * @param recalibration when not null, each chip re-estimates batch-norm statistics before it is tested
     */
    static NewChipTest run(Path runDir, ModelSpec spec, double width, HardwareSpec hw, boolean aggregate, boolean auto,
                           Dataset test, int chips, long firstSeed, RunContext context, BatchNormRecalibration recalibration) {
        Path ckpt = runDir.resolve(Checkpoint.FILE);
        try (Backend be = context.newBackend();
             Network net = new Network(spec.name, be, () -> spec.build(width), spec.input, EVAL_BATCH, 0)) {
            Checkpoint.loadNetwork(ckpt, net);
            List<float[]> scales = Checkpoint.tileScales(ckpt);
            boolean keep = ChipEvaluation.scalesFit(scales, net, hw);
            return new NewChipTest(ChipEvaluation.run(net, hw, keep ? scales : null, aggregate, aggregate && auto, test,
                    EVAL_BATCH, chips, firstSeed, 0, 0, recalibration), keep);
        }
    }
}
