package cimtrain.sweep;

import cimtrain.cli.SweepCommand;
import cimtrain.util.Captured;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
        Captured captured = new Captured();
        int rc = captured.get(() -> new CommandLine(new SweepCommand()).execute(plan.toString(), "--dry-run", "--out",
                tmp.resolve("out").toString()));
        String out = captured.out();
        assertEquals(0, rc, out);
        assertTrue(out.contains("6 jobs"), out);
        assertTrue(out.contains("mode=qat hardware.adc.bits=8"), out);
        for (Job j : SweepPlan.load(plan).jobs()) {
            assertTrue(out.contains(j.id()), out);
        }
        assertFalse(Files.exists(tmp.resolve("out")), "a dry run writes nothing");
    }
}
