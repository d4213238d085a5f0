package cimtrain.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The Markdown tables every report writes. */
class MarkdownTableTest {
    @Test
    void headerRuleAndRowsAsGitHubReadsThem() {
        String t = new MarkdownTable("mode", "accuracy %").row("mp", 97.5).row("fp32", "98.10 +- 0.20").toString();
        assertEquals("| mode | accuracy % |\n|---|---|\n| mp | 97.5 |\n| fp32 | 98.10 +- 0.20 |\n", t);
    }

    @Test
    void aBarInACellIsEscapedAndAMissingCellRefused() {
        assertEquals("| a |\n|---|\n| x \\| y |\n", new MarkdownTable("a").row("x | y").toString());
        assertThrows(IllegalArgumentException.class, () -> new MarkdownTable("a", "b").row("only one"));
    }
}
