package cimtrain.report;

import cimtrain.util.Home;
import cimtrain.util.MachineInfo;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;

/**
 * report.md and report.html. The HTML carries its plots as data: URIs and its style inline, and has no
 * script and no link to anything outside itself, so it opens anywhere without network or other files.
 */
final class ReportText {
    /** What the comparison table's columns mean; the same text in both documents. */
    private static final String COLUMNS = "Test accuracy: the final test accuracy of each run, mean and sample "
            + "standard deviation over the seeds. 95% CI: the 95% confidence interval of that mean over the seeds, from "
            + "Student's t distribution with n - 1 degrees of freedom (mean \u00b1 t(0.975, n - 1) \u00d7 std / \u221an for n "
            + "seeds; wide for few seeds: t is 12.71 for 2 seeds and 4.30 for 3); a group of a single seed has no spread "
            + "and no interval (\"-\"). comparison.csv gives the interval also for writes per weight and energy. "
            + "Delta: the difference of the means to the fp32 runs of the same model and dataset, in percentage points. "
            + "Writes per weight: write-and-verify operations on a weight's device pair after the initial mapping, mean "
            + "over weights (averaged over seeds) / the most any weight took in any seed. Write reduction: the non-zero "
            + "optimizer updates divided by the writes made. Energy per image: the cost figures a run folder records "
            + "(summary.json, or cost.json, which every run on a chip writes: what cimtrain cost gives for its network "
            + "and chip); \"-\" where it records none or the chip's file gives no energy per tile operation.";

    private final String title;
    private final Report.Inputs inputs;
    private final RunGroups groups;
    private final ComparisonTable table;
    private final List<Plot> plots;

    ReportText(String title, Report.Inputs inputs, RunGroups groups, List<Plot> plots) {
        this.title = title;
        this.inputs = inputs;
        this.groups = groups;
        this.table = new ComparisonTable(groups);
        this.plots = plots;
    }

    private String intro() {
        int runs = groups.groups().stream().mapToInt(g -> g.runs().size()).sum();
        return runs + " finished runs in " + groups.groups().size() + " groups (runs that differ only by seed), read from "
                + inputs.folders().stream().map(ReportText::shown).collect(Collectors.joining(", "))
                + "; made on " + LocalDate.now() + " at commit " + MachineInfo.commit(Home.root()) + " by `" + command()
                + "` (run it again to remake this report).";
    }

    /** The report command that makes this report. */
    private String command() {
        StringBuilder s = new StringBuilder("cimtrain report");
        for (Path p : inputs.folders()) {
            s.append(' ').append(shown(p));
        }
        s.append(" --out ").append(shown(inputs.out()));
        if (inputs.title() != null && !inputs.title().isBlank()) {
            s.append(" --title '").append(inputs.title().replace("'", "'\\''")).append('\'');
        }
        return s.toString();
    }

    private String sweptText() {
        return groups.swept().isEmpty() ? "No hardware field or training setting differs between the runs."
                : "Swept parameters (chip fields that differ between runs on the same chip, or training settings "
                + "that differ between runs): " + String.join(", ", groups.swept()) + ".";
    }

    private String unfinishedText() {
        return inputs.unfinished().isEmpty() ? null : "Left out, not finished (no summary.json): "
                + inputs.unfinished().stream().map(ReportText::shown).collect(Collectors.joining(", ")) + ".";
    }

    String markdown() {
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n").append(intro()).append(' ')
                .append(sweptText()).append("\n\n");
        if (unfinishedText() != null) {
            md.append(unfinishedText()).append("\n\n");
        }
        MarkdownTable comparison = new MarkdownTable(ComparisonTable.HEADERS);
        table.displayRows().forEach(comparison::row);
        md.append("## Each mode beside fp32\n\n").append(comparison).append('\n').append(COLUMNS)
                .append(" The same as CSV: `comparison.csv` (one line per group), `runs.csv` (one line per run).\n\n## Plots\n");
        for (Plot p : plots) {
            md.append("\n### ").append(p.caption()).append("\n\n![").append(p.caption()).append("](").append(p.name())
                    .append(".png)\n\nVector version: [").append(p.name()).append(".svg](").append(p.name()).append(".svg)\n");
        }
        return md.toString();
    }

    String html() {
        StringBuilder h = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(esc(title)).append("</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em}\n")
                .append("td{text-align:right}td:first-child{text-align:left}th{background:#f3f3f3}\n")
                .append("figure{margin:2em 0}img{max-width:100%;height:auto;border:1px solid #eee}\n")
                .append(".note{color:#555;font-size:.9em}\n</style>\n</head>\n<body>\n<h1>").append(esc(title))
                .append("</h1>\n<p>").append(esc(intro())).append(' ').append(esc(sweptText())).append("</p>\n");
        if (unfinishedText() != null) {
            h.append("<p>").append(esc(unfinishedText())).append("</p>\n");
        }
        h.append("<h2>Each mode beside fp32</h2>\n<table>\n<tr>");
        ComparisonTable.HEADERS.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
        h.append("</tr>\n");
        for (List<String> row : table.displayRows()) {
            h.append("<tr>");
            row.forEach(c -> h.append("<td>").append(esc(c)).append("</td>"));
            h.append("</tr>\n");
        }
        h.append("</table>\n<p class=\"note\">").append(esc(COLUMNS)).append("</p>\n<h2>Plots</h2>\n");
        for (Plot p : plots) {
            h.append("<figure id=\"").append(p.name()).append("\">\n<img alt=\"").append(esc(p.caption()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(p.png()))
                    .append("\">\n<figcaption>").append(esc(p.caption())).append("</figcaption>\n</figure>\n");
        }
        return h.append("</body>\n</html>\n").toString();
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** A path as the reader knows it: relative to the current folder when it lies inside it. */
    static String shown(Path p) {
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) && !abs.equals(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
