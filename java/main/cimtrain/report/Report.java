package cimtrain.report;

import cimtrain.util.AtomicFiles;
import cimtrain.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code cimtrain report}: reads finished run folders, groups them by everything but the seed, and
 * writes one folder with report.md, a self-contained report.html, CSV tables and the plots as PNG and
 * SVG. All input is read and every chart drawn before anything is written, so bad input leaves
 * {@code out} untouched.
 */
public final class Report {
    /**
     * The folders named on the command line, the unfinished runs met in them (left out), and where the
     * report goes under which title (null: the default), so that it can name the command that remakes it.
     */
    record Inputs(List<Path> folders, List<Path> unfinished, Path out, String title) {
    }

    /** What was made: the groups behind the tables, the plots, and every file written. */
    public record Result(Path out, RunGroups groups, List<Plot> plots, List<Path> files, List<Path> unfinished) {
    }

    private Report() {
    }

    public static Result build(List<Path> inputs, Path out, String title) {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw cimtrain.util.SettingError.of("out", " " + out + ": exists and is not a folder");
        }
        if (Files.isRegularFile(out.resolve("config.json"))) {
            throw cimtrain.util.SettingError.of("out", " " + out + ": is a run folder; write the report elsewhere");
        }
        RunFinder.Found found = RunFinder.find(inputs);
        List<RunRecord> runs = found.finished().stream().map(RunReader::read).toList();
        RunGroups groups = RunGroups.of(runs);
        List<Plot> plots = ReportCharts.all(groups);
        String heading = title != null && !title.isBlank() ? title : defaultTitle(groups);
        ReportText text = new ReportText(heading, new Inputs(inputs, found.unfinished(), out, title), groups, plots);
        ComparisonTable table = new ComparisonTable(groups);
        String md = text.markdown(), html = text.html(), comparison = table.csv(), perRun = table.runsCsv();

        try {
            Files.createDirectories(out);
        } catch (java.io.IOException e) {
            throw cimtrain.util.SettingError.of("out", " " + out + ": cannot create the folder (" + e.getMessage() + ")");
        }
        // one report writer at a time: two writing one folder would leave a report of mixed files
        try (cimtrain.util.FolderLock lock = cimtrain.util.FolderLock.acquire(out, "report folder")) {
            return writeAll(out, plots, comparison, perRun, md, html, groups, found);
        }
    }

    private static Result writeAll(Path out, List<Plot> plots, String comparison, String perRun, String md, String html,
                                   RunGroups groups, RunFinder.Found found) {
        List<Path> files = new ArrayList<>();
        for (Plot p : plots) {
            ChartFiles.write(out, p);
            files.add(out.resolve(p.name() + ".png"));
            files.add(out.resolve(p.name() + ".svg"));
        }
        write(out.resolve("comparison.csv"), comparison, files);
        write(out.resolve("runs.csv"), perRun, files);
        write(out.resolve("report.md"), md, files);
        // last: a report.html that exists belongs with the plots and tables beside it
        write(out.resolve("report.html"), html, files);
        return new Result(out, groups, plots, files, found.unfinished());
    }

    private static void write(Path file, String content, List<Path> files) {
        AtomicFiles.writeString(file, content);
        files.add(file);
    }

    private static String defaultTitle(RunGroups groups) {
        return "Training report: " + groups.groups().stream().map(g -> g.model() + " on " + g.dataset()).distinct()
                .collect(Collectors.joining(", "));
    }
}
