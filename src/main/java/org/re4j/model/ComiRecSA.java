package org.re4j.model;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;

/**
 * ComiRec-SA's forward flow (Re4 paper eq. 1–2; ComiRec §3.2): self-attentive multi-interest extraction.
 *
 * <pre>
 *   a_{k,i} = softmax_i( w_k · tanh(W1 (x_i + p_i) + b1) + b_k )     over the user's real items only
 *   z_k     = Σ_i a_{k,i} W2 x_i                                       W2 = identity (ComiRec) or learned (Re4)
 * </pre>
 *
 * Padded positions are never materialised: a batch is packed into R = Σ_u len_u rows, so they can neither receive
 * attention nor cost arithmetic. The position embedding p_i (ComiRec's code, an option) enters the attention only.
 */
public final class ComiRecSA extends EmbeddingEncoder {

    /**
     * @param numItems           catalogue size N (item rows 1..N, row 0 padding)
     * @param dim                d, embedding size (64)
     * @param hidden             d_h, attention hidden size (256)
     * @param interests          K (4 for ComiRec-SA, 8 for Re4)
     * @param maxLen             N_x, longest history read (20)
     * @param positionEmbedding  add a learned position embedding to the attention input (ComiRec's code)
     * @param learnedProjection  learn W2 (Re4 eq. 2) instead of the identity (ComiRec's code)
     * @param attentionBias      biases b1, b_k in the attention MLP (ComiRec's dense layers have them)
     */
    public record Config(int numItems, int dim, int hidden, int interests, int maxLen,
                         boolean positionEmbedding, boolean learnedProjection, boolean attentionBias) {
        public Config {
            if (numItems < 1) throw new IllegalArgumentException("numItems must be ≥ 1, got " + numItems);
            if (dim < 1 || hidden < 1 || interests < 1 || maxLen < 1) {
                throw new IllegalArgumentException("dim, hidden, interests and maxLen must be ≥ 1");
            }
        }

        /** ComiRec-SA as in ComiRec's code: K = 4, identity projection, position embedding, biases. */
        public static Config comirec(int numItems) {
            return new Config(numItems, 64, 256, 4, 20, true, false, true);
        }
    }

    private final Config cfg;
    private final Param position;   // p: [maxLen × d] or null
    private final Param w1;         // [d × d_h]
    private final Param b1;         // [1 × d_h] or null
    private final Param wk;         // the K vectors w_k as columns: [d_h × K]
    private final Param bk;         // [1 × K] or null
    private final Param w2;         // [d × d] or null (identity)
    private final Workspace train = new Workspace(true);

    public ComiRecSA(Config cfg, long seed) {
        this(cfg, new SplittableRandom(seed));
    }

    private ComiRecSA(Config cfg, SplittableRandom rng) {
        super("comirec-sa", cfg.numItems, cfg.dim, cfg.maxLen, cfg.interests, rng);
        this.cfg = cfg;
        int d = cfg.dim, h = cfg.hidden, k = cfg.interests;
        position = cfg.positionEmbedding ? params.add(Param.dense("position_embeddings", cfg.maxLen, d).glorotUniform(rng)) : null;
        w1 = params.add(Param.dense("attention_w1", d, h).glorotUniform(rng));
        b1 = cfg.attentionBias ? params.add(Param.dense("attention_b1", 1, h)) : null;
        wk = params.add(Param.dense("attention_wk", h, k).glorotUniform(rng));
        bk = cfg.attentionBias ? params.add(Param.dense("attention_bk", 1, k)) : null;
        w2 = cfg.learnedProjection ? params.add(Param.dense("interest_w2", d, d).glorotUniform(rng)) : null;
    }

    public Config config() {
        return cfg;
    }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        Workspace ws = new Workspace(false); // inference may run on several threads: never share the training workspace
        ws.forward(histories, lengths, count);
        System.arraycopy(ws.z, 0, out, 0, count * cfg.interests * cfg.dim);
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        train.forward(histories, lengths, count);
        return train.z;
    }

    @Override
    public void backward(float[] dZ) {
        train.backward(dZ, null, null);
    }

    /**
     * Back-propagates the last training forward with two extra gradients that Re4's backward flows produce:
     * {@code dLogits}, on the attention logits in the packed layout of {@link #attention()}, and {@code dX}, on the
     * history rows of {@link #historyRows()}. Either may be null.
     */
    public void backward(float[] dZ, float[] dLogits, float[] dX) {
        train.backward(dZ, dLogits, dX);
    }

    /** Item embeddings of the last training forward's history, packed [R × d] (row r is item {@code rowItems()[r]}). */
    public float[] historyRows() {
        return train.x;
    }

    /** Item id of each packed row of the last training forward. */
    public int[] rowItems() {
        return train.rowItem;
    }

    /** Number of packed rows R = Σ len of the last training forward. */
    public int rows() {
        return train.rows;
    }

    /** Attention of the last training forward: user u's [K × len_u] block starts at {@code K · rowStart(u)}. */
    public float[] attention() {
        return train.a;
    }

    /** Packed-row offsets of the last training forward: user u's items are rows rowStart[u] .. rowStart[u+1). */
    public int[] rowStart() {
        return train.rowStart;
    }

    /**
     * Activations and their gradients for one batch, in the packed layout. Buffers grow to the largest batch seen
     * and are then reused: a training step allocates nothing.
     */
    private final class Workspace {
        static final int CHUNK = 64; // rows per partial sum of w_k's gradient (fixed, so results ignore thread count)
        final boolean parallel; // split per-user and element-wise loops over cores (training); serial for inference
        int count, rows;
        int[] rowStart = new int[1];
        int[] rowItem = new int[0], rowPos = new int[0];
        float[] x = new float[0];     // [R × d]   item embeddings x_i
        float[] xin = new float[0];   // [R × d]   attention input x_i + p_i (aliases x without positions)
        float[] t = new float[0];     // [R × d_h] tanh(W1 xin + b1)
        float[] g = new float[0];     // [R × K]   attention logits, then their gradient
        float[] a = new float[0];     // [R × K] packed per user as [K × len_u] at K·rowStart[u]
        float[] v = new float[0];     // [R × d]   W2 x_i (aliases x for the identity projection)
        float[] z = new float[0];     // [count × K × d]
        float[] da = new float[0], dv = new float[0], dt = new float[0], dxin = new float[0], dx = new float[0];
        float[] wkT = new float[0];   // [K × d_h] w_k transposed
        float[] wkPart = new float[0]; // [chunks × K × d_h] w_k's gradient per chunk of CHUNK rows

        Workspace(boolean parallel) {
            this.parallel = parallel;
        }

        private void each(int n, int minPart, Parallel.Range body) {
            if (parallel) Parallel.forRange(n, minPart, body);
            else body.run(0, n);
        }

        void forward(int[] hist, int[] lengths, int count) {
            final int d = cfg.dim, h = cfg.hidden, k = cfg.interests, L = cfg.maxLen;
            this.count = count;
            if (rowStart.length < count + 1) rowStart = new int[count + 1];
            int r = 0;
            for (int u = 0; u < count; u++) {
                int len = lengths[u];
                if (len < 1 || len > L) throw new IllegalArgumentException("history length " + len + " not in [1, " + L + "]");
                rowStart[u] = r;
                r += len;
            }
            rowStart[count] = r;
            rows = r;
            ensure(r, count);

            for (int u = 0; u < count; u++) {
                for (int i = 0, row = rowStart[u]; i < lengths[u]; i++, row++) {
                    int item = hist[u * L + i];
                    if (item < 1 || item > cfg.numItems) throw new IllegalArgumentException("item id " + item + " out of range");
                    rowItem[row] = item;
                    rowPos[row] = i;
                    System.arraycopy(items.value, item * d, x, row * d, d);
                }
            }
            if (position != null) {
                for (int row = 0; row < r; row++) {
                    int xo = row * d, po = rowPos[row] * d;
                    for (int j = 0; j < d; j++) xin[xo + j] = x[xo + j] + position.value[po + j];
                }
            }
            float[] attIn = position != null ? xin : x;

            // t = tanh(xin W1 + b1); logits g = t w_k + b_k, row by row while the row of t is in cache: as a product,
            // [R × d_h]·[d_h × K] with K 4–8 would stream all of t through memory again for little arithmetic.
            Blas.gemm(false, false, r, h, d, 1f, attIn, 0, w1.value, 0, 0f, t, 0);
            transposeWk();
            each(r, 64, (from, to) -> {
                for (int row = from; row < to; row++) {
                    int ro = row * h;
                    if (b1 != null) Kernels.addRowVector(t, ro, 1, h, b1.value);
                    Kernels.tanhInPlace(t, ro, h);
                    for (int kk = 0; kk < k; kk++) {
                        g[row * k + kk] = Kernels.dot(t, ro, wkT, kk * h, h) + (bk != null ? bk.value[kk] : 0f);
                    }
                }
            });

            if (w2 != null) Blas.gemm(false, false, r, d, d, 1f, x, 0, w2.value, 0, 0f, v, 0);
            final float[] vv = w2 != null ? v : x;

            // Per user: a_{k,·} = softmax over the user's own rows, then z_k = Σ_i a_{k,i} v_i (a [K × len] times
            // v [len × d]: too small for BLAS to pay off).
            each(count, 8, (from, to) -> {
                Arrays.fill(z, from * k * d, to * k * d, 0f);
                for (int u = from; u < to; u++) {
                    int base = rowStart[u], len = lengths[u], ao = k * base;
                    for (int kk = 0; kk < k; kk++) {
                        for (int i = 0; i < len; i++) a[ao + kk * len + i] = g[(base + i) * k + kk];
                        Kernels.softmaxInPlace(a, ao + kk * len, len);
                        int zo = (u * k + kk) * d;
                        for (int i = 0; i < len; i++) Kernels.axpy(d, a[ao + kk * len + i], vv, (base + i) * d, z, zo);
                    }
                }
            });
        }

        void backward(float[] dz, float[] dLogits, float[] dX) {
            final int d = cfg.dim, h = cfg.hidden, k = cfg.interests;
            final int r = rows;
            final float[] vv = w2 != null ? v : x;

            // dA = dZ · vᵀ and dv = Aᵀ · dZ per user; then through the softmax into the logits' gradient g.
            each(count, 8, (from, to) -> { // each user writes only its own rows of dv, da and g
                Arrays.fill(dv, rowStart[from] * d, rowStart[to] * d, 0f);
                for (int u = from; u < to; u++) {
                    int base = rowStart[u], len = rowStart[u + 1] - base, ao = k * base;
                    for (int kk = 0; kk < k; kk++) {
                        int zo = (u * k + kk) * d;
                        for (int i = 0; i < len; i++) {
                            int vo = (base + i) * d;
                            da[ao + kk * len + i] = Kernels.dot(dz, zo, vv, vo, d);
                            Kernels.axpy(d, a[ao + kk * len + i], dz, zo, dv, vo);
                        }
                        Kernels.softmaxBackward(a, ao + kk * len, da, ao + kk * len, len);
                        if (dLogits != null) for (int i = 0; i < len; i++) da[ao + kk * len + i] += dLogits[ao + kk * len + i];
                        for (int i = 0; i < len; i++) g[(base + i) * k + kk] = da[ao + kk * len + i];
                    }
                }
            });

            // Through the attention MLP: dt = g w_kᵀ and w_k's gradient tᵀg row by row, as in forward. w_k's gradient
            // is summed per fixed chunk of rows and the chunks are added in order, so it does not depend on the
            // number of threads.
            if (bk != null) Kernels.addColumnSums(g, r, k, bk.grad);
            transposeWk();
            final int chunks = (r + CHUNK - 1) / CHUNK;
            if (wkPart.length < chunks * k * h) wkPart = new float[chunks * k * h];
            each(chunks, 1, (cf, ct) -> {
                for (int c = cf; c < ct; c++) {
                    int po = c * k * h;
                    Arrays.fill(wkPart, po, po + k * h, 0f);
                    for (int row = c * CHUNK, end = Math.min(r, row + CHUNK); row < end; row++) {
                        int ro = row * h;
                        Arrays.fill(dt, ro, ro + h, 0f);
                        for (int kk = 0; kk < k; kk++) {
                            float gv = g[row * k + kk];
                            Kernels.axpy(h, gv, wkT, kk * h, dt, ro);
                            Kernels.axpy(h, gv, t, ro, wkPart, po + kk * h);
                        }
                        Kernels.tanhBackward(t, dt, ro, h);
                    }
                }
            });
            for (int c = 0; c < chunks; c++) {
                for (int kk = 0, po = c * k * h; kk < k; kk++) {
                    for (int j = 0; j < h; j++) wk.grad[j * k + kk] += wkPart[po + kk * h + j];
                }
            }
            float[] attIn = position != null ? xin : x;
            Blas.gemm(true, false, d, h, r, 1f, attIn, 0, dt, 0, 1f, w1.grad, 0);
            if (b1 != null) Kernels.addColumnSums(dt, r, h, b1.grad);
            Blas.gemm(false, true, r, d, h, 1f, dt, 0, w1.value, 0, 0f, dxin, 0);

            if (position != null) {
                for (int row = 0; row < r; row++) Kernels.axpy(d, 1f, dxin, row * d, position.grad, rowPos[row] * d);
            }
            // dx = dxin + dv W2ᵀ (or + dv for the identity projection)
            if (w2 != null) {
                Blas.gemm(true, false, d, d, r, 1f, x, 0, dv, 0, 1f, w2.grad, 0);
                System.arraycopy(dxin, 0, dx, 0, r * d);
                Blas.gemm(false, true, r, d, d, 1f, dv, 0, w2.value, 0, 1f, dx, 0);
            } else {
                for (int j = 0; j < r * d; j++) dx[j] = dxin[j] + dv[j];
            }
            if (dX != null) for (int j = 0; j < r * d; j++) dx[j] += dX[j];
            RowGrads eg = items.rowGrads;
            float[] egv = eg.values();
            for (int row = 0; row < r; row++) {
                int off = eg.offset(rowItem[row]);
                egv = eg.values(); // offset() may have grown the storage
                Kernels.axpy(d, 1f, dx, row * d, egv, off);
            }
        }

        /** wkT[kk·d_h + j] = w_k[j·K + kk]: each interest's attention vector as a contiguous row. */
        private void transposeWk() {
            final int h = cfg.hidden, k = cfg.interests;
            if (wkT.length != h * k) wkT = new float[h * k];
            for (int j = 0; j < h; j++) for (int kk = 0; kk < k; kk++) wkT[kk * h + j] = wk.value[j * k + kk];
        }

        private void ensure(int r, int count) {
            final int d = cfg.dim, h = cfg.hidden, k = cfg.interests;
            if (rowItem.length < r) {
                int cap = Math.max(r, rowItem.length * 3 / 2);
                rowItem = new int[cap];
                rowPos = new int[cap];
                x = new float[cap * d];
                xin = position != null ? new float[cap * d] : x;
                t = new float[cap * h];
                g = new float[cap * k];
                a = new float[cap * k];
                da = new float[cap * k];
                v = w2 != null ? new float[cap * d] : x;
                dv = new float[cap * d];
                dt = new float[cap * h];
                dxin = new float[cap * d];
                dx = new float[cap * d];
            }
            if (z.length < count * k * d) z = new float[count * k * d];
        }
    }
}
