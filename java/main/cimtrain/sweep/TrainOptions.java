package cimtrain.sweep;

import cimtrain.data.DatasetRegistry;
import cimtrain.model.Models;
import cimtrain.options.TrainSettings;
import cimtrain.util.SettingError;
import cimtrain.util.UserError;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code train} options a plan may set, read from their one descriptor ({@link TrainSettings}, which
 * {@code train} mixes in) so that a new train option is sweepable without touching the sweep, and the
 * check of a job's arguments by the same parser and rules {@code train} uses.
 */
final class TrainOptions {
    /** Options the runner sets itself, or that do not describe a run (train's --help and --version). */
    static final Set<String> RUNNER_OWNED = Set.of("out", "resume", "json", "threads", "help", "version");
    /** Options whose value names a file: a relative path is taken from the plan's folder. */
    static final Set<String> PATH_VALUED = Set.of("model", "hardware", "data");

    private TrainOptions() {
    }

    /** Built once: a plan of thousands of jobs asks for every value. */
    private static volatile Map<String, OptionSpec> sweepable;

    /** Plan name (the long option without dashes) to option, for every option a plan may set. */
    static Map<String, OptionSpec> sweepable() {
        Map<String, OptionSpec> cached = sweepable;
        if (cached == null) {
            cached = java.util.Collections.unmodifiableMap(readOptions());
            sweepable = cached;
        }
        return cached;
    }

    private static Map<String, OptionSpec> readOptions() {
        Map<String, OptionSpec> out = new TreeMap<>();
        for (OptionSpec o : new CommandLine(new TrainSettings()).getCommandSpec().options()) {
            String name = o.longestName().replaceFirst("^-+", "");
            if (!RUNNER_OWNED.contains(name)) {
                out.put(name, o);
            }
        }
        return out;
    }

    /**
     * The train arguments of a job (without --out and --threads): one {@code --name value} per plan
     * field, {@code --name} alone for a true flag, and {@code --hardware hardwareFile} when the job has
     * its own hardware file.
     */
    static List<String> arguments(Job job, Path hardwareFile, Path planDir) {
        Map<String, OptionSpec> options = sweepable();
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, String> e : job.assignment().entrySet()) {
            String field = e.getKey();
            if (field.startsWith(SweepPlan.HARDWARE_PREFIX) || (field.equals("hardware") && hardwareFile != null)) {
                continue;
            }
            OptionSpec o = options.get(field);
            if (isFlag(o)) {
                if (e.getValue().equals("true")) {
                    args.add("--" + field);
                }
                continue;
            }
            args.add("--" + field);
            args.add(PATH_VALUED.contains(field) ? resolve(e.getValue(), planDir) : e.getValue());
        }
        if (hardwareFile != null) {
            args.add("--hardware");
            args.add(hardwareFile.toAbsolutePath().toString());
        }
        return args;
    }

    static boolean isFlag(OptionSpec o) {
        return o.type() == boolean.class || o.type() == Boolean.class;
    }

    /**
     * A value that looks like a path (not a shipped name) relative to the plan's folder, so a plan works
     * from any working folder.
     */
    static String resolve(String value, Path planDir) {
        boolean looksLikePath = value.contains("/") || value.endsWith(".yaml") || value.endsWith(".yml");
        if (!looksLikePath || Path.of(value).isAbsolute() || planDir == null) {
            return value;
        }
        return planDir.resolve(value).toAbsolutePath().normalize().toString();
    }

    /**
     * Checks a job's arguments as {@code train} would before it starts: picocli types (a number where a
     * number belongs), the configuration's ranges and names, the model and the dataset name. Reads no
     * dataset, so it is quick enough for every job of a large sweep.
     *
     * @throws UserError naming the job and the problem, in one line
     */
    static void check(List<String> args, String where) {
        TrainSettings options = new TrainSettings();
        try {
            new CommandLine(options).parseArgs(args.toArray(String[]::new));
            String model = options.model;
            if (model == null) {
                throw new UserError("no model (set 'model' in base or an axis)");
            }
            String dataset = options.data.dataset;
            options.config();
            if (!DatasetRegistry.names().contains(dataset)) {
                throw new UserError("unknown dataset '" + dataset + "' (known: " + String.join(", ", DatasetRegistry.names()) + ")");
            }
            Models.load(model);
        } catch (CommandLine.ParameterException e) {
            throw new UserError(where + ": " + oneLine(e.getMessage()));
        } catch (UserError e) {
            // the job's arguments are train's command line, so a setting is named as its flag
            throw new UserError(where + ": " + oneLine(SettingError.asFlags(e)));
        }
    }

    static String oneLine(String s) {
        return s == null ? "error" : s.replace('\n', ' ').replace('\r', ' ').trim();
    }
}
