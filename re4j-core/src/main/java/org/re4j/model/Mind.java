package org.re4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.re4j.config.Setting;
import org.re4j.math.Blas;
import org.re4j.math.Gaussian;
import org.re4j.model.layers.Activation;
import org.re4j.model.layers.Dense;
import org.re4j.model.layers.Embedding;
import org.re4j.model.layers.Histories;

/**
 * MIND (Li et al., CIKM 2019) as ComiRec's code has it ({@code CapsuleNetwork} with {@code bilinear_type = 0} and a
 * ReLU layer): behaviour-to-interest dynamic routing with one shared map S.
 *
 * <pre>
 *   ê_l = S x_l                         shared by all interests
 *   b_{k,l} = B_{k,l}                   random routing logits, never back-propagated
 *   3 rounds: c_{·,l} = softmax_k(b_{·,l}) on real positions, s_k = Σ_l c_{k,l} ê_l, v_k = squash(s_k),
 *             b_{k,l} += ê_l·v_k (all but the last round)
 *   z_k = ReLU(v_k W + w0)
 * </pre>
 *
 * The random initial logits are drawn once from {@code routingSeed} (kept in the model's config; not trained), so a
 * user's interests do not change from call to call; MIND's paper draws them per forward. Training reads out
 * with MIND's label-aware attention, u = Σ_k softmax_k((z_k·y)^p) z_k with p = {@code readoutPower} (default 2);
 * 0 selects the interest closest to the target (ComiRec's hard readout, the p → ∞ limit). With {@code dynamicInterests}, a user with n items gets K' = max(1, min(K, ⌊log2 n⌋)) interests; the
 * others repeat the first, so the max over interests is unchanged.
 */
public final class Mind extends EmbeddingEncoder {

    /**
     * @param numItems catalogue size; @param dim d; @param interests K; @param maxLen N_x; @param rounds routing rounds
     * @param dynamicInterests MIND's K' = max(1, min(K, log2 n))
     * @param routingSeed      seed of the random initial routing logits
     * @param readoutPower     label-aware attention power p at training (0 = argmax)
     */
    public record Config(int numItems, int dim, int interests, int maxLen, int rounds, boolean dynamicInterests,
                         long routingSeed, int readoutPower) implements ModelConfig {
        public Config {
            if (numItems < 1 || dim < 1 || interests < 1 || maxLen < 1 || rounds < 1) {
                throw new IllegalArgumentException("numItems, dim, interests, maxLen and rounds must be ≥ 1");
            }
            if (readoutPower < 0) throw new IllegalArgumentException("readout power must be ≥ 0, got " + readoutPower);
        }

        /** ComiRec's MIND: d 64, K 4, N_x 20, 3 rounds, fixed K, label-aware attention with p = 2. */
        public static Config comirec(int numItems) {
            return new Config(numItems, 64, 4, 20, 3, false, 1, 2);
        }

        public Config withDim(int v) { return new Config(numItems, v, interests, maxLen, rounds, dynamicInterests, routingSeed, readoutPower); }
        public Config withInterests(int v) { return new Config(numItems, dim, v, maxLen, rounds, dynamicInterests, routingSeed, readoutPower); }
        public Config withMaxLen(int v) { return new Config(numItems, dim, interests, v, rounds, dynamicInterests, routingSeed, readoutPower); }
        public Config withRounds(int v) { return new Config(numItems, dim, interests, maxLen, v, dynamicInterests, routingSeed, readoutPower); }
        public Config withDynamicInterests(boolean v) { return new Config(numItems, dim, interests, maxLen, rounds, v, routingSeed, readoutPower); }
        public Config withRoutingSeed(long v) { return new Config(numItems, dim, interests, maxLen, rounds, dynamicInterests, v, readoutPower); }
        public Config withReadoutPower(int v) { return new Config(numItems, dim, interests, maxLen, rounds, dynamicInterests, routingSeed, v); }
    }

    public static final String NAME = "mind";

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "MIND: routing with one shared map, random initial logits, ReLU layer; label-aware attention at training",
            Config.class, Config::comirec, Mind::new, List.of(DIM, INTERESTS, MAX_LEN, ROUNDS,
                    Setting.of("--dynamic-interests", "dynamicInterests", Boolean.class,
                            "K' = max(1, min(K, log2 n)) interests for a user with n items."),
                    Setting.of("--readout-power", "readoutPower", Integer.class,
                            "Label-aware attention power p at training (0 = the argmax interest).")), List.of());

    private final Config cfg;
    private final Param map;
    private final Dense out; // z = ReLU(v W + w0)
    private final float[] routingInit; // [K × N_x], N(0, 1)
    private final Workspace train = new Workspace();
    float[] frozen; // tests: coupling coefficients held fixed

    public Mind(Config cfg, long seed) {
        this(cfg, new SplittableRandom(seed));
    }

    private Mind(Config cfg, SplittableRandom rng) {
        super(NAME, cfg.numItems(), cfg.dim(), cfg.maxLen(), cfg.interests(), rng);
        this.cfg = cfg;
        int d = cfg.dim(), k = cfg.interests();
        map = params.add(Param.dense("mind_s", d, d).glorotUniform(rng));
        SplittableRandom routing = new SplittableRandom(cfg.routingSeed());
        routingInit = new float[k * cfg.maxLen()];
        for (int i = 0; i < routingInit.length; i++) routingInit[i] = (float) Gaussian.next(routing);
        Param outW = params.add(Param.dense("mind_out_w", d, d).glorotUniform(rng));
        Param outB = params.add(Param.dense("mind_out_b", 1, d));
        out = new Dense(outW, outB, Activation.RELU);
    }

    private Mind(Mind master) {
        super(master);
        this.cfg = master.cfg;
        map = share(master.map);
        routingInit = master.routingInit; // read only
        out = new Dense(share(master.params.get("mind_out_w")), share(master.params.get("mind_out_b")), Activation.RELU);
    }

    @Override
    public Mind replica() {
        return new Mind(this);
    }

    @Override public int trainingReadoutPower() { return cfg.readoutPower(); }

    /** Interests user u actually forms. */
    int activeInterests(int len) {
        if (!cfg.dynamicInterests()) return cfg.interests();
        int log2 = 31 - Integer.numberOfLeadingZeros(len);
        return Math.max(1, Math.min(cfg.interests(), log2));
    }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        Workspace ws = new Workspace();
        ws.forward(histories, lengths, count);
        System.arraycopy(ws.z, 0, out, 0, count * cfg.interests() * cfg.dim());
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

    /** The last training forward's coupling coefficients [count × K × N_x]. */
    float[] couplings() {
        return train.c;
    }

    private final class Workspace {
        int count, rows;
        int[] hist, lengths, rowStart = new int[1], rowItem = new int[0];
        float[] x = new float[0], eh = new float[0], c = new float[0], v = new float[0], s = new float[0];
        float[] z = new float[0];
        float[] dv = new float[0], deh = new float[0], dx = new float[0]; // backward, reused

        void forward(int[] hist, int[] lengths, int count) {
            final int d = cfg.dim(), k = cfg.interests(), L = cfg.maxLen();
            this.count = count;
            this.hist = hist;
            this.lengths = lengths;
            if (rowStart.length < count + 1) rowStart = new int[count + 1];
            final int r = Histories.rows(lengths, count, L);
            rows = r;
            if (x.length < r * d) {
                x = new float[r * d];
                eh = new float[r * d];
                rowItem = new int[r];
            }
            if (c.length < count * k * L) c = new float[count * k * L];
            if (v.length < count * k * d) {
                v = new float[count * k * d];
                s = new float[count * k * d];
                z = new float[count * k * d];
            }
            Histories.pack(hist, lengths, count, L, cfg.numItems(), false, rowStart, rowItem, null);
            Embedding.gather(items.value, d, rowItem, r, x);
            Blas.gemm(false, false, r, d, d, 1f, x, 0, map.value, 0, 0f, eh, 0); // ê = x S (rows)
            double[] b = new double[k * L], sum = new double[d];
            Arrays.fill(c, 0, count * k * L, 0f);
            for (int u = 0; u < count; u++) {
                int len = lengths[u], ka = activeInterests(len), base = rowStart[u];
                for (int q = 0; q < ka; q++) for (int l = 0; l < len; l++) b[q * L + l] = routingInit[q * L + l];
                for (int round = frozen != null ? cfg.rounds() - 1 : 0; round < cfg.rounds(); round++) {
                    if (frozen != null) System.arraycopy(frozen, u * k * L, c, u * k * L, k * L);
                    else Capsules.couplings(b, ka, L, len, c, u * k * L);
                    for (int q = 0; q < ka; q++) {
                        Arrays.fill(sum, 0);
                        for (int l = 0; l < len; l++) {
                            double w = c[(u * k + q) * L + l];
                            for (int j = 0; j < d; j++) sum[j] += w * eh[(base + l) * d + j];
                        }
                        double f = Capsules.squashScale(sum, d);
                        int so = (u * k + q) * d;
                        for (int j = 0; j < d; j++) {
                            s[so + j] = (float) sum[j];
                            v[so + j] = (float) (f * sum[j]);
                        }
                        if (round < cfg.rounds() - 1) {
                            for (int l = 0; l < len; l++) {
                                double dot = 0;
                                for (int j = 0; j < d; j++) dot += eh[(base + l) * d + j] * v[so + j];
                                b[q * L + l] += dot;
                            }
                        }
                    }
                }
                for (int q = ka; q < k; q++) { // inactive interests repeat the first: the max over interests is unchanged
                    System.arraycopy(s, u * k * d, s, (u * k + q) * d, d);
                    System.arraycopy(v, u * k * d, v, (u * k + q) * d, d);
                }
            }
            out.forward(v, count * k, z);
        }

        void backward(float[] dz) {
            final int d = cfg.dim(), k = cfg.interests(), L = cfg.maxLen(), n = count * k;
            if (dv.length < n * d) dv = new float[n * d];
            if (deh.length < rows * d) {
                deh = new float[rows * d];
                dx = new float[rows * d];
            }
            java.util.Arrays.fill(deh, 0, rows * d, 0f);
            out.backward(v, z, dz, n, dv);
            double[] ds = new double[d];
            for (int u = 0; u < count; u++) {
                int len = lengths[u], ka = activeInterests(len), base = rowStart[u];
                // Repeated interests send their gradient to the first.
                for (int q = ka; q < k; q++) for (int j = 0; j < d; j++) dv[u * k * d + j] += dv[(u * k + q) * d + j];
                for (int q = 0; q < ka; q++) {
                    int so = (u * k + q) * d;
                    Capsules.squashBackward(s, so, dv, so, d, ds);
                    for (int l = 0; l < len; l++) {
                        float w = c[(u * k + q) * L + l];
                        for (int j = 0; j < d; j++) deh[(base + l) * d + j] += (float) (w * ds[j]);
                    }
                }
            }
            Blas.gemm(true, false, d, d, rows, 1f, x, 0, deh, 0, 1f, map.grad, 0);
            Blas.gemm(false, true, rows, d, d, 1f, deh, 0, map.value, 0, 0f, dx, 0);
            Embedding.scatterAdd(items.rowGrads, d, rowItem, rows, dx);
        }
    }
}
