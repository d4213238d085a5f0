package cimtrain.study;

import cimtrain.train.TrainConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scaling study runs: every model trained in fp32, mp and qat with the paper's recipe on the
 * training hardware, for each seed; then each trained model moved to fresh chips, and the cost of an
 * image on the cost hardware.
 *
 * @param models       network names (models/networks/)
 * @param dataset      dataset name
 * @param dataDir      --data, or null
 * @param budget       how much is trained
 * @param seeds        seeds 0..seeds-1
 * @param hardware     the chip trained on and moved to (the paper's Table 1 parameters)
 * @param costHardware the chip whose per-operation energy and time price an image
 * @param readModel    how crossbar reads are simulated
 */
public record ScalingPlan(List<String> models, String dataset, Path dataDir, Budget budget, int seeds, String hardware,
                          String costHardware, String readModel) {
    /** The training modes compared, fp32 first (the baseline). */
    public static final List<String> MODES = List.of("fp32", "mp", "qat");
    /** The paper's recipe for VGG-8 and ResNet-18 (paper-spec.md). */
    public static final int BATCH = 64;
    public static final float LR = 0.003f;
    public static final int EVAL_BATCH = 256;
    /** Images are brought to this size (the networks' CIFAR input). */
    public static final int IMAGE_SIZE = 32;
    /** Chip c of the new-chip evaluation has seed FIRST_CHIP_SEED + c, apart from the seeds training used. */
    public static final long FIRST_CHIP_SEED = 1000;

    /** Every run, model by model, mode by mode, seed by seed. */
    public List<StudyRun> runs() {
        List<StudyRun> runs = new ArrayList<>();
        for (String model : models) {
            for (String mode : MODES) {
                for (int seed = 0; seed < seeds; seed++) {
                    runs.add(new StudyRun(model, mode, seed));
                }
            }
        }
        return runs;
    }

    /** The training settings of a run. */
    public TrainConfig config(StudyRun run) {
        return new TrainConfig(run.model(), budget.width(), dataset, cimtrain.train.Mode.of(run.mode()), budget.epochs(run.model()), BATCH, "adamw", LR, 0.9f,
                0.01f, "plateau", budget.patience(), run.seed(), EVAL_BATCH, 0, readModel);
    }

    /** What makes the study's results: a folder holding a study with other settings cannot be reused. */
    public Map<String, Object> settings() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", models);
        m.put("dataset", dataset);
        m.put("data_dir", dataDir == null ? null : dataDir.toAbsolutePath().toString());
        m.putAll(budget.toMap());
        m.put("seeds", seeds);
        m.put("modes", MODES);
        m.put("hardware", hardware);
        m.put("cost_hardware", costHardware);
        m.put("read_model", readModel);
        m.put("image_size", IMAGE_SIZE);
        m.put("batch", BATCH);
        m.put("optimizer", "adamw");
        m.put("lr", (double) LR);
        m.put("schedule", "plateau");
        m.put("first_chip_seed", FIRST_CHIP_SEED);
        return m;
    }
}
