package cimtrain.tile;

import cimtrain.backend.TileGrid;
import cimtrain.hardware.HardwareSpec;

/**
 * The mapping of one layer's weights to conductances: one scale factor per tile (weight units per
 * microsiemens; with granularity layer all tiles hold the same value), set so that a tile's largest
 * weight spans 1/headroom of the conductance range, and what follows from it: the largest weight a
 * tile can hold, how much of its range a tile uses.
 */
final class TileScales {
    final TileGrid grid;
    /** Per tile ({@link TileGrid#tileOf}); read by {@link DeviceSync}. */
    final float[] scale;
    private final HardwareSpec hw;

    TileScales(HardwareSpec hw, TileGrid grid) {
        this.hw = hw;
        this.grid = grid;
        this.scale = new float[grid.tiles()];
    }

    int tiles() {
        return scale.length;
    }

    /** The scale factor of the tile holding weight index. */
    float of(int index) {
        return scale[grid.tileOf(index)];
    }

    /** Conductance range in use, microsiemens. */
    double range() {
        return hw.device().gMaxUs() - hw.device().gMinUs();
    }

    /** A fresh mapping: each tile's largest weight (the layer's, with granularity layer) at 1/headroom of the range. */
    void map(float[] w, double headroom) {
        float[] maxAbs = largestPerMapping(grid, w, hw);
        for (int t = 0; t < scale.length; t++) {
            scale[t] = (float) (headroom * Math.max(maxAbs[t], 1e-6f) / range());
        }
    }

    /** Takes given factors (a trained model's mapping on another chip). */
    void set(float[] scales) {
        if (scales.length != scale.length) {
            throw new IllegalArgumentException(scales.length + " scale factors for " + scale.length + " tiles");
        }
        System.arraycopy(scales, 0, scale, 0, scales.length);
    }

    /** max |w| over each tile's weights. */
    private static float[] largestPerTile(TileGrid grid, float[] w) {
        float[] maxAbs = new float[grid.tiles()];
        for (int i = 0; i < w.length; i++) {
            int t = grid.tileOf(i);
            maxAbs[t] = Math.max(maxAbs[t], Math.abs(w[i]));
        }
        return maxAbs;
    }

    /**
     * Per tile, the largest |w| its scale is set from: the tile's own, or with granularity layer the
     * layer's in every tile (the chip's mapping, and what qat rounds to).
     */
    static float[] largestPerMapping(TileGrid grid, float[] w, HardwareSpec hw) {
        float[] maxAbs = largestPerTile(grid, w);
        if (hw.scale().granularity().equals("layer")) {
            float layerMax = 0f;
            for (float m : maxAbs) {
                layerMax = Math.max(layerMax, m);
            }
            java.util.Arrays.fill(maxAbs, layerMax);
        }
        return maxAbs;
    }

    /** The largest weight tile t can hold, scale x range (what its devices saturate at). */
    double limit(int t) {
        return scale[t] * range();
    }

    /** See {@link CrossbarLayer#rangeUsed}. */
    float[] rangeUsed(float[] w) {
        float[] used = largestPerTile(grid, w);
        for (int t = 0; t < used.length; t++) {
            used[t] /= (float) limit(t);
        }
        return used;
    }

    /** Weights larger in magnitude than their tile can hold. */
    int beyondRange(float[] w) {
        int n = 0;
        for (int i = 0; i < w.length; i++) {
            // the relative 1e-6: the largest weight of a fresh mapping is exactly at the end, up to float rounding
            if (Math.abs(w[i]) > limit(grid.tileOf(i)) * (1 + 1e-6)) {
                n++;
            }
        }
        return n;
    }
}
