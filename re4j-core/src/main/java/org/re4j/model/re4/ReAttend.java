package org.re4j.model.re4;

import org.re4j.math.Kernels;
import org.re4j.math.Parallel;

/**
 * Re-attend (paper eq. 7–8): the interest z_k, once formed, re-attends over the history by the recommendation
 * criterion itself, ã_{k,i} = softmax_i(z_k·x_i) over the user's real items, and the forward attention a_{k,·} is
 * pulled towards it by the cross-entropy L_Att = −(1/(B·K)) Σ_{u,k} Σ_i ã_{k,i} log a_{k,i}.
 *
 * <p><b>Which side is the target.</b> ã is the target distribution and a the prediction, as in eq. 8 and in the
 * authors' code (soft target ã against the log-softmax of the attention logits). By default the target is
 * <em>detached</em> (no gradient through ã into z and x): the flow's job is to correct the attention towards what the
 * interest actually matches, not to move the interest towards its own attention, which the forward flow already
 * does. {@code detachTarget = false} lets gradients through both sides, as the authors' code does (their preset).
 */
public final class ReAttend {

    /**
     * @param weight       λ_Att
     * @param detachTarget no gradient through the target ã (see the class comment)
     */
    public record Config(double weight, boolean detachTarget) {
        public Config {
            if (!(weight >= 0)) throw new IllegalArgumentException("λ_Att must be ≥ 0, got " + weight);
        }

        /** The paper's λ_Att 0.1, target detached. */
        public static Config paper() {
            return new Config(0.1, true);
        }

        public Config withWeight(double v) { return new Config(v, detachTarget); }
        public Config withDetachTarget(boolean v) { return new Config(weight, v); }
    }

    private final double weight;
    private final boolean detachTarget;
    private double[] userLoss = new double[0];

    public ReAttend(Config cfg) {
        this.weight = cfg.weight();
        this.detachTarget = cfg.detachTarget();
    }

    /** Adds λ_Att·L_Att's gradients into {@code g}; returns λ_Att·L_Att. */
    public double loss(FlowInput in, FlowGrads g) {
        return loss(in, WholeBatch.of(in), g);
    }

    /** The same for a part of a batch: averaged over the whole batch's users, returns the part's share. */
    public double loss(FlowInput in, WholeBatch whole, FlowGrads g) {
        final int k = in.k(), d = in.d();
        final double c = weight / ((double) whole.count() * k);
        final float[] a = in.attention(), x = in.x(), z = in.z();
        if (userLoss.length < in.count()) userLoss = new double[in.count()];
        // Per user: only its own attention logits, interests and history rows are written.
        Parallel.forRange(in.count(), 8, (from, to) -> {
            double[] s = new double[64];
            for (int u = from; u < to; u++) {
                int len = in.len(u), base = in.rowStart()[u];
                if (s.length < len) s = new double[len];
                double total = 0;
                for (int kk = 0; kk < k; kk++) {
                    int zo = (u * k + kk) * d, ao = in.att(u, kk, 0);
                    // ã = softmax(z_k · x_i)
                    double max = Double.NEGATIVE_INFINITY;
                    for (int i = 0; i < len; i++) max = Math.max(max, s[i] = Kernels.dot(z, zo, x, (base + i) * d, d));
                    double sum = 0;
                    for (int i = 0; i < len; i++) sum += s[i] = Math.exp(s[i] - max);
                    double dot = 0;
                    for (int i = 0; i < len; i++) {
                        s[i] /= sum;
                        double logA = Math.log(Math.max(a[ao + i], 1e-30));
                        total -= s[i] * logA;
                        dot += s[i] * logA;
                    }
                    // d/d(logits of a) of −Σ ã log a = a − ã  (Σ ã = 1)
                    for (int i = 0; i < len; i++) g.dLogits[ao + i] += (float) (c * (a[ao + i] - s[i]));
                    if (!detachTarget) {
                        // dL/dã_i = −log a_i; through the softmax: ds_i = ã_i (−log a_i − Σ_j ã_j (−log a_j)).
                        for (int i = 0; i < len; i++) {
                            float ds = (float) (c * s[i] * (-Math.log(Math.max(a[ao + i], 1e-30)) + dot));
                            int xo = (base + i) * d;
                            Kernels.axpy(d, ds, x, xo, g.dZ, zo);
                            Kernels.axpy(d, ds, z, zo, g.dX, xo);
                        }
                    }
                }
                userLoss[u] = total;
            }
        });
        double total = 0;
        for (int u = 0; u < in.count(); u++) total += userLoss[u];
        return c * total;
    }
}
