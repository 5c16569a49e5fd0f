package org.re4j.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * ComiRec's user split: users shuffled with a seed and cut 8:1:1 into train, valid and test users. Valid and test
 * users are never seen in training.
 */
public record Split(int[] train, int[] valid, int[] test) {

    public static Split comirec(int numUsers, long seed) {
        int[] u = new int[numUsers];
        for (int i = 0; i < numUsers; i++) u[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = numUsers - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int t = u[i];
            u[i] = u[j];
            u[j] = t;
        }
        int nTrain = (int) (numUsers * 0.8), nValid = (int) (numUsers * 0.9) - nTrain;
        int[] train = Arrays.copyOfRange(u, 0, nTrain), valid = Arrays.copyOfRange(u, nTrain, nTrain + nValid),
                test = Arrays.copyOfRange(u, nTrain + nValid, numUsers);
        // Sorted so that evaluation order, and hence every float sum, does not depend on the shuffle's internals.
        Arrays.sort(train);
        Arrays.sort(valid);
        Arrays.sort(test);
        return new Split(train, valid, test);
    }
}
