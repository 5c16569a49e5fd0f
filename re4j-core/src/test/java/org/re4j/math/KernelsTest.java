package org.re4j.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class KernelsTest {

    @Test
    void vectorExpMatchesMathExpAndMasksMinusInfinity() {
        java.util.Random r = new java.util.Random(3);
        for (int n : new int[] {1, 7, 16, 20, 1281}) {
            float[] x = new float[n + 3];
            for (int i = 0; i < x.length; i++) x[i] = (float) (4 * r.nextGaussian());
            x[3] = Float.NEGATIVE_INFINITY; // an accidental hit masked out of the softmax
            float[] v = x.clone();
            double sum = VectorKernels.expInPlace(v, 2, n, 1.5f), expected = 0;
            for (int i = 0; i < x.length; i++) {
                if (i < 2 || i >= n + 2) {
                    assertEquals(x[i], v[i], 0f, "outside the slice untouched");
                    continue;
                }
                double e = Math.exp(x[i] - 1.5f);
                expected += e;
                assertEquals(e, v[i], 3e-7 * e + 1e-30, "n " + n + " i " + i);
            }
            assertEquals(expected, sum, 1e-6 * expected);
            if (n > 1) assertEquals(0f, v[3], 0f);
            float[] k = x.clone();
            assertEquals(sum, Kernels.expInPlace(k, 2, n, 1.5f), 1e-6 * sum, "Kernels dispatches to the same values");
        }
    }

    @Test
    void vectorDotMatchesADoubleSum() {
        java.util.Random r = new java.util.Random(5);
        for (int n : new int[] {0, 1, 7, 16, 20, 64, 256, 1283}) {
            float[] a = new float[n + 5], b = new float[n + 2];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            double exact = 0, scale = 0;
            for (int i = 0; i < n; i++) {
                exact += (double) a[3 + i] * b[1 + i];
                scale += Math.abs((double) a[3 + i] * b[1 + i]);
            }
            assertEquals(exact, VectorKernels.dot(a, 3, b, 1, n), 1e-6 * scale + 1e-12, "vector, n " + n);
            assertEquals(exact, Kernels.dot(a, 3, b, 1, n), 1e-6 * scale + 1e-12, "dispatched, n " + n);
        }
    }

    @Test
    void weightedRowSumsMatchADoubleSumInBothPaths() {
        java.util.Random r = new java.util.Random(9);
        for (int width : new int[] {1, 7, 16, 20, 32, 48, 64, 100}) {
            for (int n : new int[] {0, 1, 5, 20}) {
                float[] w = new float[n + 2], m = new float[3 + n * width], out = new float[width + 4];
                for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
                for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
                for (int i = 0; i < out.length; i++) out[i] = (float) r.nextGaussian();
                float[] vec = out.clone(), plain = out.clone();
                VectorKernels.addWeightedRows(n, width, w, 2, m, 3, vec, 4);
                Kernels.addWeightedRowsPlain(n, width, w, 2, m, 3, plain, 4);
                for (int j = 0; j < out.length; j++) {
                    double expected = out[j];
                    if (j >= 4) for (int i = 0; i < n; i++) expected += (double) w[2 + i] * m[3 + i * width + j - 4];
                    assertEquals(expected, vec[j], 1e-5 * (1 + Math.abs(expected)), "vector, width " + width + " n " + n);
                    assertEquals(expected, plain[j], 1e-5 * (1 + Math.abs(expected)), "plain loops, width " + width + " n " + n);
                }
            }
        }
    }

    @Test
    void vectorAdamIsBitIdenticalToThePlainLoopAndMatchesTheFormula() {
        java.util.Random r = new java.util.Random(11);
        for (int n : new int[] {0, 1, 7, 16, 20, 64, 100}) {
            for (float wd : new float[] {0f, 1e-2f}) {
                float[] w = new float[n + 3], m = new float[n + 3], v = new float[n + 3], g = new float[n + 1];
                for (int i = 0; i < w.length; i++) {
                    w[i] = (float) r.nextGaussian();
                    m[i] = (float) r.nextGaussian() * 0.1f;
                    v[i] = (float) Math.abs(r.nextGaussian()) * 0.01f;
                }
                for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
                float[] wv = w.clone(), mv = m.clone(), vv = v.clone(), wp = w.clone(), mp = m.clone(), vp = v.clone();
                VectorKernels.adam(n, wv, 3, g, 1, mv, vv, 0.9f, 0.999f, 1e-3f, 1e-8f, wd);
                Kernels.adamPlain(n, wp, 3, g, 1, mp, vp, 0.9f, 0.999f, 1e-3f, 1e-8f, wd);
                for (int i = 0; i < w.length; i++) {
                    assertEquals(wp[i], wv[i], 0f, "w, n " + n + " i " + i);
                    assertEquals(mp[i], mv[i], 0f, "m, n " + n + " i " + i);
                    assertEquals(vp[i], vv[i], 0f, "v, n " + n + " i " + i);
                    if (i < 3) {
                        assertEquals(w[i], wp[i], 0f, "outside the slice untouched");
                        continue;
                    }
                    double gj = g[i - 2] + wd * (double) w[i], mi = 0.9 * m[i] + 0.1 * gj, vi = 0.999 * v[i] + 0.001 * gj * gj;
                    assertEquals(mi, mp[i], 1e-6 * (1 + Math.abs(mi)));
                    assertEquals(vi, vp[i], 1e-6 * (1 + vi));
                    assertEquals(w[i] - 1e-3 * mi / (Math.sqrt(vi) + 1e-8), wp[i], 1e-6 * (1 + Math.abs(w[i])));
                }
            }
        }
    }

    @Test
    void maxDotsIsBitIdenticalInBothPathsAndIsTheMaxOverInterests() {
        java.util.Random r = new java.util.Random(13);
        for (int d : new int[] {1, 3, 64}) {
            for (int k : new int[] {1, 3, 4, 5, 8, 9}) {
                for (int n : new int[] {0, 1, 15, 16, 33, 70, 200}) {
                    int zOff = 2, ld = n + 5;
                    float[] z = new float[zOff + k * d], vt = new float[3 + d * ld];
                    for (int i = 0; i < z.length; i++) z[i] = (float) r.nextGaussian();
                    for (int i = 0; i < vt.length; i++) vt[i] = (float) r.nextGaussian();
                    if (n > 1) vt[3 + 1] = Float.NaN; // column 1's first coordinate: NaN propagates the same way
                    float[] vec = new float[n + 1], plain = new float[n + 1];
                    VectorKernels.maxDots(z, zOff, k, d, vt, 3, ld, n, vec);
                    Kernels.maxDotsPlain(z, zOff, k, d, vt, 3, ld, 0, n, plain);
                    for (int j = 0; j < n; j++) {
                        String at = "d " + d + " k " + k + " n " + n + " j " + j;
                        assertEquals(Float.floatToRawIntBits(plain[j]), Float.floatToRawIntBits(vec[j]), at);
                        double best = Double.NEGATIVE_INFINITY;
                        for (int q = 0; q < k; q++) {
                            double s = 0;
                            for (int c = 0; c < d; c++) s += (double) z[zOff + q * d + c] * vt[3 + c * ld + j];
                            best = Math.max(best, s);
                            assertEquals(Kernels.dotColumn(z, zOff + q * d, d, vt, 3 + j, ld) <= plain[j] || j == 1, true, at);
                        }
                        if (j == 1) assertEquals(Float.NaN, plain[j], at);
                        else assertEquals(best, plain[j], 1e-5 * (1 + Math.abs(best)), at);
                    }
                    assertEquals(0f, vec[n], 0f, "nothing written past n");
                }
            }
        }
    }

    @Test
    void tanhApproximationIsWithinAFewUlpOfMathTanh() {
        double worst = 0;
        for (float x = -12f; x <= 12f; x += 0.001f) {
            worst = Math.max(worst, Math.abs(Kernels.tanh(x) - Math.tanh(x)));
        }
        assertEquals(0, worst, 5e-7, "max |tanh error|");
        assertEquals(1f, Kernels.tanh(50f));
        assertEquals(-1f, Kernels.tanh(-50f));
        assertEquals(0f, Kernels.tanh(0f));
    }

    @Test
    void softmaxAndItsBackwardMatchFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 7;
        double[] x = new double[n], g = new double[n];
        for (int i = 0; i < n; i++) { x[i] = rng.nextDouble() * 4 - 2; g[i] = rng.nextDouble() - 0.5; }
        float[] p = new float[n], dg = new float[n];
        for (int i = 0; i < n; i++) { p[i] = (float) x[i]; dg[i] = (float) g[i]; }
        Kernels.softmaxInPlace(p, 0, n);
        Kernels.softmaxBackward(p, 0, dg, 0, n);
        // L = Σ g_i softmax(x)_i, differentiated numerically in double.
        for (int j = 0; j < n; j++) {
            double h = 1e-6;
            x[j] += h; double lp = dotSoftmax(x, g);
            x[j] -= 2 * h; double lm = dotSoftmax(x, g);
            x[j] += h;
            assertEquals((lp - lm) / (2 * h), dg[j], 1e-5);
        }
    }

    private static double dotSoftmax(double[] x, double[] g) {
        double max = Double.NEGATIVE_INFINITY, sum = 0, out = 0;
        for (double v : x) max = Math.max(max, v);
        for (double v : x) sum += Math.exp(v - max);
        for (int i = 0; i < x.length; i++) out += g[i] * Math.exp(x[i] - max) / sum;
        return out;
    }

    @Test
    void gemmMatchesNaiveProductForEveryTransposeCombination() {
        SplittableRandom rng = new SplittableRandom(2);
        int m = 5, n = 7, k = 3;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                float[] a = random(rng, m * k), b = random(rng, k * n), c = random(rng, m * n);
                float[] expected = new float[m * n];
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int l = 0; l < k; l++) {
                            float av = ta ? a[l * m + i] : a[i * k + l];
                            float bv = tb ? b[j * k + l] : b[l * n + j];
                            s += av * bv;
                        }
                        expected[i * n + j] = (float) (2 * s + 0.5 * c[i * n + j]);
                    }
                }
                Blas.gemm(ta, tb, m, n, k, 2f, a, 0, b, 0, 0.5f, c, 0);
                for (int i = 0; i < m * n; i++) assertEquals(expected[i], c[i], 1e-5, "ta=" + ta + " tb=" + tb);
            }
        }
    }

    private static float[] random(SplittableRandom rng, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() * 2 - 1);
        return a;
    }
}
