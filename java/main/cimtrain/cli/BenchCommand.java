package cimtrain.cli;

import cimtrain.backend.Backend;
import cimtrain.hardware.Hardware;
import cimtrain.hardware.HardwareSpec;
import cimtrain.model.ModelAnalysis;
import cimtrain.model.ModelSpec;
import cimtrain.model.Models;
import cimtrain.options.BackendOption;
import cimtrain.tile.Chip;
import cimtrain.train.SgemmRate;
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
 * ratio are reported and appended to eval-reports/bench/. The same run measures the machine's SGEMM rate
 * (on CPU backends) and each network's achieved GFLOP/s against it, and chip evaluation's forward-only
 * rate beside PyTorch's fp32 forward passes.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measure fp32 training throughput (samples/s) on random inputs, beside PyTorch on the same",
                "networks in the same run, and append the result to eval-reports/bench/cpu-fp32.md and .jsonl.",
                "Also: the machine's SGEMM rate (1 and --threads threads), each network's GFLOP/s (6 x MACs per sample",
                "a training step, 2 x MACs a forward pass) against it, and a forward-only row (chip evaluation as",
                "evaluate --chips runs it, on --hardware) beside PyTorch's fp32 forward passes."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--models", split = ",", paramLabel = "NAME[@WIDTH]",
            defaultValue = "lenet-paper,lenet5,vgg8@0.25,resnet18@0.25",
            description = "Networks to measure, with an optional width multiplier. Default: ${DEFAULT-VALUE}.")
    List<String> models;

    @Option(names = "--batch", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--eval-batch", defaultValue = "256", paramLabel = "N",
            description = "Batch of the forward-only row (evaluate's --eval-batch default). Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    @Option(names = "--mp", description = "Also measure the mp mode on --hardware (crossbar reads, threshold writes) "
                    + "and report its throughput beside fp32 from the same run.")
    boolean mp;

    @Option(names = "--read-model", defaultValue = "auto", paramLabel = "auto|exact|aggregate",
            description = "How --mp and the forward-only row simulate crossbar reads (see train --help). Default: ${DEFAULT-VALUE}.")
    String readModel;

    @Option(names = "--hardware", defaultValue = PAPER,
            description = "Chip for --mp and the forward-only row's chip evaluation: a preset or file, or " + PAPER
                    + ": each network's chip in the paper (paper-chip for the LeNets, which ran on the fabricated "
                    + "chip; paper-table1 for VGG-8 and the ResNets, which the paper simulated with Table 1's "
                    + "parameters). Default: ${DEFAULT-VALUE}.")
    String hardware;

    /** --hardware's default: each network on the chip the paper put it on. */
    static final String PAPER = "paper";

    /** The chip of {@code model} under --hardware (see {@link #PAPER}). */
    static String hardwareFor(String hardware, String model) {
        if (!hardware.equals(PAPER)) {
            return hardware;
        }
        return model.startsWith("lenet") ? "paper-chip" : "paper-table1";
    }

    @Option(names = "--seconds", defaultValue = "6", description = "Approximate timed seconds per measurement; the untimed warm-up before --mp lasts as long, before fp32 and the forward-only row up to 5. Default: ${DEFAULT-VALUE}.")
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

    @Option(names = "--out", paramLabel = "DIR",
            description = "Folder whose <backend>-fp32.md and .jsonl the results are appended to (made if missing). "
                    + "Default: eval-reports/bench of the project.")
    Path out;

    @Option(names = "--json", description = "End stdout with one JSON line holding all results.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || evalBatch < 1 || !(seconds > 0) || repeats < 1 || threads < 0) {
            throw new UserError("--batch, --eval-batch, --seconds and --repeats must be positive and --threads >= 0");
        }
        if (out != null && Files.exists(out) && !Files.isDirectory(out)) {
            throw new UserError("--out: " + out + " is not a folder");
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

        for (Object[] sw : specs) {
            // a wrong --hardware or --read-model fails here, before anything is measured
            Chip.aggregateReads(readModel, Hardware.load(hardwareFor(hardware, ((ModelSpec) sw[0]).name)));
        }
        String date = OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        String machine = MachineInfo.machine();
        String vectorIsa = String.valueOf(MachineInfo.vectorIsa());
        String commit = MachineInfo.commit(Home.root());
        List<Map<String, Object>> rows = new ArrayList<>();
        String backendName = null;
        boolean onGpu = false;
        Map<String, Object> sgemm = null;
        for (Object[] sw : specs) {
            // a backend of its own per network, so that its peak GPU memory is that network's alone
            try (Backend be = backend.chosen().create(nThreads)) {
                if (backendName == null) {
                    backendName = be.name();
                    onGpu = be.onGpu();
                    System.out.printf("cimtrain %s (%s), batch %d, %d threads, %s%n", commit, be.gemmName(), batch,
                            nThreads, machine);
                    if (!onGpu) {
                        sgemm = sgemmRates(nThreads, Math.min(1, seconds));
                    }
                }
                ModelSpec spec = (ModelSpec) sw[0];
                double width = (double) sw[1];
                String chip = hardwareFor(hardware, spec.name);
                HardwareSpec hw = Hardware.load(chip);
                // size the timed steps from one short probe so every model runs about --seconds
                double probe = Throughput.warmUp(be, spec, width, batch, Math.min(seconds, 5), null, Chip.AUTO);
                int steps = (int) Math.max(5, Math.min(5000, seconds * probe / batch));
                int warmup = Math.max(3, steps / 10);
                double[] ours = new double[repeats];
                double[] theirs = new double[torchVersion == null ? 0 : repeats];
                for (int r = 0; r < repeats; r++) {
                    ours[r] = Throughput.measure(be, spec, width, batch, warmup, steps);
                    if (torchVersion != null) {
                        theirs[r] = torchThroughput(py, torchScript, "throughput", spec.name, width, batch, warmup, steps,
                                nThreads);
                    }
                }
                double mpRate = 0;
                if (mp) {
                    // warmed up for as long as a measurement lasts: its own loops compile late (see warmUp)
                    double mpProbe = Throughput.warmUp(be, spec, width, batch, seconds, hw, readModel);
                    int mpSteps = (int) Math.max(3, Math.min(5000, seconds * mpProbe / batch));
                    double[] mpRuns = new double[repeats];
                    for (int r = 0; r < repeats; r++) {
                        mpRuns[r] = Throughput.measure(be, spec, width, batch, Math.max(1, mpSteps / 10), mpSteps, hw, readModel);
                    }
                    mpRate = median(mpRuns);
                }
                // forward only: chip evaluation as evaluate --chips runs it, beside PyTorch's fp32 forward passes
                double evalProbe = Throughput.warmUpChipEvaluation(be, spec, width, evalBatch, Math.min(seconds, 5), hw,
                        readModel);
                int evalSteps = (int) Math.max(3, Math.min(5000, seconds * evalProbe / evalBatch));
                double[] evalRuns = new double[repeats];
                double[] torchForward = new double[torchVersion == null ? 0 : repeats];
                StringBuilder evalReadModel = new StringBuilder();
                // PyTorch's plain forward passes are far faster than a chip's: as many samples as fp32 training
                // timed (at least chip evaluation's), so that they too last a measurable time
                int torchForwardSteps = (int) Math.max(evalSteps, Math.min(5000, (long) steps * batch / evalBatch));
                for (int r = 0; r < repeats; r++) {
                    evalReadModel.setLength(0);
                    // untimed passes first, at least as many as auto's probe and one, so that the timed ones read
                    // with the models auto chose, as most of an evaluation's passes do
                    evalRuns[r] = Throughput.measureChipEvaluation(be, spec, width, evalBatch,
                            Math.max(cimtrain.tile.CrossbarLayer.AUTO_PROBE_PASSES + 1, evalSteps / 10), evalSteps, hw,
                            readModel, evalReadModel);
                    if (torchVersion != null) {
                        torchForward[r] = torchThroughput(py, torchScript, "forward", spec.name, width, evalBatch,
                                Math.max(1, torchForwardSteps / 10), torchForwardSteps, nThreads);
                    }
                }
                long macs = ModelAnalysis.of(spec, width).macsPerSample();
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
                    row.put("mp_hardware", chip);
                    row.put("mp_read_model", Chip.aggregateReads(readModel, hw) ? Chip.AGGREGATE : Chip.EXACT);
                    row.put("mp_samples_per_s", Math.round(mpRate));
                    row.put("mp_over_fp32", Math.round(100 * mpRate / median(ours)) / 100.0);
                }
                if (torchVersion != null) {
                    row.put("torch_version", torchVersion);
                    row.put("torch_samples_per_s", Math.round(median(theirs)));
                    row.put("ratio_vs_torch", Math.round(100 * median(ours) / median(theirs)) / 100.0);
                }
                putRates(row, macs, sgemm, median(ours), torchVersion == null ? 0 : median(theirs), median(evalRuns),
                        torchVersion == null ? 0 : median(torchForward));
                row.put("eval_batch", evalBatch);
                row.put("chip_eval_hardware", chip);
                row.put("chip_eval_read_model", evalReadModel.toString());
                row.put("chip_eval_steps", evalSteps);
                rows.add(row);
                System.out.printf(Locale.ROOT, "%-12s width %-5s cimtrain %,9.0f samples/s%s%s%s%n", spec.name, width, median(ours),
                        torchVersion == null ? "" : String.format(Locale.ROOT, "   pytorch %s %,9.0f samples/s   ratio %.2fx",
                                torchVersion, median(theirs), median(ours) / median(theirs)),
                        mp ? String.format(Locale.ROOT, "   mp on %s %,7.0f samples/s (%.2fx fp32)", chip, mpRate,
                                mpRate / median(ours)) : "",
                        be.onGpu() ? String.format(Locale.ROOT, "   peak GPU memory %,.0f MiB",
                                be.peakDeviceBytes() / 1048576.0) : "");
                System.out.printf(Locale.ROOT, "%-24s training step %.1f GFLOP/s%s%n", "",
                        row.get("cimtrain_train_gflops"), row.containsKey("cimtrain_train_sgemm_fraction")
                                ? String.format(Locale.ROOT, " (%sx SGEMM at %d threads)", row.get("cimtrain_train_sgemm_fraction"),
                                nThreads) : "");
                System.out.printf(Locale.ROOT, "%-24s forward only: chip evaluation on %s (%s) %,9.0f samples/s (%.1f GFLOP/s)%s%n",
                        "", chip, evalReadModel, median(evalRuns), row.get("chip_eval_gflops"),
                        torchVersion == null ? "" : String.format(Locale.ROOT, "   pytorch fp32 no_grad %,9.0f samples/s",
                                median(torchForward)));
            }
        }
        if (!noRecord) {
            record(out != null ? out : Home.root().resolve("eval-reports/bench"), rows, backendName, onGpu);
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

    /** The SGEMM shapes measured (m, n, k of row-major C = A B) and what they stand for. */
    static final int SQUARE = 1024;
    static final int[] CONV = {128, 2048, 1152};
    static final String CONV_SHAPE = "128x2048x1152";

    /**
     * The machine's SGEMM rate in GFLOP/s, one thread and {@code threads} at once, on a 1024^3 product and on
     * the GEMM of VGG-8's 128-channel 3x3 convolutions at width 0.25 (8x8 outputs, 32 images: half a batch of
     * 64 per replica), each median of three timings of {@code seconds}.
     */
    static Map<String, Object> sgemmRates(int threads, double seconds) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("sgemm_square_gflops_1_thread", sgemmMedian(1, SQUARE, SQUARE, SQUARE, seconds));
        r.put("sgemm_square_gflops_threads", sgemmMedian(threads, SQUARE, SQUARE, SQUARE, seconds));
        r.put("sgemm_conv_shape", CONV_SHAPE);
        r.put("sgemm_conv_gflops_1_thread", sgemmMedian(1, CONV[0], CONV[1], CONV[2], seconds));
        r.put("sgemm_conv_gflops_threads", sgemmMedian(threads, CONV[0], CONV[1], CONV[2], seconds));
        System.out.printf(Locale.ROOT, "SGEMM %d^3: %s GFLOP/s on 1 thread, %s on %d; %s (a VGG-8 convolution): %s and %s%n",
                SQUARE, r.get("sgemm_square_gflops_1_thread"), r.get("sgemm_square_gflops_threads"), threads, CONV_SHAPE,
                r.get("sgemm_conv_gflops_1_thread"), r.get("sgemm_conv_gflops_threads"));
        return r;
    }

    private static double sgemmMedian(int threads, int m, int n, int k, double seconds) {
        double[] v = new double[3];
        for (int i = 0; i < v.length; i++) {
            v[i] = SgemmRate.measure(threads, m, n, k, seconds / 3);
        }
        return round1(median(v));
    }

    private static double round1(double v) {
        return Math.round(10 * v) / 10.0;
    }

    private static double round2(double v) {
        return Math.round(100 * v) / 100.0;
    }

    /** Three significant digits (a tiny network's GFLOP/s and fractions are well below 1). */
    static double significant3(double v) {
        return v == 0 || !Double.isFinite(v) ? v
                : new java.math.BigDecimal(v).round(new java.math.MathContext(3)).doubleValue();
    }

    /**
     * The row's MACs per sample and the GFLOP/s of its measured rates (a training step 6 x MACs per sample, a
     * forward pass 2 x MACs), each as a fraction of the SGEMM rate at the bench's thread count on the 1024^3
     * product where {@code sgemm} has it; a PyTorch rate of 0 (not measured) is left out.
     */
    static void putRates(Map<String, Object> row, long macs, Map<String, Object> sgemm, double trainRate,
                         double torchTrainRate, double chipEvalRate, double torchForwardRate) {
        row.put("macs_per_sample", macs);
        row.put("flop_convention", "training step 6 x MACs per sample, forward pass 2 x MACs per sample");
        if (sgemm != null) {
            row.putAll(sgemm);
        }
        row.put("chip_eval_samples_per_s", Math.round(chipEvalRate));
        if (torchForwardRate > 0) {
            row.put("torch_forward_samples_per_s", Math.round(torchForwardRate));
        }
        double ceiling = sgemm == null ? 0 : (double) sgemm.get("sgemm_square_gflops_threads");
        String[] names = {"cimtrain_train", "torch_train", "chip_eval", "torch_forward"};
        double[] rates = {trainRate, torchTrainRate, chipEvalRate, torchForwardRate};
        for (int i = 0; i < names.length; i++) {
            if (rates[i] > 0) {
                double g = SgemmRate.gflops(macs, i < 2 ? SgemmRate.TRAINING_FLOP_PER_MAC : SgemmRate.FORWARD_FLOP_PER_MAC,
                        rates[i]);
                row.put(names[i] + "_gflops", significant3(g));
                if (ceiling > 0) {
                    row.put(names[i] + "_sgemm_fraction", significant3(SgemmRate.fraction(g, ceiling)));
                }
            }
        }
    }

    private static double torchThroughput(String py, Path script, String mode, String model, double width, int batch,
                                          int warmup, int steps, int threads) throws IOException {
        List<String> cmd = List.of(py, script.toString(), mode, "--model", model, "--width", Double.toString(width),
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

    /** The header of the table that rows with GFLOP/s, SGEMM rates and a forward-only row go to (issue 34 on). */
    static final String TABLE = "| date (UTC) | commit | machine | threads | BLAS | model | width | step | batch "
            + "| cimtrain samples/s | PyTorch samples/s | ratio | mp samples/s (x fp32) | MACs/sample "
            + "| cimtrain GFLOP/s (x SGEMM) | PyTorch GFLOP/s (x SGEMM) | SGEMM GFLOP/s, 1 / N threads: 1024^3; 128x2048x1152 |\n"
            + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";

    /** What the columns of {@link #TABLE} mean, above it. */
    static final String TABLE_NOTE = """
            Two rows per network and run. `train`: full training steps (forward, backward, AdamW update). `forward`: chip
            evaluation as `evaluate --chips` runs it (the network's random initial weights programmed onto a fresh
            chip of the named hardware, mapped anew, untimed; then forward passes only, in evaluation mode, through
            the crossbars with the named read model: no backward pass, no update), beside PyTorch's fp32 forward
            passes (evaluation mode under `torch.no_grad()`, no crossbars): the ratio says how much a chip's
            evaluation costs against plain fp32 inference, not which engine is faster at the same work.
            GFLOP/s count the model's MACs per sample (conv and linear layers): a training step 6 x MACs per sample
            (forward, input gradient, weight gradient), a forward pass 2 x MACs; (x SGEMM) is that over the SGEMM
            rate of a 1024^3 product at the row's thread count, measured in the same run through the BLAS cimtrain
            uses (dev.ludovic.netlib, OpenBLAS single-threaded; N threads each multiplying their own matrices at
            once). The last column gives that rate and the one of a VGG-8 convolution's GEMM (128 x 2048 x 1152),
            on 1 and on N threads.
            """;

    /** One row of {@link #TABLE} per step (train, then forward). */
    static String tableRows(Map<String, Object> r) {
        String head = String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s ",
                ((String) r.get("date")).substring(0, 16), r.get("commit"), r.get("machine"), r.get("threads"),
                blasColumn(r), r.get("model"), r.get("width"));
        String sgemm = r.containsKey("sgemm_square_gflops_threads") ? String.format(Locale.ROOT, "%s / %s; %s / %s",
                r.get("sgemm_square_gflops_1_thread"), r.get("sgemm_square_gflops_threads"),
                r.get("sgemm_conv_gflops_1_thread"), r.get("sgemm_conv_gflops_threads")) : "not measured";
        String train = head + String.format(Locale.ROOT, "| train | %s | %,d | %s | %s | %s | %,d | %s | %s | %s |%n",
                r.get("batch"), (long) r.get("cimtrain_samples_per_s"), torchColumn(r, "torch_samples_per_s"),
                r.containsKey("ratio_vs_torch") ? r.get("ratio_vs_torch") + "x" : "-",
                r.containsKey("mp_samples_per_s") ? String.format(Locale.ROOT, "%,d on %s (%sx)", (long) r.get("mp_samples_per_s"),
                        r.get("mp_hardware"), r.get("mp_over_fp32")) : "-",
                (long) r.get("macs_per_sample"), gflopsColumn(r, "cimtrain_train"), gflopsColumn(r, "torch_train"), sgemm);
        Object torchForward = r.get("torch_forward_samples_per_s");
        String forward = head + String.format(Locale.ROOT, "| forward: chip evaluation on %s (read model %s) | %s | %,d "
                        + "| %s | %s | - | %,d | %s | %s | %s |%n", r.get("chip_eval_hardware"), r.get("chip_eval_read_model"),
                r.get("eval_batch"), (long) r.get("chip_eval_samples_per_s"), torchColumn(r, "torch_forward_samples_per_s"),
                torchForward == null ? "-" : round2((long) r.get("chip_eval_samples_per_s") / (double) (long) torchForward) + "x",
                (long) r.get("macs_per_sample"), gflopsColumn(r, "chip_eval"), gflopsColumn(r, "torch_forward"), sgemm);
        return train + forward;
    }

    private static String torchColumn(Map<String, Object> r, String key) {
        return r.containsKey(key) ? String.format(Locale.ROOT, "%,d (torch %s)", (long) r.get(key), r.get("torch_version"))
                : "not measured";
    }

    private static String gflopsColumn(Map<String, Object> r, String prefix) {
        Object g = r.get(prefix + "_gflops");
        Object f = r.get(prefix + "_sgemm_fraction");
        return g == null ? "-" : f == null ? String.valueOf(g) : g + " (" + f + "x)";
    }

    /**
     * Appends the rows to {@code dir}'s {@code <backend>-fp32.jsonl} and the Markdown beside it, under the table
     * {@link #TABLE}: where the file holds only older tables, a section with that table is begun after them.
     */
    static void record(Path dir, List<Map<String, Object>> rows, String backendName, boolean onGpu) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UserError("--out: cannot make folder " + dir + " (" + e.getMessage() + ")");
        }
        Path jsonl = dir.resolve(backendName + "-fp32.jsonl");
        Path md = dir.resolve(backendName + "-fp32.md");
        StringBuilder j = new StringBuilder(Files.exists(jsonl) ? Files.readString(jsonl) : "");
        StringBuilder m = new StringBuilder(Files.exists(md) ? Files.readString(md) : (!onGpu ? "# fp32 training throughput on the CPU\n\n" : "# fp32 training throughput, backend " + backendName + "\n\n")
                + "Appended by `./cimtrain bench` (random inputs, full training steps with AdamW, medians of alternating runs;\n"
                + "PyTorch measured in the same run with the same thread count). Newest rows last.\n\n");
        if (m.indexOf(TABLE) < 0) {
            if (m.indexOf("| date (UTC) |") >= 0) {
                m.append("\n## With GFLOP/s, the SGEMM rate and a forward-only row\n\n");
            }
            m.append(TABLE_NOTE).append('\n').append(TABLE);
        }
        for (Map<String, Object> r : rows) {
            j.append(Json.line(r)).append('\n');
            m.append(tableRows(r));
        }
        AtomicFiles.writeString(jsonl, j.toString());
        AtomicFiles.writeString(md, m.toString());
        System.out.println("recorded in " + md);
    }
}
