package cimtrain.report;

import cimtrain.util.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Renders a chart to PNG and SVG in memory, and writes the two files atomically. */
final class ChartFiles {
    private ChartFiles() {
    }

    static Plot render(Chart<?, ?> chart, String name, String caption) {
        Headless.ensure();
        ByteArrayOutputStream svg = new ByteArrayOutputStream();
        try {
            byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
            return new Plot(name, caption, png, svg.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the chart " + name + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code name.png} and {@code name.svg} into {@code dir}. */
    static void write(Path dir, Plot plot) {
        AtomicFiles.writeBytes(dir.resolve(plot.name() + ".png"), plot.png());
        AtomicFiles.writeBytes(dir.resolve(plot.name() + ".svg"), plot.svg());
    }
}
