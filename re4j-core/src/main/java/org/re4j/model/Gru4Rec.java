package org.re4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.model.layers.Embedding;
import org.re4j.model.layers.Histories;

/**
 * GRU4Rec (Hidasi et al., 2016) as ComiRec's code has it: a GRU (hidden size d) over the history, oldest item first;
 * the state after the last real item is the single user vector (K = 1). The cell is TensorFlow's {@code GRUCell},
 * which ComiRec uses:
 *
 * <pre>
 *   [r, u] = σ([x_t, h] W_g + b_g)        (b_g starts at 1, as in TensorFlow)
 *   c      = tanh([x_t, r ⊙ h] W_c + b_c)
 *   h'     = u ⊙ h + (1 − u) ⊙ c
 * </pre>
 *
 * Histories are left-aligned, so at step t the users with len > t are updated and the others keep their state.
 * Backward is back-propagation through time over the cached steps.
 */
public final class Gru4Rec extends EmbeddingEncoder {

    /** @param numItems catalogue size; @param dim d (= the GRU's hidden size); @param maxLen history length read */
    public record Config(int numItems, int dim, int maxLen) implements ModelConfig {
        public Config {
            if (numItems < 1 || dim < 1 || maxLen < 1) throw new IllegalArgumentException("numItems, dim and maxLen must be ≥ 1");
        }

        /** ComiRec's sizes: d 64, N_x 20. */
        public static Config comirec(int numItems) {
            return new Config(numItems, 64, 20);
        }

        public Config withDim(int v) { return new Config(numItems, v, maxLen); }
        public Config withMaxLen(int v) { return new Config(numItems, dim, v); }
    }

    public static final String NAME = "gru4rec";

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "a GRU over the history, last state (TensorFlow's GRU cell, as ComiRec)",
            Config.class, Config::comirec, Gru4Rec::new, List.of(DIM, MAX_LEN), List.of());

    private final Config cfg;
    private final Param wg, bg, wc, bc;
    private final Workspace train = new Workspace();

    public Gru4Rec(Config cfg, long seed) {
        this(cfg, new SplittableRandom(seed));
    }

    private Gru4Rec(Config cfg, SplittableRandom rng) {
        super(NAME, cfg.numItems(), cfg.dim(), cfg.maxLen(), 1, rng);
        this.cfg = cfg;
        int d = cfg.dim();
        wg = params.add(Param.dense("gru_gates_w", 2 * d, 2 * d).glorotUniform(rng));
        bg = params.add(Param.dense("gru_gates_b", 1, 2 * d));
        Arrays.fill(bg.value, 1f);
        wc = params.add(Param.dense("gru_candidate_w", 2 * d, d).glorotUniform(rng));
        bc = params.add(Param.dense("gru_candidate_b", 1, d));
    }

    private Gru4Rec(Gru4Rec master) {
        super(master);
        this.cfg = master.cfg;
        wg = share(master.wg);
        bg = share(master.bg);
        wc = share(master.wc);
        bc = share(master.bc);
    }

    @Override
    public Gru4Rec replica() {
        return new Gru4Rec(this);
    }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        Workspace ws = new Workspace(); // thread-safe inference: never the training workspace
        ws.forward(histories, lengths, count);
        System.arraycopy(ws.h, ws.hOff(ws.steps, 0), out, 0, count * cfg.dim());
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        train.forward(histories, lengths, count);
        return Arrays.copyOfRange(train.h, train.hOff(train.steps, 0), train.hOff(train.steps, count));
    }

    @Override
    public void backward(float[] dZ) {
        train.backward(dZ);
    }

    /** Per-step activations, [steps × count × ·], reused between batches. */
    private final class Workspace {
        int count, steps;
        int[] hist, lengths;
        float[] xh = new float[0];   // [t][u] = [x_t, h_{t-1}]    (2d)
        float[] g = new float[0];    // gates [r, u] after σ       (2d)
        float[] xrh = new float[0];  // [x_t, r ⊙ h_{t-1}]         (2d)
        float[] c = new float[0];    // candidate after tanh        (d)
        float[] h = new float[0];    // h_0 = 0 .. h_steps          ((steps + 1) × count × d)
        float[] dh = new float[0], dcPre = new float[0], dgPre = new float[0], dxrh = new float[0], dxh = new float[0], dx;

        int hOff(int t, int u) {
            return (t * count + u) * cfg.dim();
        }

        void forward(int[] hist, int[] lengths, int count) {
            int d = cfg.dim(), L = cfg.maxLen();
            this.count = count;
            this.hist = hist;
            this.lengths = lengths;
            Histories.validate(hist, lengths, count, L, cfg.numItems());
            int steps = 0;
            for (int u = 0; u < count; u++) steps = Math.max(steps, lengths[u]);
            this.steps = steps;
            int n = steps * count;
            if (xh.length < n * 2 * d) {
                xh = new float[n * 2 * d];
                g = new float[n * 2 * d];
                xrh = new float[n * 2 * d];
                c = new float[n * d];
            }
            if (h.length < (n + count) * d) h = new float[(n + count) * d];
            Arrays.fill(h, 0, count * d, 0f);
            for (int t = 0; t < steps; t++) {
                int o2 = t * count * 2 * d, o1 = t * count * d;
                for (int u = 0; u < count; u++) {
                    int item = t < lengths[u] ? hist[u * L + t] : 0; // row 0 (zeros) for users already finished
                    System.arraycopy(items.value, item * d, xh, o2 + u * 2 * d, d);
                    System.arraycopy(h, hOff(t, u), xh, o2 + u * 2 * d + d, d);
                }
                Blas.gemm(false, false, count, 2 * d, 2 * d, 1f, xh, o2, wg.value, 0, 0f, g, o2);
                for (int u = 0; u < count; u++) {
                    int go = o2 + u * 2 * d;
                    for (int j = 0; j < 2 * d; j++) g[go + j] = sigmoid(g[go + j] + bg.value[j]);
                    System.arraycopy(xh, go, xrh, go, d);
                    for (int j = 0; j < d; j++) xrh[go + d + j] = g[go + j] * xh[go + d + j];
                }
                Blas.gemm(false, false, count, d, 2 * d, 1f, xrh, o2, wc.value, 0, 0f, c, o1);
                for (int u = 0; u < count; u++) {
                    int co = o1 + u * d, go = o2 + u * 2 * d, hp = hOff(t, u), hn = hOff(t + 1, u);
                    boolean active = t < lengths[u];
                    for (int j = 0; j < d; j++) {
                        c[co + j] = Kernels.tanh(c[co + j] + bc.value[j]);
                        float z = g[go + d + j];
                        h[hn + j] = active ? z * h[hp + j] + (1 - z) * c[co + j] : h[hp + j];
                    }
                }
            }
        }

        void backward(float[] dz) {
            int d = cfg.dim(), L = cfg.maxLen();
            if (dh.length < count * d) {
                dh = new float[count * d];
                dcPre = new float[count * d];
                dgPre = new float[count * 2 * d];
                dxrh = new float[count * 2 * d];
                dxh = new float[count * 2 * d];
                dx = new float[d];
            }
            System.arraycopy(dz, 0, dh, 0, count * d);
            RowGrads eg = items.rowGrads;
            for (int t = steps - 1; t >= 0; t--) {
                int o2 = t * count * 2 * d, o1 = t * count * d;
                // Through h' = u ⊙ h + (1 − u) ⊙ c, then c = tanh(·): inactive users pass dh through untouched.
                for (int u = 0; u < count; u++) {
                    int co = o1 + u * d, go = o2 + u * 2 * d, hp = hOff(t, u), du = u * d;
                    boolean active = t < lengths[u];
                    for (int j = 0; j < d; j++) {
                        if (!active) {
                            dcPre[du + j] = 0;
                            dgPre[u * 2 * d + d + j] = 0;
                            continue;
                        }
                        float z = g[go + d + j], cj = c[co + j], dhj = dh[du + j];
                        dcPre[du + j] = dhj * (1 - z) * (1 - cj * cj);
                        dgPre[u * 2 * d + d + j] = dhj * (h[hp + j] - cj) * z * (1 - z);
                        dh[du + j] = dhj * z;
                    }
                }
                Blas.gemm(true, false, 2 * d, d, count, 1f, xrh, o2, dcPre, 0, 1f, wc.grad, 0);
                Kernels.addColumnSums(dcPre, 0, count, d, bc.grad);
                Blas.gemm(false, true, count, 2 * d, d, 1f, dcPre, 0, wc.value, 0, 0f, dxrh, 0);
                // Through r ⊙ h into the reset gate and h.
                for (int u = 0; u < count; u++) {
                    int go = o2 + u * 2 * d, hp = hOff(t, u), du = u * d;
                    boolean active = t < lengths[u];
                    for (int j = 0; j < d; j++) {
                        if (!active) {
                            dgPre[u * 2 * d + j] = 0;
                            continue;
                        }
                        float r = g[go + j], drh = dxrh[u * 2 * d + d + j];
                        dgPre[u * 2 * d + j] = drh * h[hp + j] * r * (1 - r);
                        dh[du + j] += drh * r;
                    }
                }
                Blas.gemm(true, false, 2 * d, 2 * d, count, 1f, xh, o2, dgPre, 0, 1f, wg.grad, 0);
                Kernels.addColumnSums(dgPre, 0, count, 2 * d, bg.grad);
                Blas.gemm(false, true, count, 2 * d, 2 * d, 1f, dgPre, 0, wg.value, 0, 0f, dxh, 0);
                for (int u = 0; u < count; u++) {
                    if (t >= lengths[u]) continue;
                    int du = u * d;
                    for (int j = 0; j < d; j++) dh[du + j] += dxh[u * 2 * d + d + j];
                    // x_t appears in both products: the candidate's and the gates'.
                    for (int j = 0; j < d; j++) dx[j] = dxrh[u * 2 * d + j] + dxh[u * 2 * d + j];
                    Embedding.scatterAdd(eg, d, hist[u * L + t], dx, 0, 1f);
                }
            }
        }
    }

    static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }
}
