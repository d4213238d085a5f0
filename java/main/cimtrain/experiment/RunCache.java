package cimtrain.experiment;

import cimtrain.train.RunListener;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.train.Checkpoint;
import cimtrain.train.RecordedHardware;
import cimtrain.train.RunCost;
import cimtrain.train.RunFolder;
import cimtrain.util.FileTree;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Train or reuse: an experiment's run folders, {@code DIR/runs/ID/}. A folder with summary.json is a finished
 * run and is reused, after checking that it was made on the chip asked for now (a run made on another version
 * of the chip is refused, not reused) and writing the cost.json it may lack; any other folder is trained, from
 * scratch or, where the experiment allows it, continued from its checkpoint. So an interrupted experiment
 * continues where it stopped, and a rerun over finished runs trains nothing.
 */
final class RunCache {
    /** How a run missing from the cache is trained into its folder. */
    interface Training {
        /** @param resume the folder holds a checkpoint to continue from (only when the cache was asked to resume) */
        Map<String, Object> train(Path runDir, boolean resume);
    }

    /** A run as the cache gave it: its folder, its summary.json, and whether this invocation trained it. */
    record Run(Path dir, Map<String, Object> summary, boolean trained) {
    }

    private final Path runs;
    private final RunListener listener;
    private int reused;

    /** The cache of the experiment in {@code experimentDir} (its runs under runs/). */
    RunCache(Path experimentDir, RunListener listener) {
        this.listener = listener;
        this.runs = experimentDir.resolve("runs");
    }

    Path dir(String id) {
        return runs.resolve(id);
    }

    /** Finished runs reused so far rather than trained (the reports say so). */
    int reused() {
        return reused;
    }

    /**
     * Refuses a finished run made on another chip than {@code hw} (null: in software); nothing for a run not
     * finished. A study checks all its runs this way before it trains any.
     */
    void requireSameHardware(String id, HardwareSpec hw) {
        if (Files.isRegularFile(dir(id).resolve(RunFolder.SUMMARY))) {
            RecordedHardware.requireSame(dir(id), hw);
        }
    }

    /**
     * The run {@code id}, reused when finished, else trained.
     *
     * @param hw              the chip it trains on, null for software (fp32)
     * @param needsCheckpoint a finished run without checkpoint.h5 is trained again (the experiment reads it)
     * @param resume          an unfinished run with a checkpoint continues from it; else it starts from scratch
     */
    Run trainOrReuse(String id, ModelSpec spec, HardwareSpec hw, boolean needsCheckpoint, boolean resume,
                     Training training) {
        Path runDir = dir(id);
        Map<String, Object> summary = finished(runDir);
        boolean checkpoint = Files.isRegularFile(runDir.resolve(Checkpoint.FILE));
        if (summary == null || needsCheckpoint && !checkpoint) {
            boolean resuming = resume && checkpoint;
            if (!resuming) {
                FileTree.deleteUnchecked(runDir); // nothing worth keeping: the run starts again from scratch
            }
            return new Run(runDir, training.train(runDir, resuming), true);
        }
        RecordedHardware.requireSame(runDir, hw);
        listener.progress("reusing finished run " + runDir);
        reused++;
        if (RunCost.backfill(runDir, spec, hw)) {
            listener.progress("  wrote its missing cost.json (the cost model of its network on " + hw.name() + ")");
        }
        return new Run(runDir, summary, false);
    }

    /** The summary of a finished run (its summary.json), or null when the run has none. */
    static Map<String, Object> finished(Path runDir) {
        return Records.readOrNull(runDir.resolve(RunFolder.SUMMARY));
    }
}
