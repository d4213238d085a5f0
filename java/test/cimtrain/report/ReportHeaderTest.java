package cimtrain.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportHeaderTest {
    @Test
    void aRerunThatComputedNothingKeepsTheProvenanceOfTheRunsItReused(@TempDir Path tmp) throws Exception {
        Path readme = tmp.resolve("README.md");
        String first = "Made by `cimtrain reproduce lenet --seeds 3` on 2026-12-01 at commit aaaaaaa, AMD EPYC, 2 cores.";
        assertEquals(first, ReportHeader.madeBy(readme, first, true, "x"), "no report yet: this one's paragraph");
        Files.writeString(readme, ReportHeader.opening("T", "Q?", "A.") + first + "\n\nbody\n");
        String now = "Made by `cimtrain reproduce lenet --seeds 3` on 2026-12-07 at commit bbbbbbb, AMD EPYC, 2 cores.";
        assertEquals(now, ReportHeader.madeBy(readme, now, false, "x"), "a rerun that trained: its own paragraph");
        String kept = ReportHeader.madeBy(readme, now, true, "`cimtrain reproduce lenet --seeds 3` on 2026-12-07 at commit bbbbbbb, "
                + "which trained nothing.");
        assertTrue(kept.startsWith(first), kept);
        assertTrue(kept.contains("Rewritten by `cimtrain reproduce lenet --seeds 3` on 2026-12-07 at commit bbbbbbb"), kept);
        // a second rewrite replaces the first one's sentence instead of adding another
        Files.writeString(readme, kept + "\n");
        String again = ReportHeader.madeBy(readme, now, true, "`c` on 2026-12-08 at commit ccccccc");
        assertTrue(again.startsWith(first) && again.contains("ccccccc") && !again.contains("bbbbbbb"), again);
    }
}
