package cimtrain.util;

import java.util.List;
import java.util.function.Function;

/**
 * A value that settings cannot take, named by the settings (as the run or study records them: "width",
 * "train_limit"), not by a command-line option: code below the command line throws it, and a command that
 * took the values from its options rethrows it naming those ({@link #naming}).
 */
public class SettingError extends UserError {
    private final List<String> settings;
    private final String rule;

    /** @param rule what the values must be, after the names: "must be at least 1" */
    public SettingError(String rule, String... settings) {
        super(text(List.of(settings), rule));
        this.settings = List.of(settings);
        this.rule = rule;
    }

    /** The same problem as a user error naming each setting as {@code nameOf} gives it (its option). */
    public UserError naming(Function<String, String> nameOf) {
        return new UserError(text(settings.stream().map(nameOf).toList(), rule), this);
    }

    /** "a rule", "a and b rule", "a, b and c rule". */
    private static String text(List<String> names, String rule) {
        int n = names.size();
        String joined = n == 1 ? names.get(0) : String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
        return joined + " " + rule;
    }
}
