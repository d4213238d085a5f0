package cimtrain.tile;

import cimtrain.backend.TileGrid;
import cimtrain.hardware.HardwareSpec;

/**
 * How one weight matrix (outputs x K inputs; K = in-channels x kernel x kernel for a convolution,
 * unrolled) is split over a grid of crossbar tiles: K over the rows of row-tiles, the outputs (a
 * column pair each in differential mapping, so a pair is never split) over column-tiles. Each tile's
 * partial sums are read by its ADC and summed digitally.
 */
public record LayerMapping(String layer, int outputs, int inputs, int uses, int rowTiles, int columnTiles,
                           int tileRows, int tileColumns, int columnsPerOutput, boolean referenceColumn) {

    public static LayerMapping of(String layer, int outputs, int inputs, int uses, HardwareSpec hw) {
        int rowTiles = TileGrid.rowTiles(inputs, hw.tile().rows());
        int columnTiles = TileGrid.columnTiles(outputs, hw.outputsPerTile());
        return new LayerMapping(layer, outputs, inputs, uses, rowTiles, columnTiles, hw.tile().rows(), hw.tile().columns(),
                hw.columnsPerOutput(), hw.mapping().equals(HardwareSpec.REFERENCE));
    }

    /** Crossbars (tiles) this layer occupies. */
    public int crossbars() {
        return rowTiles * columnTiles;
    }

    /** Devices holding weights (plus one reference column per tile in reference mapping). */
    public long devices() {
        long weights = (long) inputs * outputs * columnsPerOutput;
        return referenceColumn ? weights + (long) inputs * columnTiles : weights;
    }

    /** Used devices over all devices of the occupied tiles. */
    public double utilization() {
        return (double) devices() / ((long) crossbars() * tileRows * tileColumns);
    }

    /** Full-tile VMMs per sample of a forward pass: every tile once per output position. */
    public long tileOperations() {
        return (long) crossbars() * uses;
    }
}
