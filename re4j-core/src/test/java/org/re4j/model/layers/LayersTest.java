package org.re4j.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.re4j.GradCheck;
import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/** Each shared layer's backward against finite differences, through a loss L = Σ c ⊙ output with random c. */
class LayersTest {

    static float[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return x;
    }

    static double dot(float[] a, float[] b, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[i] * b[i];
        return s;
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void denseBackwardMatchesFiniteDifferences(Activation f) {
        int rows = 5, in = 4, out = 3;
        Param w = Param.dense("w", in, out), b = Param.dense("b", 1, out), x = Param.dense("x", rows, in);
        System.arraycopy(random(in * out, 1, 0.8), 0, w.value, 0, in * out);
        System.arraycopy(random(out, 2, 0.5), 0, b.value, 0, out);
        System.arraycopy(random(rows * in, 3, 1), 0, x.value, 0, rows * in);
        ParamSet ps = new ParamSet();
        ps.add(w);
        ps.add(b);
        ps.add(x);
        Dense layer = new Dense(w, b, f);
        float[] c = random(rows * out, 4, 1), y = new float[rows * out], dx = new float[rows * in];
        GradCheck.check(ps, () -> { layer.forward(x.value, rows, y); return dot(c, y, y.length); },
                () -> {
                    ps.zeroGrad();
                    layer.forward(x.value, rows, y);
                    float[] dy = c.clone();
                    layer.backward(x.value, y, dy, rows, dx);
                    assertArrayEquals(c, dy, "dy is left unchanged");
                    System.arraycopy(dx, 0, x.grad, 0, dx.length);
                }, 1e-2, 2e-2);
    }

    @Test
    void packedSoftmaxBackwardMatchesFiniteDifferencesAndSumsToOne() {
        int k = 3;
        int[] rowStart = {0, 4, 5, 8}; // lengths 4, 1, 3
        int rows = 8;
        Param g = Param.dense("logits", rows, k);
        System.arraycopy(random(rows * k, 5, 2), 0, g.value, 0, rows * k);
        float[] extra = random(rows * k, 6, 0.3), c = random(rows * k, 7, 1), a = new float[rows * k];
        ParamSet ps = new ParamSet();
        ps.add(g);
        Runnable forward = () -> {
            for (int u = 0; u < 3; u++) PackedSoftmax.forward(g.value, k, rowStart[u], rowStart[u + 1] - rowStart[u], a);
        };
        // L = Σ c ⊙ a + Σ extra ⊙ logits (in a's packed layout): extra is a gradient added on the logits.
        GradCheck.check(ps, () -> {
            forward.run();
            double l = dot(c, a, a.length);
            for (int u = 0; u < 3; u++) {
                int len = rowStart[u + 1] - rowStart[u];
                for (int kk = 0; kk < k; kk++) for (int i = 0; i < len; i++) l += extra[k * rowStart[u] + kk * len + i] * g.value[(rowStart[u] + i) * k + kk];
            }
            return l;
        }, () -> {
            ps.zeroGrad();
            forward.run();
            float[] da = c.clone();
            for (int u = 0; u < 3; u++) PackedSoftmax.backward(a, da, extra, k, rowStart[u], rowStart[u + 1] - rowStart[u], g.grad);
        }, 1e-2, 2e-2);
        forward.run();
        for (int u = 0; u < 3; u++) {
            int len = rowStart[u + 1] - rowStart[u];
            for (int kk = 0; kk < k; kk++) {
                double s = 0;
                for (int i = 0; i < len; i++) s += a[k * rowStart[u] + kk * len + i];
                assertEquals(1.0, s, 1e-6);
            }
        }
    }

    @Test
    void embeddingScatterIsTheGradientOfGatherWithRepeatedItems() {
        int d = 4;
        Param table = Param.rowSparse("items", 6, d);
        System.arraycopy(random(6 * d, 8, 1), 0, table.value, 0, 6 * d);
        int[] items = {3, 1, 3, 5, 3}; // item 3 three times
        float[] c = random(items.length * d, 9, 1), out = new float[items.length * d];
        ParamSet ps = new ParamSet();
        ps.add(table);
        GradCheck.check(ps, () -> { Embedding.gather(table.value, d, items, items.length, out); return dot(c, out, out.length); },
                () -> {
                    ps.zeroGrad();
                    Embedding.gather(table.value, d, items, items.length, out);
                    Embedding.scatterAdd(table.rowGrads, d, items, items.length, c);
                }, 1e-2, 2e-2);
        assertEquals(3, table.rowGrads.count(), "one gradient row per distinct item");
    }

    @Test
    void historiesArePackedAndBadOnesRefused() {
        int L = 4, n = 9;
        int[] hist = {1, 2, 0, 0, 7, 0, 0, 0, 3, 3, 9, 5};
        int[] lengths = {2, 1, 4};
        int[] rowStart = new int[4], rowItem = new int[7], rowPos = new int[7];
        assertEquals(7, Histories.rows(lengths, 3, L));
        assertEquals(7, Histories.pack(hist, lengths, 3, L, n, false, rowStart, rowItem, rowPos));
        assertArrayEquals(new int[] {0, 2, 3, 7}, rowStart);
        assertArrayEquals(new int[] {1, 2, 7, 3, 3, 9, 5}, rowItem);
        assertArrayEquals(new int[] {0, 1, 0, 0, 1, 2, 3}, rowPos);
        hist[5] = 42; // after user 1's length: padding, ignored
        Histories.validate(hist, lengths, 3, L, n);
        var zero = assertThrows(IllegalArgumentException.class, () -> Histories.validate(new int[] {1, 0, 0, 0}, new int[] {2}, 1, L, n));
        assertTrue(zero.getMessage().contains("item id 0"), zero.getMessage());
        var big = assertThrows(IllegalArgumentException.class, () -> Histories.validate(new int[] {10, 0, 0, 0}, new int[] {1}, 1, L, n));
        assertTrue(big.getMessage().contains("out of range"), big.getMessage());
        var empty = assertThrows(IllegalArgumentException.class, () -> Histories.rows(new int[] {0}, 1, L));
        assertTrue(empty.getMessage().contains("history length 0"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Histories.rows(new int[] {5}, 1, L));
    }
}
