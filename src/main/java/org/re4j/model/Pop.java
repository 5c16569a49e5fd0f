package org.re4j.model;

/**
 * POP: every user gets the most popular training items. A one-interest, one-dimension model whose item "vector" is
 * the item's training count and whose interest is the constant 1, so it goes through the same retrieval path as
 * the neural models.
 */
public final class Pop implements Recommender {

    private final float[] counts; // [(N+1) × 1], row 0 padding

    private Pop(float[] counts) {
        this.counts = counts;
    }

    /** Counts the items of the given (training) sequences over a catalogue of {@code numItems}. */
    public static Pop fit(int numItems, int[][] sequences) {
        float[] c = new float[numItems + 1];
        for (int[] s : sequences) for (int i : s) c[i]++;
        c[0] = 0;
        return new Pop(c);
    }

    /** A saved POP model: counts[i] for item i, counts[0] ignored. */
    public static Pop fromCounts(float[] counts) {
        return new Pop(counts.clone());
    }

    @Override public String name() { return "pop"; }
    @Override public int numInterests() { return 1; }
    @Override public int dim() { return 1; }
    @Override public int numItems() { return counts.length - 1; }
    @Override public int maxLen() { return 1; }
    @Override public float[] itemVectors() { return counts; }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        java.util.Arrays.fill(out, 0, count, 1f);
    }
}
