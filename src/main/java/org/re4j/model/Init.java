package org.re4j.model;

import java.util.SplittableRandom;

import com.fasterxml.jackson.annotation.JsonValue;

/** How a model's parameters start. */
public enum Init {
    /** Glorot/Xavier uniform for matrices and embeddings, zero biases: TensorFlow's default, ComiRec's. */
    GLOROT_UNIFORM,
    /**
     * The Re4 authors' script: N(0, 1) for the item table and the matrices it makes with {@code torch.randn}, and
     * PyTorch's {@code nn.Linear} default for its linear layers (weights and biases uniform in ±1/√fan_in).
     */
    STANDARD_NORMAL;

    @JsonValue
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }

    /** A matrix or embedding table (the authors' {@code torch.randn} / {@code nn.Embedding}). */
    public Param matrix(Param p, SplittableRandom rng) {
        return this == GLOROT_UNIFORM ? p.glorotUniform(rng) : p.normal(rng, 1.0);
    }

    /** The weight of a linear layer with fan-in {@code p.rows} (the authors' {@code nn.Linear}). */
    public Param linearWeight(Param p, SplittableRandom rng) {
        return this == GLOROT_UNIFORM ? p.glorotUniform(rng) : p.uniform(rng, 1 / Math.sqrt(p.rows));
    }

    /** The bias of a linear layer with fan-in {@code fanIn}: zero, or uniform in ±1/√fan_in. */
    public Param linearBias(Param p, int fanIn, SplittableRandom rng) {
        return this == GLOROT_UNIFORM ? p : p.uniform(rng, 1 / Math.sqrt(fanIn));
    }
}
