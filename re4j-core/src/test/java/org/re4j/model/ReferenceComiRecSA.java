package org.re4j.model;

import static org.re4j.ReferenceMath.softmax;
import static org.re4j.ReferenceMath.softmaxBackward;
import static org.re4j.ReferenceMath.toDouble;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A plain reference of {@link ComiRecSA}'s forward and backward (Re4 paper eq. 1–2), in double precision: loops over
 * users, interests, positions and dimensions straight from the equations, no BLAS, no threads, no distinct-item or
 * packed-row tricks. Item rows are gathered per (user, position); the item table's gradient is a dense
 * [(N + 1) × d] array.
 *
 * <pre>
 *   x_i     = E[item_i]                                                 (the user's history, i < len_u)
 *   h_i     = tanh((x_i + p_i) W1 + b1)                                 W1 [d × d_h], p_i row i of P [N_x × d]
 *   l_{k,i} = h_i · w_k + b_k                                           w_k column k of Wk [d_h × K]
 *   a_{k,i} = exp(l_{k,i}) / Σ_{j < len_u} exp(l_{k,j})                  (eq. 1)
 *   z_k     = Σ_i a_{k,i} x_i W2                                        W2 [d × d] or identity (eq. 2)
 * </pre>
 *
 * The weights are copied out of a model into public double arrays (null where the configuration has no such
 * parameter), so a test may perturb them for finite differences.
 */
public final class ReferenceComiRecSA {

    public final int n, d, h, k, maxLen;
    public final double[] items, position, w1, b1, wk, bk, w2; // row-major, shapes as in ComiRecSA

    public ReferenceComiRecSA(ComiRecSA model) {
        ComiRecSA.Config c = model.config();
        n = c.numItems();
        d = c.dim();
        h = c.hidden();
        k = c.interests();
        maxLen = c.maxLen();
        ParamSet ps = model.params();
        items = toDouble(ps.get("item_embeddings").value);
        position = c.positionEmbedding() ? toDouble(ps.get("position_embeddings").value) : null;
        w1 = toDouble(ps.get("attention_w1").value);
        b1 = c.attentionBias() ? toDouble(ps.get("attention_b1").value) : null;
        wk = toDouble(ps.get("attention_wk").value);
        bk = c.attentionBias() ? toDouble(ps.get("attention_bk").value) : null;
        w2 = c.learnedProjection() ? toDouble(ps.get("interest_w2").value) : null;
    }

    /**
     * One forward's activations, indexed [u][k][i] and [u][i]; {@code z} is [B × K × d] flat as the encoder's.
     * {@code rowStart} is the packed layout's row offset of each user (Σ of the lengths before it).
     */
    public record Forward(int count, int[] len, int[] rowStart, int[][] item, double[][][] x, double[][][] hid,
                          double[][][] logits, double[][][] a, double[][][] v, double[] z) {
        /** The attention in the encoder's packed layout: a_{k,i} of user u at K·rowStart[u] + k·len_u + i. */
        public double[] packedAttention() {
            int kk = a[0].length;
            double[] out = new double[kk * rowStart[count]];
            for (int u = 0; u < count; u++) {
                for (int k = 0; k < kk; k++) for (int i = 0; i < len[u]; i++) out[kk * rowStart[u] + k * len[u] + i] = a[u][k][i];
            }
            return out;
        }
    }

    public Forward forward(int[] hist, int[] lengths, int count) {
        int[] rowStart = new int[count + 1];
        for (int u = 0; u < count; u++) rowStart[u + 1] = rowStart[u] + lengths[u];
        int[][] item = new int[count][];
        double[][][] x = new double[count][][], hid = new double[count][][], v = new double[count][][];
        double[][][] logits = new double[count][k][], a = new double[count][k][];
        double[] z = new double[count * k * d];
        for (int u = 0; u < count; u++) {
            int len = lengths[u];
            item[u] = new int[len];
            x[u] = new double[len][d];
            hid[u] = new double[len][h];
            v[u] = new double[len][d];
            for (int i = 0; i < len; i++) {
                item[u][i] = hist[u * maxLen + i];
                for (int c = 0; c < d; c++) x[u][i][c] = items[item[u][i] * d + c];
                // h_i = tanh((x_i + p_i) W1 + b1)
                for (int j = 0; j < h; j++) {
                    double s = b1 != null ? b1[j] : 0;
                    for (int c = 0; c < d; c++) s += (x[u][i][c] + (position != null ? position[i * d + c] : 0)) * w1[c * h + j];
                    hid[u][i][j] = Math.tanh(s);
                }
                // v_i = x_i W2 (or x_i)
                for (int j = 0; j < d; j++) {
                    if (w2 == null) { v[u][i][j] = x[u][i][j]; continue; }
                    for (int c = 0; c < d; c++) v[u][i][j] += x[u][i][c] * w2[c * d + j];
                }
            }
            for (int kk = 0; kk < k; kk++) {
                // l_{k,i} = h_i · w_k + b_k; a_{k,·} = softmax over the user's real positions
                logits[u][kk] = new double[len];
                for (int i = 0; i < len; i++) {
                    double s = bk != null ? bk[kk] : 0;
                    for (int j = 0; j < h; j++) s += hid[u][i][j] * wk[j * k + kk];
                    logits[u][kk][i] = s;
                }
                a[u][kk] = softmax(logits[u][kk]);
                // z_k = Σ_i a_{k,i} v_i
                for (int i = 0; i < len; i++) for (int j = 0; j < d; j++) z[(u * k + kk) * d + j] += a[u][kk][i] * v[u][i][j];
            }
        }
        return new Forward(count, lengths.clone(), rowStart, item, x, hid, logits, a, v, z);
    }

    /**
     * Gradients of the scalar Σ dZ⊙z + Σ dLogits⊙l + Σ dX⊙x (dLogits packed like the attention, dX on the packed
     * history rows; either may be null) with respect to every parameter, keyed by the encoder's parameter names; the
     * item table's is dense [(N + 1) × d].
     */
    public Map<String, double[]> backward(Forward f, double[] dZ, double[] dLogits, double[] dX) {
        double[] gItems = new double[items.length], gPos = position != null ? new double[position.length] : null;
        double[] gW1 = new double[w1.length], gB1 = b1 != null ? new double[b1.length] : null;
        double[] gWk = new double[wk.length], gBk = bk != null ? new double[bk.length] : null;
        double[] gW2 = w2 != null ? new double[w2.length] : null;
        for (int u = 0; u < f.count; u++) {
            int len = f.len[u], r0 = f.rowStart[u];
            double[][] dv = new double[len][d], dx = new double[len][d], dh = new double[len][h];
            for (int kk = 0; kk < k; kk++) {
                double[] dzk = new double[d];
                for (int j = 0; j < d; j++) dzk[j] = dZ[(u * k + kk) * d + j];
                // z_k = Σ_i a_{k,i} v_i:  dv_i += a_{k,i} dz_k,  da_{k,i} = dz_k · v_i
                double[] da = new double[len];
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < d; j++) {
                        dv[i][j] += f.a[u][kk][i] * dzk[j];
                        da[i] += dzk[j] * f.v[u][i][j];
                    }
                }
                // softmax: dl_i = a_i (da_i − Σ_j a_j da_j), plus the flows' gradient on the logits
                double[] dl = softmaxBackward(f.a[u][kk], da);
                if (dLogits != null) for (int i = 0; i < len; i++) dl[i] += dLogits[k * r0 + kk * len + i];
                // l_{k,i} = h_i · w_k + b_k
                for (int i = 0; i < len; i++) {
                    if (gBk != null) gBk[kk] += dl[i];
                    for (int j = 0; j < h; j++) {
                        gWk[j * k + kk] += f.hid[u][i][j] * dl[i];
                        dh[i][j] += wk[j * k + kk] * dl[i];
                    }
                }
            }
            for (int i = 0; i < len; i++) {
                // h_i = tanh(s_i), s_i = (x_i + p_i) W1 + b1
                for (int j = 0; j < h; j++) {
                    double ds = dh[i][j] * (1 - f.hid[u][i][j] * f.hid[u][i][j]);
                    if (gB1 != null) gB1[j] += ds;
                    for (int c = 0; c < d; c++) {
                        double in = f.x[u][i][c] + (position != null ? position[i * d + c] : 0);
                        gW1[c * h + j] += in * ds;
                        dx[i][c] += w1[c * h + j] * ds;
                        if (gPos != null) gPos[i * d + c] += w1[c * h + j] * ds;
                    }
                }
                // v_i = x_i W2 (or x_i)
                for (int j = 0; j < d; j++) {
                    if (w2 == null) { dx[i][j] += dv[i][j]; continue; }
                    for (int c = 0; c < d; c++) {
                        gW2[c * d + j] += f.x[u][i][c] * dv[i][j];
                        dx[i][c] += w2[c * d + j] * dv[i][j];
                    }
                }
                // x_i = E[item_i], plus the flows' gradient on the row
                for (int c = 0; c < d; c++) {
                    double g = dx[i][c] + (dX != null ? dX[(r0 + i) * d + c] : 0);
                    gItems[f.item[u][i] * d + c] += g;
                }
            }
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("item_embeddings", gItems);
        if (gPos != null) out.put("position_embeddings", gPos);
        out.put("attention_w1", gW1);
        if (gB1 != null) out.put("attention_b1", gB1);
        out.put("attention_wk", gWk);
        if (gBk != null) out.put("attention_bk", gBk);
        if (gW2 != null) out.put("interest_w2", gW2);
        return out;
    }

    /** The parameter arrays by name (the same arrays this reference computes with: perturbing them moves it). */
    public Map<String, double[]> values() {
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("item_embeddings", items);
        if (position != null) out.put("position_embeddings", position);
        out.put("attention_w1", w1);
        if (b1 != null) out.put("attention_b1", b1);
        out.put("attention_wk", wk);
        if (bk != null) out.put("attention_bk", bk);
        if (w2 != null) out.put("interest_w2", w2);
        return out;
    }
}
