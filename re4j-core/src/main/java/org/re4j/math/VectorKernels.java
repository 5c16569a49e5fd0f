package org.re4j.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels that C2 does not vectorise on its own, written with the JDK's Vector API: exp (range reduction and a
 * polynomial in exact lane-wise arithmetic, about 1 ulp), float reductions (a dot product; C2 keeps a scalar
 * float sum in program order), axpy (C2 leaves it scalar when it cannot rule out that x and y overlap: 4× slower in a
 * microbenchmark here), a weighted sum of rows (axpy's register-blocked form) and Adam's update (scalar too, for the
 * same reason, and compute-bound there: sqrt and a divide per element). Loaded only when the
 * {@code jdk.incubator.vector} module is present; {@link Kernels} falls back to plain loops otherwise.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /*
     * Determinism: every operation below is one that IEEE 754 defines exactly (add, mul, fma, min, max, compare,
     * conversions, bit moves), so the JIT-compiled intrinsics and the library's Java fallback give the same bits.
     * The Vector API's transcendental operators (lanewise EXP) and reduceLanes(ADD) do not promise that: their
     * last bits changed with when the JIT compiled a loop, and two runs with one seed trained different models.
     */

    /** Lane i ↔ lane i ^ s, for s = L/2, L/4, ..., 1: a reduction in a fixed order. */
    private static final VectorShuffle<Float>[] BUTTERFLY = butterfly();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] butterfly() {
        int steps = Integer.numberOfTrailingZeros(S.length());
        VectorShuffle<Float>[] out = new VectorShuffle[steps];
        for (int k = 0, s = S.length() / 2; k < steps; k++, s /= 2) {
            final int x = s;
            out[k] = VectorShuffle.fromOp(S, i -> i ^ x);
        }
        return out;
    }

    /** The sum of a vector's lanes, always added in the same order. */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> sh : BUTTERFLY) v = v.add(v.rearrange(sh));
        return v.lane(0);
    }

    // exp(x) = 2^n · e^r with n = round(x log2 e) and r = x − n ln 2 (ln 2 in two parts, Cody–Waite), e^r by
    // Cephes' expf polynomial on [−ln2/2, ln2/2]. Below LO the result is 0 (e^-inf = 0 masks a softmax entry),
    // above HI +inf.
    // n is rounded by adding and subtracting ROUND = 1.5·2^23 rather than by a float→int conversion (which the JDK 17
    // JIT does not compile to SIMD here: 20× slower), and 2^n comes from that sum's low mantissa bits shifted into the
    // exponent field.
    private static final float ROUND = 12582912f;
    private static final float LO = -87.33654f, HI = 88.0f, LOG2E = 1.44269504088896341f;
    private static final float C1 = 0.693359375f, C2 = -2.12194440e-4f;
    private static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;


    /** x[off..off+n) ← exp(x − shift); returns the sum of the new values. */
    static double expInPlace(float[] x, int off, int n, float shift) {
        int i = 0, up = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        // exp's body written out here: as a call, the JIT stopped inlining it into this loop and boxed the vectors.
        final FloatVector c1 = FloatVector.broadcast(S, -C1), c2 = FloatVector.broadcast(S, -C2), p2 = FloatVector.broadcast(S, P2),
                p3 = FloatVector.broadcast(S, P3), p4 = FloatVector.broadcast(S, P4), p5 = FloatVector.broadcast(S, P5);
        for (; i < up; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i).sub(shift);
            FloatVector xc = v.max(LO).min(HI);
            FloatVector shifted = xc.mul(LOG2E).add(ROUND);
            FloatVector k = shifted.sub(ROUND);
            FloatVector r = k.fma(c2, k.fma(c1, xc));
            FloatVector y = r.fma(P0, P1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r.mul(r), r.add(1f));
            FloatVector e = y.mul(shifted.add(127f).reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                    .blend(0f, v.compare(VectorOperators.LT, LO)).blend(Float.POSITIVE_INFINITY, v.compare(VectorOperators.GT, HI));
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        double sum = sum(acc);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - shift);
            x[off + i] = e;
            sum += e;
        }
        return sum;
    }

    /** Dot product of a[aOff..aOff+n) and b[bOff..bOff+n), lane-wise sums reduced at the end (fixed order). */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0, up = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < up; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = sum(acc);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    /**
     * {@link Kernels#maxDots}: lanes run over items, so a dot product needs no reduction across lanes; four interests
     * × two lane blocks of items are summed in eight registers, the items' coordinates are loaded once per four
     * interests, and the max over interests is taken in registers (no score matrix is written).
     */
    static void maxDots(float[] z, int zOff, int k, int d, float[] vt, int vtOff, int ld, int n, float[] out) {
        int l = S.length(), j = 0;
        final FloatVector zero = FloatVector.zero(S), none = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j + 2 * l <= n; j += 2 * l) {
            FloatVector b0 = none, b1 = none;
            int q = 0;
            for (; q + 4 <= k; q += 4) {
                int r0 = zOff + q * d, r1 = r0 + d, r2 = r1 + d, r3 = r2 + d;
                FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero, a6 = zero, a7 = zero;
                for (int c = 0, at = vtOff + j; c < d; c++, at += ld) {
                    FloatVector v0 = FloatVector.fromArray(S, vt, at), v1 = FloatVector.fromArray(S, vt, at + l);
                    FloatVector w = FloatVector.broadcast(S, z[r0 + c]);
                    a0 = w.fma(v0, a0);
                    a1 = w.fma(v1, a1);
                    w = FloatVector.broadcast(S, z[r1 + c]);
                    a2 = w.fma(v0, a2);
                    a3 = w.fma(v1, a3);
                    w = FloatVector.broadcast(S, z[r2 + c]);
                    a4 = w.fma(v0, a4);
                    a5 = w.fma(v1, a5);
                    w = FloatVector.broadcast(S, z[r3 + c]);
                    a6 = w.fma(v0, a6);
                    a7 = w.fma(v1, a7);
                }
                b0 = b0.max(a0).max(a2).max(a4).max(a6);
                b1 = b1.max(a1).max(a3).max(a5).max(a7);
            }
            for (; q < k; q++) {
                int r = zOff + q * d;
                FloatVector a0 = zero, a1 = zero;
                for (int c = 0, at = vtOff + j; c < d; c++, at += ld) {
                    FloatVector w = FloatVector.broadcast(S, z[r + c]);
                    a0 = w.fma(FloatVector.fromArray(S, vt, at), a0);
                    a1 = w.fma(FloatVector.fromArray(S, vt, at + l), a1);
                }
                b0 = b0.max(a0);
                b1 = b1.max(a1);
            }
            b0.intoArray(out, j);
            b1.intoArray(out, j + l);
        }
        for (; j + l <= n; j += l) {
            FloatVector b0 = none;
            for (int q = 0; q < k; q++) {
                int r = zOff + q * d;
                FloatVector a0 = zero;
                for (int c = 0, at = vtOff + j; c < d; c++, at += ld) a0 = FloatVector.broadcast(S, z[r + c]).fma(FloatVector.fromArray(S, vt, at), a0);
                b0 = b0.max(a0);
            }
            b0.intoArray(out, j);
        }
        Kernels.maxDotsPlain(z, zOff, k, d, vt, vtOff, ld, j, n, out);
    }

    /** y[yOff..yOff+n) += alpha · x[xOff..xOff+n). */
    static void axpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int i = 0, up = S.loopBound(n);
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (; i < up; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    /** out[outOff + j] += Σ_i w[wOff + i] · m[mOff + i·width + j]: two lane blocks at a time, sums in registers. */
    static void addWeightedRows(int n, int width, float[] w, int wOff, float[] m, int mOff, float[] out, int outOff) {
        int l = S.length(), j = 0, up = S.loopBound(width);
        for (; j + l < up; j += 2 * l) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + j), a1 = FloatVector.fromArray(S, out, outOff + j + l);
            for (int i = 0, mo = mOff + j; i < n; i++, mo += width) {
                FloatVector wi = FloatVector.broadcast(S, w[wOff + i]);
                a0 = FloatVector.fromArray(S, m, mo).fma(wi, a0);
                a1 = FloatVector.fromArray(S, m, mo + l).fma(wi, a1);
            }
            a0.intoArray(out, outOff + j);
            a1.intoArray(out, outOff + j + l);
        }
        for (; j < up; j += l) {
            FloatVector a0 = FloatVector.fromArray(S, out, outOff + j);
            for (int i = 0, mo = mOff + j; i < n; i++, mo += width) a0 = FloatVector.fromArray(S, m, mo).fma(FloatVector.broadcast(S, w[wOff + i]), a0);
            a0.intoArray(out, outOff + j);
        }
        for (; j < width; j++) {
            float s = out[outOff + j];
            for (int i = 0; i < n; i++) s += w[wOff + i] * m[mOff + i * width + j];
            out[outOff + j] = s;
        }
    }

    /** {@link Kernels#adam}: the same operations in the same order, lane by lane (no fused multiply-add), so bit-identical. */
    static void adam(int n, float[] w, int wOff, float[] g, int gOff, float[] m, float[] v,
                     float b1, float b2, float lrT, float epsT, float wd) {
        float a1 = 1 - b1, a2 = 1 - b2;
        int j = 0, up = S.loopBound(n);
        for (; j < up; j += S.length()) {
            int i = wOff + j;
            FloatVector wi = FloatVector.fromArray(S, w, i);
            FloatVector gj = FloatVector.fromArray(S, g, gOff + j).add(wi.mul(wd));
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gj.mul(a1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gj.mul(a2).mul(gj));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            wi.sub(mi.mul(lrT).div(vi.sqrt().add(epsT))).intoArray(w, i);
        }
        Kernels.adamPlain(n - j, w, wOff + j, g, gOff + j, m, v, b1, b2, lrT, epsT, wd);
    }
}
