package cimtrain.backend;

/**
 * How one layer's out x k weight matrix is cut into tiles: the k inputs into row tiles of
 * {@code tileRows}, the outputs into column tiles of {@code tileOutputs}. Tiles are numbered
 * rowTile x columnTiles + columnTile, the order of every per-tile array (scale factors, thresholds,
 * sums). The one place that numbering is written; {@code kernels/crossbar.cu} repeats it on the GPU
 * (its comments name this class).
 */
public final class TileGrid {
    public final int out;
    public final int k;
    public final int tileRows;
    public final int tileOutputs;
    private final int columnTiles;

    public TileGrid(int out, int k, int tileRows, int tileOutputs) {
        this.out = out;
        this.k = k;
        this.tileRows = tileRows;
        this.tileOutputs = tileOutputs;
        this.columnTiles = columnTiles(out, tileOutputs);
    }

    /** Tiles along the k inputs of a layer. */
    public static int rowTiles(int k, int tileRows) {
        return (k + tileRows - 1) / tileRows;
    }

    /** Tiles along the outputs of a layer. */
    public static int columnTiles(int out, int tileOutputs) {
        return (out + tileOutputs - 1) / tileOutputs;
    }

    public int rowTiles() {
        return rowTiles(k, tileRows);
    }

    public int columnTiles() {
        return columnTiles;
    }

    public int tiles() {
        return rowTiles() * columnTiles;
    }

    /** The tile holding input row {@code row} of output {@code o}. */
    public int tileOf(int o, int row) {
        return tile(row / tileRows, o);
    }

    /** The tile holding weight {@code index} (= o x k + row) of the out x k matrix. */
    public int tileOf(int index) {
        return tileOf(index / k, index % k);
    }

    /** The tile of row tile {@code rowTile} that holds output {@code o}. */
    public int tile(int rowTile, int o) {
        return rowTile * columnTiles + o / tileOutputs;
    }
}
