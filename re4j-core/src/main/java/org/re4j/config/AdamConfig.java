package org.re4j.config;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Adam's settings (Kingma &amp; Ba), with L2 weight decay added to the gradient as PyTorch's {@code weight_decay}.
 * ComiRec's: lr 1e-3, no decay, lazy updates of the embedding table.
 *
 * @param updates how the embedding table's rows are updated: {@link Updates#LAZY} (only the rows a step touched,
 *                TensorFlow's LazyAdam) or {@link Updates#DENSE} (every row every step, exact Adam)
 */
public record AdamConfig(double lr, double beta1, double beta2, double eps, double weightDecay, Updates updates) {

    /** How row-sparse parameters (embedding tables) are updated. */
    public enum Updates {
        LAZY, DENSE;

        @JsonValue
        public String id() {
            return name().toLowerCase();
        }
    }

    public AdamConfig {
        if (!(lr > 0)) throw new IllegalArgumentException("lr must be > 0, got " + lr);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) throw new IllegalArgumentException("betas must be in [0, 1)");
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be > 0");
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be ≥ 0");
        if (updates == null) throw new IllegalArgumentException("adam updates must be lazy or dense");
    }

    /** lr with β 0.9 / 0.999, ε 1e-8, no decay, lazy updates. */
    public static AdamConfig defaults(double lr) {
        return new AdamConfig(lr, 0.9, 0.999, 1e-8, 0, Updates.LAZY);
    }

    public boolean lazy() {
        return updates == Updates.LAZY;
    }

    public AdamConfig withLr(double v) { return new AdamConfig(v, beta1, beta2, eps, weightDecay, updates); }
    public AdamConfig withBetas(double b1, double b2) { return new AdamConfig(lr, b1, b2, eps, weightDecay, updates); }
    public AdamConfig withEps(double v) { return new AdamConfig(lr, beta1, beta2, v, weightDecay, updates); }
    public AdamConfig withWeightDecay(double v) { return new AdamConfig(lr, beta1, beta2, eps, v, updates); }
    public AdamConfig withUpdates(Updates v) { return new AdamConfig(lr, beta1, beta2, eps, weightDecay, v); }
}
