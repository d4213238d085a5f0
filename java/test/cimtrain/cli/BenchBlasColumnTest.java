package cimtrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchBlasColumnTest {
    @Test
    void cpuRowsNameTheOpenBlasKernelsAndTheCpusVectorSet() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("blas", "JNIBLAS");
        r.put("openblas_coretype", "Haswell");
        r.put("cpu_vector_isa", "AVX-512");
        assertEquals("JNIBLAS (OpenBLAS core Haswell, CPU AVX-512)", BenchCommand.blasColumn(r));
    }

    @Test
    void gpuRowsAndOlderRowsKeepTheGemmNameAlone() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("blas", "cuBLAS");
        assertEquals("cuBLAS", BenchCommand.blasColumn(r));
    }
}
