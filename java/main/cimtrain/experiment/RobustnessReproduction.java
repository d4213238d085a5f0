package cimtrain.experiment;

import cimtrain.train.Mode;
import cimtrain.data.DataSplit;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.report.MarkdownTable;
import cimtrain.report.ReportHeader;
import cimtrain.tile.Chip;
import cimtrain.train.ChipEvaluation;
import cimtrain.train.Recipes;
import cimtrain.train.RunContext;
import cimtrain.train.TrainConfig;
import cimtrain.train.TrainRun;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.util.MachineInfo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The seed paper's transfer experiment ({@code cimtrain reproduce robustness}): lenet-paper is trained on
 * mnist-10k as fp32, qat and mp (the paper's recipe, Recipes.lenet, K seeds each; finished runs reused through
 * RunCache); each trained model is then programmed onto N fresh chips (new programming error, the same N chips
 * for every model) and tested.
 *
 * @param trainHw  the chip mp trains on (and qat rounds to)
 * @param newChips the chips the trained models move to
 * @param command  the command line that makes this reproduction, for the report
 */
public record RobustnessReproduction(int seeds, int chips, int epochs, int stepsPerEpoch, HardwareSpec trainHw,
                                     HardwareSpec newChips, String readModel, String command) {
    static final List<Mode> MODES = List.of(Mode.FP32, Mode.QAT, Mode.MP);
    /** Chip c of the evaluation has seed FIRST_CHIP_SEED + c (apart from the seeds training used). */
    static final long FIRST_CHIP_SEED = 1000;

    /**
     * Trains or reuses the runs into {@code dir}/runs, tests each on the new chips; writes README.md, results.csv
     * and report/.
     *
     * @return per mode: trained and transferred accuracy figures
     */
    public Map<String, Object> run(Path dir, ModelSpec spec, DataSplit split, RunContext context) {
        boolean aggregate = Chip.aggregateReads(readModel, newChips);
        Map<String, Object> byMode = new LinkedHashMap<>();
        StringBuilder csv = new StringBuilder("mode,seed,trained_accuracy,chip,chip_seed,new_chip_accuracy\n");
        MarkdownTable rows = new MarkdownTable("trained as", "trained accuracy % (mean +- std over seeds)",
                "on new chips % (mean +- std over seeds x chips)", "95% CI of the per-model means", "change (points)",
                "the paper");
        RunCache cache = new RunCache(dir, context.listener());
        // per trained model: the fraction of the new chips' conversions that saturated the ADC
        Map<String, Object> clipping = new LinkedHashMap<>();
        byMode.put("adc_saturated_fraction_on_new_chips", clipping);
        for (Mode mode : MODES) {
            double[] trained = new double[seeds];
            List<Double> moved = new ArrayList<>();
            double[] perModel = new double[seeds];
            for (int seed = 0; seed < seeds; seed++) {
                TrainConfig cfg = Recipes.lenet(mode, epochs, stepsPerEpoch, seed, readModel);
                HardwareSpec hw = cfg.needsHardware() ? trainHw : null;
                RunCache.Run run = cache.trainOrReuse(mode + "-s" + seed, spec, hw, true, false,
                        (runDir, resume) -> TrainRun.execute(cfg, spec, LenetReproduction.DATASET, split, hw, runDir, context));
                Map<String, Object> summary = run.summary();
                trained[seed] = ((Number) summary.get("test_accuracy")).doubleValue();
                ChipEvaluation.Result r = NewChipTest.run(run.dir(), spec, 1.0, newChips, aggregate,
                        readModel.equals(Chip.AUTO), split.test(), chips, FIRST_CHIP_SEED, context, null).result();
                if (r.clipping() != null) {
                    clipping.put(mode + "-s" + seed, r.clipping().get("saturated_fraction"));
                }
                perModel[seed] = r.mean();
                for (int c = 0; c < chips; c++) {
                    moved.add(r.accuracies()[c]);
                    csv.append(String.format(Locale.ROOT, "%s,%d,%.4f,%d,%d,%.4f%n", mode, seed, trained[seed], c,
                            r.seeds()[c], r.accuracies()[c]));
                }
                context.listener().progress(String.format(Locale.ROOT, "%s seed %d: %.2f%% trained, %.2f%% on %d new chips", mode, seed,
                        100 * trained[seed], 100 * r.mean(), chips));
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
            byMode.put(mode.label(), f);
            rows.row(mode, String.format(Locale.ROOT, "%.2f +- %.2f", 100 * t.mean(), 100 * t.std()),
                    String.format(Locale.ROOT, "%.2f +- %.2f", 100 * m.mean(), 100 * m.std()),
                    String.format(Locale.ROOT, "%.2f - %.2f", 100 * models.ci95Low(), 100 * models.ci95High()),
                    String.format(Locale.ROOT, "%+.2f", -100 * (t.mean() - m.mean())), PAPER.get(mode));
        }
        AtomicFiles.writeString(dir.resolve("results.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("README.md"), report(dir.resolve("README.md"), aggregate && !readModel.equals(Chip.AUTO)
                ? "aggregate model" : aggregate ? AUTO_TEXT : "exact model", rows.toString(),
                cache.reused(), byMode));
        RunsReport.build(dir, "Robustness reproduction: the training runs of lenet-paper", context.listener());
        return byMode;
    }

    private static final Map<Mode, String> PAPER = Map.of(Mode.FP32, "loses much accuracy", Mode.QAT, "loses much accuracy",
            Mode.MP, "almost no loss");

    /** The answer: what each mode loses on the new chips, and whether mp loses least, as in the paper. */
    @SuppressWarnings("unchecked")
    static String answer(Map<String, Object> byMode, int chips, String chip) {
        double fp32 = loss(byMode, Mode.FP32), qat = loss(byMode, Mode.QAT), mp = loss(byMode, Mode.MP);
        boolean least = mp < fp32 && mp < qat;
        return String.format(Locale.ROOT, "On %d new `%s` chips fp32-trained models lose %.2f points, qat-trained %.2f, "
                + "mp-trained %.2f: %s", chips, chip, fp32, qat, mp, least ? "mp loses least, the paper's ordering."
                : "mp does not lose least, unlike the paper.");
    }

    @SuppressWarnings("unchecked")
    private static double loss(Map<String, Object> byMode, Mode mode) {
        return ((Number) ((Map<String, Object>) byMode.get(mode.label())).get("loss_points")).doubleValue();
    }

    /** The reads of read model auto, in words. */
    private static final String AUTO_TEXT = "read model auto (a layer keeps the aggregate model unless more than 0.1% of "
            + "its conversions saturate in its first 4 batches; in mp training also in any later probe of 4 sampled "
            + "batches: the runs' summary.json, read_model_choice and exact_from_batch)";

    private String report(Path readme, String reads, String rows, int reused, Map<String, Object> byMode) {
        HardwareSpec hw = newChips;
        String when = ReportHeader.when(MachineInfo.commit(Home.root()));
        String fresh = ReportHeader.madeBy(command, when) + ", " + MachineInfo.machine() + "."
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
                + reads + ".\n\n"
                + "The paper's programming error for this experiment is 0.5 level spacings of its 16-level simulation "
                + "grid, i.e. 0.5/15 = " + String.format(Locale.ROOT, "%.4f", 0.5 / 15) + " of the conductance range; here "
                + hw.device().programmingError() + " spacings of " + hw.name() + "'s " + hw.device().levels()
                + "-level grid are " + String.format(Locale.ROOT, "%.4f", hw.device().programmingError()
                        * hw.device().levelSpacingUs() / (hw.device().gMaxUs() - hw.device().gMinUs()))
                + " of its range.\n\n"
                + rows + "\n"
                + "Trained accuracy: the run's final test accuracy where it was trained (software for fp32 and qat, its own "
                + "chip for mp). Every run folder (with its checkpoint) is under `runs/`; `results.csv` has every chip. "
                + "`report/` holds `cimtrain report`'s view of the training runs (accuracy where they were trained, "
                + "writes, energy; not the new chips): `report.html`, `report.md`, CSV and plots.\n";
    }
}
