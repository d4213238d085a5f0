package cimtrain.experiment;

import cimtrain.train.Mode;
import cimtrain.train.Recipes;
import cimtrain.train.TrainConfig;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a scaling study runs: every model trained in fp32, mp and qat with the paper's recipe on the
 * training hardware (Recipes.cifar), for each seed; then each trained model moved to fresh chips, and the cost of an
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
    public static final List<Mode> MODES = List.of(Mode.FP32, Mode.MP, Mode.QAT);
    /** Test batch of the new-chip evaluation: the recipe's. */
    public static final int EVAL_BATCH = Recipes.EVAL_BATCH;
    /** Images are brought to this size (the networks' CIFAR input). */
    public static final int IMAGE_SIZE = 32;
    /** Chip c of the new-chip evaluation has seed FIRST_CHIP_SEED + c, apart from the seeds training used. */
    public static final long FIRST_CHIP_SEED = 1000;

    /** Every run, model by model, mode by mode, seed by seed. */
    public List<StudyRun> runs() {
        List<StudyRun> runs = new ArrayList<>();
        for (String model : models) {
            for (Mode mode : MODES) {
                for (int seed = 0; seed < seeds; seed++) {
                    runs.add(new StudyRun(model, mode, seed));
                }
            }
        }
        return runs;
    }

    /** The training settings of a run. */
    public TrainConfig config(StudyRun run) {
        return Recipes.cifar(run.model(), budget.width(), dataset, run.mode(), budget.epochs(run.model()), budget.patience(),
                run.seed(), readModel);
    }

    /** The chip a run trains on: none (null) for software training. */
    public String hardwareOf(StudyRun run) {
        return config(run).needsHardware() ? hardware : null;
    }

    /** A run as a dry run lists it: its id, model, mode, seed, chip and training settings. */
    public Map<String, Object> describe(StudyRun run) {
        TrainConfig c = config(run);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", run.id());
        m.put("model", run.model());
        m.put("mode", run.mode());
        m.put("seed", run.seed());
        m.put("hardware", hardwareOf(run));
        m.put("width", c.width());
        m.put("epochs", c.epochs());
        m.put("batch", c.batch());
        m.put("optimizer", c.optimizer());
        m.put("lr", (double) c.lr());
        m.put("schedule", c.schedule());
        m.put("patience", c.patience());
        m.put("train_limit", budget.trainLimit(run.model()));
        m.put("test_limit", budget.testLimit());
        m.put("new_chips", budget.chips());
        return m;
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
        m.put("batch", Recipes.BATCH);
        m.put("optimizer", Recipes.OPTIMIZER);
        m.put("lr", (double) Recipes.CIFAR_LR);
        m.put("schedule", Recipes.CIFAR_SCHEDULE);
        m.put("first_chip_seed", FIRST_CHIP_SEED);
        return m;
    }
}
