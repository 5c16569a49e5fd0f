package org.re4j.math;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;

import org.junit.jupiter.api.Test;

class BlasTest {

    /** C = alpha·op(A)·op(B) + beta·C in double precision, row-major with leading dimensions. */
    private static double[] reference(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) out[i] = c[i];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int q = 0; q < k; q++) {
                    float x = ta ? a[aOff + q * lda + i] : a[aOff + i * lda + q];
                    float y = tb ? b[bOff + j * ldb + q] : b[bOff + q * ldb + j];
                    s += (double) x * y;
                }
                out[cOff + i * ldc + j] = alpha * s + beta * c[cOff + i * ldc + j];
            }
        }
        return out;
    }

    private static float[] random(Random r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) r.nextGaussian();
        return x;
    }

    /**
     * Every transposition, sub-matrices with offsets and wider rows, arrays sized to the last element (netlib's own
     * check refuses a block of columns there), whole products and the same products cut into 2 and 3 blocks.
     */
    @Test
    void productsAndTheirBlocksMatchAPlainLoop() {
        Random r = new Random(3);
        int[][] shapes = {{37, 5, 9}, {5, 41, 7}, {64, 64, 3}, {33, 20, 1}};
        for (int[] sh : shapes) {
            int m = sh[0], n = sh[1], k = sh[2];
            for (int flags = 0; flags < 4; flags++) {
                boolean ta = (flags & 1) != 0, tb = (flags & 2) != 0;
                int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
                int lda = aCols + 2, ldb = bCols + 1, ldc = n + 3, aOff = 3, bOff = 1, cOff = 2;
                float[] a = random(r, aOff + (aRows - 1) * lda + aCols), b = random(r, bOff + (bRows - 1) * ldb + bCols);
                float[] c0 = random(r, cOff + (m - 1) * ldc + n);
                double[] want = reference(ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 0.25f, c0, cOff, ldc);
                for (int parts = 1; parts <= 3; parts++) {
                    float[] c = c0.clone();
                    if (parts == 1) Blas.gemm(ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 0.25f, c, cOff, ldc);
                    else Blas.inBlocks(parts, ta, tb, m, n, k, 0.5f, a, aOff, lda, b, bOff, ldb, 0.25f, c, cOff, ldc);
                    for (int i = 0; i < c.length; i++) {
                        assertEquals(want[i], c[i], 1e-4 * (1 + Math.abs(want[i])),
                                "m " + m + " n " + n + " k " + k + " transA " + ta + " transB " + tb + " parts " + parts + " at " + i);
                    }
                }
            }
        }
    }

    @Test
    void aMatrixOutsideItsArrayIsRefusedBeforeTheNativeCall() {
        float[] a = new float[6], b = new float[6], c = new float[3];
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Blas.gemm(false, false, 2, 2, 3, 1f, a, 0, 3, b, 0, 2, 0f, c, 0, 2));
        assertEquals(true, e.getMessage().startsWith("C: 2×2"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class, () -> Blas.gemm(true, false, 2, 2, 3, 1f, a, 1, 2, b, 0, 2, 0f, new float[4], 0, 2));
    }

    @Test
    void anEmptyInnerDimensionScalesC() {
        float[] c = {1, 2, 3, 4};
        Blas.gemm(false, false, 2, 2, 0, 1f, new float[0], 0, 0, new float[0], 0, 2, 0.5f, c, 0, 2);
        assertEquals(0.5f, c[0]);
        assertEquals(2f, c[3]);
    }
}
