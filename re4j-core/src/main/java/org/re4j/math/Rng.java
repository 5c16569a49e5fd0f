package org.re4j.math;

import java.util.random.RandomGenerator;

/**
 * The random stream of a training run: the same SplitMix64 generator as {@code new SplittableRandom(seed)}, draw for
 * draw (tested), whose whole state is one long that a checkpoint saves and a resumed run restores. SplittableRandom
 * keeps its state private, so a run that used it could not continue a killed run's stream.
 */
public final class Rng implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L; // SplittableRandom's gamma for a seeded instance

    private long seed;

    public Rng(long seed) {
        this.seed = seed;
    }

    /** The generator's state: {@code restore(state())} continues the stream from here. */
    public long state() {
        return seed;
    }

    public void restore(long state) {
        seed = state;
    }

    @Override
    public long nextLong() {
        long z = seed += GOLDEN_GAMMA;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    @Override
    public int nextInt() {
        long z = seed += GOLDEN_GAMMA;
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
    /** Partial Fisher–Yates: afterwards idx[0..n) is a uniform random sample (in random order) of idx's values. */
    public void sample(int[] idx, int n) {
        for (int i = 0; i < n; i++) {
            int j = i + nextInt(idx.length - i), t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
    }

    // nextInt(bound) and nextDouble() are RandomGenerator's defaults over these two, as SplittableRandom's are.
}
