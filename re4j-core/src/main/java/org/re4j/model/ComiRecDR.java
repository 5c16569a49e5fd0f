package org.re4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.re4j.math.Blas;
import org.re4j.model.layers.Embedding;
import org.re4j.model.layers.Histories;

/**
 * ComiRec-DR (Cen et al., KDD 2020): interests by dynamic routing, as ComiRec's code has it ({@code CapsuleNetwork}
 * with {@code bilinear_type = 2}):
 *
 * <pre>
 *   ê_{k,l} = W_l x_l                  a separate map per position l: W [N_x × (K·d) × d]
 *   b = 0;  3 rounds:  c_{·,l} = softmax_k(b_{·,l}) on real positions (0 on padding)
 *                      s_k = Σ_l c_{k,l} ê_{k,l},  v_k = squash(s_k),  b_{k,l} += ê_{k,l}·v_k   (first two rounds)
 *   z_k = squash(Σ_l c_{k,l} ê_{k,l}) with the last round's c
 * </pre>
 *
 * As in ComiRec's code ({@code stop_grad = True}) the routing rounds read ê without gradient, so the coupling
 * coefficients c are constants for back-propagation: gradients flow through the last round's sum and squash only.
 * Training selects the interest by argmax against the target, like ComiRec-SA (the loss does that).
 */
public final class ComiRecDR extends EmbeddingEncoder {

    /**
     * @param numItems catalogue size; @param dim d; @param interests K; @param maxLen N_x
     * @param rounds   routing rounds (ComiRec: 3)
     */
    public record Config(int numItems, int dim, int interests, int maxLen, int rounds) implements ModelConfig {
        public Config {
            if (numItems < 1 || dim < 1 || interests < 1 || maxLen < 1 || rounds < 1) {
                throw new IllegalArgumentException("numItems, dim, interests, maxLen and rounds must be ≥ 1");
            }
        }

        /** ComiRec's: d 64, K 4, N_x 20, 3 routing rounds. */
        public static Config comirec(int numItems) {
            return new Config(numItems, 64, 4, 20, 3);
        }

        public Config withDim(int v) { return new Config(numItems, v, interests, maxLen, rounds); }
        public Config withInterests(int v) { return new Config(numItems, dim, v, maxLen, rounds); }
        public Config withMaxLen(int v) { return new Config(numItems, dim, interests, v, rounds); }
        public Config withRounds(int v) { return new Config(numItems, dim, interests, maxLen, v); }
    }

    public static final String NAME = "comirec-dr";

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "ComiRec-DR: dynamic routing with per-position maps, 3 rounds (ComiRec used lr 0.005)",
            Config.class, Config::comirec, ComiRecDR::new, List.of(DIM, INTERESTS, MAX_LEN, ROUNDS), List.of());

    private final Config cfg;
    private final Param maps;
    private final Workspace train = new Workspace();
    private float[] frozen; // tests: coupling coefficients held fixed (the gradient treats them as constants)

    public ComiRecDR(Config cfg, long seed) {
        this(cfg, new SplittableRandom(seed));
    }

    private ComiRecDR(Config cfg, SplittableRandom rng) {
        super(NAME, cfg.numItems(), cfg.dim(), cfg.maxLen(), cfg.interests(), rng);
        this.cfg = cfg;
        int d = cfg.dim(), k = cfg.interests();
        // [N_x × (K·d) × d]: position l's map is rows l·K·d .. (l+1)·K·d.
        maps = params.add(Param.dense("routing_maps", cfg.maxLen() * k * d, d).normal(rng, Math.sqrt(1.0 / d)));
    }

    private ComiRecDR(ComiRecDR master) {
        super(master);
        this.cfg = master.cfg;
        maps = share(master.maps);
    }

    @Override
    public ComiRecDR replica() {
        return new ComiRecDR(this);
    }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        Workspace ws = new Workspace();
        ws.forward(histories, lengths, count);
        System.arraycopy(ws.z, 0, out, 0, count * cfg.interests() * cfg.dim());
    }

    /** Test hook: use these coefficients [count × K × N_x] instead of routing (null: route as usual). */
    void freezeCouplings(float[] c) {
        this.frozen = c;
    }

    /** The last training forward's coupling coefficients [count × K × N_x]. */
    float[] couplings() {
        return train.c;
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        train.forward(histories, lengths, count);
        return train.z;
    }

    @Override
    public void backward(float[] dZ) {
        train.backward(dZ);
    }

    private final class Workspace {
        int count;
        int[] hist, lengths;
        float[] x = new float[0];    // [L][count × d]   item embeddings by position (0 for padding)
        float[] eh = new float[0];   // [L][count × K·d] ê by position
        float[] c = new float[0];    // [count × K × L]  last round's coupling coefficients
        float[] s = new float[0];    // [count × K × d]  last round's sum before squash
        float[] z = new float[0];    // [count × K × d]
        float[] deh = new float[0], dx = new float[0];

        void forward(int[] hist, int[] lengths, int count) {
            final int d = cfg.dim(), k = cfg.interests(), L = cfg.maxLen(), kd = k * d;
            this.count = count;
            this.hist = hist;
            this.lengths = lengths;
            if (x.length < L * count * d) {
                x = new float[L * count * d];
                dx = new float[L * count * d];
                eh = new float[L * count * kd];
                deh = new float[L * count * kd];
            }
            if (c.length < count * k * L) c = new float[count * k * L];
            if (s.length < count * kd) {
                s = new float[count * kd];
                z = new float[count * kd];
            }
            Arrays.fill(x, 0, L * count * d, 0f);
            Histories.validate(hist, lengths, count, L, cfg.numItems());
            for (int u = 0; u < count; u++) {
                for (int l = 0; l < lengths[u]; l++) System.arraycopy(items.value, hist[u * L + l] * d, x, (l * count + u) * d, d);
            }
            // ê for every position at once per position: [count × d] · W_lᵀ  (padding rows are zero)
            for (int l = 0; l < L; l++) {
                Blas.gemm(false, true, count, kd, d, 1f, x, l * count * d, d, maps.value, l * kd * d, d, 0f, eh, l * count * kd, kd);
            }
            double[] b = new double[k * L], v = new double[d], sum = new double[d];
            for (int u = 0; u < count; u++) {
                int len = lengths[u];
                Arrays.fill(b, 0);
                for (int round = frozen != null ? cfg.rounds() - 1 : 0; round < cfg.rounds(); round++) {
                    // c = softmax over interests of b, per real position
                    if (frozen != null) System.arraycopy(frozen, u * k * L, c, u * k * L, k * L);
                    else Capsules.couplings(b, k, L, len, c, u * k * L);
                    for (int q = 0; q < k; q++) {
                        Arrays.fill(sum, 0);
                        for (int l = 0; l < len; l++) {
                            double w = c[(u * k + q) * L + l];
                            int eo = (l * count + u) * kd + q * d;
                            for (int j = 0; j < d; j++) sum[j] += w * eh[eo + j];
                        }
                        double f = Capsules.squashScale(sum, d);
                        int so = (u * k + q) * d;
                        for (int j = 0; j < d; j++) {
                            v[j] = f * sum[j];
                            s[so + j] = (float) sum[j];
                            z[so + j] = (float) v[j];
                        }
                        if (round < cfg.rounds() - 1) {
                            for (int l = 0; l < len; l++) {
                                int eo = (l * count + u) * kd + q * d;
                                double dot = 0;
                                for (int j = 0; j < d; j++) dot += eh[eo + j] * v[j];
                                b[q * L + l] += dot;
                            }
                        }
                    }
                }
            }
        }

        void backward(float[] dz) {
            final int d = cfg.dim(), k = cfg.interests(), L = cfg.maxLen(), kd = k * d;
            Arrays.fill(deh, 0, L * count * kd, 0f);
            double[] ds = new double[d];
            for (int u = 0; u < count; u++) {
                for (int q = 0; q < k; q++) {
                    int so = (u * k + q) * d;
                    Capsules.squashBackward(s, so, dz, so, d, ds);
                    // s_k = Σ_l c_{k,l} ê_{k,l}, c constant
                    for (int l = 0; l < lengths[u]; l++) {
                        float w = c[(u * k + q) * L + l];
                        int eo = (l * count + u) * kd + q * d;
                        for (int j = 0; j < d; j++) deh[eo + j] += (float) (w * ds[j]);
                    }
                }
            }
            for (int l = 0; l < L; l++) {
                // dW_l += dÊ_lᵀ X_l ; dX_l = dÊ_l W_l
                Blas.gemm(true, false, kd, d, count, 1f, deh, l * count * kd, kd, x, l * count * d, d, 1f, maps.grad, l * kd * d, d);
                Blas.gemm(false, false, count, d, kd, 1f, deh, l * count * kd, kd, maps.value, l * kd * d, d, 0f, dx, l * count * d, d);
            }
            for (int u = 0; u < count; u++) { // positions are laid out [L][count]: row (l, u) is position l of user u
                for (int l = 0; l < lengths[u]; l++) Embedding.scatterAdd(items.rowGrads, d, hist[u * L + l], dx, (l * count + u) * d, 1f);
            }
        }
    }
}
