package org.re4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.re4j.config.AdamConfig;
import org.re4j.model.Param;

class AdamTest {

    /** Reference Adam in double, straight from the paper's algorithm 1 (with L2 weight decay in the gradient). */
    static double[] reference(double w, double[] grads, double lr, double wd) {
        double m = 0, v = 0;
        double[] out = new double[grads.length];
        for (int t = 1; t <= grads.length; t++) {
            double g = grads[t - 1] + wd * w;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            double mh = m / (1 - Math.pow(0.9, t)), vh = v / (1 - Math.pow(0.999, t));
            w -= lr * mh / (Math.sqrt(vh) + 1e-8);
            out[t - 1] = w;
        }
        return out;
    }

    @Test
    void denseParameterFollowsTheReference() {
        Param p = Param.dense("w", 1, 1);
        p.value[0] = 0.5f;
        Adam adam = new Adam(new AdamConfig(0.01, 0.9, 0.999, 1e-8, 0.1, AdamConfig.Updates.LAZY), List.of(p));
        double[] grads = {0.3, -0.2, 0.05, 1.0, -0.7};
        double[] ref = reference(0.5, grads, 0.01, 0.1);
        for (int t = 0; t < grads.length; t++) {
            p.grad[0] = (float) grads[t];
            adam.step();
            assertEquals(ref[t], p.value[0], 1e-6);
            assertEquals(0f, p.grad[0], "gradient cleared after the step");
        }
    }

    @Test
    void lazyAdamTouchesOnlyTheRowsOfTheBatch() {
        Param lazy = Param.rowSparse("e", 4, 2), dense = Param.rowSparse("e", 4, 2);
        for (int i = 0; i < 8; i++) lazy.value[i] = dense.value[i] = i;
        Adam a = new Adam(new AdamConfig(0.1, 0.9, 0.999, 1e-8, 0, AdamConfig.Updates.LAZY), List.of(lazy));
        Adam b = new Adam(new AdamConfig(0.1, 0.9, 0.999, 1e-8, 0, AdamConfig.Updates.DENSE), List.of(dense));
        // Step 1 touches row 1; step 2 touches row 2. Lazy leaves row 1 alone in step 2; dense keeps moving it.
        for (Param p : new Param[] {lazy, dense}) { int o = p.rowGrads.offset(1); p.rowGrads.values()[o] = 1f; p.rowGrads.values()[o + 1] = -1f; }
        a.step(); b.step();
        assertArrayEquals(lazy.value, dense.value, "identical after a step that touched the same rows");
        float[] afterFirst = lazy.value.clone();
        for (Param p : new Param[] {lazy, dense}) { int o = p.rowGrads.offset(2); p.rowGrads.values()[o] = 0.5f; }
        a.step(); b.step();
        assertEquals(afterFirst[2], lazy.value[2], "lazy: untouched row 1 unchanged");
        assertEquals(afterFirst[0], lazy.value[0], "lazy: row 0 never touched");
        assertEquals(true, dense.value[2] < afterFirst[2], "dense: row 1 keeps moving on its momentum");
        // Row 2's first update, with the bias correction of the global step t = 2 (TensorFlow's LazyAdam).
        double mh = 0.1 * 0.5 / (1 - 0.9 * 0.9), vh = 0.001 * 0.25 / (1 - 0.999 * 0.999);
        assertEquals(4 - 0.1 * mh / (Math.sqrt(vh) + 1e-8), lazy.value[4], 1e-6);
    }

    @Test
    void lazyAdamPairsEachRowWithItsOwnGradientWhateverTheTouchOrder() {
        // Rows touched out of order (3, 0, 2): the lazy update sorts rows, and each must keep its own gradient.
        Param lazy = Param.rowSparse("e", 5, 3), dense = Param.rowSparse("e", 5, 3);
        for (int i = 0; i < 15; i++) lazy.value[i] = dense.value[i] = 0.1f * i;
        Adam a = new Adam(new AdamConfig(0.1, 0.9, 0.999, 1e-8, 0, AdamConfig.Updates.LAZY), List.of(lazy));
        Adam b = new Adam(new AdamConfig(0.1, 0.9, 0.999, 1e-8, 0, AdamConfig.Updates.DENSE), List.of(dense));
        int[] rows = {3, 0, 2};
        float[][] grads = {{1f, -2f, 0.5f}, {-0.25f, 3f, 1f}, {2f, 0f, -1f}};
        for (Param p : new Param[] {lazy, dense}) {
            for (int r = 0; r < rows.length; r++) {
                int o = p.rowGrads.offset(rows[r]);
                System.arraycopy(grads[r], 0, p.rowGrads.values(), o, 3);
            }
        }
        a.step(); b.step();
        // On the first step an untouched row does not move under dense Adam either (zero moments), so the two agree.
        assertArrayEquals(dense.value, lazy.value, 0f);
    }
}
