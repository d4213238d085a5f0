package cimtrain.experiment;

import cimtrain.train.RunListener;
import cimtrain.report.Report;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Every experiment's run folders as {@code cimtrain report} shows them, beside the experiment's own README. */
final class RunsReport {
    private RunsReport() {
    }

    /**
     * The experiment's runs (DIR/runs/) into DIR/report/: report.md, report.html, comparison.csv, runs.csv and
     * the plots; prints where.
     */
    static Path build(Path dir, String title, RunListener listener) {
        Path report = dir.resolve("report");
        Report.Result r = Report.build(List.of(dir.resolve("runs")), report, title);
        listener.progress(String.format(Locale.ROOT, "report of the %d runs: %s (and report.md, CSV, %d plots in %s)",
                r.groups().groups().stream().mapToInt(g -> g.runs().size()).sum(), report.resolve("report.html"),
                r.plots().size(), report));
        return report;
    }
}
