package cimtrain.report;

import cimtrain.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input the report cannot use is refused with a {@link UserError} (the command line prints its message as
 * one line and exits with status 2) that names the culprit, before anything is written under --out.
 */
class ReportBadInputTest {
    @TempDir
    Path tmp;

    private void assertRefused(String mentions, Path... inputs) {
        Path out = tmp.resolve("out");
        UserError e = assertThrows(UserError.class, () -> Report.build(List.of(inputs), out, null));
        assertTrue(e.getMessage().contains(mentions), "'" + e.getMessage() + "' should mention " + mentions);
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(Files.exists(out), "nothing written under --out");
    }

    @Test
    void aMissingFolder() {
        assertRefused("nowhere: no such folder", tmp.resolve("nowhere"));
    }

    @Test
    void aFolderWithoutRuns() throws IOException {
        Files.createDirectories(tmp.resolve("empty/runs/notes"));
        assertRefused("not a run folder", tmp.resolve("empty"));
    }

    @Test
    void onlyUnfinishedRuns() throws IOException {
        Path run = ReportFixtures.copyRun("mp-s0", tmp.resolve("sweep/runs/mp-s0"));
        Files.delete(run.resolve("summary.json"));
        assertRefused("no finished runs", tmp.resolve("sweep"));
        // named on its own, an unfinished run is a mistake in itself
        assertRefused("mp-s0: not a finished run", run);
    }

    @Test
    void unreadableJson() throws IOException {
        Path run = ReportFixtures.copyRun("mp-s0", tmp.resolve("mp-s0"));
        Files.writeString(run.resolve("summary.json"), "{\"model\": \"lenet-paper\", ");
        assertRefused("summary.json: unreadable JSON", run);
        Files.writeString(run.resolve("summary.json"), "[1, 2]");
        assertRefused("summary.json: not a JSON object", run);
        ReportFixtures.copyRun("mp-s0", tmp.resolve("other"));
        Files.writeString(tmp.resolve("other/writes.json"), "not json");
        assertRefused("writes.json: unreadable JSON", tmp.resolve("other"));
    }

    @Test
    void aSummaryWithoutAccuracy() throws IOException {
        Path run = ReportFixtures.copyRun("fp32-s0", tmp.resolve("fp32-s0"));
        ReportFixtures.editJson(run.resolve("summary.json"), s -> s.remove("test_accuracy"));
        assertRefused("no test_accuracy", run);
    }

    @Test
    void aHistogramWhoseCountsDoNotFitItsBins() throws IOException {
        Path run = ReportFixtures.copyRun("mp-s0", tmp.resolve("mp-s0"));
        ReportFixtures.editJson(run.resolve("writes.json"), w -> w.withArray("histogram").remove(0));
        assertRefused("9 histogram counts for 9 bin edges", run);
    }

    @Test
    void anOutThatIsAFileOrARunFolder() throws IOException {
        Path run = ReportFixtures.copyRun("fp32-s0", tmp.resolve("fp32-s0"));
        Path file = Files.writeString(tmp.resolve("file.txt"), "x");
        UserError e = assertThrows(UserError.class, () -> Report.build(List.of(run), file, null));
        assertTrue(e.getMessage().contains("not a folder"), e.getMessage());
        e = assertThrows(UserError.class, () -> Report.build(List.of(run), run, null));
        assertTrue(e.getMessage().contains("is a run folder"), e.getMessage());
        assertFalse(Files.exists(run.resolve("report.md")));
    }
}
