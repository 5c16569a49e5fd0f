package org.re4j.model.re4;

import org.re4j.model.Param;
import org.re4j.model.RowGrads;

/**
 * Re-contrast (paper eq. 3–6): each interest z_k is contrasted with the history items it attended to. Positives
 * P_k = {i : a_{k,i} > γ_c}; negatives are the user's other history items, the user's other interests z_{k'}, and
 * items sampled outside the sequence. With cosine similarity sim(·,·) and temperature τ, one InfoNCE term per
 * positive p (P_k is selected once per batch: {@link FlowInput#selectPositives}):
 *
 * <pre>  −log( e^{sim(z_k, x_p)/τ} / (e^{sim(z_k, x_p)/τ} + Σ_{n ∈ negatives} e^{sim(z_k, n)/τ}) )</pre>
 *
 * averaged over all positive terms of the batch and weighted by λ_CL. The selection of P_k is a hard threshold:
 * no gradient flows through it. Sampled items that occur in the user's history are not used as its negatives.
 */
public final class ReContrast {

    private static final double EPS = 1e-12;

    private final double weight, tau;
    private int[] stamp = new int[0];
    private int stampNow;

    /**
     * @param weight λ_CL
     * @param tau    temperature τ (paper: 0.02)
     */
    public ReContrast(double weight, double tau) {
        if (!(tau > 0)) throw new IllegalArgumentException("temperature τ must be > 0, got " + tau);
        this.weight = weight;
        this.tau = tau;
    }

    /**
     * Adds λ_CL·L_CL's gradients into {@code g} (and into the item table's row gradients for the sampled items);
     * returns λ_CL·L_CL (0 when the batch has no positive).
     *
     * @param sampled items sampled outside the sequences, shared by the batch (may be empty)
     */
    public double loss(FlowInput in, int[] sampled, int sampledCount, Param items, FlowGrads g) {
        final int k = in.k(), d = in.d(), m = sampledCount;
        long positives = 0;
        for (int u = 0; u < in.count(); u++) {
            for (int kk = 0; kk < k; kk++) for (int i = 0; i < in.len(u); i++) if (in.positive(u, kk, i)) positives++;
        }
        if (positives == 0) return 0;
        final double c = weight / positives, invTau = 1 / tau;
        float[] table = items.value;
        if (stamp.length < items.rows) stamp = new int[items.rows];

        // Normalised sampled items and their gradient accumulators (shared by the batch).
        double[] sn = new double[m * d], sNorm = new double[m], dsn = new double[m * d];
        for (int q = 0; q < m; q++) sNorm[q] = normalise(table, sampled[q] * d, d, sn, q * d);

        double total = 0;
        for (int u = 0; u < in.count(); u++) {
            int len = in.len(u), base = in.rowStart()[u];
            stampNow++;
            for (int i = 0; i < len; i++) stamp[in.rowItems()[base + i]] = stampNow;
            double[] xn = new double[len * d], xNorm = new double[len], dxn = new double[len * d];
            double[] zn = new double[k * d], zNorm = new double[k], dzn = new double[k * d];
            for (int i = 0; i < len; i++) xNorm[i] = normalise(in.x(), (base + i) * d, d, xn, i * d);
            for (int kk = 0; kk < k; kk++) zNorm[kk] = normalise(in.z(), (u * k + kk) * d, d, zn, kk * d);
            double[] ex = new double[len], ez = new double[k], es = new double[m];
            boolean[] pos = new boolean[len];
            for (int kk = 0; kk < k; kk++) {
                int zo = kk * d;
                // Exponentials shifted by 1/τ (the largest possible cosine / τ): no overflow at τ = 0.02.
                double negSum = 0;
                int np = 0;
                for (int i = 0; i < len; i++) {
                    pos[i] = in.positive(u, kk, i);
                    ex[i] = Math.exp((dot(zn, zo, xn, i * d, d) - 1) * invTau);
                    if (pos[i]) np++; else negSum += ex[i];
                }
                if (np == 0) continue;
                for (int k2 = 0; k2 < k; k2++) {
                    ez[k2] = k2 == kk ? 0 : Math.exp((dot(zn, zo, zn, k2 * d, d) - 1) * invTau);
                    negSum += ez[k2];
                }
                for (int q = 0; q < m; q++) {
                    es[q] = stamp[sampled[q]] == stampNow ? 0 : Math.exp((dot(zn, zo, sn, q * d, d) - 1) * invTau);
                    negSum += es[q];
                }
                // Terms and the gradient on each logit l = sim/τ: positive p gets c(e_p/D_p − 1), each negative
                // c·e_n·Σ_p 1/D_p.
                double invDSum = 0;
                for (int i = 0; i < len; i++) {
                    if (!pos[i]) continue;
                    double dp = ex[i] + negSum;
                    total += Math.log(dp) - Math.log(ex[i]);
                    invDSum += 1 / dp;
                    double dl = c * (ex[i] / dp - 1) * invTau;
                    axpy(dl, xn, i * d, dzn, zo, d);
                    axpy(dl, zn, zo, dxn, i * d, d);
                }
                for (int i = 0; i < len; i++) {
                    if (pos[i]) continue;
                    double dl = c * ex[i] * invDSum * invTau;
                    axpy(dl, xn, i * d, dzn, zo, d);
                    axpy(dl, zn, zo, dxn, i * d, d);
                }
                for (int k2 = 0; k2 < k; k2++) {
                    if (k2 == kk) continue;
                    double dl = c * ez[k2] * invDSum * invTau;
                    axpy(dl, zn, k2 * d, dzn, zo, d);
                    axpy(dl, zn, zo, dzn, k2 * d, d);
                }
                for (int q = 0; q < m; q++) {
                    if (es[q] == 0) continue;
                    double dl = c * es[q] * invDSum * invTau;
                    axpy(dl, sn, q * d, dzn, zo, d);
                    axpy(dl, zn, zo, dsn, q * d, d);
                }
            }
            for (int kk = 0; kk < k; kk++) normaliseBackward(zn, kk * d, zNorm[kk], dzn, g.dZ, (u * k + kk) * d, d);
            for (int i = 0; i < len; i++) normaliseBackward(xn, i * d, xNorm[i], dxn, g.dX, (base + i) * d, d);
        }
        if (m > 0) {
            RowGrads rg = items.rowGrads;
            float[] tmp = new float[d];
            for (int q = 0; q < m; q++) {
                java.util.Arrays.fill(tmp, 0f);
                normaliseBackward(sn, q * d, sNorm[q], dsn, tmp, 0, d);
                int off = rg.offset(sampled[q]);
                float[] vals = rg.values();
                for (int j = 0; j < d; j++) vals[off + j] += tmp[j];
            }
        }
        return c * total;
    }

    /** out[oOff..] = v / |v|; returns |v|. */
    static double normalise(float[] v, int off, int d, double[] out, int oOff) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (double) v[off + j] * v[off + j];
        double n = Math.sqrt(s + EPS);
        for (int j = 0; j < d; j++) out[oOff + j] = v[off + j] / n;
        return n;
    }

    /** Gradient through n = v/|v|: dv = (dn − n (n·dn)) / |v|, added to out. */
    static void normaliseBackward(double[] n, int off, double norm, double[] dn, float[] out, int oOff, int d) {
        double p = dot(n, off, dn, off, d);
        for (int j = 0; j < d; j++) out[oOff + j] += (float) ((dn[off + j] - n[off + j] * p) / norm);
    }

    static double dot(double[] a, int ao, double[] b, int bo, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += a[ao + j] * b[bo + j];
        return s;
    }

    static void axpy(double alpha, double[] x, int xo, double[] y, int yo, int d) {
        for (int j = 0; j < d; j++) y[yo + j] += alpha * x[xo + j];
    }
}
