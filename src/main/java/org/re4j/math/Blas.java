package org.re4j.math;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * Row-major matrix products over flat float arrays, delegated to netlib's column-major BLAS.
 *
 * <p>The implementation is chosen once: the system's native BLAS (OpenBLAS) when it loads, else the pure-Java
 * one (Vector API when {@code --add-modules jdk.incubator.vector} is given). The system property
 * {@code re4j.blas} = {@code native} | {@code java} | {@code auto} (default) forces a choice.
 */
public final class Blas {

    private static final BLAS IMPL = choose(System.getProperty("re4j.blas", "auto"));

    private Blas() {}

    private static BLAS choose(String which) {
        switch (which) {
            case "java":
                return JavaBLAS.getInstance();
            case "native":
                return NativeBLAS.getInstance(); // throws when no native library is found
            case "auto":
                try {
                    return NativeBLAS.getInstance();
                } catch (Throwable t) {
                    return JavaBLAS.getInstance();
                }
            default:
                throw new IllegalArgumentException("re4j.blas must be native, java or auto, not '" + which + "'");
        }
    }

    /** Name of the implementation in use, for logs and benchmark reports. */
    public static String implementation() {
        return IMPL.getClass().getSimpleName();
    }

    /**
     * C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. op(A) is m×k (A is k×m when transA),
     * op(B) is k×n (B is n×k when transB). Leading dimensions are the row-major row lengths.
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) return;
        // Row-major C = op(A)op(B) is column-major C^T = op(B)^T op(A)^T: swap operands, keep the flags.
        IMPL.sgemm(transB ? "T" : "N", transA ? "T" : "N", n, m, k, alpha,
                b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
    }

    /** Dense row-major shorthand: leading dimensions follow from the shapes. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, transA ? m : k, b, bOff, transB ? k : n, beta, c, cOff, n);
    }
}
