package org.re4j.model.re4;

import java.util.Arrays;

import com.fasterxml.jackson.annotation.JsonValue;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;
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
 *
 * <p>The similarities with the sampled items, the bulk of the work, are one [B·K × M] product through BLAS; the
 * per-user part (history and other interests) runs in parallel over users.
 */
public final class ReContrast {

    /** Where the negatives beyond the user's own other items and other interests come from. */
    public enum NegativeSource {
        /** Items sampled uniformly from the catalogue, shared by the batch (the paper). */
        SAMPLED,
        /** Also the previous user's history items, in batch order (the authors' code); sampled items as configured. */
        PREVIOUS_USER;

        @JsonValue
        public String id() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /** Which history items a positive's denominator holds besides the positive itself. */
    public enum Denominator {
        /** The user's non-positive history items (eq. 5: the other items are the negatives). */
        NEGATIVES,
        /** Every history item, positives included (the authors' code sums the exponentials of the whole history). */
        ALL_HISTORY;

        @JsonValue
        public String id() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * @param weight           λ_CL
     * @param tau              temperature τ (paper: 0.02)
     * @param sampledNegatives items sampled outside the sequences as negatives, shared by the batch (0 = none)
     * @param negativeSource   {@link NegativeSource#PREVIOUS_USER} adds the previous user's history items
     * @param denominator      which history items a positive's denominator holds
     * @param averaging        over the positive terms (paper) or over all B·K·N_x cells (the authors' code)
     */
    public record Config(double weight, double tau, int sampledNegatives, NegativeSource negativeSource,
                         Denominator denominator, Averaging averaging) {
        public Config {
            if (!(weight >= 0)) throw new IllegalArgumentException("λ_CL must be ≥ 0, got " + weight);
            if (!(tau > 0)) throw new IllegalArgumentException("temperature τ must be > 0, got " + tau);
            if (sampledNegatives < 0) throw new IllegalArgumentException("contrast negatives must be ≥ 0, got " + sampledNegatives);
            if (negativeSource == null || denominator == null || averaging == null) {
                throw new IllegalArgumentException("negative source, denominator and averaging are required");
            }
        }

        /** The paper's: λ_CL 0.1, τ 0.02, 128 sampled negatives, averaged over the positive terms. */
        public static Config paper() {
            return new Config(0.1, 0.02, 128, NegativeSource.SAMPLED, Denominator.NEGATIVES, Averaging.POSITIVE_TERMS);
        }

        public Config withWeight(double v) { return new Config(v, tau, sampledNegatives, negativeSource, denominator, averaging); }
        public Config withTau(double v) { return new Config(weight, v, sampledNegatives, negativeSource, denominator, averaging); }
        public Config withSampledNegatives(int v) { return new Config(weight, tau, v, negativeSource, denominator, averaging); }
        public Config withNegativeSource(NegativeSource v) { return new Config(weight, tau, sampledNegatives, v, denominator, averaging); }
        public Config withDenominator(Denominator v) { return new Config(weight, tau, sampledNegatives, negativeSource, v, averaging); }
        public Config withAveraging(Averaging v) { return new Config(weight, tau, sampledNegatives, negativeSource, denominator, v); }
    }

    private static final double EPS = 1e-12;

    private final double weight, tau;
    private final boolean previousUser, allHistory;
    private final int cellsPerInterest; // N_x when averaging over all cells, else 0
    // Normalised vectors and norms, their gradients, and the [P × M] similarity / gradient block.
    private float[] zn = new float[0], xn = new float[0], sn = new float[0], dzn = new float[0], dxn = new float[0],
            dsn = new float[0], sims = new float[0];
    private float[] zNorm = new float[0], xNorm = new float[0], sNorm = new float[0];
    private double[] userLoss = new double[0];
    // The sampled items sorted by id with their columns q, and each one's row in the item table's gradients.
    private int[] sortedSampled = new int[0], sortedColumn = new int[0], sampledRow = new int[0];
    private long[] byItem = new long[0];
    // The previous user's history when it lies in another part of a split batch: normalised rows, their gradients and
    // norms, and each row's offset in the item table's gradients.
    private float[] pxn = new float[0], pdxn = new float[0], pNorm = new float[0];
    private int[] previousRow = new int[0];

    /** @param maxLen N_x, the cells per interest when averaging over all cells */
    public ReContrast(Config cfg, int maxLen) {
        this.weight = cfg.weight();
        this.tau = cfg.tau();
        this.previousUser = cfg.negativeSource() == NegativeSource.PREVIOUS_USER;
        this.allHistory = cfg.denominator() == Denominator.ALL_HISTORY;
        this.cellsPerInterest = cfg.averaging() == Averaging.ALL_CELLS ? maxLen : 0;
    }

    /**
     * Adds λ_CL·L_CL's gradients into {@code g} (and into the item table's row gradients for the sampled items);
     * returns λ_CL·L_CL (0 when the batch has no positive).
     *
     * @param sampled distinct items sampled outside the sequences, shared by the batch (the first {@code sampledCount})
     */
    public double loss(FlowInput in, int[] sampled, int sampledCount, Param items, FlowGrads g) {
        return loss(in, WholeBatch.of(in), sampled, sampledCount, items, g);
    }

    /**
     * The same for a part of a batch: averaged over the whole batch's positive terms or cells, with the previous user
     * of the part's first user taken from {@code whole} (its history rows read from the item table, their gradients
     * added to the table's row gradients); returns the part's share of λ_CL·L_CL.
     */
    public double loss(FlowInput in, WholeBatch whole, int[] sampled, int sampledCount, Param items, FlowGrads g) {
        final int k = in.k(), d = in.d(), m = sampledCount, count = in.count(), p = count * k, rows = in.rows();
        if (WholeBatch.positives(in) == 0) return 0;
        final boolean previous = previousUser && whole.count() > 1;
        final double c = weight / (cellsPerInterest > 0 ? (double) whole.count() * k * cellsPerInterest : whole.positives()),
                invTau = 1 / tau;
        // The first user's previous user, when it is in another part: its rows come from the item table.
        final int[] outside = previous ? whole.previous() : null;
        final int po = outside == null ? 0 : outside.length;
        ensure(p, rows, m, d, count);
        if (pxn.length < po * d) {
            pxn = new float[po * d];
            pdxn = new float[po * d];
            pNorm = new float[po];
            previousRow = new int[po];
        }
        for (int i = 0; i < po; i++) pNorm[i] = normalise(items.value, outside[i] * d, d, pxn, i * d);
        Arrays.fill(pdxn, 0, po * d, 0f);
        // The sampled items by id, with their column q: a user's history items are looked up in it, instead of the
        // history being scanned for every sampled item. Distinct, as each one's gradient row is written by one thread.
        for (int q = 0; q < m; q++) byItem[q] = (long) sampled[q] << 32 | q;
        Arrays.sort(byItem, 0, m);
        for (int q = 0; q < m; q++) {
            sortedSampled[q] = (int) (byItem[q] >>> 32);
            sortedColumn[q] = (int) byItem[q];
            if (q > 0 && sortedSampled[q] == sortedSampled[q - 1]) {
                throw new IllegalArgumentException("sampled item " + sortedSampled[q] + " appears twice: Re-contrast's sampled negatives must be distinct");
            }
        }
        // Interests, history rows and sampled items are normalised as one range, in parallel.
        Parallel.forRange(p + rows + m, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (r < p) zNorm[r] = normalise(in.z(), r * d, d, zn, r * d);
                else if (r < p + rows) xNorm[r - p] = normalise(in.x(), (r - p) * d, d, xn, (r - p) * d);
                else sNorm[r - p - rows] = normalise(items.value, sampled[r - p - rows] * d, d, sn, (r - p - rows) * d);
            }
        });
        Arrays.fill(dzn, 0, p * d, 0f);
        Arrays.fill(dxn, 0, rows * d, 0f);
        // sims = sim/τ, so that one vectorised exp pass per row gives e^{(sim − 1)/τ}.
        if (m > 0) Blas.gemm(false, true, p, m, d, (float) invTau, zn, 0, d, sn, 0, d, 0f, sims, 0, m);

        // With previous-user negatives a user writes another user's rows: run serially then.
        Parallel.forRange(count, previous ? count + 1 : 8, (from, to) -> {
            double[] ex = new double[in.len(0) + 64], ez = new double[k], ep = new double[64];
            // The user's logit gradients: interest × history row and interest × interest, applied after its K
            // interests as weighted sums of rows (sums in registers, instead of an axpy per pair).
            float[] gx = new float[k * (in.len(0) + 64)], gz = new float[k * k], w = new float[Math.max(k, in.len(0) + 64)];
            int[] seen = new int[in.len(0) + 64]; // columns of the sampled items that are in the user's history
            for (int u = from; u < to; u++) {
                int len = in.len(u), base = in.rowStart()[u];
                if (ex.length < len) ex = new double[len];
                if (gx.length < k * len) gx = new float[k * len];
                if (w.length < len) w = new float[len];
                Arrays.fill(gx, 0, k * len, 0f);
                Arrays.fill(gz, 0f);
                if (seen.length < len) seen = new int[len];
                int nSeen = 0;
                for (int r = base; r < base + len; r++) {
                    int at = Arrays.binarySearch(sortedSampled, 0, m, in.rowItems()[r]);
                    if (at >= 0) seen[nSeen++] = sortedColumn[at];
                }
                double total = 0;
                for (int kk = 0; kk < k; kk++) {
                    int zr = u * k + kk, zo = zr * d, so = zr * m;
                    // Exponentials shifted by 1/τ (the largest possible cosine / τ): no overflow at τ = 0.02.
                    double negSum = 0;
                    int np = 0;
                    for (int i = 0; i < len; i++) {
                        ex[i] = Math.exp((Kernels.dot(zn, zo, xn, (base + i) * d, d) - 1) * invTau);
                        if (in.positive(u, kk, i)) np++;
                        if (allHistory || !in.positive(u, kk, i)) negSum += ex[i];
                    }
                    if (np == 0) {
                        for (int q = 0; q < m; q++) sims[so + q] = 0; // no gradient from this row
                        continue;
                    }
                    for (int k2 = 0; k2 < k; k2++) {
                        ez[k2] = k2 == kk ? 0 : Math.exp((Kernels.dot(zn, zo, zn, (u * k + k2) * d, d) - 1) * invTau);
                        negSum += ez[k2];
                    }
                    boolean out = u == 0 && outside != null;
                    int prev = (u + count - 1) % count, pBase = out ? 0 : in.rowStart()[prev];
                    int pLen = !previous ? 0 : out ? po : in.len(prev);
                    float[] px = out ? pxn : xn, pdx = out ? pdxn : dxn;
                    if (ep.length < pLen) ep = new double[pLen];
                    for (int i = 0; i < pLen; i++) {
                        ep[i] = Math.exp((Kernels.dot(zn, zo, px, (pBase + i) * d, d) - 1) * invTau);
                        negSum += ep[i];
                    }
                    // Sampled items that the user has seen are no negatives: e^{−∞} = 0. sims keeps e for the gradient.
                    for (int q = 0; q < nSeen; q++) sims[so + seen[q]] = Float.NEGATIVE_INFINITY;
                    if (m > 0) negSum += Kernels.expInPlace(sims, so, m, (float) invTau);
                    // Terms and the gradient on each logit l = sim/τ: positive p gets c(e_p/D_p − 1), each negative
                    // c·e_n·Σ_p 1/D_p. With the whole history in every denominator (D the same for all positives), a
                    // positive is also a denominator term of the others: c(e_p·Σ_p 1/D − 1).
                    double invDSum = 0;
                    for (int i = 0; i < len; i++) {
                        if (!in.positive(u, kk, i)) continue;
                        double dp = allHistory ? negSum : ex[i] + negSum;
                        total += Math.log(dp) - Math.log(ex[i]);
                        invDSum += 1 / dp;
                        if (!allHistory) gx[kk * len + i] = (float) (c * (ex[i] / dp - 1) * invTau);
                    }
                    for (int i = 0; i < len; i++) {
                        if (!in.positive(u, kk, i)) gx[kk * len + i] = (float) (c * ex[i] * invDSum * invTau);
                        else if (allHistory) gx[kk * len + i] = (float) (c * (ex[i] * invDSum - 1) * invTau);
                    }
                    for (int k2 = 0; k2 < k; k2++) gz[kk * k + k2] = k2 == kk ? 0f : (float) (c * ez[k2] * invDSum * invTau);
                    for (int i = 0; i < pLen; i++) {
                        float dl = (float) (c * ep[i] * invDSum * invTau);
                        Kernels.axpy(d, dl, px, (pBase + i) * d, dzn, zo);
                        Kernels.axpy(d, dl, zn, zo, pdx, (pBase + i) * d);
                    }
                    // The sampled items' logit gradients, applied below by two products.
                    for (int q = 0; q < m; q++) sims[so + q] = (float) (c * sims[so + q] * invDSum * invTau);
                }
                // l(k, i) = ẑ_k·x̂_i/τ feeds both sides: dẑ_k += Σ_i g(k, i) x̂_i + Σ_k' (g(k, k') + g(k', k)) ẑ_k',
                // dx̂_i += Σ_k g(k, i) ẑ_k.
                int z0 = u * k * d;
                for (int kk = 0; kk < k; kk++) {
                    Kernels.addWeightedRows(len, d, gx, kk * len, xn, base * d, dzn, z0 + kk * d);
                    for (int k2 = 0; k2 < k; k2++) w[k2] = gz[kk * k + k2] + gz[k2 * k + kk];
                    Kernels.addWeightedRows(k, d, w, 0, zn, z0, dzn, z0 + kk * d);
                }
                for (int i = 0; i < len; i++) {
                    for (int kk = 0; kk < k; kk++) w[kk] = gx[kk * len + i];
                    Kernels.addWeightedRows(k, d, w, 0, zn, z0, dxn, (base + i) * d);
                }
                userLoss[u] = total;
            }
        });
        if (m > 0) {
            Blas.gemm(false, false, p, d, m, 1f, sims, 0, m, sn, 0, d, 1f, dzn, 0, d);
            Blas.gemm(true, false, m, d, p, 1f, sims, 0, m, zn, 0, d, 0f, dsn, 0, d);
        }
        // The sampled items' gradient rows are claimed first: RowGrads is not thread-safe.
        RowGrads rg = items.rowGrads;
        for (int q = 0; q < m; q++) sampledRow[q] = rg.offset(sampled[q]);
        for (int i = 0; i < po; i++) previousRow[i] = rg.offset(outside[i]);
        final float[] rowValues = rg.values();
        Parallel.forRange(p + rows + m, 256, (from, to) -> {
            for (int r = from; r < to; r++) {
                if (r < p) normaliseBackward(zn, dzn, r * d, zNorm[r], g.dZ, r * d, d);
                else if (r < p + rows) normaliseBackward(xn, dxn, (r - p) * d, xNorm[r - p], g.dX, (r - p) * d, d);
                else normaliseBackward(sn, dsn, (r - p - rows) * d, sNorm[r - p - rows], rowValues, sampledRow[r - p - rows], d);
            }
        });
        // Serially: the previous user's rows may repeat an item, or be one of the sampled items.
        for (int i = 0; i < po; i++) normaliseBackward(pxn, pdxn, i * d, pNorm[i], rowValues, previousRow[i], d);
        double total = 0;
        for (int u = 0; u < count; u++) total += userLoss[u];
        return c * total;
    }

    private void ensure(int p, int rows, int m, int d, int count) {
        if (zn.length < p * d) { zn = new float[p * d]; dzn = new float[p * d]; zNorm = new float[p]; }
        if (xn.length < rows * d) { xn = new float[rows * d]; dxn = new float[rows * d]; xNorm = new float[rows]; }
        if (sn.length < m * d) { sn = new float[m * d]; dsn = new float[m * d]; sNorm = new float[m]; }
        if (sims.length < p * m) sims = new float[p * m];
        if (byItem.length < m) { byItem = new long[m]; sortedSampled = new int[m]; sortedColumn = new int[m]; sampledRow = new int[m]; }
        if (userLoss.length < count) userLoss = new double[count];
    }

    /** out[oOff..] = v / |v|; returns |v|. */
    static float normalise(float[] v, int off, int d, float[] out, int oOff) {
        double n = Math.sqrt(Kernels.dot(v, off, v, off, d) + EPS);
        float inv = (float) (1 / n);
        for (int j = 0; j < d; j++) out[oOff + j] = v[off + j] * inv;
        return (float) n;
    }

    /** Gradient through n = v/|v|: dv = (dn − n (n·dn)) / |v|, added to out. */
    static void normaliseBackward(float[] n, float[] dn, int off, float norm, float[] out, int oOff, int d) {
        float p = Kernels.dot(n, off, dn, off, d), inv = 1f / norm;
        for (int j = 0; j < d; j++) out[oOff + j] += (dn[off + j] - n[off + j] * p) * inv;
    }
}
