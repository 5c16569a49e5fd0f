package org.re4j.math;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernels that C2 does not vectorise on its own, written with the JDK's Vector API: exp (the vector math library,
 * about 1 ulp, ~15× faster than a loop of {@code Math.exp} here), float reductions (a dot product; C2 keeps a scalar
 * float sum in program order), axpy (C2 leaves it scalar when it cannot rule out that x and y overlap: 4× slower in a
 * microbenchmark here), a weighted sum of rows (axpy's register-blocked form) and Adam's update (scalar too, for the
 * same reason, and compute-bound there: sqrt and a divide per element). Loaded only when the
 * {@code jdk.incubator.vector} module is present; {@link Kernels} falls back to plain loops otherwise.
 */
final class VectorKernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorKernels() {
    }

    /** x[off..off+n) ← exp(x − shift); returns the sum of the new values. */
    static double expInPlace(float[] x, int off, int n, float shift) {
        int i = 0, up = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < up; i += S.length()) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
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
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
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
