package cimtrain.train;

import cimtrain.data.Dataset;
import cimtrain.hardware.HardwareSpec;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.tile.CrossbarLayer;

import java.util.List;

/**
 * Which crossbar layer's programming errors cost a trained model its accuracy on a new chip. Each new
 * chip is programmed twice from the same seed: as the hardware says, and with no programming error
 * (the same quantization, device spread, stuck devices and drift; read noise stays on every read). The
 * model is then tested with every layer error-free, and once per crossbar layer with that layer's
 * devices as programmed and every other layer error-free. A layer's cost is the accuracy it takes away
 * from the error-free chip; the costs need not add up to the loss with every layer as programmed, since
 * layers compound each other's errors.
 */
public final class LayerSensitivity {
    private LayerSensitivity() {
    }

    /**
     * @param layers    each crossbar's layer ({@link Chip#layerNames})
     * @param weights   each crossbar's weight count
     * @param errorFree per chip, the accuracy with no layer's programming error
     * @param oneLayer  [layer][chip], the accuracy with that layer's programming error only
     */
    public record Result(List<String> layers, long[] weights, double[] errorFree, double[][] oneLayer) {
        /** Mean accuracy with no programming error. */
        public double errorFreeMean() {
            return mean(errorFree);
        }

        /** Mean accuracy with layer l's programming error only. */
        public double oneLayerMean(int l) {
            return mean(oneLayer[l]);
        }

        /** Mean accuracy layer l's programming error takes away (positive: it costs). */
        public double cost(int l) {
            return errorFreeMean() - oneLayerMean(l);
        }

        private static double mean(double[] xs) {
            double s = 0;
            for (double x : xs) {
                s += x;
            }
            return s / xs.length;
        }
    }

    /** Arguments as {@link ChipEvaluation#run}: chip c has seed firstSeed + c. */
    public static Result run(Network net, HardwareSpec hw, List<float[]> scales, boolean aggregateReads, Dataset test,
                             int evalBatch, int chips, long firstSeed, double driftSeconds, double driftNu) {
        HardwareSpec exact = ChipEvaluation.withOverrides(hw, 0.0, null, null, null);
        double[] errorFree = new double[chips];
        double[][] oneLayer = null;
        List<String> names = null;
        long[] weights = null;
        for (int c = 0; c < chips; c++) {
            long seed = firstSeed + c;
            List<float[][]> clean = conductances(ChipEvaluation.placeNewChip(net, exact, seed, aggregateReads, scales, driftSeconds, driftNu));
            // the chip placed last is the one the network reads
            Chip chip = ChipEvaluation.placeNewChip(net, hw, seed, aggregateReads, scales, driftSeconds, driftNu);
            List<CrossbarLayer> xbs = chip.crossbars();
            List<float[][]> programmed = conductances(chip);
            if (oneLayer == null) {
                names = chip.layerNames();
                oneLayer = new double[xbs.size()][chips];
                weights = new long[xbs.size()];
                for (int l = 0; l < xbs.size(); l++) {
                    weights[l] = (long) xbs.get(l).out * xbs.get(l).k;
                }
            }
            for (int l = 0; l < xbs.size(); l++) {
                xbs.get(l).setConductances(clean.get(l));
            }
            errorFree[c] = Trainer.evaluate(net, test, evalBatch);
            for (int l = 0; l < xbs.size(); l++) {
                xbs.get(l).setConductances(programmed.get(l));
                oneLayer[l][c] = Trainer.evaluate(net, test, evalBatch);
                xbs.get(l).setConductances(clean.get(l));
            }
        }
        return new Result(names, weights, errorFree, oneLayer);
    }

    private static List<float[][]> conductances(Chip chip) {
        return chip.crossbars().stream().map(CrossbarLayer::conductances).toList();
    }
}
