package org.re4j.model;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.re4j.config.Setting;

/**
 * What every trained encoder here shares: its name, its sizes and the item embedding table [(N + 1) × d] that
 * inputs and outputs use (row 0 is padding and stays zero). The table is the first parameter drawn from the
 * model's random stream, so a seed gives the same initial table whatever the model.
 */
public abstract class EmbeddingEncoder implements MultiInterestEncoder {

    /** The settings every encoder with these fields shares, spelled once. */
    public static final Setting DIM = Setting.of("--dim", "dim", Integer.class, "Embedding size d."),
            INTERESTS = Setting.of("--interests", "interests", Integer.class, "Interests per user K."),
            MAX_LEN = Setting.of("--max-len", "maxLen", Integer.class, "History length N_x read by the model."),
            ROUNDS = Setting.of("--routing-rounds", "rounds", Integer.class, "Dynamic routing rounds.");

    private final String name;
    private final int numItems, dim, maxLen, interests;
    protected final ParamSet params = new ParamSet();
    protected final Param items;

    protected EmbeddingEncoder(String name, int numItems, int dim, int maxLen, int interests, SplittableRandom rng) {
        this(name, numItems, dim, maxLen, interests, Init.GLOROT_UNIFORM, rng);
    }

    protected EmbeddingEncoder(String name, int numItems, int dim, int maxLen, int interests, Init init, SplittableRandom rng) {
        this.name = name;
        this.numItems = numItems;
        this.dim = dim;
        this.maxLen = maxLen;
        this.interests = interests;
        items = params.add(init.itemTable(Param.rowSparse("item_embeddings", numItems + 1, dim), rng));
        Arrays.fill(items.value, 0, dim, 0f);
    }

    /** A replica's fields (see {@link MultiInterestEncoder#replica()}): the master's sizes and a replica of its item table. */
    protected EmbeddingEncoder(EmbeddingEncoder master) {
        this.name = master.name;
        this.numItems = master.numItems;
        this.dim = master.dim;
        this.maxLen = master.maxLen;
        this.interests = master.interests;
        items = params.add(master.items.replica());
    }

    /** For a replica's constructor: adds a replica of the master's parameter (null stays null), in the master's order. */
    protected final Param share(Param master) {
        return master == null ? null : params.add(master.replica());
    }

    @Override public final String name() { return name; }
    @Override public final int numInterests() { return interests; }
    @Override public final int dim() { return dim; }
    @Override public final int numItems() { return numItems; }
    @Override public final int maxLen() { return maxLen; }
    @Override public final float[] itemVectors() { return items.value; }
    @Override public final ParamSet params() { return params; }
    @Override public final Param itemEmbeddings() { return items; }
}
