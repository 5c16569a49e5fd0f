package org.re4j.data;

import java.util.Arrays;

import org.re4j.config.TrainConfig;
import org.re4j.math.Rng;

/**
 * Training samples (history, target) from the training users, in one of two ways:
 * <ul>
 *   <li><b>random cut</b> (ComiRec, the default): a random training user, a random cut k in [4, len), the up-to-maxLen
 *       items before k as the history and the item at k as the target. Users with fewer than 5 behaviours cannot be
 *       cut and are skipped.</li>
 *   <li><b>all prefixes</b> (the Re4 authors' code): every (user, k) with k in [1, len) is one sample, shuffled once
 *       with the seed and visited in that order epoch after epoch.</li>
 * </ul>
 */
public final class TrainSampler {

    public static final int MIN_HISTORY = 4;

    private final Dataset data;
    private final int[] users;
    private final Rng rng;
    private final long[] prefixes; // (user << 32 | k), shuffled; null in random-cut mode
    private int next;

    public TrainSampler(Dataset data, int[] trainUsers, TrainConfig.SampleMode mode, long seed) {
        final boolean allPrefixes = mode == TrainConfig.SampleMode.PREFIXES;
        this.data = data;
        this.rng = new Rng(seed);
        int min = allPrefixes ? 1 : MIN_HISTORY;
        this.users = Arrays.stream(trainUsers).filter(u -> data.sequences[u].length > min).toArray();
        if (users.length == 0) {
            throw new DataException("no training user of " + data.name + " has more than " + min
                    + " behaviours: nothing to train on");
        }
        if (!allPrefixes) {
            prefixes = null;
            return;
        }
        long n = 0;
        for (int u : users) n += data.sequences[u].length - 1;
        if (n > Integer.MAX_VALUE - 8) throw new DataException("too many training prefixes (" + n + ") for one epoch");
        prefixes = new long[(int) n];
        int i = 0;
        for (int u : users) for (int k = 1; k < data.sequences[u].length; k++) prefixes[i++] = (long) u << 32 | k;
        for (int j = prefixes.length - 1; j > 0; j--) { // Fisher–Yates, once
            int r = rng.nextInt(j + 1);
            long t = prefixes[j];
            prefixes[j] = prefixes[r];
            prefixes[r] = t;
        }
    }

    /** Where the sampler stands: its random state and its place in the epoch, for a checkpoint. */
    public long[] state() {
        return new long[] {rng.state(), next};
    }

    /** Continues from a {@link #state()} of a sampler built alike (same data, users, mode and seed). */
    public void restore(long[] state) {
        if (state.length != 2 || state[1] < 0 || state[1] >= Math.max(1, epochSize())) {
            throw new IllegalArgumentException("not a sampler state of this run: " + java.util.Arrays.toString(state));
        }
        rng.restore(state[0]);
        next = (int) state[1];
    }

    /** Number of users samples are drawn from. */
    public int numUsers() {
        return users.length;
    }

    /** Samples per epoch in all-prefixes mode; 0 in random-cut mode. */
    public int epochSize() {
        return prefixes == null ? 0 : prefixes.length;
    }

    public void next(Batch b) {
        Arrays.fill(b.items, 0);
        for (int r = 0; r < b.size; r++) {
            int u, k;
            if (prefixes == null) {
                u = users[rng.nextInt(users.length)];
                k = MIN_HISTORY + rng.nextInt(data.sequences[u].length - MIN_HISTORY);
            } else {
                long p = prefixes[next];
                next = next + 1 == prefixes.length ? 0 : next + 1;
                u = (int) (p >>> 32);
                k = (int) p;
            }
            int[] s = data.sequences[u];
            int from = Math.max(0, k - b.maxLen);
            System.arraycopy(s, from, b.items, r * b.maxLen, k - from);
            b.lengths[r] = k - from;
            b.targets[r] = s[k];
            b.users[r] = u;
        }
    }
}
