package cimtrain.sweep;

import cimtrain.cli.SweepCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepCommandTest {
    @Test
    void dryRunListsTheJobsAndStartsNothing(@TempDir Path tmp) throws Exception {
        Path plan = tmp.resolve("plan.yaml");
        Files.writeString(plan, "base: {model: lenet-paper, epochs: 1}\naxes: {mode: [fp32, qat], hardware.adc.bits: [4, 6, 8]}\n");
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int rc;
        try {
            System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
            rc = new CommandLine(new SweepCommand()).execute(plan.toString(), "--dry-run", "--out", tmp.resolve("out").toString());
        } finally {
            System.setOut(old);
        }
        String out = buf.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.contains("6 jobs"), out);
        assertTrue(out.contains("mode=qat hardware.adc.bits=8"), out);
        for (Job j : SweepPlan.load(plan).jobs()) {
            assertTrue(out.contains(j.id()), out);
        }
        assertFalse(Files.exists(tmp.resolve("out")), "a dry run writes nothing");
    }
}
