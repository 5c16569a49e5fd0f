package org.re4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import com.fasterxml.jackson.annotation.JsonValue;

import org.re4j.config.Setting;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;
import org.re4j.model.layers.Embedding;
import org.re4j.model.layers.Histories;
import org.re4j.model.layers.PackedSoftmax;

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

    public static final String NAME = "comirec-sa";

    /** The interest projection W2 of z_k = Σ_i a_{k,i} W2 x_i. */
    public enum Projection {
        /** W2 = I: interests are mixtures of the item embeddings themselves (ComiRec's code). */
        IDENTITY,
        /** A learned d × d map (Re4 paper eq. 2). */
        LEARNED;

        @JsonValue
        public String id() {
            return name().toLowerCase();
        }
    }

    /** The order in which the forward flow reads a history (which matters to the position embedding and Re-construct). */
    public enum HistoryOrder {
        /** As given: oldest first (ComiRec's code). */
        OLDEST_FIRST,
        /** Reversed: the most recent item is position 0 (the Re4 authors' script). */
        MOST_RECENT_FIRST;

        @JsonValue
        public String id() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * @param numItems           catalogue size N (item rows 1..N, row 0 padding)
     * @param dim                d, embedding size (64)
     * @param hidden             d_h, attention hidden size (256)
     * @param interests          K (ComiRec: 4)
     * @param maxLen             N_x, longest history read (20)
     * @param positionEmbedding  add a learned position embedding to the attention input (ComiRec's code)
     * @param projection         W2: identity (ComiRec's code) or learned (Re4 eq. 2)
     * @param attentionBias      biases b1, b_k in the attention MLP (ComiRec's dense layers have them)
     * @param init               how the parameters start (Glorot uniform, as ComiRec)
     * @param order              the order positions are read in (oldest first, as ComiRec)
     */
    public record Config(int numItems, int dim, int hidden, int interests, int maxLen,
                         boolean positionEmbedding, Projection projection, boolean attentionBias, Init init,
                         HistoryOrder order) implements ModelConfig {
        public Config {
            if (numItems < 1) throw new IllegalArgumentException("numItems must be ≥ 1, got " + numItems);
            if (dim < 1 || hidden < 1 || interests < 1 || maxLen < 1) {
                throw new IllegalArgumentException("dim, hidden, interests and maxLen must be ≥ 1");
            }
            if (projection == null) throw new IllegalArgumentException("projection must be identity or learned");
            if (init == null || order == null) throw new IllegalArgumentException("init and history order are required");
        }

        /** ComiRec-SA as in ComiRec's code: d 64, d_h 256, K 4, N_x 20, identity projection, position embedding, biases. */
        public static Config comirec(int numItems) {
            return new Config(numItems, 64, 256, 4, 20, true, Projection.IDENTITY, true, Init.GLOROT_UNIFORM,
                    HistoryOrder.OLDEST_FIRST);
        }

        public boolean learnedProjection() {
            return projection == Projection.LEARNED;
        }

        public Config withNumItems(int v) { return new Config(v, dim, hidden, interests, maxLen, positionEmbedding, projection, attentionBias, init, order); }
        public Config withDim(int v) { return new Config(numItems, v, hidden, interests, maxLen, positionEmbedding, projection, attentionBias, init, order); }
        public Config withHidden(int v) { return new Config(numItems, dim, v, interests, maxLen, positionEmbedding, projection, attentionBias, init, order); }
        public Config withInterests(int v) { return new Config(numItems, dim, hidden, v, maxLen, positionEmbedding, projection, attentionBias, init, order); }
        public Config withMaxLen(int v) { return new Config(numItems, dim, hidden, interests, v, positionEmbedding, projection, attentionBias, init, order); }
        public Config withPositionEmbedding(boolean v) { return new Config(numItems, dim, hidden, interests, maxLen, v, projection, attentionBias, init, order); }
        public Config withProjection(Projection v) { return new Config(numItems, dim, hidden, interests, maxLen, positionEmbedding, v, attentionBias, init, order); }
        public Config withAttentionBias(boolean v) { return new Config(numItems, dim, hidden, interests, maxLen, positionEmbedding, projection, v, init, order); }
        public Config withInit(Init v) { return new Config(numItems, dim, hidden, interests, maxLen, positionEmbedding, projection, attentionBias, v, order); }
        public Config withOrder(HistoryOrder v) { return new Config(numItems, dim, hidden, interests, maxLen, positionEmbedding, projection, attentionBias, init, v); }
    }

    /** The flags of {@link Config} (Re4 takes them too, for its forward flow). */
    public static final List<Setting> SETTINGS = List.of(
            DIM,
            Setting.of("--hidden", "hidden", Integer.class, "Attention hidden size d_h."),
            INTERESTS,
            MAX_LEN,
            Setting.of("--position-embedding", "positionEmbedding", Boolean.class,
                    "Learned position embedding on the attention input, as ComiRec's code."),
            Setting.of("--projection", "projection", Projection.class,
                    "Interest projection W2: identity (ComiRec's code) or learned (paper eq. 2)."),
            Setting.of("--attention-bias", "attentionBias", Boolean.class, "Biases in the attention MLP, as ComiRec's dense layers."),
            Setting.of("--init", "init", Init.class,
                    "glorot-uniform (ComiRec's), standard-normal (the Re4 authors' script: N(0, 1), nn.Linear defaults) or "
                            + "unit-items (Glorot, but item vectors N(0, 1/d): about unit length) or authors-attention (Glorot, "
                            + "but the attention's W1 and w_k N(0, 1), as the authors' script)."),
            Setting.of("--history-order", "order", HistoryOrder.class,
                    "Order the positions are read in: oldest-first (ComiRec) or most-recent-first (the Re4 authors' script)."));

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "ComiRec-SA: additive self-attention, K interests, identity or learned W2, position embedding",
            Config.class, Config::comirec, ComiRecSA::new, SETTINGS, List.of());

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
        super(NAME, cfg.numItems, cfg.dim, cfg.maxLen, cfg.interests, cfg.init, rng);
        this.cfg = cfg;
        int d = cfg.dim, h = cfg.hidden, k = cfg.interests;
        Init init = cfg.init;
        position = cfg.positionEmbedding ? params.add(init.matrix(Param.dense("position_embeddings", cfg.maxLen, d), rng)) : null;
        w1 = params.add(init.attention(Param.dense("attention_w1", d, h), rng));
        b1 = cfg.attentionBias ? params.add(Param.dense("attention_b1", 1, h)) : null;
        wk = params.add(init.attention(Param.dense("attention_wk", h, k), rng));
        bk = cfg.attentionBias ? params.add(Param.dense("attention_bk", 1, k)) : null;
        w2 = cfg.learnedProjection() ? params.add(init.matrix(Param.dense("interest_w2", d, d), rng)) : null;
    }

    private ComiRecSA(ComiRecSA master) {
        super(master);
        this.cfg = master.cfg;
        position = share(master.position);
        w1 = share(master.w1);
        b1 = share(master.b1);
        wk = share(master.wk);
        bk = share(master.bk);
        w2 = share(master.w2);
    }

    @Override
    public ComiRecSA replica() {
        return new ComiRecSA(this);
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
     * {@code dLogits}, on the attention logits in the packed layout of {@link Activations#attention()}, and {@code dX},
     * on the history rows of {@link Activations#x()}. Either may be null.
     */
    public void backward(float[] dZ, float[] dLogits, float[] dX) {
        train.backward(dZ, dLogits, dX);
    }

    /**
     * What the last training forward computed, in the packed layout: user u's items are rows rowStart[u] ..
     * rowStart[u+1) of {@code x} (row r is item rowItems[r]), and its attention a_{k,i} sits at
     * {@code attention[K·rowStart[u] + k·len_u + i]}. The arrays are the encoder's, valid until the next forward.
     *
     * @param rows      R = Σ len
     * @param rowStart  [count + 1] packed-row offsets
     * @param rowItems  [R] item id of each row
     * @param x         [R × d] item embeddings of the history
     * @param attention [R × K] packed per user as [K × len_u]
     */
    public record Activations(int rows, int[] rowStart, int[] rowItems, float[] x, float[] attention) {}

    /** The last training forward's activations (what Re4's backward flows read). */
    public Activations lastForward() {
        return new Activations(train.rows, train.rowStart, train.rowItem, train.x, train.a);
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
        float[] t = new float[0];     // [R × d_h] tanh(W1 (x_i + p_i) + b1)
        float[] g = new float[0];     // [R × K]   attention logits, then their gradient
        float[] a = new float[0];     // [R × K] packed per user as [K × len_u] at K·rowStart[u]
        float[] v = new float[0];     // [R × d]   W2 x_i (aliases x for the identity projection)
        float[] z = new float[0];     // [count × K × d]
        float[] da = new float[0], dv = new float[0], dt = new float[0], dx = new float[0];
        float[] wkT = new float[0];   // [K × d_h] w_k transposed
        float[] wkPart = new float[0]; // [chunks × K × d_h] w_k's gradient per chunk of CHUNK rows
        // The batch's distinct items: W1 is applied once per distinct item and once per position, not once per row
        // (W1 (x_i + p_i) = W1 x_i + W1 p_i). Batches repeat popular items, so this saves a third to two thirds of
        // the step's largest products; see docs/results.md §2.
        int uniques;
        int[] rowUnique = new int[0];   // [R] distinct-item index of each row
        int[] uniqueItem = new int[0];  // [U] item id, in order of first appearance
        int[] uniqueStart = new int[1], uniqueRows = new int[0]; // rows of distinct item u: uniqueRows[uniqueStart[u] ..)
        int[] gradOffset = new int[0];  // [U] offset of the item's row in the embedding gradient
        int[] hashItem = new int[0], hashUnique = new int[0];
        float[] xu = new float[0];    // [U × d]   x of each distinct item
        float[] wx = new float[0];    // [U × d_h] W1 x, then its gradient
        float[] dxu = new float[0];   // [U × d]   gradient of x through the attention
        float[] wp = new float[0];    // [N_x × d_h] W1 p_i + b1, then its gradient

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
            final int r = Histories.rows(lengths, count, L);
            rows = r;
            ensure(r, count);
            Histories.pack(hist, lengths, count, L, cfg.numItems, cfg.order == HistoryOrder.MOST_RECENT_FIRST, rowStart, rowItem, rowPos);
            final int nu = findUniques(r);
            Embedding.gather(items.value, d, uniqueItem, nu, xu);
            for (int row = 0; row < r; row++) System.arraycopy(xu, rowUnique[row] * d, x, row * d, d);

            // t = tanh(W1 x_i + W1 p_i + b1) from the products over distinct items and positions; logits
            // g = t w_k + b_k row by row while the row of t is in cache: as a product, [R × d_h]·[d_h × K] with K 4–8
            // would stream all of t through memory again for little arithmetic.
            Blas.gemm(false, false, nu, h, d, 1f, xu, 0, w1.value, 0, 0f, wx, 0);
            if (position != null) {
                Blas.gemm(false, false, L, h, d, 1f, position.value, 0, w1.value, 0, 0f, wp, 0);
                if (b1 != null) Kernels.addRowVector(wp, 0, L, h, b1.value);
            }
            transposeWk();
            each(r, 64, (from, to) -> {
                for (int row = from; row < to; row++) {
                    int ro = row * h;
                    System.arraycopy(wx, rowUnique[row] * h, t, ro, h);
                    if (position != null) Kernels.axpy(h, 1f, wp, rowPos[row] * h, t, ro);
                    else if (b1 != null) Kernels.axpy(h, 1f, b1.value, 0, t, ro);
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
                    PackedSoftmax.forward(g, k, base, len, a);
                    for (int kk = 0; kk < k; kk++) {
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
                    }
                    PackedSoftmax.backward(a, da, dLogits, k, base, len, g);
                }
            });

            // Through the attention MLP: dt = g w_kᵀ and w_k's gradient tᵀg row by row, as in forward. w_k's gradient
            // is summed per fixed chunk of rows and the chunks are added in order, so it does not depend on the
            // number of threads.
            if (bk != null) Kernels.addColumnSums(g, 0, r, k, bk.grad);
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
            // W1's input gradients, summed per distinct item (into wx) and per position (into wp) first, so that the
            // products run over U + N_x rows instead of R. Each sum runs in row order: no dependence on thread count.
            final int nu = uniques, L = cfg.maxLen;
            each(nu, 16, (from, to) -> {
                for (int q = from; q < to; q++) {
                    int qo = q * h, e = uniqueStart[q + 1];
                    System.arraycopy(dt, uniqueRows[uniqueStart[q]] * h, wx, qo, h);
                    for (int j = uniqueStart[q] + 1; j < e; j++) Kernels.axpy(h, 1f, dt, uniqueRows[j] * h, wx, qo);
                }
            });
            Blas.gemm(true, false, d, h, nu, 1f, xu, 0, wx, 0, 1f, w1.grad, 0);
            Blas.gemm(false, true, nu, d, h, 1f, wx, 0, w1.value, 0, 0f, dxu, 0);
            if (position != null) {
                each(L, 1, (from, to) -> {
                    Arrays.fill(wp, from * h, to * h, 0f);
                    for (int p = from; p < to; p++) {
                        for (int u = 0; u < count; u++) {
                            if (rowStart[u + 1] - rowStart[u] > p) Kernels.axpy(h, 1f, dt, (rowStart[u] + p) * h, wp, p * h);
                        }
                    }
                });
                Blas.gemm(true, false, d, h, L, 1f, position.value, 0, wp, 0, 1f, w1.grad, 0);
                Blas.gemm(false, true, L, d, h, 1f, wp, 0, w1.value, 0, 1f, position.grad, 0);
                if (b1 != null) Kernels.addColumnSums(wp, 0, L, h, b1.grad);
            } else if (b1 != null) {
                Kernels.addColumnSums(wx, 0, nu, h, b1.grad);
            }

            // Each row's own gradient: dv W2ᵀ (or dv for the identity projection), plus the backward flows' dX.
            final float[] dxr;
            if (w2 != null) {
                Blas.gemm(true, false, d, d, r, 1f, x, 0, dv, 0, 1f, w2.grad, 0);
                Blas.gemm(false, true, r, d, d, 1f, dv, 0, w2.value, 0, 0f, dx, 0);
                dxr = dx;
            } else {
                dxr = dv;
            }
            if (dX != null) Kernels.axpy(r * d, 1f, dX, 0, dxr, 0); // in SIMD lanes: C2 leaves the two-array loop scalar
            // Into the embedding gradient, once per distinct item: its rows' gradients and its attention gradient.
            RowGrads eg = items.rowGrads;
            for (int q = 0; q < nu; q++) gradOffset[q] = eg.offset(uniqueItem[q]);
            final float[] egv = eg.values(); // after every offset(): it may grow the storage
            each(nu, 16, (from, to) -> { // distinct items have distinct gradient rows: disjoint writes
                for (int q = from; q < to; q++) {
                    int o = gradOffset[q];
                    Kernels.axpy(d, 1f, dxu, q * d, egv, o);
                    for (int j = uniqueStart[q]; j < uniqueStart[q + 1]; j++) Kernels.axpy(d, 1f, dxr, uniqueRows[j] * d, egv, o);
                }
            });
        }

        /**
         * Finds the batch's distinct items (open addressing over a table twice the row count, so no table-sized
         * index is needed) and lists each one's rows in row order. Returns their number U.
         */
        private int findUniques(int r) {
            int bits = 32 - Integer.numberOfLeadingZeros(Math.max(8, 2 * r) - 1), cap = 1 << bits, mask = cap - 1;
            if (hashItem.length != cap) {
                hashItem = new int[cap];
                hashUnique = new int[cap];
            } else {
                Arrays.fill(hashItem, 0); // 0 = empty: item ids start at 1
            }
            int nu = 0;
            for (int row = 0; row < r; row++) {
                int item = rowItem[row], slot = (item * 0x9E3779B9) >>> (32 - bits);
                while (hashItem[slot] != 0 && hashItem[slot] != item) slot = (slot + 1) & mask;
                if (hashItem[slot] == 0) {
                    hashItem[slot] = item;
                    hashUnique[slot] = nu;
                    uniqueItem[nu++] = item;
                }
                rowUnique[row] = hashUnique[slot];
            }
            Arrays.fill(uniqueStart, 0, nu + 1, 0);
            for (int row = 0; row < r; row++) uniqueStart[rowUnique[row] + 1]++;
            for (int q = 0; q < nu; q++) uniqueStart[q + 1] += uniqueStart[q];
            int[] next = gradOffset; // scratch here; backward overwrites it
            System.arraycopy(uniqueStart, 0, next, 0, nu);
            for (int row = 0; row < r; row++) uniqueRows[next[rowUnique[row]]++] = row;
            uniques = nu;
            return nu;
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
                rowUnique = new int[cap];
                uniqueItem = new int[cap];
                uniqueStart = new int[cap + 1];
                uniqueRows = new int[cap];
                gradOffset = new int[cap];
                x = new float[cap * d];
                xu = new float[cap * d];
                wx = new float[cap * h];
                dxu = new float[cap * d];
                t = new float[cap * h];
                g = new float[cap * k];
                a = new float[cap * k];
                da = new float[cap * k];
                v = w2 != null ? new float[cap * d] : x;
                dv = new float[cap * d];
                dt = new float[cap * h];
                dx = w2 != null ? new float[cap * d] : dv;
            }
            if (wp.length < cfg.maxLen * h) wp = new float[cfg.maxLen * h];
            if (z.length < count * k * d) z = new float[count * k * d];
        }
    }
}
