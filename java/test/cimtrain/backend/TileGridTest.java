package cimtrain.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tile numbering every per-tile array follows, on a grid whose edges are partly filled. */
class TileGridTest {
    @Test
    void tilesAreNumberedRowTileByRowTileAndEdgeTilesHoldTheRest() {
        // 5 outputs x 7 inputs, tiles of 3 rows x 2 outputs: 3 row tiles (3, 3, 1 rows) x 3 column tiles (2, 2, 1)
        TileGrid g = new TileGrid(5, 7, 3, 2);
        assertEquals(3, g.rowTiles());
        assertEquals(3, g.columnTiles());
        assertEquals(9, g.tiles());
        assertEquals(0, g.tileOf(0, 0));
        assertEquals(1, g.tileOf(2, 2), "output 2 opens the second column tile");
        assertEquals(3, g.tileOf(0, 3), "row 3 opens the second row tile");
        assertEquals(8, g.tileOf(4, 6), "the last weight sits in the last, partly filled tile");
        for (int o = 0; o < 5; o++) {
            for (int i = 0; i < 7; i++) {
                assertEquals(g.tileOf(o, i), g.tileOf(o * 7 + i), "weight index o k + i is (o, i)");
                assertEquals(g.tile(i / 3, o), g.tileOf(o, i));
            }
        }
    }
}
