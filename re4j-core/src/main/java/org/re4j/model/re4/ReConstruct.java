package org.re4j.model.re4;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;
import org.re4j.model.Init;
import org.re4j.model.Param;

/**
 * Re-construct (paper eq. 9–12): each interest must be able to rebuild the items it represents. z_k is upsampled by
 * a learned linear map to C_k ∈ R^{N_x × d_b} (rows c_{k,i}); for each position j a learned query w̃_j attends over
 * the rows, β_{k,i,j} = softmax_i(w̃_j · tanh(W4 c_{k,i})) over the user's real positions i; the reconstruction
 * x̂_{k,j} = Σ_i β_{k,i,j} W5 c_{k,i}; the loss is the squared error ‖x̂_{k,j} − x_j‖² on the positives j ∈ P_k only.
 *
 * <p>Choices the paper leaves open, made here: W5 maps d_b → d, so the reconstruction lands in the item space and is
 * compared with the item embedding itself (gradients flow into both sides); the upsampling has a bias; slots i
 * beyond the user's length are masked out of β, as padded positions are elsewhere; the loss is averaged over
 * positive terms and the d dimensions (a mean squared error) and weighted by λ_CT.
 */
public final class ReConstruct {

    /**
     * @param weight    λ_CT
     * @param slotSize  d_b, the size of each of the N_x slots an interest is upsampled to (paper: 32)
     * @param hidden    size of the slot attention's hidden layer
     * @param averaging over positive terms · d (paper) or over all B·K·N_x·d cells (the authors' code)
     */
    public record Config(double weight, int slotSize, int hidden, Averaging averaging) {
        public Config {
            if (!(weight >= 0)) throw new IllegalArgumentException("λ_CT must be ≥ 0, got " + weight);
            if (slotSize < 1 || hidden < 1) throw new IllegalArgumentException("d_b and the construct hidden size must be ≥ 1");
            if (averaging == null) throw new IllegalArgumentException("averaging is required");
        }

        /** The paper's λ_CT 0.1, d_b 32, hidden 32, averaged over the positive terms. */
        public static Config paper() {
            return new Config(0.1, 32, 32, Averaging.POSITIVE_TERMS);
        }

        public Config withWeight(double v) { return new Config(v, slotSize, hidden, averaging); }
        public Config withSlotSize(int v) { return new Config(weight, v, hidden, averaging); }
        public Config withHidden(int v) { return new Config(weight, slotSize, v, averaging); }
        public Config withAveraging(Averaging v) { return new Config(weight, slotSize, hidden, v); }
    }

    private final double weight;
    private final boolean perCell;
    private final int maxLen, d, db, hidden;
    private final Param up, upBias, w4, query, w5;
    // Activations, reused between steps: the real slots c [K·R × d_b] (slot i of interest k of user u is row
    // att(u, k, i)), and the slot attention transposed, t = Tᵀ [hidden × K·R] and e = Eᵀ [N_x × K·R].
    private float[] c = new float[0], t = new float[0], e = new float[0];
    private float[] dc = new float[0], dt = new float[0], de = new float[0];
    // The upsampling by history length: users in order of length (stable), grouped by length rounded up to a multiple
    // of BUCKET slots; z in that order [P × d], and each group's slots, padded to its width, when that is not the
    // batch's own packing.
    private static final int BUCKET = 4;
    private int[] byLength = new int[0], groupStart = new int[0], groupWidth = new int[0], groupOffset = new int[0], perLen;
    private int groups;
    private float[] zg = new float[0], dzg = new float[0], cg = new float[0], dcg = new float[0];
    // Per positive term: its history row, first slot row and length; β, the slot mix c̄ [terms × d_b], x̂ᵀ [d × terms]
    // and dc̄ᵀ [d_b × terms].
    private int[] firstTerm = new int[0], termRow = new int[0], termSlot0 = new int[0], termLen = new int[0],
            termCol = new int[0];
    private float[] beta = new float[0], mix = new float[0], dmix = new float[0], xhat = new float[0];

    /**
     * @param maxLen N_x: slots per interest
     * @param dim    d
     * @param init   how the flow's own parameters start (the upsampling is a linear layer, the rest matrices)
     * @param rng    initialises the flow's own parameters
     */
    public ReConstruct(Config cfg, int maxLen, int dim, Init init, SplittableRandom rng) {
        this.weight = cfg.weight();
        this.perCell = cfg.averaging() == Averaging.ALL_CELLS;
        this.maxLen = maxLen;
        this.d = dim;
        this.db = cfg.slotSize();
        this.hidden = cfg.hidden();
        up = init.linearWeight(Param.dense("reconstruct_up", dim, maxLen * db), rng);
        upBias = init.linearBias(Param.dense("reconstruct_up_bias", 1, maxLen * db), dim, rng);
        w4 = init.matrix(Param.dense("reconstruct_w4", db, hidden), rng);
        query = init.matrix(Param.dense("reconstruct_query", hidden, maxLen), rng);
        w5 = init.matrix(Param.dense("reconstruct_w5", db, dim), rng);
        perLen = new int[maxLen + 2];
    }

    /** A replica for a data-parallel step's worker: the same settings, the master's parameters replicated ({@link Param#replica()}). */
    ReConstruct(ReConstruct master) {
        this.weight = master.weight;
        this.perCell = master.perCell;
        this.maxLen = master.maxLen;
        this.d = master.d;
        this.db = master.db;
        this.hidden = master.hidden;
        up = master.up.replica();
        upBias = master.upBias.replica();
        w4 = master.w4.replica();
        query = master.query.replica();
        w5 = master.w5.replica();
        perLen = new int[maxLen + 2];
    }

    public List<Param> params() {
        return List.of(up, upBias, w4, query, w5);
    }

    /** Adds λ_CT·L_CT's gradients into {@code g} and the flow's own parameters; returns λ_CT·L_CT. */
    public double loss(FlowInput in, FlowGrads g) {
        return loss(in, WholeBatch.of(in), g);
    }

    /** The same for a part of a batch: averaged over the whole batch's terms or cells, returns the part's share. */
    public double loss(FlowInput in, WholeBatch whole, FlowGrads g) {
        // Slots beyond a user's length are masked out of β, so only the K·R real slots (packed like the attention:
        // slot i of interest k of user u is row att(u, k, i)) are made and go through the attention.
        final int k = in.k(), p = in.count() * k, L = maxLen, rows = k * in.rows(), count = in.count();
        if (in.d() != d) throw new IllegalArgumentException("interest size " + in.d() + " ≠ " + d);
        // Positive terms, numbered user by user so that every thread knows where its terms go.
        if (firstTerm.length < count + 1) firstTerm = new int[count + 1];
        int terms = 0;
        for (int u = 0; u < count; u++) {
            if (in.len(u) > L) throw new IllegalArgumentException("history longer than N_x = " + L);
            firstTerm[u] = terms;
            for (int kk = 0; kk < k; kk++) for (int j = 0; j < in.len(u); j++) if (in.positive(u, kk, j)) terms++;
        }
        firstTerm[count] = terms;
        if (terms == 0) return 0;
        final int nTerms = terms;
        ensure(rows, terms, p, count);
        // C = Z·Up + b over the real slots (nearly): a user of history length ℓ needs only the first ℓ·d_b columns of
        // Up, so the upsampling runs once per group of users whose lengths round up to the same width ℓ' (a multiple
        // of BUCKET, at most N_x), over that group's interests ([n·K × d]·[d × ℓ'·d_b]). On short-history data this
        // skips most of the arithmetic; rounding up keeps the products few and large, as one per exact length made
        // small, slow ones. When every history fills N_x it is one product straight into C.
        final boolean direct = groupByLength(in);
        if (!direct && cg.length < p * L * db) { // only batches not already in group order need the padded copies
            cg = new float[p * L * db];
            dcg = new float[p * L * db];
        }
        final float[] zs = direct ? in.z() : zg, cd = direct ? c : cg;
        if (!direct) for (int i = 0; i < count; i++) System.arraycopy(in.z(), byLength[i] * k * d, zg, i * k * d, k * d);
        for (int gi = 0; gi < groups; gi++) {
            int u0 = groupStart[gi], n = (groupStart[gi + 1] - u0) * k, w = groupWidth[gi] * db, co = groupOffset[gi];
            Blas.gemm(false, false, n, w, d, 1f, zs, u0 * k * d, d, up.value, 0, L * db, 0f, cd, co, w);
            Kernels.addRowVector(cd, co, n, w, upBias.value);
        }
        if (!direct) copySlots(in, cg, c, true);
        // The slot attention runs transposed (Tᵀ [hidden × K·R], Eᵀ [N_x × K·R]): products whose output has few
        // columns (N_x, d_b, d) run 2–4× slower in BLAS than the same products with the long side as columns.
        Blas.gemm(true, true, hidden, rows, db, 1f, w4.value, 0, c, 0, 0f, t, 0);
        Kernels.tanhInPlace(t, 0, rows * hidden);
        Blas.gemm(true, false, L, rows, hidden, 1f, query.value, 0, t, 0, 0f, e, 0);

        // Per positive term: β over the real slots and the mix c̄ = Σ_i β_i c_i in d_b (W5 is linear, so
        // x̂ = W5ᵀ c̄ needs one product for all terms instead of W5 applied to every slot).
        Parallel.forRange(count, 8, (from, to) -> {
            for (int u = from; u < to; u++) {
                int len = in.len(u), term = firstTerm[u];
                for (int kk = 0; kk < k; kk++) {
                    int r0 = in.att(u, kk, 0);
                    for (int j = 0; j < len; j++) {
                        if (!in.positive(u, kk, j)) continue;
                        int bo = term * L;
                        System.arraycopy(e, j * rows + r0, beta, bo, len);
                        float max = Float.NEGATIVE_INFINITY;
                        for (int i = 0; i < len; i++) max = Math.max(max, beta[bo + i]);
                        float inv = (float) (1 / Kernels.expInPlace(beta, bo, len, max));
                        for (int i = 0; i < len; i++) beta[bo + i] *= inv;
                        Arrays.fill(mix, term * db, (term + 1) * db, 0f);
                        Kernels.addWeightedRows(len, db, beta, bo, c, r0 * db, mix, term * db);
                        termRow[term] = in.rowStart()[u] + j;
                        termCol[term] = j;
                        termSlot0[term] = r0;
                        termLen[term] = len;
                        term++;
                    }
                }
            }
        });
        // X̂ᵀ = W5ᵀ·C̄ᵀ [d × terms]; its error against the items, and dL/dX̂ = 2·scale·(x̂ − x_j) in place.
        Blas.gemm(true, true, d, terms, db, 1f, w5.value, 0, mix, 0, 0f, xhat, 0);
        final float scale = (float) (weight / ((double) (perCell ? (long) whole.count() * k * L : whole.positives()) * d));
        final float[] x = in.x();
        double total = 0;
        for (int j = 0; j < d; j++) {
            for (int q = 0, ho = j * terms; q < terms; q++) {
                int xo = termRow[q] * d + j;
                float err = xhat[ho + q] - x[xo];
                total += (double) err * err;
                xhat[ho + q] = 2 * scale * err;
                g.dX[xo] -= xhat[ho + q]; // the target x_j gets the opposite
            }
        }
        Blas.gemm(true, true, db, d, terms, 1f, mix, 0, xhat, 0, 1f, w5.grad, 0);
        Blas.gemm(false, false, db, terms, d, 1f, w5.value, 0, xhat, 0, 0f, dmix, 0); // dC̄ᵀ [d_b × terms]
        // Back through β and the mix, per user (disjoint slots of dC and dEᵀ).
        Arrays.fill(de, 0, rows * L, 0f);
        Arrays.fill(dc, 0, rows * db, 0f);
        Parallel.forRange(count, 8, (from, to) -> {
            float[] dm = new float[L * db], betaCol = new float[L];
            double[] dBeta = new double[L];
            // One interest's terms at a time (they share its slots): dc_i += Σ_terms β_{i,term} dc̄_term in registers.
            for (int q0 = firstTerm[from], q1; q0 < firstTerm[to]; q0 = q1) {
                int r0 = termSlot0[q0], len = termLen[q0];
                for (q1 = q0; q1 < firstTerm[to] && termSlot0[q1] == r0; q1++) {
                    int t = q1 - q0, bo = q1 * L, j = termCol[q1];
                    for (int b = 0; b < db; b++) dm[t * db + b] = dmix[b * nTerms + q1];
                    double bd = 0;
                    for (int i = 0; i < len; i++) {
                        dBeta[i] = Kernels.dot(dm, t * db, c, (r0 + i) * db, db);
                        bd += beta[bo + i] * dBeta[i];
                    }
                    for (int i = 0; i < len; i++) de[j * rows + r0 + i] += (float) (beta[bo + i] * (dBeta[i] - bd));
                }
                for (int i = 0; i < len; i++) {
                    for (int q = q0; q < q1; q++) betaCol[q - q0] = beta[q * L + i];
                    Kernels.addWeightedRows(q1 - q0, db, betaCol, 0, dm, 0, dc, (r0 + i) * db);
                }
            }
        });
        // Back through the dense part, transposed as in the forward.
        Blas.gemm(false, true, hidden, L, rows, 1f, t, 0, de, 0, 1f, query.grad, 0);
        Blas.gemm(false, false, hidden, rows, L, 1f, query.value, 0, de, 0, 0f, dt, 0);
        Kernels.tanhBackward(t, dt, 0, rows * hidden);
        Blas.gemm(true, true, db, hidden, rows, 1f, c, 0, dt, 0, 1f, w4.grad, 0);
        Blas.gemm(true, true, rows, db, hidden, 1f, dt, 0, w4.value, 0, 1f, dc, 0);
        // Back through the upsampling, group by group as in the forward; padding slots get a zero gradient.
        final float[] dcd = direct ? dc : dcg, dzd = direct ? g.dZ : dzg;
        if (!direct) copySlots(in, dc, dcg, false);
        for (int gi = 0; gi < groups; gi++) {
            int u0 = groupStart[gi], n = (groupStart[gi + 1] - u0) * k, w = groupWidth[gi] * db, co = groupOffset[gi];
            Blas.gemm(true, false, d, w, n, 1f, zs, u0 * k * d, d, dcd, co, w, 1f, up.grad, 0, L * db);
            Kernels.addColumnSums(dcd, co, n, w, upBias.grad);
            Blas.gemm(false, true, n, d, w, 1f, dcd, co, w, up.value, 0, L * db, direct ? 1f : 0f, dzd, u0 * k * d, d);
        }
        if (!direct) for (int i = 0; i < count; i++) Kernels.axpy(k * d, 1f, dzg, i * k * d, g.dZ, byLength[i] * k * d);
        return scale * total;
    }

    /** The number of slots the upsampling computes for a history of {@code len}: len rounded up to a bucket. */
    private int width(int len) {
        return Math.min(maxLen, (len + BUCKET - 1) / BUCKET * BUCKET);
    }

    /**
     * Orders the users by history length (stable) into groups of equal {@link #width}; returns whether the groups'
     * padded layout is the slots' own packing (lengths never decrease and each is its own width), in which case z and
     * the slots need no copies.
     */
    private boolean groupByLength(FlowInput in) {
        final int count = in.count();
        Arrays.fill(perLen, 0);
        for (int u = 0; u < count; u++) perLen[in.len(u) + 1]++;
        for (int l = 0; l <= maxLen; l++) perLen[l + 1] += perLen[l];
        boolean packed = true;
        for (int u = 0; u < count; u++) {
            int pos = perLen[in.len(u)]++;
            byLength[pos] = u;
            packed &= pos == u && width(in.len(u)) == in.len(u);
        }
        groups = 0;
        for (int i = 0, offset = 0; i < count; i++) {
            int w = width(in.len(byLength[i]));
            if (i == 0 || w != groupWidth[groups - 1]) {
                groupStart[groups] = i;
                groupWidth[groups] = w;
                groupOffset[groups++] = offset;
            }
            offset += in.k() * w * db;
        }
        groupStart[groups] = count;
        return packed;
    }

    /**
     * Copies each interest's real slots between the packed layout (rows att(u, k, i)) and the groups' padded one
     * (rows of width·d_b, in group order): {@code toPacked} from padded to packed; otherwise from packed to padded,
     * zeroing the padding.
     */
    private void copySlots(FlowInput in, float[] from, float[] to, boolean toPacked) {
        final int k = in.k();
        for (int gi = 0; gi < groups; gi++) {
            int w = groupWidth[gi] * db;
            for (int i = groupStart[gi], po = groupOffset[gi]; i < groupStart[gi + 1]; i++) {
                int u = byLength[i], n = in.len(u) * db;
                for (int kk = 0; kk < k; kk++, po += w) {
                    int so = in.att(u, kk, 0) * db;
                    if (toPacked) {
                        System.arraycopy(from, po, to, so, n);
                    } else {
                        System.arraycopy(from, so, to, po, n);
                        Arrays.fill(to, po + n, po + w, 0f);
                    }
                }
            }
        }
    }

    private void ensure(int rows, int terms, int p, int count) {
        if (c.length < rows * db) {
            c = new float[rows * db];
            dc = new float[rows * db];
            t = new float[rows * hidden];
            dt = new float[rows * hidden];
            e = new float[rows * maxLen];
            de = new float[rows * maxLen];
        }
        if (zg.length < p * d) {
            zg = new float[p * d];
            dzg = new float[p * d];
        }
        if (byLength.length < count) {
            byLength = new int[count];
            groupStart = new int[count + 1];
            groupWidth = new int[count];
            groupOffset = new int[count];
        }
        if (termRow.length < terms) {
            int n = Math.max(terms, termRow.length * 3 / 2);
            termRow = new int[n];
            termSlot0 = new int[n];
            termLen = new int[n];
            termCol = new int[n];
            beta = new float[n * maxLen];
            mix = new float[n * db];
            dmix = new float[n * db];
            xhat = new float[n * d];
        }
    }
}
