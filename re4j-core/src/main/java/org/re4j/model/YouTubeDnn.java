package org.re4j.model;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.re4j.math.Kernels;
import org.re4j.model.layers.Activation;
import org.re4j.model.layers.Dense;
import org.re4j.model.layers.Embedding;
import org.re4j.model.layers.Histories;

/**
 * YouTube DNN (Covington et al., 2016) as ComiRec's code has it ({@code Model_DNN}): the mask-aware mean of the
 * history's item embeddings through one dense layer gives a single user vector (K = 1). The original paper stacks
 * ReLU layers; ComiRec's code, the protocol the Re4 paper reports against, uses one linear layer, and so does this.
 */
public final class YouTubeDnn extends EmbeddingEncoder {

    public static final String NAME = "youtube-dnn";

    /** @param numItems catalogue size; @param dim d; @param maxLen history length read */
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

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "mean of the history's embeddings through a dense layer (ComiRec's version)",
            Config.class, Config::comirec, YouTubeDnn::new, List.of(DIM, MAX_LEN), List.of());

    private final Config cfg;
    private final Dense dense; // the one linear layer
    // Training cache.
    private int count;
    private int[] hist = new int[0], lengths = new int[0];
    private float[] mean = new float[0], z = new float[0], dMean = new float[0];

    public YouTubeDnn(Config cfg, long seed) {
        this(cfg, new SplittableRandom(seed));
    }

    private YouTubeDnn(Config cfg, SplittableRandom rng) {
        super(NAME, cfg.numItems(), cfg.dim(), cfg.maxLen(), 1, rng);
        this.cfg = cfg;
        Param w = params.add(Param.dense("dnn_w", cfg.dim(), cfg.dim()).glorotUniform(rng));
        Param b = params.add(Param.dense("dnn_b", 1, cfg.dim()));
        dense = new Dense(w, b, Activation.LINEAR);
    }

    private YouTubeDnn(YouTubeDnn master) {
        super(master);
        this.cfg = master.cfg;
        dense = new Dense(share(master.params.get("dnn_w")), share(master.params.get("dnn_b")), Activation.LINEAR);
    }

    @Override
    public YouTubeDnn replica() {
        return new YouTubeDnn(this);
    }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        float[] m = new float[count * cfg.dim()];
        encode(histories, lengths, count, m, out);
    }

    private void encode(int[] histories, int[] lengths, int count, float[] m, float[] out) {
        int d = cfg.dim(), L = cfg.maxLen();
        Histories.validate(histories, lengths, count, L, cfg.numItems());
        Arrays.fill(m, 0, count * d, 0f);
        for (int u = 0; u < count; u++) {
            int len = lengths[u];
            for (int i = 0; i < len; i++) Kernels.axpy(d, 1f / len, items.value, histories[u * L + i] * d, m, u * d);
        }
        dense.forward(m, count, out);
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        int d = cfg.dim();
        this.count = count;
        if (mean.length < count * d) {
            mean = new float[count * d];
            z = new float[count * d];
            dMean = new float[count * d];
        }
        hist = histories;
        this.lengths = lengths;
        encode(histories, lengths, count, mean, z);
        return z;
    }

    @Override
    public void backward(float[] dZ) {
        int d = cfg.dim(), L = cfg.maxLen();
        dense.backward(mean, z, dZ, count, dMean);
        for (int u = 0; u < count; u++) {
            int len = lengths[u];
            for (int i = 0; i < len; i++) Embedding.scatterAdd(items.rowGrads, d, hist[u * L + i], dMean, u * d, 1f / len);
        }
    }
}
