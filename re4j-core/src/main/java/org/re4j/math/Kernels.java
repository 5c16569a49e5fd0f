package org.re4j.math;

/**
 * Element-wise kernels in plain Java loops (the JIT vectorises the branch-free ones). Matrix products go through
 * {@link Blas}; everything else that touches every element of an activation lives here.
 */
public final class Kernels {

    private Kernels() {}

    /**
     * Whether exp, dot and axpy run in SIMD lanes ({@link VectorKernels}): when the {@code jdk.incubator.vector}
     * module is present (the launcher and the tests add it) unless {@code -Dre4j.vector=false}. Results differ from
     * the plain loops in the last bits, so a run is bit-identical to another only under the same setting.
     */
    public static final boolean VECTOR = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && Boolean.parseBoolean(System.getProperty("re4j.vector", "true"));

    /** x[off..off+n) ← exp(x − shift), in place; returns the sum of the new values (softmax's normaliser). */
    public static double expInPlace(float[] x, int off, int n, float shift) {
        if (VECTOR) return VectorKernels.expInPlace(x, off, n, shift);
        double sum = 0;
        for (int i = off; i < off + n; i++) {
            float e = (float) Math.exp(x[i] - shift);
            x[i] = e;
            sum += e;
        }
        return sum;
    }

    // Rational minimax approximation of tanh on [-7.9, 7.9] (the one Eigen uses for float): ~2 ulp, branch-free,
    // several times faster than Math.tanh, which matters because tanh runs on every (position × d_h) cell.
    private static final float CLAMP = 7.90531110763549805f;
    private static final float A1 = 4.89352455891786e-03f;
    private static final float A3 = 6.37261928875436e-04f;
    private static final float A5 = 1.48572235717979e-05f;
    private static final float A7 = 5.12229709037114e-08f;
    private static final float A9 = -8.60467152213735e-11f;
    private static final float A11 = 2.00018790482477e-13f;
    private static final float A13 = -2.76076847742355e-16f;
    private static final float B0 = 4.89352518554385e-03f;
    private static final float B2 = 2.26843463243900e-03f;
    private static final float B4 = 1.18534705686654e-04f;
    private static final float B6 = 1.19825839466702e-06f;

    /** tanh of one float (same approximation as the array version). */
    public static float tanh(float x) {
        x = Math.max(-CLAMP, Math.min(CLAMP, x));
        float x2 = x * x;
        float p = ((((((A13 * x2 + A11) * x2 + A9) * x2 + A7) * x2 + A5) * x2 + A3) * x2 + A1) * x;
        float q = ((B6 * x2 + B4) * x2 + B2) * x2 + B0;
        return p / q;
    }

    /** x[off .. off+len) = tanh(x[off .. off+len)), in place. */
    public static void tanhInPlace(float[] x, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            x[i] = tanh(x[i]);
        }
    }

    /** g[i] *= 1 - t[i]², the derivative of tanh written in terms of its output t. */
    public static void tanhBackward(float[] t, float[] g, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            float ti = t[i];
            g[i] *= 1f - ti * ti;
        }
    }

    /** Adds bias[j] to every row of the row-major [rows × cols] matrix starting at x[off]. */
    public static void addRowVector(float[] x, int off, int rows, int cols, float[] bias) {
        // Row by row through axpy, which runs in SIMD lanes: C2 left this two-array loop scalar (JMH: 4× slower).
        for (int r = 0; r < rows; r++) axpy(cols, 1f, bias, 0, x, off + r * cols);
    }

    /** acc[j] += Σ_r x[off + r·cols + j]: the gradient of a bias added to every row. */
    public static void addColumnSums(float[] x, int off, int rows, int cols, float[] acc) {
        for (int r = 0; r < rows; r++) axpy(cols, 1f, x, off + r * cols, acc, 0);
    }

    /** Dot product of a[aOff..aOff+n) and b[bOff..bOff+n). */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        if (VECTOR) return VectorKernels.dot(a, aOff, b, bOff, n);
        // Four independent sums: the JIT does not reorder a float reduction, so one accumulator would serialise on
        // the add latency. The order is fixed, so the result is still deterministic.
        float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += a[aOff + i] * b[bOff + i];
            s1 += a[aOff + i + 1] * b[bOff + i + 1];
            s2 += a[aOff + i + 2] * b[bOff + i + 2];
            s3 += a[aOff + i + 3] * b[bOff + i + 3];
        }
        for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * out[j] = max over the k rows z_q (length d, from zOff) of z_q · v_j, for the n items j of a tile stored
     * dimension-major: v_j's coordinate c is vt[vtOff + c·ld + j]. This is retrieval's score, max over the interests (paper
     * eq. 17). Each dot product is one chain of fused multiply-adds in increasing c on both paths, so the SIMD kernel
     * and the plain loop give the same bits, and a user's scores do not depend on the tile, the block of users scored
     * with it or the BLAS library (a matrix product's summation order depends on all three).
     */
    public static void maxDots(float[] z, int zOff, int k, int d, float[] vt, int vtOff, int ld, int n, float[] out) {
        if (VECTOR) VectorKernels.maxDots(z, zOff, k, d, vt, vtOff, ld, n, out);
        else maxDotsPlain(z, zOff, k, d, vt, vtOff, ld, 0, n, out);
    }

    /** {@link #maxDots} for items [from, to): the reference loop, and the SIMD kernel's tail. */
    static void maxDotsPlain(float[] z, int zOff, int k, int d, float[] vt, int vtOff, int ld, int from, int to, float[] out) {
        for (int j = from; j < to; j++) {
            float best = Float.NEGATIVE_INFINITY;
            for (int q = 0; q < k; q++) best = Math.max(best, dotColumn(z, zOff + q * d, d, vt, vtOff + j, ld));
            out[j] = best;
        }
    }

    /** z[zOff..zOff+d) · (v[vOff], v[vOff + ld], ..., v[vOff + (d−1)·ld]) in {@link #maxDots}' order, to the same bits. */
    public static float dotColumn(float[] z, int zOff, int d, float[] v, int vOff, int ld) {
        float acc = 0f;
        for (int c = 0, at = vOff; c < d; c++, at += ld) acc = Math.fma(z[zOff + c], v[at], acc);
        return acc;
    }

    /** y[yOff..) += alpha · x[xOff..), n elements. */
    public static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        // C2 leaves this loop scalar when it cannot rule out that x and y overlap (JMH KernelBench.axpyRows*: 4.8×).
        if (VECTOR) {
            VectorKernels.axpy(n, alpha, x, xOff, y, yOff);
            return;
        }
        for (int i = 0; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    /**
     * One Adam update of n consecutive parameters at wOff (their moments m and v at the same offset) from the gradient
     * g[gOff..): g' = g + wd·w; m = β1·m + (1−β1)·g'; v = β2·v + (1−β2)·g'²; w −= lrT·m / (√v + epsT), where lrT and epsT
     * carry the bias corrections.
     */
    public static void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, float[] v,
                            float b1, float b2, float lrT, float epsT, float wd) {
        // C2 leaves this loop scalar (four arrays it cannot prove distinct); in lanes it is ~3× faster on a step's rows.
        if (VECTOR) VectorKernels.adam(n, w, wOff, g, gOff, m, v, b1, b2, lrT, epsT, wd);
        else adamPlain(n, w, wOff, g, gOff, m, v, b1, b2, lrT, epsT, wd);
    }

    /** {@link #adam} in a plain loop: the fallback without the Vector API, and the vector version's tail. */
    static void adamPlain(int n, float[] w, int wOff, float[] g, int gOff, float[] m, float[] v,
                          float b1, float b2, float lrT, float epsT, float wd) {
        float a1 = 1 - b1, a2 = 1 - b2;
        for (int j = 0; j < n; j++) {
            int i = wOff + j;
            float gj = g[gOff + j] + w[i] * wd;
            float mi = b1 * m[i] + gj * a1;
            float vi = b2 * v[i] + gj * a2 * gj;
            m[i] = mi;
            v[i] = vi;
            w[i] -= mi * lrT / ((float) Math.sqrt(vi) + epsT);
        }
    }

    /**
     * out[outOff + j] += Σ_{i<n} w[wOff + i] · m[mOff + i·width + j] for j < width: a weighted sum of n consecutive rows
     * (attention-weighted pooling). Unlike n calls of {@link #axpy} into the same row, it keeps the sums in registers:
     * each axpy would reload the row it has just stored.
     */
    public static void addWeightedRows(int n, int width, float[] w, int wOff, float[] m, int mOff, float[] out, int outOff) {
        if (VECTOR) VectorKernels.addWeightedRows(n, width, w, wOff, m, mOff, out, outOff);
        else addWeightedRowsPlain(n, width, w, wOff, m, mOff, out, outOff);
    }

    /** {@link #addWeightedRows} in plain loops: the fallback without the Vector API. */
    static void addWeightedRowsPlain(int n, int width, float[] w, int wOff, float[] m, int mOff, float[] out, int outOff) {
        for (int j = 0; j < width; j++) {
            float s = out[outOff + j];
            for (int i = 0; i < n; i++) s += w[wOff + i] * m[mOff + i * width + j];
            out[outOff + j] = s;
        }
    }

    /**
     * Softmax of x[off .. off+n) in place, numerically stable. Returns nothing: callers that need the
     * normaliser keep the logits.
     */
    public static void softmaxInPlace(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, x[i]);
        float inv = (float) (1 / expInPlace(x, off, n, max));
        for (int i = off; i < off + n; i++) x[i] *= inv;
    }

    /**
     * Backward of a softmax over p[off .. off+n) (its output): g ← p ⊙ (g − Σ p⊙g), in place on g.
     */
    public static void softmaxBackward(float[] p, int pOff, float[] g, int gOff, int n) {
        float s = 0f;
        for (int i = 0; i < n; i++) s += p[pOff + i] * g[gOff + i];
        for (int i = 0; i < n; i++) g[gOff + i] = p[pOff + i] * (g[gOff + i] - s);
    }
}
