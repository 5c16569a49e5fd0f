package org.re4j.eval;

import org.re4j.model.Recommender;

/**
 * The item table in the layout retrieval scores it in: tiles of {@link #TILE} items, each stored dimension-major
 * (coordinate c of the tile's item j at {@code c·LD + j}), so that the scoring kernel's SIMD lanes run over items
 * ({@link org.re4j.math.Kernels#maxDots}). A snapshot of the item vectors when it was built: build it again after
 * they change. It costs one more copy of the item table; built once, it serves every block of users and every thread.
 */
public final class ItemTiles {

    /** Items per tile: a tile's d × TILE copy (256 KiB at d 64) stays in a core's L2 cache while a block is scored. */
    public static final int TILE = 1024;
    // Row length inside a tile: not a multiple of 4 KiB, so that an item's d coordinates do not all fall into one
    // L1 cache set.
    public static final int LD = TILE + 16;

    private final float[] data;
    private final int numItems, d;

    private ItemTiles(float[] data, int numItems, int d) {
        this.data = data;
        this.numItems = numItems;
        this.d = d;
    }

    /** The model's item vectors 1..numItems (padding id 0 is left out) as tiles. */
    public static ItemTiles of(Recommender model) {
        int numItems = model.numItems(), d = model.dim(), tiles = (numItems + TILE - 1) / TILE;
        long size = (long) tiles * d * LD;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(numItems + " items of dimension " + d + " do not fit in one array of tiles");
        }
        float[] v = model.itemVectors(), data = new float[(int) size];
        for (int t = 0; t < tiles; t++) {
            int lo = 1 + t * TILE, n = Math.min(TILE, numItems + 1 - lo), base = t * d * LD;
            for (int j = 0; j < n; j++) {
                for (int c = 0, from = (lo + j) * d; c < d; c++) data[base + c * LD + j] = v[from + c];
            }
        }
        return new ItemTiles(data, numItems, d);
    }

    public int numItems() {
        return numItems;
    }

    public int dim() {
        return d;
    }

    /** The tiles, one after the other: tile t (items 1 + t·TILE ...) starts at {@link #offset}(t). */
    float[] data() {
        return data;
    }

    int offset(int tile) {
        return tile * d * LD;
    }
}
