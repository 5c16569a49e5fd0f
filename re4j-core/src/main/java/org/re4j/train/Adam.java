package org.re4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.re4j.config.AdamConfig;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;
import org.re4j.model.Param;
import org.re4j.model.RowGrads;

/**
 * Adam (Kingma &amp; Ba, algorithm 1) with optional L2 weight decay added to the gradient (PyTorch's
 * {@code weight_decay}).
 *
 * <p>Row-sparse parameters (embedding tables) are updated <b>lazily</b> by default: only the rows the batch touched
 * get their moments and values updated, as TensorFlow's LazyAdam and PyTorch's SparseAdam do; a step costs
 * O(rows touched). With {@code lazy = false} every row is updated every step (untouched rows see a zero gradient and
 * keep moving on their momentum), as dense Adam on a dense gradient does: exact Adam, O(table) per step, offered
 * for comparison.
 */
public final class Adam {

    private final AdamConfig s;
    private final List<Param> params;
    private final List<float[]> m = new ArrayList<>();
    private final List<float[]> v = new ArrayList<>();
    private long t;
    private long[] order = new long[0]; // (row << 32 | slot) of the touched rows, sorted by row

    public Adam(AdamConfig settings, List<Param> params) {
        this.s = settings;
        this.params = List.copyOf(params);
        for (Param p : params) {
            m.add(new float[p.size()]);
            v.add(new float[p.size()]);
        }
    }

    public AdamConfig settings() {
        return s;
    }

    public long steps() {
        return t;
    }

    /** The first moments, one array per parameter in the order given (live: for a checkpoint to read). */
    public List<float[]> firstMoments() {
        return java.util.Collections.unmodifiableList(m);
    }

    /** The second moments, as {@link #firstMoments()}. */
    public List<float[]> secondMoments() {
        return java.util.Collections.unmodifiableList(v);
    }

    /** Continues from a checkpoint: {@code steps} updates done, these moments (copied in). */
    public void restore(long steps, List<float[]> first, List<float[]> second) {
        if (steps < 0 || first.size() != m.size() || second.size() != v.size()) {
            throw new IllegalArgumentException("Adam state of another model: " + first.size() + " parameters, expected " + m.size());
        }
        for (int i = 0; i < m.size(); i++) {
            if (first.get(i).length != m.get(i).length || second.get(i).length != v.get(i).length) {
                throw new IllegalArgumentException("Adam state of another model: parameter " + params.get(i).name + " differs in size");
            }
            System.arraycopy(first.get(i), 0, m.get(i), 0, m.get(i).length);
            System.arraycopy(second.get(i), 0, v.get(i), 0, v.get(i).length);
        }
        t = steps;
    }

    /** Applies one update from the accumulated gradients, then clears them. */
    public void step() {
        t++;
        float b1 = (float) s.beta1(), b2 = (float) s.beta2();
        // Bias corrections folded into the step size and epsilon: lr·m̂/(√v̂+ε) = lrT·m/(√v + ε·√(1−β2^t)).
        double c1 = 1 - Math.pow(s.beta1(), t), c2 = 1 - Math.pow(s.beta2(), t);
        float lrT = (float) (s.lr() * Math.sqrt(c2) / c1);
        float epsT = (float) (s.eps() * Math.sqrt(c2));
        float wd = (float) s.weightDecay();
        for (int pi = 0; pi < params.size(); pi++) {
            Param p = params.get(pi);
            float[] mp = m.get(pi), vp = v.get(pi);
            if (!p.isRowSparse()) {
                Parallel.forRange(p.size(), 1 << 14,
                        (from, to) -> Kernels.adam(to - from, p.value, from, p.grad, from, mp, vp, b1, b2, lrT, epsT, wd));
            } else if (s.lazy()) {
                RowGrads g = p.rowGrads;
                int c = p.cols, n = g.count();
                // In increasing row order: popular items have small ids, so the rows cluster and memory is read
                // more sequentially than in the order the batch touched them. The gradient slot travels with the
                // row, so the table-sized row → slot index is not read again (a cache miss per row on large tables).
                if (order.length < n) order = new long[Math.max(n, order.length * 2)];
                for (int i = 0; i < n; i++) order[i] = (long) g.row(i) << 32 | i;
                Arrays.sort(order, 0, n);
                final long[] rows = order;
                Parallel.forRange(n, 256, (from, to) -> { // touched rows are distinct: disjoint writes
                    for (int i = from; i < to; i++) {
                        int row = (int) (rows[i] >>> 32), slot = (int) rows[i];
                        Kernels.adam(c, p.value, row * c, g.values(), slot * c, mp, vp, b1, b2, lrT, epsT, wd);
                    }
                });
            } else {
                denseRows(p, mp, vp, b1, b2, lrT, epsT, wd);
            }
            p.zeroGrad();
        }
    }

    private static void denseRows(Param p, float[] m, float[] v, float b1, float b2, float lrT, float epsT, float wd) {
        int c = p.cols;
        float[] zero = new float[c];
        RowGrads g = p.rowGrads;
        for (int row = 0; row < p.rows; row++) {
            int off = g.offsetIfTouched(row);
            if (off >= 0) Kernels.adam(c, p.value, row * c, g.values(), off, m, v, b1, b2, lrT, epsT, wd);
            else Kernels.adam(c, p.value, row * c, zero, 0, m, v, b1, b2, lrT, epsT, wd);
        }
    }
}
