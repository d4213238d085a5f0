package cimtrain.cli;

import cimtrain.report.Plot;
import cimtrain.report.Report;
import cimtrain.report.RunGroup;
import cimtrain.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One folder that compares finished runs: report.md, a self-contained",
                "report.html (plots embedded, opens without network), comparison.csv, runs.csv",
                "and plots as PNG and SVG: training curves, writes per weight, accuracy against",
                "each swept hardware parameter, energy per image (where the runs record it).",
                "Runs that differ only by seed are summarised as mean, standard deviation and 95%% confidence interval;",
                "each mode is set beside the fp32 runs of the same model and dataset.",
                "Example: cimtrain report eval-reports/lenet-mnist --out lenet-report"})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "RUN_DIR",
            description = "A run folder, or a folder holding run folders: under runs/ (reproduce), jobs/ID/run/ (sweep) or directly.")
    List<Path> inputs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The report folder: created if missing, its report files replaced.")
    Path out;

    @Option(names = "--title", paramLabel = "TEXT", description = "The report's heading. Default: the models and datasets.")
    String title;

    @Option(names = "--json", description = "Print one JSON object: out, files, groups (label, runs, accuracy), plots.")
    boolean json;

    @Override
    public Integer call() {
        // before anything touches AWT: the charts are drawn without a display
        System.setProperty("java.awt.headless", "true");
        Report.Result r = Report.build(inputs, out, title);
        if (json) {
            System.out.println(Json.line(summary(r)));
            return 0;
        }
        int runs = r.groups().groups().stream().mapToInt(g -> g.runs().size()).sum();
        System.out.printf("%s: %s in %s, %s%s%n", out.resolve("report.html"), count(runs, "run"),
                count(r.groups().groups().size(), "group"), count(r.plots().size(), "plot"),
                r.unfinished().isEmpty() ? "" : "; left out " + count(r.unfinished().size(), "unfinished run"));
        return 0;
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static Map<String, Object> summary(Report.Result r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("out", r.out().toString());
        m.put("files", r.files().stream().map(Path::toString).toList());
        m.put("swept", r.groups().swept());
        m.put("groups", r.groups().groups().stream().map(ReportCommand::group).toList());
        m.put("plots", r.plots().stream().map(Plot::name).toList());
        m.put("unfinished", r.unfinished().stream().map(Path::toString).toList());
        return m;
    }

    private static Map<String, Object> group(RunGroup g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", g.label());
        m.put("model", g.model());
        m.put("dataset", g.dataset());
        m.put("mode", g.mode());
        m.put("hardware", g.hardware());
        m.put("swept", g.swept());
        m.put("seeds", g.seeds());
        m.put("test_accuracy_mean_pct", g.accuracyPercent().mean());
        m.put("test_accuracy_std_pct", nanToNull(g.accuracyPercent().std()));
        m.put("energy_per_image_uj", nanToNull(g.energyPerImageUj().mean()));
        return m;
    }

    private static Double nanToNull(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
