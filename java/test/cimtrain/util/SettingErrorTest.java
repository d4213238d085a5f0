package cimtrain.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Errors that name settings below the command line, and the options a command names instead. */
class SettingErrorTest {
    @Test
    void oneTwoOrMoreSettingsInWords() {
        assertEquals("width must be positive", new SettingError("must be positive", "width").getMessage());
        assertEquals("a and b must agree", new SettingError("must agree", "a", "b").getMessage());
        assertEquals("a, b and c must be at least 1", new SettingError("must be at least 1", "a", "b", "c").getMessage());
    }

    @Test
    void aCommandNamesItsOptions() {
        SettingError e = new SettingError("must be 0 (all) or positive", "train_limit", "test_limit");
        UserError named = e.naming(s -> "--" + s.replace('_', '-'));
        assertEquals("--train-limit and --test-limit must be 0 (all) or positive", named.getMessage());
        assertEquals(e, named.getCause());
    }
}
