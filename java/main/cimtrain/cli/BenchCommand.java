package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.options.BackendOption;
import cimtrain.tile.Chip;
import cimtrain.train.Throughput;
import cimtrain.util.AtomicFiles;
import cimtrain.util.Home;
import cimtrain.util.Json;
import cimtrain.util.MachineInfo;
import cimtrain.util.UserError;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * fp32 training throughput, side by side with PyTorch in the same run. Absolute times drift on shared
 * machines, so each model is measured alternately (ours, PyTorch, ours, ...) and the medians and their
 * ratio are reported and appended to eval-reports/bench/.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure fp32 training throughput (samples/s) on random inputs, beside PyTorch on the same",
                "networks in the same run, and append the result to eval-reports/bench/cpu-fp32.md and .jsonl."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", paramLabel = "NAME[@WIDTH]",
            defaultValue = "lenet-paper,lenet5,vgg8@0.25",
            description = "Networks to measure, with an optional width multiplier. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--batch", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--mp", description = "Also measure the mp mode on --hardware (crossbar reads, threshold writes) "
                    + "and report its throughput beside fp32 from the same run.")
    boolean mp;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How --mp simulates crossbar reads (see train --help). Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--hardware", defaultValue = "paper-chip", description = "Chip for --mp. Default: ${DEFAULT-VALUE}.")
    String hardware;

    @Option(names = "--seconds", defaultValue = "6", description = "Approximate timed seconds per measurement; the untimed warm-up before --mp lasts as long, before fp32 up to 5. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--repeats", defaultValue = "3", description = "Alternating measurements per engine; medians are reported. Default: ${DEFAULT-VALUE}.")
    int repeats;

    @Option(names = "--threads", defaultValue = "0", description = "Worker threads for both engines (0: all cores).")
    int threads;

    @picocli.CommandLine.Mixin
    BackendOption backend;

    @Option(names = "--torch", defaultValue = "auto", paramLabel = "auto|off|require",
            description = "Measure PyTorch beside us (auto: when python3 with torch is found). Default: ${DEFAULT-VALUE}.")
    String torch;

    @Option(names = "--python", paramLabel = "EXE", description = "Python with torch (default: /usr/bin/python3, Debian's python3-torch).")
    String python;

    @Option(names = "--no-record", description = "Do not append the results to eval-reports/bench/.")
    boolean noRecord;

    @Option(names = "--json", description = "End stdout with one JSON line holding all results.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || seconds <= 0 || repeats < 1 || threads < 0) {
            throw new UserError("--batch, --seconds and --repeats must be positive and --threads >= 0");
        }
        if (!List.of("auto", "off", "require").contains(torch)) {
            throw new UserError("--torch must be auto, off or require, got '" + torch + "'");
        }
        backend.select();
        int nThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        List<Object[]> specs = new ArrayList<>();
        for (String m : models) {
            String[] parts = m.split("@", 2);
            double width;
            try {
                width = parts.length > 1 ? Double.parseDouble(parts[1]) : 1.0;
            } catch (NumberFormatException e) {
                throw new UserError("--models: bad width in '" + m + "' (use NAME@0.25)");
            }
            specs.add(new Object[]{Models.load(parts[0]), width});
        }
        Path torchScript = Home.root().resolve("bench/torch_reference.py");
        String py = python != null ? python : (Files.isExecutable(Paths.get("/usr/bin/python3")) ? "/usr/bin/python3" : "python3");
        String torchVersion = torch.equals("off") ? null : torchVersion(py);
        if (torchVersion == null && torch.equals("require")) {
            throw new UserError("--torch require: no torch found for " + py + " (apt-get install python3-torch)");
        }
        if (torchVersion == null && torch.equals("auto")) {
            System.out.println("PyTorch not found for " + py + ": measuring cimtrain only (apt-get install python3-torch)");
        }

        String date = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String machine = MachineInfo.machine();
        String vectorIsa = String.valueOf(MachineInfo.vectorIsa());
        String commit = MachineInfo.commit(Home.root());
        List<Map<String, Object>> rows = new ArrayList<>();
        String backendName = null;
        boolean onGpu = false;
        for (Object[] sw : specs) {
            // a backend of its own per network, so that its peak GPU memory is that network's alone
            try (Backend be = backend.chosen().create(nThreads)) {
                if (backendName == null) {
                    backendName = be.name();
                    onGpu = be.onGpu();
                    System.out.printf("cimtrain %s (%s), batch %d, %d threads, %s%n", commit, be.gemmName(), batch,
                            nThreads, machine);
                }
                ModelSpec spec = (ModelSpec) sw[0];
                double width = (double) sw[1];
                // size the timed steps from one short probe so every model runs about --seconds
                double probe = Throughput.warmUp(be, spec, width, batch, Math.min(seconds, 5), null, Chip.AUTO);
                int steps = (int) Math.max(5, Math.min(5000, seconds * probe / batch));
                int warmup = Math.max(3, steps / 10);
                double[] ours = new double[repeats];
                double[] theirs = new double[torchVersion == null ? 0 : repeats];
                for (int r = 0; r < repeats; r++) {
                    ours[r] = Throughput.measure(be, spec, width, batch, warmup, steps);
                    if (torchVersion != null) {
                        theirs[r] = torchThroughput(py, torchScript, spec.name, width, batch, warmup, steps, nThreads);
                    }
                }
                double mpRate = 0;
                if (mp) {
                    HardwareSpec hw = Hardware.load(hardware);
                    // warmed up for as long as a measurement lasts: its own loops compile late (see warmUp)
                    double mpProbe = Throughput.warmUp(be, spec, width, batch, seconds, hw, readModel);
                    int mpSteps = (int) Math.max(3, Math.min(5000, seconds * mpProbe / batch));
                    double[] mpRuns = new double[repeats];
                    for (int r = 0; r < repeats; r++) {
                        mpRuns[r] = Throughput.measure(be, spec, width, batch, Math.max(1, mpSteps / 10), mpSteps, hw, readModel);
                    }
                    mpRate = median(mpRuns);
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("date", date);
                row.put("commit", commit);
                row.put("machine", machine);
                row.put("model", spec.name);
                row.put("width", width);
                row.put("batch", batch);
                row.put("threads", nThreads);
                row.put("blas", be.gemmName());
                if (!be.onGpu()) {
                    // the kernels OpenBLAS runs: OPENBLAS_CORETYPE=Haswell holds it to AVX2 on an AVX-512 CPU,
                    // about half the GEMM rate, while PyTorch's convolutions (oneDNN) use AVX-512 regardless
                    row.put("openblas_coretype", MachineInfo.openBlasCoreType());
                    row.put("cpu_vector_isa", vectorIsa);
                } else {
                    row.put("backend", be.name());
                }
                row.put("steps", steps);
                row.put("cimtrain_samples_per_s", Math.round(median(ours)));
                if (be.onGpu()) {
                    // the most the GPU tensors of this network's fp32 and mp runs held at once
                    row.put("gpu_peak_bytes", be.peakDeviceBytes());
                }
                if (mp) {
                    row.put("mp_hardware", hardware);
                    row.put("mp_read_model", Chip.aggregateReads(readModel, Hardware.load(hardware)) ? Chip.AGGREGATE : Chip.EXACT);
                    row.put("mp_samples_per_s", Math.round(mpRate));
                    row.put("mp_over_fp32", Math.round(100 * mpRate / median(ours)) / 100.0);
                }
                if (torchVersion != null) {
                    row.put("torch_version", torchVersion);
                    row.put("torch_samples_per_s", Math.round(median(theirs)));
                    row.put("ratio_vs_torch", Math.round(100 * median(ours) / median(theirs)) / 100.0);
                }
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-12s width %-5s cimtrain %,9.0f samples/s%s%s%s%n", spec.name, width, median(ours),
                        torchVersion == null ? "" : String.format(Locale.ROOT, "   pytorch %s %,9.0f samples/s   ratio %.2fx",
                                torchVersion, median(theirs), median(ours) / median(theirs)),
                        mp ? String.format(Locale.ROOT, "   mp on %s %,7.0f samples/s (%.2fx fp32)", hardware, mpRate,
                                mpRate / median(ours)) : "",
                        be.onGpu() ? String.format(Locale.ROOT, "   peak GPU memory %,.0f MiB",
                                be.peakDeviceBytes() / 1048576.0) : "");
            }
        }
        if (!noRecord) {
            record(rows, backendName, onGpu);
        }
        if (json) {
            System.out.println(Json.line(Map.of("results", rows)));
        }
        return 0;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String torchVersion(String py) {
        try {
            Process p = new ProcessBuilder(py, "-c", "import torch; print(torch.__version__)").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static double torchThroughput(String py, Path script, String model, double width, int batch, int warmup,
                                          int steps, int threads) throws IOException {
        List<String> cmd = List.of(py, script.toString(), "throughput", "--model", model, "--width", Double.toString(width),
                "--batch", Integer.toString(batch), "--warmup", Integer.toString(warmup), "--steps", Integer.toString(steps),
                "--threads", Integer.toString(threads), "--networks-dir", Home.root().resolve("models/networks").toString());
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String[] lines = out.split("\n");
        JsonNode result = Json.MAPPER.readTree(lines[lines.length - 1]);
        if (p.exitValue() != 0 || !result.has("samples_per_s")) {
            throw new UserError("PyTorch reference failed for " + model + ": " + String.join(" ", cmd));
        }
        return result.get("samples_per_s").asDouble();
    }

    /** "JNIBLAS", with the OpenBLAS kernel family and the CPU's vector set where the row has them. */
    static String blasColumn(Map<String, Object> r) {
        Object core = r.get("openblas_coretype");
        Object isa = r.get("cpu_vector_isa");
        if (core == null) {
            return String.valueOf(r.get("blas"));
        }
        return r.get("blas") + " (OpenBLAS core " + core + ", CPU " + isa + ")";
    }

    /** Appends the rows to eval-reports/bench/cpu-fp32.jsonl and the Markdown table beside it. */
    private static void record(List<Map<String, Object>> rows, String backendName, boolean onGpu) throws IOException {
        Path dir = Home.root().resolve("eval-reports/bench");
        Path jsonl = dir.resolve(backendName + "-fp32.jsonl");
        Path md = dir.resolve(backendName + "-fp32.md");
        StringBuilder j = new StringBuilder(Files.exists(jsonl) ? Files.readString(jsonl) : "");
        StringBuilder m = new StringBuilder(Files.exists(md) ? Files.readString(md) : (!onGpu ? "# fp32 training throughput on the CPU\n\n" : "# fp32 training throughput, backend " + backendName + "\n\n")
                + "Appended by `./cimtrain bench` (random inputs, full training steps with AdamW, medians of alternating runs;\n"
                + "PyTorch measured in the same run with the same thread count). Newest rows last.\n\n"
                + "| date (UTC) | commit | machine | threads | BLAS | model | width | batch | cimtrain samples/s | PyTorch samples/s | ratio | mp samples/s (x fp32) |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            j.append(Json.line(r)).append('\n');
            m.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %,d | %s | %s | %s |%n",
                    ((String) r.get("date")).substring(0, 16), r.get("commit"), r.get("machine"), r.get("threads"),
                    blasColumn(r), r.get("model"), r.get("width"), r.get("batch"), (long) r.get("cimtrain_samples_per_s"),
                    r.containsKey("torch_samples_per_s") ? String.format(Locale.ROOT, "%,d (torch %s)",
                            (long) r.get("torch_samples_per_s"), r.get("torch_version")) : "not measured",
                    r.containsKey("ratio_vs_torch") ? r.get("ratio_vs_torch") + "x" : "-",
                    r.containsKey("mp_samples_per_s") ? String.format(Locale.ROOT, "%,d on %s (%sx)", (long) r.get("mp_samples_per_s"),
                            r.get("mp_hardware"), r.get("mp_over_fp32")) : "-"));
        }
        AtomicFiles.writeString(jsonl, j.toString());
        AtomicFiles.writeString(md, m.toString());
        System.out.println("recorded in " + md);
    }
}
