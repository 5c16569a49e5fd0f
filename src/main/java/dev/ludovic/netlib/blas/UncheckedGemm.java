package dev.ludovic.netlib.blas;

/**
 * netlib's sgemm without its argument checks, for {@code org.re4j.math.Blas}, which checks the bounds itself.
 *
 * <p>Why: netlib requires a whole leading dimension behind an operand's last row, so a block of columns at the end of
 * a tightly sized array is refused although nothing past the array would be read. Cutting a product into blocks for
 * several threads (see {@code Blas}) makes such blocks all the time. The unchecked entry point is package-private in
 * netlib, hence this class in netlib's package (the jar is not sealed; re4j runs on the class path).
 */
public final class UncheckedGemm {

    private UncheckedGemm() {}

    /** Column-major sgemm, exactly as {@link BLAS#sgemm}, with no argument checks. */
    public static void sgemm(BLAS blas, String transa, String transb, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        ((AbstractBLAS) blas).sgemmK(transa, transb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }
}
