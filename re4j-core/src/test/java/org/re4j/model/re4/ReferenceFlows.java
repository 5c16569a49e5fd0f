package org.re4j.model.re4;

import static org.re4j.ReferenceMath.logSumExp;
import static org.re4j.ReferenceMath.softmax;
import static org.re4j.ReferenceMath.softmaxBackward;
import static org.re4j.ReferenceMath.toDouble;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.re4j.model.Param;

/**
 * Plain references of Re4's three backward flows in double precision: loops over users, interests, positions and
 * dimensions straight from the paper's equations (numbers as in the fast classes' Javadoc), with none of the fast
 * versions' layouts (no transposes, no length groups, no BLAS, no threads). Each returns the λ-weighted loss and its
 * gradients on the interests z, the history rows x, the attention logits (packed as {@link FlowInput}: user u's
 * a_{k,i} at K·rowStart[u] + k·len_u + i), the item table (dense [(N + 1) × d], Re-contrast's sampled items) and
 * Re-construct's own parameters (keyed by their names).
 *
 * <p>The inputs are copied into a {@link Batch} of double arrays; the {@code Batch} overloads let a test perturb them
 * for finite differences.
 */
public final class ReferenceFlows {

    private ReferenceFlows() {}

    /** A {@link FlowInput} in double; {@code a}, {@code x}, {@code z} are fresh copies. */
    public record Batch(int count, int k, int d, int[] rowStart, int[] rowItems, boolean[] positive, double[] a,
                        double[] x, double[] z) {
        public static Batch of(FlowInput in) {
            int rows = in.rows();
            return new Batch(in.count(), in.k(), in.d(), in.rowStart().clone(), java.util.Arrays.copyOf(in.rowItems(), rows),
                    java.util.Arrays.copyOf(in.positive(), in.k() * rows), toDouble(in.attention(), in.k() * rows),
                    toDouble(in.x(), rows * in.d()), toDouble(in.z(), in.count() * in.k() * in.d()));
        }

        int len(int u) { return rowStart[u + 1] - rowStart[u]; }
        int rows() { return rowStart[count]; }
        int att(int u, int kk, int i) { return k * rowStart[u] + kk * len(u) + i; }
    }

    /** A flow's loss and gradients; {@code dItems} null except for Re-contrast, {@code params} empty except for Re-construct. */
    public record Grads(double loss, double[] dZ, double[] dX, double[] dLogits, double[] dItems, Map<String, double[]> params) {
        static Grads zero(Batch b, int itemsLength) {
            return new Grads(0, new double[b.count * b.k * b.d], new double[b.rows() * b.d], new double[b.k * b.rows()],
                    itemsLength >= 0 ? new double[itemsLength] : null, new LinkedHashMap<>());
        }

        Grads withLoss(double l) { return new Grads(l, dZ, dX, dLogits, dItems, params); }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Re-contrast (eq. 3–6)

    public static Grads reContrast(FlowInput in, ReContrast.Config cfg, int maxLen, int[] sampled, float[] items) {
        return reContrast(Batch.of(in), cfg, maxLen, sampled, toDouble(items, items.length));
    }

    /**
     * For every interest z_k of every user and every positive p ∈ P_k = {i : a_{k,i} > γ_c} (given as {@code positive}):
     *
     * <pre>
     *   term_{k,p} = −log( e^{sim(z_k, x_p)/τ} / (e^{sim(z_k, x_p)/τ} + Σ_{n ∈ N_k} e^{sim(z_k, n)/τ}) )
     *   N_k = { x_i : i not in P_k }  ∪  { z_k' : k' ≠ k }  ∪  { E[s] : s sampled, s not in the user's history }
     *         ∪ { x_i of the previous user (u − 1 mod B) }   (PREVIOUS_USER only, B > 1)
     *   L   = λ_CL / (number of positive terms, or B·K·N_x for ALL_CELLS) · Σ term_{k,p}
     * </pre>
     *
     * with sim(a, b) = a·b / (|a| |b|), |v| = √(v·v + 10⁻¹²) (as the fast version). No gradient through P_k.
     */
    public static Grads reContrast(Batch b, ReContrast.Config cfg, int maxLen, int[] sampled, double[] items) {
        Grads g = Grads.zero(b, items.length);
        int positives = 0;
        for (int q = 0; q < b.k * b.rows(); q++) if (b.positive[q]) positives++;
        if (positives == 0) return g;
        double c = cfg.weight() / (cfg.averaging() == Averaging.ALL_CELLS ? (double) b.count * b.k * maxLen : positives);
        boolean previousUser = cfg.negativeSource() == ReContrast.NegativeSource.PREVIOUS_USER && b.count > 1;
        double tau = cfg.tau(), loss = 0;
        for (int u = 0; u < b.count; u++) {
            int r0 = b.rowStart[u], len = b.len(u);
            for (int kk = 0; kk < b.k; kk++) {
                Vec zk = new Vec(b.z, g.dZ, (u * b.k + kk) * b.d);
                List<Vec> pos = new ArrayList<>(), neg = new ArrayList<>();
                for (int i = 0; i < len; i++) (b.positive[b.att(u, kk, i)] ? pos : neg).add(new Vec(b.x, g.dX, (r0 + i) * b.d));
                if (pos.isEmpty()) continue;
                for (int k2 = 0; k2 < b.k; k2++) if (k2 != kk) neg.add(new Vec(b.z, g.dZ, (u * b.k + k2) * b.d));
                if (previousUser) {
                    int prev = (u + b.count - 1) % b.count;
                    for (int r = b.rowStart[prev]; r < b.rowStart[prev + 1]; r++) neg.add(new Vec(b.x, g.dX, r * b.d));
                }
                for (int s : sampled) {
                    boolean inHistory = false;
                    for (int r = r0; r < r0 + len; r++) inHistory |= b.rowItems[r] == s;
                    if (!inHistory) neg.add(new Vec(items, g.dItems, s * b.d));
                }
                for (Vec p : pos) {
                    // Candidates: the positive first, then the negatives; logits l_j = sim(z_k, cand_j)/τ.
                    List<Vec> cand = new ArrayList<>();
                    cand.add(p);
                    // The authors' denominator holds the whole history: the other positives too.
                    if (cfg.denominator() == ReContrast.Denominator.ALL_HISTORY) for (Vec o : pos) if (o != p) cand.add(o);
                    cand.addAll(neg);
                    double[] l = new double[cand.size()];
                    for (int j = 0; j < l.length; j++) l[j] = cosine(zk, cand.get(j), b.d) / tau;
                    // term = logΣ_j e^{l_j} − l_0;  d term / d l_j = softmax(l)_j − [j = 0]
                    loss += c * (logSumExp(l) - l[0]);
                    double[] q = softmax(l);
                    for (int j = 0; j < l.length; j++) cosineBackward(zk, cand.get(j), b.d, c * (q[j] - (j == 0 ? 1 : 0)) / tau);
                }
            }
        }
        return g.withLoss(loss);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Re-attend (eq. 7–8)

    public static Grads reAttend(FlowInput in, ReAttend.Config cfg) {
        return reAttend(Batch.of(in), cfg);
    }

    /**
     * <pre>
     *   ã_{k,i} = softmax_i(z_k · x_i)                                  over the user's real positions
     *   L       = −λ_Att / (B·K) · Σ_{u,k} Σ_i ã_{k,i} log a_{k,i}
     * </pre>
     *
     * The gradient on a goes through a's softmax to its logits; with {@code detachTarget} none flows through ã.
     */
    public static Grads reAttend(Batch b, ReAttend.Config cfg) {
        Grads g = Grads.zero(b, -1);
        double c = cfg.weight() / ((double) b.count * b.k), loss = 0;
        for (int u = 0; u < b.count; u++) {
            int r0 = b.rowStart[u], len = b.len(u);
            for (int kk = 0; kk < b.k; kk++) {
                int zo = (u * b.k + kk) * b.d;
                double[] s = new double[len], a = new double[len];
                for (int i = 0; i < len; i++) {
                    a[i] = b.a[b.att(u, kk, i)];
                    for (int j = 0; j < b.d; j++) s[i] += b.z[zo + j] * b.x[(r0 + i) * b.d + j];
                }
                double[] t = softmax(s);
                double[] dA = new double[len], dT = new double[len];
                for (int i = 0; i < len; i++) {
                    loss -= c * t[i] * Math.log(a[i]);
                    dA[i] = -c * t[i] / a[i];
                    dT[i] = -c * Math.log(a[i]);
                }
                // a = softmax(logits): dL/dlogits = a ⊙ (dA − a·dA)
                double[] dl = softmaxBackward(a, dA);
                for (int i = 0; i < len; i++) g.dLogits[b.att(u, kk, i)] += dl[i];
                if (cfg.detachTarget()) continue;
                // ã = softmax(s), s_i = z_k · x_i
                double[] ds = softmaxBackward(t, dT);
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < b.d; j++) {
                        g.dZ[zo + j] += ds[i] * b.x[(r0 + i) * b.d + j];
                        g.dX[(r0 + i) * b.d + j] += ds[i] * b.z[zo + j];
                    }
                }
            }
        }
        return g.withLoss(loss);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Re-construct (eq. 9–12)

    public static Grads reConstruct(FlowInput in, ReConstruct.Config cfg, int maxLen, List<Param> params) {
        Map<String, double[]> w = new LinkedHashMap<>();
        for (Param p : params) w.put(p.name, toDouble(p.value, p.size()));
        return reConstruct(Batch.of(in), cfg, maxLen, w);
    }

    /**
     * With Up [d × N_x·d_b], bias [N_x·d_b], W4 [d_b × H], the queries w̃_j as columns of Q [H × N_x], W5 [d_b × d]:
     *
     * <pre>
     *   c_{k,i}   = z_k Up[:, i·d_b .. (i+1)·d_b) + bias[i·d_b ..]      slots i < len_u only
     *   e_{k,i,j} = w̃_j · tanh(c_{k,i} W4)
     *   β_{k,i,j} = softmax_i(e_{k,i,j})                                 over i < len_u
     *   x̂_{k,j}   = Σ_i β_{k,i,j} c_{k,i} W5
     *   L         = λ_CT / ((number of positive terms, or B·K·N_x) · d) · Σ_{u,k} Σ_{j ∈ P_k} ‖x̂_{k,j} − x_j‖²
     * </pre>
     */
    public static Grads reConstruct(Batch b, ReConstruct.Config cfg, int maxLen, Map<String, double[]> w) {
        final int d = b.d, db = cfg.slotSize(), hid = cfg.hidden(), L = maxLen, width = L * db;
        double[] up = w.get("reconstruct_up"), bias = w.get("reconstruct_up_bias"), w4 = w.get("reconstruct_w4"),
                query = w.get("reconstruct_query"), w5 = w.get("reconstruct_w5");
        Grads g = Grads.zero(b, -1);
        for (Map.Entry<String, double[]> e : w.entrySet()) g.params.put(e.getKey(), new double[e.getValue().length]);
        double[] gUp = g.params.get("reconstruct_up"), gBias = g.params.get("reconstruct_up_bias"),
                gW4 = g.params.get("reconstruct_w4"), gQuery = g.params.get("reconstruct_query"), gW5 = g.params.get("reconstruct_w5");
        int terms = 0;
        for (int q = 0; q < b.k * b.rows(); q++) if (b.positive[q]) terms++;
        if (terms == 0) return g;
        double scale = cfg.weight() / ((cfg.averaging() == Averaging.ALL_CELLS ? (double) b.count * b.k * L : terms) * d), loss = 0;
        for (int u = 0; u < b.count; u++) {
            int len = b.len(u), r0 = b.rowStart[u];
            for (int kk = 0; kk < b.k; kk++) {
                int zo = (u * b.k + kk) * d;
                // Slots c_i and their hidden layer t_i = tanh(c_i W4).
                double[][] c = new double[len][db], t = new double[len][hid], dc = new double[len][db], dt = new double[len][hid];
                for (int i = 0; i < len; i++) {
                    for (int s = 0; s < db; s++) {
                        c[i][s] = bias[i * db + s];
                        for (int m = 0; m < d; m++) c[i][s] += b.z[zo + m] * up[m * width + i * db + s];
                    }
                    for (int h = 0; h < hid; h++) {
                        double pre = 0;
                        for (int s = 0; s < db; s++) pre += c[i][s] * w4[s * hid + h];
                        t[i][h] = Math.tanh(pre);
                    }
                }
                for (int j = 0; j < len; j++) {
                    if (!b.positive[b.att(u, kk, j)]) continue;
                    // β_{·,j} = softmax_i(w̃_j · t_i); mix = Σ_i β_i c_i; x̂ = mix W5
                    double[] e = new double[len], mix = new double[db], xhat = new double[d];
                    for (int i = 0; i < len; i++) for (int h = 0; h < hid; h++) e[i] += query[h * L + j] * t[i][h];
                    double[] beta = softmax(e);
                    for (int i = 0; i < len; i++) for (int s = 0; s < db; s++) mix[s] += beta[i] * c[i][s];
                    for (int m = 0; m < d; m++) for (int s = 0; s < db; s++) xhat[m] += mix[s] * w5[s * d + m];
                    // ‖x̂ − x_j‖² and back: dx̂ = 2·scale·(x̂ − x_j), dx_j = −dx̂
                    double[] dxhat = new double[d], dmix = new double[db], dBeta = new double[len];
                    for (int m = 0; m < d; m++) {
                        double err = xhat[m] - b.x[(r0 + j) * d + m];
                        loss += scale * err * err;
                        dxhat[m] = 2 * scale * err;
                        g.dX[(r0 + j) * d + m] -= dxhat[m];
                    }
                    for (int s = 0; s < db; s++) {
                        for (int m = 0; m < d; m++) {
                            gW5[s * d + m] += mix[s] * dxhat[m];
                            dmix[s] += w5[s * d + m] * dxhat[m];
                        }
                    }
                    for (int i = 0; i < len; i++) {
                        for (int s = 0; s < db; s++) {
                            dBeta[i] += dmix[s] * c[i][s];
                            dc[i][s] += beta[i] * dmix[s];
                        }
                    }
                    double[] de = softmaxBackward(beta, dBeta);
                    for (int i = 0; i < len; i++) {
                        for (int h = 0; h < hid; h++) {
                            gQuery[h * L + j] += de[i] * t[i][h];
                            dt[i][h] += de[i] * query[h * L + j];
                        }
                    }
                }
                // Back through tanh(c_i W4) and the upsampling c_i = z_k Up_i + bias_i.
                for (int i = 0; i < len; i++) {
                    for (int h = 0; h < hid; h++) {
                        double dpre = dt[i][h] * (1 - t[i][h] * t[i][h]);
                        for (int s = 0; s < db; s++) {
                            gW4[s * hid + h] += c[i][s] * dpre;
                            dc[i][s] += w4[s * hid + h] * dpre;
                        }
                    }
                    for (int s = 0; s < db; s++) {
                        gBias[i * db + s] += dc[i][s];
                        for (int m = 0; m < d; m++) {
                            gUp[m * width + i * db + s] += b.z[zo + m] * dc[i][s];
                            g.dZ[zo + m] += up[m * width + i * db + s] * dc[i][s];
                        }
                    }
                }
            }
        }
        return g.withLoss(loss);
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A d-vector at {@code off} of {@code v}, whose gradient goes to the same place of {@code g}. */
    private record Vec(double[] v, double[] g, int off) {}

    private static double norm(Vec a, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += a.v[a.off + j] * a.v[a.off + j];
        return Math.sqrt(s + 1e-12);
    }

    /** sim(a, b) = a·b / (|a| |b|). */
    private static double cosine(Vec a, Vec b, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += a.v[a.off + j] * b.v[b.off + j];
        return s / (norm(a, d) * norm(b, d));
    }

    /** Adds gs · d sim(a, b) / da and / db: ∂sim/∂a = (b̂ − sim·â) / |a|, and symmetrically. */
    private static void cosineBackward(Vec a, Vec b, int d, double gs) {
        double na = norm(a, d), nb = norm(b, d), sim = cosine(a, b, d);
        for (int j = 0; j < d; j++) {
            double ah = a.v[a.off + j] / na, bh = b.v[b.off + j] / nb;
            a.g[a.off + j] += gs * (bh - sim * ah) / na;
            b.g[b.off + j] += gs * (ah - sim * bh) / nb;
        }
    }
}
