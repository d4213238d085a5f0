package cimtrain.report;

import cimtrain.cli.ReportCommand;
import cimtrain.util.Captured;
import cimtrain.util.Json;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command's options as picocli parses them (the entry point adds the one-line errors and status 2). */
class ReportCommandTest {
    @TempDir
    Path tmp;

    @Test
    void jsonNamesTheFilesAndGroups() throws Exception {
        Path run = ReportFixtures.copyRun("mp-s0", tmp.resolve("runs/mp-s0"));
        ReportFixtures.copyRun("fp32-s0", tmp.resolve("runs/fp32-s0"));
        Path out = tmp.resolve("report");
        Captured captured = new Captured();
        // a run named twice, on its own and in its holding folder, counts once
        int status = captured.get(() -> new CommandLine(new ReportCommand()).execute(tmp.toString(), run.toString(),
                "--out", out.toString(), "--title", "Two runs", "--json"));
        assertEquals(0, status);
        JsonNode j = Json.MAPPER.readTree(captured.lastOutLine());
        assertEquals(2, j.get("groups").size());
        assertEquals("fp32", j.get("groups").get(0).get("label").asText());
        double mp = Json.MAPPER.readTree(run.resolve("summary.json").toFile()).get("test_accuracy").asDouble();
        assertEquals(100 * mp, j.get("groups").get(1).get("test_accuracy_mean_pct").asDouble(), 1e-9);
        assertEquals(out.resolve("report.html").toString(), j.get("files").get(j.get("files").size() - 1).asText());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.startsWith("# Two runs\n"));
        // the report names the command that remakes it
        assertTrue(md.contains("by `cimtrain report " + ReportText.shown(tmp) + " " + ReportText.shown(run) + " --out "
                + ReportText.shown(out) + " --title 'Two runs'`"), md);
    }

    @Test
    void outIsRequiredAndAtLeastOneRunDir() {
        StringWriter err = new StringWriter();
        CommandLine cmd = new CommandLine(new ReportCommand()).setErr(new PrintWriter(err));
        assertEquals(2, cmd.execute(tmp.toString()));
        assertTrue(err.toString().contains("--out"), err.toString());
        assertEquals(2, cmd.execute("--out", tmp.resolve("x").toString()));
        assertTrue(err.toString().contains("RUN_DIR"), err.toString());
        assertTrue(new CommandLine(new ReportCommand()).getUsageMessage().contains("Usage: report [-hV] [--json]"));
    }

    @Test
    void badInputReachesTheEntryPointAsAUserError() {
        AtomicReference<Exception> thrown = new AtomicReference<>();
        CommandLine cmd = new CommandLine(new ReportCommand());
        cmd.setExecutionExceptionHandler((ex, c, p) -> {
            thrown.set(ex);
            return 2;
        });
        assertEquals(2, cmd.execute(tmp.resolve("missing").toString(), "--out", tmp.resolve("out").toString()));
        assertTrue(thrown.get() instanceof UserError && thrown.get().getMessage().contains("no such folder"),
                String.valueOf(thrown.get()));
        assertFalse(Files.exists(tmp.resolve("out")));
    }
}
