package cimtrain.experiment;

import cimtrain.util.SettingError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How much a scaling study trains: the network width, the training and test images used, the epochs and
 * the fresh chips each trained model is moved to. {@code full} is the paper's setting (meant for a GPU);
 * {@code quick} cuts every one of them so that the whole study runs on two CPU cores in under half an
 * hour, and the report states each cut.
 *
 * @param name       quick, full, or custom once a figure was overridden
 * @param width      width multiplier of every layer but the last (1.0: the paper's networks)
 * @param trainLimit the first this many training images (0: all)
 * @param testLimit  the first this many test images, for the per-epoch test and the new chips (0: all)
 * @param epochs     training epochs (the paper: 100)
 * @param chips      fresh chips each trained model is programmed onto (the paper: 10)
 * @param patience   epochs without test gain before the learning rate halves (the paper: 5 of 100 epochs)
 * @param perModel   training images and epochs of named models where they differ from trainLimit and epochs
 */
public record Budget(String name, double width, int trainLimit, int testLimit, int epochs, int chips, int patience,
                     Map<String, ModelTraining> perModel) {
    /** A model's own training images and epochs (null: the budget's). */
    public record ModelTraining(Integer trainLimit, Integer epochs) {
    }

    public static final String QUICK = "quick";
    public static final String FULL = "full";

    public Budget {
        if (!(width > 0) || width > 4) {
            throw SettingError.all("must be in (0, 4], got " + width, "width");
        }
        if (trainLimit < 0 || testLimit < 0) {
            throw SettingError.all("must be 0 (all) or positive", "train_limit", "test_limit");
        }
        if (epochs < 1 || chips < 1 || patience < 1) {
            throw SettingError.all("must be at least 1", "epochs", "chips", "patience");
        }
        perModel = Map.copyOf(perModel);
    }

    /** The training images of a model's runs (0: all). */
    public int trainLimit(String model) {
        ModelTraining t = perModel.get(model);
        return t != null && t.trainLimit() != null ? t.trainLimit() : trainLimit;
    }

    /** The epochs of a model's runs. */
    public int epochs(String model) {
        ModelTraining t = perModel.get(model);
        return t != null && t.epochs() != null ? t.epochs() : epochs;
    }

    /** The training images to load for these models (0: all): the most any of them trains on. */
    public int trainLimit(List<String> models) {
        int most = 0;
        for (String m : models) {
            if (trainLimit(m) == 0) {
                return 0;
            }
            most = Math.max(most, trainLimit(m));
        }
        return most;
    }

    public static List<String> names() {
        return List.of(QUICK, FULL);
    }

    /** The named budget. */
    public static Budget of(String name) {
        return switch (name) {
            // Sized on 2 cores (AMD EPYC) so that both models x fp32/mp/qat x 1 seed, then 5 chips each, take
            // under 30 minutes; eval-reports/scaling/README.md gives the time measured. Fewer images and
            // more epochs (rather than the reverse) bring the runs nearer convergence, as the paper's 100
            // epochs do; the plateau patience shrinks with the epochs. Both models train on the first 6,000
            // images: with 3,000, ResNet-18's mp models lost more on new chips than its fp32 ones, and
            // neither twice the width, twice the epochs nor mapping them anew changed that, while 6,000
            // images did (eval-reports/archive/scaling-resnet18-n6000/). VGG-8 costs
            // about a third of ResNet-18 per image, so it gets 20 epochs (1,880 steps against 1,128): with
            // 564 steps its mp runs stopped while still far from converged (6 points under fp32 over 3 seeds
            // in the study made at 39f1c5b).
            case QUICK -> new Budget(QUICK, 0.125, 6000, 2000, 12, 5, 2, Map.of("vgg8", new ModelTraining(null, 20)));
            case FULL -> new Budget(FULL, 1.0, 0, 0, 100, 10, 5, Map.of());
            default -> throw SettingError.all("must be one of " + String.join(", ", names()) + ", got '" + name + "'", "budget");
        };
    }

    /**
     * This budget with the given figures replaced (null keeps one; a training-image count or epoch count
     * given applies to every model); renamed "NAME+custom" when any changes.
     */
    public Budget with(Double newWidth, Integer newTrainLimit, Integer newTestLimit, Integer newEpochs, Integer newChips,
                       Integer newPatience) {
        Map<String, ModelTraining> models = new LinkedHashMap<>();
        perModel.forEach((m, t) -> {
            ModelTraining kept = new ModelTraining(newTrainLimit != null ? null : t.trainLimit(),
                    newEpochs != null ? null : t.epochs());
            if (kept.trainLimit() != null || kept.epochs() != null) {
                models.put(m, kept);
            }
        });
        Budget b = new Budget(name, newWidth != null ? newWidth : width, newTrainLimit != null ? newTrainLimit : trainLimit,
                newTestLimit != null ? newTestLimit : testLimit, newEpochs != null ? newEpochs : epochs,
                newChips != null ? newChips : chips, newPatience != null ? newPatience : patience, models);
        return b.equals(this) ? this
                : new Budget(name + "+custom", b.width, b.trainLimit, b.testLimit, b.epochs, b.chips, b.patience, models);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("budget", name);
        m.put("width", width);
        m.put("train_limit", trainLimit);
        m.put("test_limit", testLimit);
        m.put("epochs", epochs);
        m.put("chips", chips);
        m.put("patience", patience);
        if (!perModel.isEmpty()) {
            Map<String, Object> models = new java.util.TreeMap<>();
            perModel.forEach((model, t) -> {
                Map<String, Object> o = new LinkedHashMap<>();
                if (t.trainLimit() != null) {
                    o.put("train_limit", t.trainLimit());
                }
                if (t.epochs() != null) {
                    o.put("epochs", t.epochs());
                }
                models.put(model, o);
            });
            m.put("per_model", models);
        }
        return m;
    }
}
