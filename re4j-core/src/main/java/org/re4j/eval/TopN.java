package org.re4j.eval;

import java.util.Arrays;

import org.re4j.math.Kernels;
import org.re4j.model.Recommender;

/**
 * Exact top-N over the whole catalogue for a block of users, scored by max over the user's K interests (paper
 * eq. 17). Items are scored tile by tile ({@link ItemTiles}): every user of the block gets its max over interests
 * from {@link Kernels#maxDots} without a score matrix, so memory stays bounded whatever the catalogue size; each
 * user keeps a bounded heap of its N best. Ties go to the smaller item id. Padding (id 0) is
 * never scored. A user's results do not depend on the block it is scored in. One instance per thread: it owns its
 * buffers.
 */
public final class TopN {

    private static final int TILE = ItemTiles.TILE, LD = ItemTiles.LD;

    private final Recommender model;
    private final ItemTiles tiles;
    private final int n, maxUsers, k, d;
    private final float[] z, best;
    // Per-user heaps, flat: worst entry at the root.
    private final float[] heapScore;
    private final int[] heapItem, heapSize;

    /** @param tiles the model's items as {@link ItemTiles#of} made them (one for all threads; built again after training) */
    public TopN(Recommender model, ItemTiles tiles, int maxUsers, int n) {
        if (n < 1) throw new IllegalArgumentException("top-N must be ≥ 1, got " + n);
        if (maxUsers < 1) throw new IllegalArgumentException("maxUsers must be ≥ 1, got " + maxUsers);
        if (tiles.numItems() != model.numItems() || tiles.dim() != model.dim()) {
            throw new IllegalArgumentException("tiles of " + tiles.numItems() + " items × " + tiles.dim() + " for a model of "
                    + model.numItems() + " × " + model.dim());
        }
        this.model = model;
        this.tiles = tiles;
        this.n = Math.min(n, model.numItems());
        this.maxUsers = maxUsers;
        this.k = model.numInterests();
        this.d = model.dim();
        this.z = new float[maxUsers * k * d];
        this.best = new float[TILE];
        this.heapScore = new float[maxUsers * this.n];
        this.heapItem = new int[maxUsers * this.n];
        this.heapSize = new int[maxUsers];
    }

    /** The last {@link #search}'s interest vectors, [count × K × d]; overwritten by the next search. */
    public float[] interests() {
        return z;
    }

    /** Retrieval depth actually used: N, or the catalogue size if smaller. */
    public int depth() {
        return n;
    }

    /**
     * Retrieves the top-N of {@code count} users.
     *
     * @param histories row-major [count × maxLen], padded with 0; lengths ≥ 1
     * @param exclude   per user, items never to return (e.g. the history), or null
     * @param items     out: items[u] (length ≥ depth()) best first; returns the number filled per user in {@code filled}
     */
    public void search(int[] histories, int[] lengths, int count, int[][] exclude,
                       int[][] items, float[][] itemScores, int[][] interests, int[] filled) {
        if (count > maxUsers) throw new IllegalArgumentException("block of " + count + " users exceeds " + maxUsers);
        model.interests(histories, lengths, count, z);
        Arrays.fill(heapSize, 0, count, 0);
        float[] tile = tiles.data();
        int numItems = model.numItems();
        for (int lo = 1, at = 0; lo <= numItems; lo += TILE, at++) {
            int t = Math.min(TILE, numItems + 1 - lo), off = tiles.offset(at);
            for (int u = 0; u < count; u++) {
                // Only the max is computed here; which interest attained it is looked up for the N items returned
                // (drain), not for every item.
                Kernels.maxDots(z, u * k * d, k, d, tile, off, LD, t, best);
                if (exclude != null && exclude[u] != null) {
                    for (int x : exclude[u]) if (x >= lo && x < lo + t) best[x - lo] = Float.NEGATIVE_INFINITY;
                }
                offer(u, lo, t);
            }
        }
        for (int u = 0; u < count; u++) filled[u] = drain(u, items[u], itemScores == null ? null : itemScores[u],
                interests == null ? null : interests[u]);
    }

    /** Pushes a tile's scores into user u's heap. Items arrive in increasing id order, so a tie never displaces. */
    private void offer(int u, int lo, int t) {
        int off = u * n, size = heapSize[u];
        for (int j = 0; j < t; j++) {
            float s = best[j];
            if (s == Float.NEGATIVE_INFINITY || s != s) continue;
            if (size < n) {
                heapScore[off + size] = s;
                heapItem[off + size] = lo + j;
                siftUp(off, size);
                size++;
            } else if (s > heapScore[off]) {
                heapScore[off] = s;
                heapItem[off] = lo + j;
                siftDown(off, n);
            }
        }
        heapSize[u] = size;
    }

    /** The first interest of user u whose score for the item is the max s: maxDots' FMA chain on the same tile, to the bit. */
    private int interest(int u, int item, float s) {
        int at = tiles.offset((item - 1) / TILE) + (item - 1) % TILE;
        for (int q = 0; q < k; q++) if (Kernels.dotColumn(z, (u * k + q) * d, d, tiles.data(), at, LD) == s) return q;
        throw new IllegalStateException("no interest attains the maximum score " + s);
    }

    /** a is worse than b: lower score, or equal score and larger id. */
    private boolean worse(int a, int b) {
        return heapScore[a] < heapScore[b] || (heapScore[a] == heapScore[b] && heapItem[a] > heapItem[b]);
    }

    private void swap(int a, int b) {
        float s = heapScore[a]; heapScore[a] = heapScore[b]; heapScore[b] = s;
        int i = heapItem[a]; heapItem[a] = heapItem[b]; heapItem[b] = i;
    }

    private void siftUp(int off, int i) {
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!worse(off + i, off + p)) break;
            swap(off + i, off + p);
            i = p;
        }
    }

    private void siftDown(int off, int size) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, m = i;
            if (l < size && worse(off + l, off + m)) m = l;
            if (r < size && worse(off + r, off + m)) m = r;
            if (m == i) return;
            swap(off + i, off + m);
            i = m;
        }
    }

    /** Empties user u's heap into best-first arrays; returns how many. */
    private int drain(int u, int[] items, float[] scoresOut, int[] interestsOut) {
        int off = u * n, size = heapSize[u];
        for (int m = size; m > 0; m--) {
            int at = m - 1; // the worst remaining goes last
            items[at] = heapItem[off];
            if (scoresOut != null) scoresOut[at] = heapScore[off];
            if (interestsOut != null) interestsOut[at] = interest(u, heapItem[off], heapScore[off]);
            swap(off, off + m - 1);
            siftDown(off, m - 1);
        }
        heapSize[u] = 0;
        return size;
    }
}
