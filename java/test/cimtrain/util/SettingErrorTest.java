package cimtrain.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Errors that name settings below the command line, and the options a command names instead. */
class SettingErrorTest {
    @Test
    void oneTwoOrMoreSettingsInWords() {
        assertEquals("width must be positive", SettingError.all("must be positive", "width").getMessage());
        assertEquals("a and b must agree", SettingError.all("must agree", "a", "b").getMessage());
        assertEquals("a, b and c must be at least 1", SettingError.all("must be at least 1", "a", "b", "c").getMessage());
    }

    @Test
    void aCommandNamesItsOptions() {
        SettingError e = SettingError.all("must be 0 (all) or positive", "train_limit", "test_limit");
        assertEquals("--train-limit and --test-limit must be 0 (all) or positive",
                e.message(s -> "--" + s.replace('_', '-')));
        assertEquals("--lr must be a positive number", SettingError.asFlags(SettingError.of("lr", " must be a positive number")));
    }
}
