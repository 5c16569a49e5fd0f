package org.re4j.model.re4;

import org.re4j.model.ComiRecSA;

/**
 * What Re4's backward flows read from one ComiRec-SA training forward, in the encoder's packed layout: user u's
 * history is rows rowStart[u] .. rowStart[u+1) of {@code x}, and its attention a_{k,i} sits at
 * {@code attention[K·rowStart[u] + k·len_u + i]}. Nothing here is padding.
 *
 * @param count     users in the batch
 * @param k         interests per user
 * @param d         embedding size
 * @param rowStart  [count + 1] packed-row offsets
 * @param attention forward attention a, packed
 * @param x         history item embeddings [R × d]
 * @param z         interests [count × K × d]
 * @param rowItems  item id of each packed row
 * @param positive  P_k membership, packed like the attention (see {@link #selectPositives})
 */
public record FlowInput(int count, int k, int d, int[] rowStart, float[] attention, float[] x, float[] z, int[] rowItems,
                        boolean[] positive) {

    /** The flows' view of a ComiRec-SA training forward of {@code count} users, with interests z and positives. */
    public static FlowInput of(ComiRecSA.Activations a, int count, int k, int d, float[] z, boolean[] positive) {
        return new FlowInput(count, k, d, a.rowStart(), a.attention(), a.x(), z, a.rowItems(), positive);
    }

    public int len(int u) {
        return rowStart[u + 1] - rowStart[u];
    }

    public int rows() {
        return rowStart[count];
    }

    /** Index of a_{k,i} of user u in {@link #attention()}. */
    public int att(int u, int kk, int i) {
        return k * rowStart[u] + kk * len(u) + i;
    }

    /**
     * The positives of every interest (Re-contrast, Re-construct): history positions with a_{k,i} > γ_c. A hard
     * selection: no gradient flows through it (finite-difference checks hold it fixed).
     */
    public static boolean[] selectPositives(int count, int k, int[] rowStart, float[] attention, PositiveThreshold gamma,
                                            boolean[] reuse) {
        int n = k * rowStart[count];
        boolean[] out = reuse != null && reuse.length >= n ? reuse : new boolean[n];
        for (int u = 0; u < count; u++) {
            int len = rowStart[u + 1] - rowStart[u];
            double g = gamma.forLength(len);
            for (int q = k * rowStart[u]; q < k * rowStart[u + 1]; q++) out[q] = attention[q] > g;
        }
        return out;
    }

    public boolean positive(int u, int kk, int i) {
        return positive[att(u, kk, i)];
    }
}
