package cimtrain.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

class MachineInfoTest {
    @Test
    void vectorSetFollowsTheCpuFlags() throws Exception {
        assumeTrue(Files.isReadable(Paths.get("/proc/cpuinfo")), "no /proc/cpuinfo (not Linux)");
        String flags = Files.readAllLines(Paths.get("/proc/cpuinfo")).stream()
                .filter(l -> l.startsWith("flags")).findFirst().orElse("");
        assumeTrue(!flags.isEmpty(), "/proc/cpuinfo has no flags line");
        String isa = MachineInfo.vectorIsa();
        assertNotNull(isa);
        if (flags.matches(".*\\bavx512f\\b.*")) {
            assertEquals("AVX-512", isa);
        } else if (flags.matches(".*\\bavx2\\b.*")) {
            assertEquals("AVX2", isa);
        }
    }
}
