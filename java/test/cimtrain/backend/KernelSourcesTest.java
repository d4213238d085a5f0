package cimtrain.backend;

import cimtrain.rng.Philox;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Needs nvcc (no GPU): the CUDA sources compile, the PTX checked in under java/resources is what they
 * compile to now (scripts/build-kernels.sh), and the Philox generator of kernels/philox.cuh, compiled
 * for the host, draws the same bits as {@link Philox}. Skipped, with the reason, without nvcc.
 */
class KernelSourcesTest {
    private static final Path ROOT = Paths.get("").toAbsolutePath();
    private static String nvcc;

    @BeforeAll
    static void findNvcc() {
        String env = System.getenv("NVCC");
        if (env != null && Files.isExecutable(Paths.get(env))) {
            nvcc = env;
            return;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, "nvcc"))) {
                nvcc = Paths.get(dir, "nvcc").toString();
                return;
            }
        }
    }

    private static void needNvcc() {
        Assumptions.assumeTrue(nvcc != null, "nvcc not on PATH (the CUDA toolkit): kernel sources not compiled");
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        if (nvcc != null) {
            pb.environment().put("NVCC", nvcc);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), cmd + " failed:\n" + out);
        return out;
    }

    /** nvcc's header comments (compiler build, version) dropped: what remains is the code. */
    static String normalised(Path ptx) throws IOException {
        try (Stream<String> lines = Files.lines(ptx)) {
            return lines.filter(l -> !l.startsWith("//")).collect(Collectors.joining("\n"));
        }
    }

    @Test
    void checkedInPtxIsWhatTheSourcesCompileTo(@TempDir Path tmp) throws Exception {
        needNvcc();
        run(List.of("bash", "scripts/build-kernels.sh", "--out", tmp.toString()));
        Path shipped = ROOT.resolve("java/resources/cimtrain/kernels");
        List<String> built = new ArrayList<>();
        try (Stream<Path> s = Files.list(tmp)) {
            s.forEach(p -> built.add(p.getFileName().toString()));
        }
        List<String> sources = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("kernels"))) {
            s.filter(p -> p.toString().endsWith(".cu")).forEach(p -> sources.add(p.getFileName().toString()));
        }
        assertEquals(sources.size(), built.size(), "one PTX per kernels/*.cu");
        for (String name : built) {
            Path mine = shipped.resolve(name);
            assertTrue(Files.exists(mine), name + " is not checked in: run scripts/build-kernels.sh");
            assertEquals(normalised(tmp.resolve(name)), normalised(mine),
                    "java/resources/cimtrain/kernels/" + name + " is stale: run scripts/build-kernels.sh");
        }
    }

    /** The reductions' block size is one constant, written twice: in kernels/common.cuh and in CudaBackend. */
    @Test
    void reductionBlockSizeAgreesWithTheBackend() throws IOException {
        String common = Files.readString(ROOT.resolve("kernels/common.cuh"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("#define REDUCE_THREADS (\\d+)").matcher(common);
        assertTrue(m.find(), "kernels/common.cuh defines REDUCE_THREADS");
        assertEquals(cimtrain.backend.cuda.CudaBackend.REDUCE_THREADS, Integer.parseInt(m.group(1)));
    }

    /**
     * The stand-in exports every driver symbol JCuda's driver binding needs (kernels/standin/
     * jcuda-driver-symbols.txt), read here from the binding inside the jcuda-natives jar. Needs nm.
     */
    @Test
    void standInSymbolListIsWhatJCudaBinds(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(onPath("nm"), "nm (binutils) not on PATH");
        String lib = "/lib/libJCudaDriver-12.6.0-linux-x86_64.so";
        Path so = tmp.resolve("driver.so");
        try (java.io.InputStream in = jcuda.driver.JCudaDriver.class.getResourceAsStream(lib)) {
            Assumptions.assumeTrue(in != null, lib + " not on the class path (not linux-x86_64)");
            Files.copy(in, so);
        }
        java.util.TreeSet<String> bound = new java.util.TreeSet<>();
        for (String line : run(List.of("nm", "-D", "--undefined-only", so.toString())).split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 2 && w[1].startsWith("cu")) {
                bound.add(w[1]);
            }
        }
        java.util.TreeSet<String> listed = new java.util.TreeSet<>();
        for (String line : Files.readAllLines(ROOT.resolve("kernels/standin/jcuda-driver-symbols.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                listed.add(line.trim());
            }
        }
        assertTrue(bound.size() > 300, "read the binding's driver symbols: " + bound.size());
        java.util.TreeSet<String> missing = new java.util.TreeSet<>(bound), extra = new java.util.TreeSet<>(listed);
        missing.removeAll(listed);
        extra.removeAll(bound);
        assertTrue(missing.isEmpty() && extra.isEmpty(), "kernels/standin/jcuda-driver-symbols.txt lacks " + missing
                + " and lists " + extra + ", which the binding does not need");
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Paths.get(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void cudaPhiloxDrawsTheSameBitsAsJava(@TempDir Path tmp) throws Exception {
        needNvcc();
        Path exe = tmp.resolve("philox_host");
        run(List.of(nvcc, "-O2", "-std=c++17", "-Xcompiler", "-ffp-contract=off", "-o", exe.toString(),
                "kernels/check/philox_host.cu"));
        long[][] cases = {{0, 0, 0, 4096}, {42, 7, 1L << 40, 4099}, {-1, (5L << 32) + 3, (1L << 32) - 2, 1000},
                {0x243f6a8885a308d3L, 99, 123_457, 20_000}};
        for (long[] c : cases) {
            String out = run(List.of(exe.toString(), Long.toUnsignedString(c[0]), Long.toUnsignedString(c[1]),
                    Long.toString(c[2]), Long.toString(c[3])));
            String[] lines = out.split("\n");
            assertEquals(c[3], lines.length);
            float[] u = new float[(int) c[3]], z = new float[(int) c[3]];
            Philox.fillUniform(c[0], c[1], u, 0, c[2], c[2] + c[3], 0f, 1f);
            Philox.fillNormal(c[0], c[1], z, 0, c[2], c[2] + c[3], 0f, 1f);
            for (int i = 0; i < lines.length; i++) {
                String[] w = lines[i].trim().split(" ");
                assertEquals(Integer.toHexString(Float.floatToRawIntBits(u[i])), Integer.toHexString((int) Long.parseLong(w[0], 16)),
                        "uniform " + (c[2] + i) + " of seed " + c[0] + " stream " + c[1]);
                assertEquals(Integer.toHexString(Float.floatToRawIntBits(z[i])), Integer.toHexString((int) Long.parseLong(w[1], 16)),
                        "normal " + (c[2] + i) + " of seed " + c[0] + " stream " + c[1]);
            }
        }
    }
}
