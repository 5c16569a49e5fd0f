package org.re4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.re4j.model.Param;
import org.re4j.model.ParamSet;
import org.re4j.model.RowGrads;

/**
 * Finite-difference check of analytic gradients. The models compute in float, so the check uses central
 * differences with a step large enough for float round-off (h = 1e-2 by default) on problems scaled so that
 * gradients are O(0.01–1), and accepts a small relative error. Each parameter is checked both entry by entry (a
 * sample of entries) and along a random direction over all its entries, which averages out round-off.
 */
public final class GradCheck {

    private GradCheck() {}

    /**
     * @param params  the parameters to check
     * @param loss    recomputes the loss from the current parameter values (no gradient side effects needed)
     * @param backward zeroes the gradients, then runs forward + backward once at the current values
     */
    public static void check(ParamSet params, DoubleSupplier loss, Runnable backward, double h, double relTol) {
        backward.run();
        // Copy analytic gradients first: loss() may reuse buffers.
        List<float[]> analytic = new ArrayList<>();
        for (Param p : params.all()) analytic.add(denseGrad(p));
        SplittableRandom rng = new SplittableRandom(7);
        for (int pi = 0; pi < params.all().size(); pi++) {
            Param p = params.all().get(pi);
            float[] g = analytic.get(pi);
            // 1. Entries: a sample, preferring those with a gradient (sparse tables are mostly zero).
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < p.size() && idx.size() < 12; i++) if (g[i] != 0f && rng.nextInt(3) == 0) idx.add(i);
            for (int j = 0; j < 3; j++) idx.add(rng.nextInt(p.size()));
            for (int i : idx) {
                float w = p.value[i];
                p.value[i] = w + (float) h;
                double lp = loss.getAsDouble();
                p.value[i] = w - (float) h;
                double lm = loss.getAsDouble();
                p.value[i] = w;
                double fd = (lp - lm) / (2 * h);
                double an = g[i];
                double tol = relTol * Math.max(Math.abs(fd), Math.abs(an)) + 2e-4;
                assertTrue(Math.abs(fd - an) <= tol,
                        p.name + "[" + i + "]: analytic " + an + " vs finite difference " + fd);
            }
            // 2. A random direction over all entries that have a gradient or are ordinary dense entries.
            float[] dir = new float[p.size()];
            double expected = 0;
            for (int i = 0; i < p.size(); i++) {
                if (p.isRowSparse() && g[i] == 0f) continue; // untouched rows: their zero gradient is exact
                dir[i] = (float) (rng.nextDouble() * 2 - 1);
                expected += dir[i] * g[i];
            }
            float[] saved = p.value.clone();
            double step = h / 4;
            for (int i = 0; i < p.size(); i++) p.value[i] = saved[i] + (float) (step * dir[i]);
            double lp = loss.getAsDouble();
            for (int i = 0; i < p.size(); i++) p.value[i] = saved[i] - (float) (step * dir[i]);
            double lm = loss.getAsDouble();
            System.arraycopy(saved, 0, p.value, 0, saved.length);
            double fd = (lp - lm) / (2 * step);
            double tol = relTol * Math.max(Math.abs(fd), Math.abs(expected)) + 2e-4;
            assertTrue(Math.abs(fd - expected) <= tol,
                    p.name + " along a random direction: analytic " + expected + " vs finite difference " + fd);
        }
    }

    /** The parameter's gradient as a dense array (row-sparse gradients scattered). */
    public static float[] denseGrad(Param p) {
        if (!p.isRowSparse()) return p.grad.clone();
        float[] out = new float[p.size()];
        RowGrads rg = p.rowGrads;
        for (int i = 0; i < rg.count(); i++) {
            System.arraycopy(rg.values(), i * p.cols, out, rg.row(i) * p.cols, p.cols);
        }
        return out;
    }
}
