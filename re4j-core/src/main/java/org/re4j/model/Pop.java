package org.re4j.model;

import java.util.Arrays;
import java.util.List;

import org.re4j.data.Dataset;

/**
 * POP: every user gets the most popular training items. A one-interest, one-dimension model whose item "vector" is
 * the item's training count and whose interest is the constant 1, so it goes through the same retrieval path as
 * the neural models.
 */
public final class Pop implements Fittable {

    public static final String NAME = "pop";

    /** @param numItems catalogue size N */
    public record Config(int numItems) implements ModelConfig {
        public Config {
            if (numItems < 1) throw new IllegalArgumentException("numItems must be ≥ 1, got " + numItems);
        }

        @Override
        public int dim() {
            return 1;
        }
    }

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME, "the most popular training items",
            Config.class, Config::new, (c, seed) -> new Pop(c), List.of(), List.of());

    private final ParamSet params = new ParamSet();
    private final Param counts; // [(N+1) × 1], row 0 padding

    public Pop(Config cfg) {
        counts = params.add(Param.dense("item_popularity", cfg.numItems() + 1, 1));
    }

    /** Counts the items of the given (training) sequences over a catalogue of {@code numItems}. */
    public static Pop fit(int numItems, int[][] sequences) {
        Pop p = new Pop(new Config(numItems));
        p.count(sequences);
        return p;
    }

    @Override
    public void fit(Dataset data, int[] trainUsers) {
        int[][] seqs = new int[trainUsers.length][];
        for (int i = 0; i < seqs.length; i++) seqs[i] = data.sequences[trainUsers[i]];
        count(seqs);
    }

    private void count(int[][] sequences) {
        float[] c = counts.value;
        Arrays.fill(c, 0f);
        for (int[] s : sequences) for (int i : s) c[i]++;
        c[0] = 0;
    }

    @Override public String name() { return NAME; }
    @Override public int numInterests() { return 1; }
    @Override public int dim() { return 1; }
    @Override public int numItems() { return counts.rows - 1; }
    @Override public int maxLen() { return 1; }
    @Override public float[] itemVectors() { return counts.value; }
    @Override public ParamSet params() { return params; }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        Arrays.fill(out, 0, count, 1f);
    }
}
