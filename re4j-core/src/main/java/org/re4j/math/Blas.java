package org.re4j.math;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * Row-major matrix products over flat float arrays, delegated to netlib's column-major BLAS.
 *
 * <p>The implementation is chosen once: the system's native BLAS (OpenBLAS) when it loads, else the pure-Java
 * one (Vector API when {@code --add-modules jdk.incubator.vector} is given). The system property
 * {@code re4j.blas} = {@code native} | {@code java} | {@code auto} (default) forces a choice.
 *
 * <p>Threads: when the BLAS runs each call on one thread (the pure-Java one always; OpenBLAS when its environment
 * says so, e.g. {@code OPENBLAS_NUM_THREADS=1}), a large product is cut into blocks of rows or columns that run on
 * {@link Parallel}'s threads: a ComiRec-SA step on 2 cores with the pure-Java BLAS took 7.5–7.9 ms against 10.8–12.5,
 * and with one-thread OpenBLAS calls about 0.85× the time of OpenBLAS's own two threads (docs/results.md, section 2).
 * Otherwise OpenBLAS threads its own calls, as by default. The system property {@code re4j.blas.split} = {@code on} |
 * {@code off} | {@code auto} (default) overrides the choice, for measurements. The blocks write disjoint parts of C.
 */
public final class Blas {

    private static final BLAS IMPL = choose(System.getProperty("re4j.blas", "auto"));
    /**
     * netlib's sgemm without its argument checks ({@code AbstractBLAS.sgemmK}, in a package-private class): netlib wants a whole
     * leading dimension behind an operand's last row, so a block of columns at the end of a tightly sized array is
     * refused although nothing past the array would be read, and {@link #inBlocks} makes such blocks all the time.
     * This class checks the bounds itself ({@link #checkBounds}). Reached by reflection, which netlib's packages
     * allow on the class path and as an automatic module alike.
     */
    private static final MethodHandle SGEMM = uncheckedSgemm();
    /** Whether products are cut into blocks on {@link Parallel}'s threads (see the class comment). */
    private static final boolean SPLIT = split(System.getProperty("re4j.blas.split", "auto"));
    /** Smallest product (multiply-adds) worth the fork: a block should take tens of microseconds. */
    private static final long MIN_SPLIT_WORK = 1L << 20;
    /** Blocks are multiples of this many rows or columns, so that parts start on SIMD-aligned offsets. */
    private static final int BLOCK = 16;

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

    private static MethodHandle uncheckedSgemm() {
        try {
            var m = Class.forName("dev.ludovic.netlib.blas.AbstractBLAS").getDeclaredMethod("sgemmK", String.class, String.class, int.class, int.class, int.class,
                    float.class, float[].class, int.class, int.class, float[].class, int.class, int.class, float.class,
                    float[].class, int.class, int.class);
            m.setAccessible(true);
            return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(void.class, BLAS.class, String.class,
                    String.class, int.class, int.class, int.class, float.class, float[].class, int.class, int.class,
                    float[].class, int.class, int.class, float.class, float[].class, int.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("netlib BLAS without AbstractBLAS.sgemmK: re4j needs dev.ludovic.netlib:blas 3.x", e);
        }
    }

    private static boolean split(String mode) {
        switch (mode) {
            case "on":
                return true;
            case "off":
                return false;
            case "auto":
                return Parallel.threads() > 1 && (!(IMPL instanceof NativeBLAS) || nativeThreads() == 1);
            default:
                throw new IllegalArgumentException("re4j.blas.split must be on, off or auto, not '" + mode + "'");
        }
    }

    /** OpenBLAS's thread count as its environment sets it (the first of these that it reads), 0 when unset. */
    private static int nativeThreads() {
        for (String v : new String[] {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"}) {
            try {
                int n = Integer.parseInt(System.getenv().getOrDefault(v, "").trim());
                if (n > 0) return n;
            } catch (NumberFormatException e) {
                // unset or not a number: OpenBLAS reads the next one
            }
        }
        return 0;
    }

    /** Name of the implementation in use, for logs and benchmark reports ("+split" when products are cut). */
    public static String implementation() {
        return IMPL.getClass().getSimpleName() + (SPLIT ? "+split" : "");
    }

    /**
     * C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major. op(A) is m×k (A is k×m when transA),
     * op(B) is k×n (B is n×k when transB). Leading dimensions are the row-major row lengths.
     *
     * @throws IndexOutOfBoundsException when a matrix does not lie inside its array
     */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                            float beta, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("gemm sizes " + m + "×" + n + "×" + k);
        if (m == 0 || n == 0) return;
        checkBounds("C", c, cOff, ldc, m, n);
        if (k == 0) { // C = beta·C (beta 0 overwrites, as in BLAS); BLAS would refuse the empty operands' leading dimensions
            for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) c[cOff + i * ldc + j] = beta == 0 ? 0f : beta * c[cOff + i * ldc + j];
            return;
        }
        checkBounds("A", a, aOff, lda, transA ? k : m, transA ? m : k);
        checkBounds("B", b, bOff, ldb, transB ? n : k, transB ? k : n);
        int parts = Math.min(Parallel.threads(), (Math.max(m, n) + BLOCK - 1) / BLOCK);
        if (SPLIT && parts > 1 && (long) m * n * k >= MIN_SPLIT_WORK && Parallel.canFork()) {
            inBlocks(parts, transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        } else {
            call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
        }
    }

    /**
     * The product as {@code parts} blocks of C's rows (or columns, when it has more of them), one BLAS call each, on
     * {@link Parallel}'s threads. A block of rows needs the same rows of op(A); a block of columns, of op(B).
     */
    static void inBlocks(int parts, boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff,
                         int lda, float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        boolean byRows = m >= n;
        int len = byRows ? m : n, blocks = (len + BLOCK - 1) / BLOCK;
        Parallel.forRange(parts, 1, (from, to) -> {
            for (int p = from; p < to; p++) {
                int s = Math.min(len, (int) ((long) blocks * p / parts) * BLOCK);
                int w = Math.min(len, (int) ((long) blocks * (p + 1) / parts) * BLOCK) - s;
                if (w == 0) continue;
                if (byRows) call(transA, transB, w, n, k, alpha, a, aOff + (transA ? s : s * lda), lda, b, bOff, ldb, beta, c, cOff + s * ldc, ldc);
                else call(transA, transB, m, w, k, alpha, a, aOff, lda, b, bOff + (transB ? s * ldb : s), ldb, beta, c, cOff + s, ldc);
            }
        });
    }

    private static void call(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                             float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        // Row-major C = op(A)op(B) is column-major C^T = op(B)^T op(A)^T: swap operands, keep the flags.
        String ta = transB ? "T" : "N", tb = transA ? "T" : "N"; // typed locals: invokeExact matches static types
        try {
            SGEMM.invokeExact(IMPL, ta, tb, n, m, k, alpha, b, bOff, ldb, a, aOff, lda, beta, c, cOff, ldc);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** A rows×cols row-major matrix at {@code off} with row length {@code ld} must lie inside {@code x}. */
    private static void checkBounds(String name, float[] x, int off, int ld, int rows, int cols) {
        if (off < 0 || ld < Math.max(1, cols) || (long) off + (long) (rows - 1) * ld + cols > x.length) {
            throw new IndexOutOfBoundsException(name + ": " + rows + "×" + cols + " at offset " + off + " with row length "
                    + ld + " does not fit in an array of " + x.length);
        }
    }

    /** Dense row-major shorthand: leading dimensions follow from the shapes. */
    public static void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                            float[] a, int aOff, float[] b, int bOff, float beta, float[] c, int cOff) {
        gemm(transA, transB, m, n, k, alpha, a, aOff, transA ? m : k, b, bOff, transB ? k : n, beta, c, cOff, n);
    }
}
