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
    STANDARD_NORMAL,
    /**
     * Glorot uniform as {@link #GLOROT_UNIFORM}, except the item table: N(0, 1/d), so item vectors start at about unit
     * length whatever the catalogue size (Glorot's bound shrinks with the number of items: |x| ≈ 0.1 at 12,000 items).
     */
    UNIT_ITEMS,
    /**
     * Glorot uniform as {@link #GLOROT_UNIFORM}, except the forward flow's attention W1 and w_k: N(0, 1), as the
     * authors' script starts them. The attention then starts far from uniform, so the K interests start apart
     * (cos(z_k, z_k') ≈ 0.09 instead of 0.98), while the item table keeps ComiRec's short start.
     */
    AUTHORS_ATTENTION;

    @JsonValue
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }

    /** The item embedding table, {@code p.cols} = d. */
    public Param itemTable(Param p, SplittableRandom rng) {
        return this == UNIT_ITEMS ? p.normal(rng, 1 / Math.sqrt(p.cols)) : matrix(p, rng);
    }

    /** A matrix or embedding table (the authors' {@code torch.randn} / {@code nn.Embedding}). */
    public Param matrix(Param p, SplittableRandom rng) {
        return this == STANDARD_NORMAL ? p.normal(rng, 1.0) : p.glorotUniform(rng);
    }

    /** The forward flow's attention matrices W1 and w_k. */
    public Param attention(Param p, SplittableRandom rng) {
        return this == AUTHORS_ATTENTION ? p.normal(rng, 1.0) : matrix(p, rng);
    }

    /** The weight of a linear layer with fan-in {@code p.rows} (the authors' {@code nn.Linear}). */
    public Param linearWeight(Param p, SplittableRandom rng) {
        return this == STANDARD_NORMAL ? p.uniform(rng, 1 / Math.sqrt(p.rows)) : p.glorotUniform(rng);
    }

    /** The bias of a linear layer with fan-in {@code fanIn}: zero, or uniform in ±1/√fan_in. */
    public Param linearBias(Param p, int fanIn, SplittableRandom rng) {
        return this == STANDARD_NORMAL ? p.uniform(rng, 1 / Math.sqrt(fanIn)) : p;
    }
}
