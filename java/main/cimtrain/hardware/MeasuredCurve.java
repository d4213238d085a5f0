package cimtrain.hardware;

import cimtrain.util.UserError;

import java.io.BufferedReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A device's measured conductance-vs-pulse curves, for the table-driven pulse model
 * ({@code pulse.model: table}). It lives with the hardware description (not with the pulse models) so
 * that a bad file is rejected when the hardware is loaded, before any training starts.
 *
 * <p>CSV format (documented in models/hardware/README.md):
 * <pre>
 * # comment lines start with '#'; blank lines are ignored
 * pulse,g_up_us,g_down_us
 * 0,10.0,70.0
 * 1,15.2,62.1
 * ...
 * </pre>
 * The header is required and names exactly these three columns (in any order). Row p holds the
 * conductance (microsiemens) after p identical pulses: {@code g_up_us} for potentiating (SET) pulses
 * starting from the low state, {@code g_down_us} for depressing (RESET) pulses starting from the high
 * state. {@code pulse} counts 0, 1, 2, ... with no gaps; the up curve must not fall and must rise
 * overall, the down curve must not rise and must fall overall (flat stretches, e.g. saturation, are
 * allowed). At least two rows.
 */
public final class MeasuredCurve {
    private static final List<String> COLUMNS = List.of("pulse", "g_up_us", "g_down_us");

    private final String source;
    private final double[] up;
    private final double[] down;

    private MeasuredCurve(String source, double[] up, double[] down) {
        this.source = source;
        this.up = up;
        this.down = down;
    }

    /** Where the curve was read from (for messages and reports). */
    public String source() {
        return source;
    }

    /** Conductance after p up pulses from the low state, p = 0 .. pulses()-1 (a copy). */
    public double[] up() {
        return up.clone();
    }

    /** Conductance after p down pulses from the high state, p = 0 .. pulses()-1 (a copy). */
    public double[] down() {
        return down.clone();
    }

    /** Rows in the table (pulse numbers 0 .. pulses()-1). */
    public int pulses() {
        return up.length;
    }

    /** The lowest conductance on either curve, microsiemens. */
    public double lowUs() {
        return Math.min(up[0], down[down.length - 1]);
    }

    /** The highest conductance on either curve, microsiemens. */
    public double highUs() {
        return Math.max(up[up.length - 1], down[0]);
    }

    /** The mean step of one up pulse over the whole up curve, microsiemens (the default pulse step). */
    public double meanUpStepUs() {
        return (up[up.length - 1] - up[0]) / (up.length - 1);
    }

    /** Reads a CSV; every problem is a {@link UserError} of one line naming the source and the line. */
    public static MeasuredCurve read(BufferedReader in, String source) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String l = in.readLine(); l != null; l = in.readLine()) {
            lines.add(l);
        }
        return parse(lines, source);
    }

    /** Parses the CSV's lines (line numbers in messages count from 1, comments and blanks included). */
    public static MeasuredCurve parse(List<String> lines, String source) {
        String at = "pulse table " + source;
        int[] column = null; // index of pulse, g_up_us, g_down_us in a row
        List<double[]> rows = new ArrayList<>();
        for (int ln = 1; ln <= lines.size(); ln++) {
            String line = lines.get(ln - 1).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] cells = line.split(",", -1);
            String where = at + " line " + ln;
            if (column == null) {
                column = header(cells, where);
                continue;
            }
            if (cells.length != 3) {
                throw new UserError(where + ": expected 3 values (pulse,g_up_us,g_down_us), got " + cells.length);
            }
            double[] row = new double[3];
            for (int c = 0; c < 3; c++) {
                String cell = cells[column[c]].strip();
                try {
                    row[c] = Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    throw new UserError(where + ": " + COLUMNS.get(c) + " is not a number: '" + cell + "'");
                }
                if (!Double.isFinite(row[c]) || row[c] < 0) {
                    throw new UserError(where + ": " + COLUMNS.get(c) + " must be a finite number >= 0, got " + cell);
                }
            }
            if (row[0] != rows.size()) {
                throw new UserError(where + ": pulse must count 0, 1, 2, ... without gaps; expected " + rows.size()
                        + ", got " + cells[column[0]].strip());
            }
            if (!rows.isEmpty()) {
                double[] prev = rows.get(rows.size() - 1);
                if (row[1] < prev[1]) {
                    throw new UserError(where + ": g_up_us falls (" + prev[1] + " -> " + row[1]
                            + "); the up curve must not fall");
                }
                if (row[2] > prev[2]) {
                    throw new UserError(where + ": g_down_us rises (" + prev[2] + " -> " + row[2]
                            + "); the down curve must not rise");
                }
            }
            rows.add(row);
        }
        if (column == null) {
            throw new UserError(at + ": empty; expected a header line pulse,g_up_us,g_down_us and rows");
        }
        if (rows.size() < 2) {
            throw new UserError(at + ": needs at least 2 rows (pulse 0 and 1), has " + rows.size());
        }
        double[] up = new double[rows.size()];
        double[] down = new double[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            up[r] = rows.get(r)[1];
            down[r] = rows.get(r)[2];
        }
        if (up[up.length - 1] <= up[0]) {
            throw new UserError(at + ": the up curve (g_up_us) never rises, so an up pulse would not move a device");
        }
        if (down[down.length - 1] >= down[0]) {
            throw new UserError(at + ": the down curve (g_down_us) never falls, so a down pulse would not move"
                    + " a device");
        }
        return new MeasuredCurve(source, up, down);
    }

    /** Maps the header's column names to positions: result[c] is where COLUMNS[c] is in a row. */
    private static int[] header(String[] cells, String where) {
        int[] column = {-1, -1, -1};
        for (int i = 0; i < cells.length; i++) {
            int c = COLUMNS.indexOf(cells[i].strip());
            if (c < 0 || column[c] >= 0 || cells.length != 3) {
                throw new UserError(where + ": expected the header pulse,g_up_us,g_down_us (a header is required),"
                        + " got '" + String.join(",", cells) + "'");
            }
            column[c] = i;
        }
        return column;
    }
}
