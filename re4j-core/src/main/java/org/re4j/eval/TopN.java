package org.re4j.eval;

import java.util.Arrays;

import org.re4j.math.Blas;
import org.re4j.model.Recommender;

/**
 * Exact top-N over the whole catalogue for a block of users, scored by max over the user's K interests (paper
 * eq. 17). Items are scored in tiles, [users·K × tile] at a time through BLAS, so memory stays bounded whatever the
 * catalogue size; each user keeps a bounded heap of its N best. Ties go to the smaller item id. Padding (id 0) is
 * never scored. One instance per thread: it owns its buffers.
 */
public final class TopN {

    /** Items per score tile: [userBlock·K × TILE] floats stay within a few MiB of cache-friendly work. */
    public static final int TILE = 1024;

    private final Recommender model;
    private final int n, maxUsers, k, d;
    private final float[] z, scores, best;
    // Per-user heaps, flat: worst entry at the root.
    private final float[] heapScore;
    private final int[] heapItem, heapInterest, heapSize;

    public TopN(Recommender model, int maxUsers, int n) {
        if (n < 1) throw new IllegalArgumentException("top-N must be ≥ 1, got " + n);
        if (maxUsers < 1) throw new IllegalArgumentException("maxUsers must be ≥ 1, got " + maxUsers);
        this.model = model;
        this.n = Math.min(n, model.numItems());
        this.maxUsers = maxUsers;
        this.k = model.numInterests();
        this.d = model.dim();
        this.z = new float[maxUsers * k * d];
        this.scores = new float[maxUsers * k * TILE];
        this.best = new float[TILE];
        this.heapScore = new float[maxUsers * this.n];
        this.heapItem = new int[maxUsers * this.n];
        this.heapInterest = new int[maxUsers * this.n];
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
        float[] v = model.itemVectors();
        int numItems = model.numItems(), rows = count * k;
        for (int lo = 1; lo <= numItems; lo += TILE) {
            int t = Math.min(TILE, numItems + 1 - lo);
            // scores[rows × t] = Z[rows × d] · V[lo..lo+t)^T
            Blas.gemm(false, true, rows, t, d, 1f, z, 0, d, v, lo * d, d, 0f, scores, 0, t);
            for (int u = 0; u < count; u++) {
                int base = u * k * t;
                // max_k as a branch-free loop the JIT vectorises; which k attained it is looked up only for the
                // few items that enter the heap (offer), not for every item.
                System.arraycopy(scores, base, best, 0, t);
                for (int q = 1; q < k; q++) {
                    int row = base + q * t;
                    for (int j = 0; j < t; j++) {
                        float s = scores[row + j], b = best[j];
                        best[j] = s > b ? s : b;
                    }
                }
                if (exclude != null && exclude[u] != null) {
                    for (int x : exclude[u]) if (x >= lo && x < lo + t) best[x - lo] = Float.NEGATIVE_INFINITY;
                }
                offer(u, lo, t, base);
            }
        }
        for (int u = 0; u < count; u++) filled[u] = drain(u, items[u], itemScores == null ? null : itemScores[u],
                interests == null ? null : interests[u]);
    }

    /** Pushes a tile's scores into user u's heap. Items arrive in increasing id order, so a tie never displaces. */
    private void offer(int u, int lo, int t, int base) {
        int off = u * n, size = heapSize[u];
        for (int j = 0; j < t; j++) {
            float s = best[j];
            if (s == Float.NEGATIVE_INFINITY || s != s) continue;
            if (size < n) {
                heapScore[off + size] = s;
                heapItem[off + size] = lo + j;
                heapInterest[off + size] = interest(base, j, t, s);
                siftUp(off, size);
                size++;
            } else if (s > heapScore[off]) {
                heapScore[off] = s;
                heapItem[off] = lo + j;
                heapInterest[off] = interest(base, j, t, s);
                siftDown(off, n);
            }
        }
        heapSize[u] = size;
    }

    /** The first interest whose score for tile column j is the max s (the one a strict-improvement scan keeps). */
    private int interest(int base, int j, int t, float s) {
        for (int q = 0; q < k; q++) if (scores[base + q * t + j] == s) return q;
        throw new IllegalStateException("no interest attains the maximum score " + s);
    }

    /** a is worse than b: lower score, or equal score and larger id. */
    private boolean worse(int a, int b) {
        return heapScore[a] < heapScore[b] || (heapScore[a] == heapScore[b] && heapItem[a] > heapItem[b]);
    }

    private void swap(int a, int b) {
        float s = heapScore[a]; heapScore[a] = heapScore[b]; heapScore[b] = s;
        int i = heapItem[a]; heapItem[a] = heapItem[b]; heapItem[b] = i;
        int q = heapInterest[a]; heapInterest[a] = heapInterest[b]; heapInterest[b] = q;
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
            if (interestsOut != null) interestsOut[at] = heapInterest[off];
            swap(off, off + m - 1);
            siftDown(off, m - 1);
        }
        heapSize[u] = 0;
        return size;
    }
}
