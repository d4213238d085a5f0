package cimtrain.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The opening every report's README.md has (eval-reports/README.md): its title, the question it answers,
 * the answer, and a paragraph saying which command made it at which commit. A rerun that trained and
 * measured nothing (every run reused) keeps the paragraph of the report it replaces, so the runs keep
 * their provenance, and only adds a sentence saying when the text was written again.
 */
public final class ReportHeader {
    static final String MADE_BY = "Made by `";
    static final String REWRITTEN = " Rewritten by ";

    private ReportHeader() {
    }

    /** When a report is written: "DATE at commit C" (the UTC date; C from MachineInfo.commit). */
    public static String when(String commit) {
        return LocalDate.now(ZoneOffset.UTC) + " at commit " + commit;
    }

    /** The start of a fresh provenance paragraph: "Made by `command` on WHEN". */
    public static String madeBy(String command, String when) {
        return MADE_BY + command + "` on " + when;
    }

    /** "# title", then the question and the answer, each a paragraph. */
    public static String opening(String title, String question, String answer) {
        return "# " + title + "\n\n**Question.** " + question + "\n\n**Answer.** " + answer + "\n\n";
    }

    /**
     * The provenance paragraph (without its trailing blank line).
     *
     * @param readme    the report about to be replaced (it may not exist)
     * @param fresh     the paragraph for this invocation, starting "Made by `command`"
     * @param reusedAll this invocation trained nothing: every training run was reused
     * @param rewrite   the added sentence's rest: who wrote the text again and what it did ("`command` on DATE
     *                  at commit C, which trained and measured nothing: ...")
     */
    public static String madeBy(Path readme, String fresh, boolean reusedAll, String rewrite) {
        if (!reusedAll || !Files.isRegularFile(readme)) {
            return fresh;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(readme);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            if (line.startsWith(MADE_BY)) {
                int earlier = line.indexOf(REWRITTEN);
                String kept = earlier >= 0 ? line.substring(0, earlier) : line;
                return kept + REWRITTEN + rewrite;
            }
        }
        return fresh;
    }
}
