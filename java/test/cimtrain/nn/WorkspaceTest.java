package cimtrain.nn;

import cimtrain.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkspaceTest {
    @Test
    void layersKeepTheirColumnsOnlyWithinTheReplicasShareOfTheHeap() {
        try (CpuBackend be = new CpuBackend(1)) {
            Workspace w = new Workspace(be);
            long share = Runtime.getRuntime().maxMemory() / 8 / Float.BYTES;
            assertFalse(w.keep(share + 1), "more than the share");
            assertTrue(w.keep(share / 2), "half the share");
            assertTrue(w.keep(share / 2), "the other half");
            assertFalse(w.keep(share % 2 + 1), "nothing left");
            assertTrue(new Workspace(be).keep(share), "each replica has its own share");
        }
    }
}
