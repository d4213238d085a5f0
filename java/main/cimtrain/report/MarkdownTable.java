package cimtrain.report;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A Markdown (GitHub) table: "| a | b |" rows under a header and its "|---|---|" rule. Every report's tables
 * are made here, so they all read the same; a "|" inside a cell is escaped so that it cannot split the cell.
 */
public final class MarkdownTable {
    private final StringBuilder text = new StringBuilder();
    private final int columns;

    public MarkdownTable(List<String> headers) {
        this.columns = headers.size();
        line(headers);
        text.append('|').append("---|".repeat(columns)).append('\n');
    }

    public MarkdownTable(String... headers) {
        this(List.of(headers));
    }

    /** One row; cells are shown with toString. */
    public MarkdownTable row(List<?> cells) {
        if (cells.size() != columns) {
            throw new IllegalArgumentException(cells.size() + " cells in a table of " + columns + " columns");
        }
        line(cells);
        return this;
    }

    public MarkdownTable row(Object... cells) {
        return row(List.of(cells));
    }

    private void line(List<?> cells) {
        text.append("| ").append(cells.stream().map(c -> String.valueOf(c).replace("|", "\\|"))
                .collect(Collectors.joining(" | "))).append(" |\n");
    }

    /** The header, its rule and every row so far, each line ending in a newline. */
    @Override
    public String toString() {
        return text.toString();
    }
}
