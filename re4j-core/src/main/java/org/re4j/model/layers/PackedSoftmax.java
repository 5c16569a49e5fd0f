package org.re4j.model.layers;

import org.re4j.math.Kernels;

/**
 * Softmax over each user's own rows, one per column: logits g [R × K] (row r, column k), probabilities packed per
 * user as [K × len_u] starting at K·rowStart[u] (so each interest's attention over the user's items is contiguous).
 * Padding has no row, so it never receives probability.
 */
public final class PackedSoftmax {

    private PackedSoftmax() {}

    /** User u's block: a[K·base + k·len + i] = softmax_i(g[(base + i)·K + k]). */
    public static void forward(float[] g, int k, int base, int len, float[] a) {
        int ao = k * base;
        for (int kk = 0; kk < k; kk++) {
            for (int i = 0; i < len; i++) a[ao + kk * len + i] = g[(base + i) * k + kk];
            Kernels.softmaxInPlace(a, ao + kk * len, len);
        }
    }

    /**
     * User u's block backward: from a and da (packed, as a; overwritten with the logits' gradient in that layout),
     * writes the logits' gradient dg [R × K], adding {@code extra} (packed like a, or null) on the way.
     */
    public static void backward(float[] a, float[] da, float[] extra, int k, int base, int len, float[] dg) {
        int ao = k * base;
        for (int kk = 0; kk < k; kk++) {
            int o = ao + kk * len;
            Kernels.softmaxBackward(a, o, da, o, len);
            if (extra != null) for (int i = 0; i < len; i++) da[o + i] += extra[o + i];
            for (int i = 0; i < len; i++) dg[(base + i) * k + kk] = da[o + i];
        }
    }
}
