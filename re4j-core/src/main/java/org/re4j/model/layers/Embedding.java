package org.re4j.model.layers;

import org.re4j.math.Kernels;
import org.re4j.model.RowGrads;

/**
 * The item table's forward and backward: rows gathered by item id, and their gradients scattered back into the
 * table's row-sparse gradient (a repeated item adds up).
 */
public final class Embedding {

    private Embedding() {}

    /** out[r] = table[items[r]] for r in [0, rows): [rows × d]. */
    public static void gather(float[] table, int d, int[] items, int rows, float[] out) {
        for (int r = 0; r < rows; r++) System.arraycopy(table, items[r] * d, out, r * d, d);
    }

    /** The gradient of {@link #gather}: table row items[r] += dOut[r]. */
    public static void scatterAdd(RowGrads grads, int d, int[] items, int rows, float[] dOut) {
        for (int r = 0; r < rows; r++) scatterAdd(grads, d, items[r], dOut, r * d, 1f);
    }

    /** One row: table row {@code item} += scale · dOut[dOff .. dOff + d). */
    public static void scatterAdd(RowGrads grads, int d, int item, float[] dOut, int dOff, float scale) {
        int off = grads.offset(item);
        Kernels.axpy(d, scale, dOut, dOff, grads.values(), off); // values() after offset(): it may grow the storage
    }
}
