package org.re4j.train;

import java.util.random.RandomGenerator;

import org.re4j.config.TrainConfig;

/**
 * Draws distinct negative items for a sampled softmax and tells the expected count of each item under the draw,
 * for the logQ correction. Distinct draws follow TensorFlow's candidate samplers with {@code unique=True}, which is
 * what ComiRec's {@code tf.nn.sampled_softmax_loss} uses: draws are repeated until {@code count} distinct ids are
 * found, and an item of probability p drawn over T tries has expected count 1 − (1 − p)^T.
 */
public abstract class NegativeSampler {

    protected final int numItems;
    private final int[] seenStamp; // seenStamp[item] == stamp ⇔ drawn in the current call: O(tries) per draw
    private int stamp;

    protected NegativeSampler(int numItems) {
        if (numItems < 2) throw new IllegalArgumentException("need at least 2 items to sample negatives, got " + numItems);
        this.numItems = numItems;
        this.seenStamp = new int[numItems + 1];
    }

    /** Log-uniform (Zipfian) over popularity-ranked ids 1..N, as TF's log_uniform_candidate_sampler. */
    public static NegativeSampler logUniform(int numItems) {
        return new LogUniform(numItems);
    }

    public static NegativeSampler uniform(int numItems) {
        return new Uniform(numItems);
    }

    public static NegativeSampler of(TrainConfig.Sampler sampler, int numItems) {
        return switch (sampler) {
            case LOG_UNIFORM -> logUniform(numItems);
            case UNIFORM -> uniform(numItems);
        };
    }

    public abstract String name();

    /** Probability of one draw returning {@code item} (1..N). */
    public abstract double probability(int item);

    abstract int drawOne(RandomGenerator rng);

    /** Fills {@code ids[0..count)} with distinct items; returns the number of draws it took. */
    public long draw(RandomGenerator rng, int count, int[] ids) {
        return draw(rng, count, ids, null, 0);
    }

    /** The same, never drawing any of {@code exclude[0..excluded)} (redrawn instead, as if outside the catalogue). */
    public long draw(RandomGenerator rng, int count, int[] ids, int[] exclude, int excluded) {
        if (++stamp == Integer.MAX_VALUE) {
            java.util.Arrays.fill(seenStamp, 0);
            stamp = 1;
        }
        int left = numItems;
        for (int i = 0; i < excluded; i++) {
            if (seenStamp[exclude[i]] != stamp) {
                seenStamp[exclude[i]] = stamp;
                left--;
            }
        }
        if (count > left) throw new IllegalArgumentException("cannot draw " + count + " distinct of " + left + " items");
        long tries = 0;
        int n = 0;
        while (n < count) {
            int item = drawOne(rng);
            tries++;
            if (seenStamp[item] != stamp) {
                seenStamp[item] = stamp;
                ids[n++] = item;
            }
        }
        return tries;
    }

    /** log of the expected number of times {@code item} appeared in {@code tries} draws. */
    public double logExpectedCount(int item, long tries) {
        double p = probability(item);
        return Math.log(-Math.expm1(tries * Math.log1p(-p)));
    }

    private static final class LogUniform extends NegativeSampler {
        private final double logRange;

        LogUniform(int numItems) {
            super(numItems);
            logRange = Math.log(numItems + 1.0);
        }

        @Override public String name() { return "log-uniform"; }

        @Override
        public double probability(int item) {
            int rank = item - 1; // 0-based popularity rank
            return (Math.log(rank + 2.0) - Math.log(rank + 1.0)) / logRange;
        }

        @Override
        int drawOne(RandomGenerator rng) {
            int rank = (int) (Math.exp(rng.nextDouble() * logRange)) - 1;
            return Math.min(Math.max(rank, 0), numItems - 1) + 1;
        }
    }

    private static final class Uniform extends NegativeSampler {
        Uniform(int numItems) { super(numItems); }

        @Override public String name() { return "uniform"; }

        @Override public double probability(int item) { return 1.0 / numItems; }

        @Override int drawOne(RandomGenerator rng) { return 1 + rng.nextInt(numItems); }
    }
}
