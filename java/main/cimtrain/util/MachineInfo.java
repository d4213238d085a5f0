package cimtrain.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Where and on what a measurement was taken: CPU model, cores, and the project commit. */
public final class MachineInfo {
    private MachineInfo() {
    }

    public static String cpuModel() {
        String model = cpuinfo("model name");
        return model != null ? model : System.getProperty("os.arch");
    }

    /** The value of the first /proc/cpuinfo line that starts with {@code key}; null when there is none. */
    private static String cpuinfo(String key) {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith(key)) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return null;
    }

    /**
     * The widest vector instruction set the CPU reports ("AVX-512", "AVX2", ...; null when unknown). Kept
     * beside throughput figures because libraries pick kernels by it: PyTorch's oneDNN convolutions use
     * AVX-512 where the CPU has it, while OpenBLAS may be held to AVX2 (see {@link #openBlasCoreType()}).
     */
    public static String vectorIsa() {
        String line = cpuinfo("flags"); // x86; ARM names the line "Features"
        if (line == null) {
            line = cpuinfo("Features");
        }
        if (line == null) {
            return null;
        }
        List<String> flags = List.of(line.split("\\s+"));
        return flags.contains("avx512f") ? "AVX-512" : flags.contains("avx2") ? "AVX2"
                : flags.contains("avx") ? "AVX" : flags.contains("asimd") ? "NEON" : "SSE";
    }

    /**
     * OpenBLAS's kernel family when the environment fixes it (OPENBLAS_CORETYPE, e.g. "Haswell": AVX2
     * kernels even on an AVX-512 CPU), else "auto" (OpenBLAS picks by the CPU).
     */
    public static String openBlasCoreType() {
        String v = System.getenv("OPENBLAS_CORETYPE");
        return v == null || v.isBlank() ? "auto" : v.trim();
    }

    public static String machine() {
        return cpuModel() + ", " + Runtime.getRuntime().availableProcessors() + " cores";
    }

    /**
     * The short commit of the project folder, with "+dirty" for uncommitted changes to what makes a result
     * (sources, models, data, scripts; not eval-reports/, which results are written to); "unknown" without
     * git.
     */
    public static String commit(Path projectDir) {
        String head = run(projectDir, "git", "rev-parse", "--short", "HEAD");
        if (head == null || head.isEmpty()) {
            return "unknown";
        }
        String status = run(projectDir, "git", "status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)eval-reports");
        return status != null && !status.isEmpty() ? head + "+dirty" : head;
    }

    private static String run(Path dir, String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                return null;
            }
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
