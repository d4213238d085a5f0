package cimtrain.report;

/**
 * One chart of the report, written as {@code name.png} and {@code name.svg}.
 *
 * @param name    file name without extension ("training-curves")
 * @param caption what the chart shows, for the report's text and the images' alt text
 * @param png     the PNG's bytes (report.html embeds them)
 * @param svg     the SVG's bytes
 */
public record Plot(String name, String caption, byte[] png, byte[] svg) {
}
