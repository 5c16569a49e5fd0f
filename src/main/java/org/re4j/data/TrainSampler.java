package org.re4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * ComiRec's training samples: a random training user, a random cut k in [4, len), the up-to-maxLen items before k as
 * the history and the item at k as the target. Users with fewer than 5 behaviours cannot be cut and are skipped.
 */
public final class TrainSampler {

    public static final int MIN_HISTORY = 4;

    private final Dataset data;
    private final int[] users;
    private final SplittableRandom rng;

    public TrainSampler(Dataset data, int[] trainUsers, long seed) {
        this.data = data;
        this.users = Arrays.stream(trainUsers).filter(u -> data.sequences[u].length > MIN_HISTORY).toArray();
        if (users.length == 0) {
            throw new DataException("no training user of " + data.name + " has more than " + MIN_HISTORY
                    + " behaviours: nothing to train on");
        }
        this.rng = new SplittableRandom(seed);
    }

    /** Number of users samples are drawn from. */
    public int numUsers() {
        return users.length;
    }

    public void next(Batch b) {
        Arrays.fill(b.items, 0);
        for (int r = 0; r < b.size; r++) {
            int u = users[rng.nextInt(users.length)];
            int[] s = data.sequences[u];
            int k = MIN_HISTORY + rng.nextInt(s.length - MIN_HISTORY);
            int from = Math.max(0, k - b.maxLen);
            System.arraycopy(s, from, b.items, r * b.maxLen, k - from);
            b.lengths[r] = k - from;
            b.targets[r] = s[k];
            b.users[r] = u;
        }
    }
}
