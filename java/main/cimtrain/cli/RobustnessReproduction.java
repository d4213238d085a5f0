package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.data.DataSplit;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.nn.Network;
import cimtrain.tile.Chip;
import cimtrain.train.Checkpoint;
import cimtrain.train.ChipEvaluation;
import cimtrain.train.RunCost;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.report.ReportHeader;
import cimtrain.util.MachineInfo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code cimtrain reproduce robustness}: the seed paper's transfer experiment. lenet-paper is trained
 * on mnist-10k as fp32, qat and mp (the paper's recipe, K seeds each); each trained model is then
 * programmed onto N fresh chips (new programming error, the same N chips for every model) and tested.
 */
final class RobustnessReproduction {
    static final List<String> MODES = List.of("fp32", "qat", "mp");
    /** Chip c of the evaluation has seed FIRST_CHIP_SEED + c (apart from the seeds training used). */
    static final long FIRST_CHIP_SEED = 1000;

    private RobustnessReproduction() {
    }

    /** @return per mode: trained and transferred accuracy figures */
    static Map<String, Object> run(Path dir, ModelSpec spec, HardwareSpec trainHw, HardwareSpec newChips, DataSplit split,
                                   int seeds, int chips, int epochs, int stepsPerEpoch, String readModel, cimtrain.train.RunContext context,
                                   String command) throws IOException {
        boolean aggregate = Chip.aggregateReads(readModel, newChips);
        Map<String, Object> byMode = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("mode,seed,trained_accuracy,chip,chip_seed,new_chip_accuracy\n");
        StringBuilder rows = new StringBuilder();
        int reused = 0;
        // per trained model: the fraction of the new chips' conversions that saturated the ADC
        Map<String, Object> clipping = new LinkedHashMap<>();
        byMode.put("adc_saturated_fraction_on_new_chips", clipping);
        for (String mode : MODES) {
            double[] trained = new double[seeds];
            List<Double> moved = new ArrayList<>();
            double[] perModel = new double[seeds];
            for (int seed = 0; seed < seeds; seed++) {
                Path runDir = dir.resolve("runs").resolve(mode + "-s" + seed);
                Map<String, Object> summary = ReproduceCommand.finished(runDir);
                if (summary == null || !Files.isRegularFile(runDir.resolve(Checkpoint.FILE))) {
                    ReproduceCommand.deleteTree(runDir);
                    TrainConfig cfg = new TrainConfig(spec.name, 1.0, "mnist-10k", cimtrain.train.Mode.of(mode), epochs, 64, "adamw", 0.004f,
                            0.9f, 0.01f, "constant", 5, seed, 256, stepsPerEpoch, readModel);
                    summary = TrainRun.execute(cfg, spec, "mnist-10k", split, mode.equals("fp32") ? null : trainHw, runDir,
                            context);
                } else {
                    cimtrain.train.RecordedHardware.requireSame(runDir, mode.equals("fp32") ? null : trainHw);
                    System.out.println("reusing finished run " + runDir);
                    reused++;
                    RunCost.backfill(runDir, spec, mode.equals("fp32") ? null : trainHw);
                }
                trained[seed] = ((Number) summary.get("test_accuracy")).doubleValue();
                ChipEvaluation.Result r = evaluate(runDir.resolve(Checkpoint.FILE), spec, newChips, aggregate,
                        readModel.equals(Chip.AUTO), split, chips, context);
                if (r.clipping() != null) {
                    clipping.put(mode + "-s" + seed, r.clipping().get("saturated_fraction"));
                }
                perModel[seed] = r.mean();
                for (int c = 0; c < chips; c++) {
                    moved.add(r.accuracies()[c]);
                    csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%d,%d,%.4f%n", mode, seed, trained[seed], c,
                            r.seeds()[c], r.accuracies()[c]));
                }
                System.out.printf(Locale.ROOT, "%s seed %d: %.2f%% trained, %.2f%% on %d new chips%n", mode, seed,
                        100 * trained[seed], 100 * r.mean(), chips);
            }
            double[] all = moved.stream().mapToDouble(Double::doubleValue).toArray();
            ChipEvaluation.Result t = ChipEvaluation.summarise(trained, new long[seeds]);
            ChipEvaluation.Result m = ChipEvaluation.summarise(all, new long[all.length]);
            ChipEvaluation.Result models = ChipEvaluation.summarise(perModel, new long[seeds]);
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("seeds", seeds);
            f.put("chips", chips);
            f.put("trained_accuracy_mean", t.mean());
            f.put("trained_accuracy_std", t.std());
            f.put("new_chip_accuracy_mean", m.mean());
            f.put("new_chip_accuracy_std", m.std());
            f.put("ci95_low", models.ci95Low());
            f.put("ci95_high", models.ci95High());
            f.put("loss_points", 100 * (t.mean() - m.mean()));
            byMode.put(mode, f);
            rows.append(String.format(Locale.ROOT, "| %s | %.2f +- %.2f | %.2f +- %.2f | %.2f - %.2f | %+.2f | %s |%n", mode,
                    100 * t.mean(), 100 * t.std(), 100 * m.mean(), 100 * m.std(), 100 * models.ci95Low(),
                    100 * models.ci95High(), -100 * (t.mean() - m.mean()), PAPER.get(mode)));
        }
        AtomicFiles.writeString(dir.resolve("results.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("README.md"), report(dir.resolve("README.md"), command, trainHw, newChips, seeds,
                chips, epochs, stepsPerEpoch, aggregate, rows.toString(), reused, byMode));
        return byMode;
    }

    private static final Map<String, String> PAPER = Map.of("fp32", "loses much accuracy", "qat", "loses much accuracy",
            "mp", "almost no loss");

    private static ChipEvaluation.Result evaluate(Path ckpt, ModelSpec spec, HardwareSpec hw, boolean aggregate,
                                                  boolean auto, DataSplit split, int chips, cimtrain.train.RunContext context) {
        try (Backend be = context.newBackend();
             Network net = new Network(spec.name, be, () -> spec.build(1.0), spec.input, 256, 0)) {
            Checkpoint.loadNetwork(ckpt, net);
            List<float[]> scales = Checkpoint.tileScales(ckpt);
            boolean keep = ChipEvaluation.scalesFit(scales, net, hw);
            return ChipEvaluation.run(net, hw, keep ? scales : null, aggregate, aggregate && auto, split.test(), 256,
                    chips, FIRST_CHIP_SEED, 0, 0, null);
        }
    }

    /** The answer: what each mode loses on the new chips, and whether mp loses least, as in the paper. */
    @SuppressWarnings("unchecked")
    static String answer(Map<String, Object> byMode, int chips, String chip) {
        double fp32 = loss(byMode, "fp32"), qat = loss(byMode, "qat"), mp = loss(byMode, "mp");
        boolean least = mp < fp32 && mp < qat;
        return String.format(Locale.ROOT, "On %d new `%s` chips fp32-trained models lose %.2f points, qat-trained %.2f, "
                + "mp-trained %.2f: %s", chips, chip, fp32, qat, mp, least ? "mp loses least, the paper's ordering."
                : "mp does not lose least, unlike the paper.");
    }

    @SuppressWarnings("unchecked")
    private static double loss(Map<String, Object> byMode, String mode) {
        return ((Number) ((Map<String, Object>) byMode.get(mode)).get("loss_points")).doubleValue();
    }

    private static String report(Path readme, String command, HardwareSpec trainHw, HardwareSpec hw, int seeds, int chips,
                                 int epochs, int stepsPerEpoch, boolean aggregate, String rows, int reused,
                                 Map<String, Object> byMode) {
        String when = LocalDate.now(ZoneOffset.UTC) + " at commit " + MachineInfo.commit(Home.root());
        String fresh = "Made by `" + command + "` on " + when + ", " + MachineInfo.machine() + "."
                + (reused == 0 ? "" : " " + reused + " of the training runs were not trained by this invocation but "
                        + "reused from the folder (finished by an earlier one, possibly at an earlier commit); the "
                        + "new-chip tests were all made by this one.");
        return ReportHeader.opening("Robustness: trained models moved to new chips", "The paper's transfer experiment: do "
                        + "fp32-, qat- and mp-trained LeNets keep their accuracy when moved to new chips?",
                        answer(byMode, chips, hw.name()))
                + ReportHeader.madeBy(readme, fresh, reused == MODES.size() * seeds, "`" + command + "` on " + when
                        + ", which trained nothing (every training run above was reused) and tested every model on the new "
                        + "chips again, with the same chip seeds.")
                + "\n\n"
                + "`lenet-paper` trained on `mnist-10k` (8,000 train / 2,000 test digits, not the full MNIST) with the "
                + "paper's recipe (AdamW, lr 0.004, batch 64, " + epochs + " epochs of " + stepsPerEpoch + " batches) as "
                + "fp32 (software), qat (software, weights rounded to the levels of `" + trainHw.name() + "`) and mp (on `"
                + trainHw.name() + "`), seeds 0.." + (seeds - 1) + ". Each trained model is then programmed onto the same "
                + chips + " fresh `" + hw.name() + "` chips (chip seeds " + FIRST_CHIP_SEED + ".." + (FIRST_CHIP_SEED + chips - 1)
                + ": new programming error of " + hw.device().programmingError() + " level spacings (" + String.format(Locale.ROOT,
                "%.3f", hw.device().programmingError() * hw.device().levelSpacingUs()) + " uS), read noise "
                + hw.device().readNoise() + " level spacings on every read) and tested on the 2,000 test digits. The mp "
                + "models keep the tile scale factors they were trained with (their conductance targets); fp32 and qat "
                + "models are mapped anew (each tile's largest weight at 1/inference_headroom of the conductance range). Reads: "
                + (aggregate ? "aggregate" : "exact") + " model.\n\n"
                + "The paper's programming error for this experiment is 0.5 level spacings of its 16-level simulation "
                + "grid, i.e. 0.5/15 = " + String.format(Locale.ROOT, "%.4f", 0.5 / 15) + " of the conductance range; here "
                + hw.device().programmingError() + " spacings of " + hw.name() + "'s " + hw.device().levels()
                + "-level grid are " + String.format(Locale.ROOT, "%.4f", hw.device().programmingError()
                        * hw.device().levelSpacingUs() / (hw.device().gMaxUs() - hw.device().gMinUs()))
                + " of its range.\n\n"
                + "| trained as | trained accuracy % (mean +- std over seeds) | on new chips % (mean +- std over seeds x chips) "
                + "| 95% CI of the per-model means | change (points) | the paper |\n|---|---|---|---|---|---|\n"
                + rows + "\n"
                + "Trained accuracy: the run's final test accuracy where it was trained (software for fp32 and qat, its own "
                + "chip for mp). Every run folder (with its checkpoint) is under `runs/`; `results.csv` has every chip. "
                + "`report/` holds `cimtrain report`'s view of the training runs (accuracy where they were trained, "
                + "writes, energy; not the new chips): `report.html`, `report.md`, CSV and plots.\n";
    }
}
