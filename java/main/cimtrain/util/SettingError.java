package cimtrain.util;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A {@link UserError} about the value of one or more named settings ("lr", "steps-per-epoch"): the core
 * names the setting by its key, and whoever knows how the user set it (the command line: {@code --lr})
 * renders the same message with its own name through {@link #message(UnaryOperator)}.
 */
public class SettingError extends UserError {
    /** The message given a way to show a setting's key. */
    private final transient Function<UnaryOperator<String>, String> text;

    /** @param text builds the message, showing each setting's key through the function it is given */
    public SettingError(Function<UnaryOperator<String>, String> text) {
        super(text.apply(key -> key));
        this.text = text;
    }

    /** The usual shape: the setting's name, then {@code rest} (" must be at least 1, got 0"). */
    public static SettingError of(String key, String rest) {
        return new SettingError(name -> name.apply(key) + rest);
    }

    /** Several settings under one rule: "a, b and c must be at least 1". */
    public static SettingError all(String rule, String... keys) {
        java.util.List<String> ks = java.util.List.of(keys);
        return new SettingError(name -> joined(ks.stream().map(name).toList()) + " " + rule);
    }

    /** "a", "a and b", "a, b and c". */
    private static String joined(java.util.List<String> names) {
        int n = names.size();
        return n == 1 ? names.get(0) : String.join(", ", names.subList(0, n - 1)) + " and " + names.get(n - 1);
    }

    /** The message with every setting shown by {@code name} (e.g. as its command-line flag). */
    public String message(UnaryOperator<String> name) {
        return text.apply(name);
    }

    /** The message with every setting shown as the command-line flag {@code --key}. */
    public static String asFlags(UserError e) {
        return e instanceof SettingError s ? s.message(key -> "--" + key) : e.getMessage();
    }
}
