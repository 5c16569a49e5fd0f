package org.re4j.data;

import java.util.SplittableRandom;

import org.re4j.math.Gaussian;

/** Generated datasets: small ones with a known answer for demos and tests, large ones with a real one's shape for scale. */
public final class SyntheticData {

    private SyntheticData() {}

    /**
     * Users with planted interests: items fall into {@code clusters} topics; each user mixes 2–4 topics and moves
     * between them in runs, so the next item comes from one of a few topics, not from the last item's alone. Within a
     * topic, items are Zipf-popular. A single-vector model must average the topics; a multi-interest one need not.
     * Item ids are {@code i<n>}, user ids {@code u<n>}; lengths are 12–60.
     */
    public static Dataset plantedInterests(int users, int items, int clusters, long seed) {
        if (users < 1 || items < clusters || clusters < 1) throw new IllegalArgumentException("need users ≥ 1 and items ≥ clusters ≥ 1");
        SplittableRandom rng = new SplittableRandom(seed);
        int perCluster = items / clusters;
        // Zipf(1) cumulative weights within a topic.
        double[] cdf = new double[perCluster];
        double acc = 0;
        for (int r = 0; r < perCluster; r++) cdf[r] = acc += 1.0 / (r + 1);
        String[] itemNames = new String[clusters * perCluster];
        for (int i = 0; i < itemNames.length; i++) itemNames[i] = "i" + i;
        String[] userNames = new String[users];
        int[][] raw = new int[users][];
        for (int u = 0; u < users; u++) {
            userNames[u] = "u" + u;
            int k = 2 + rng.nextInt(3);
            int[] topics = new int[k];
            for (int j = 0; j < k; j++) topics[j] = rng.nextInt(clusters);
            int len = 12 + rng.nextInt(49);
            raw[u] = new int[len];
            int topic = topics[0];
            for (int t = 0; t < len; t++) {
                if (rng.nextDouble() < 0.5) topic = topics[rng.nextInt(k)]; // runs of one topic, then a switch
                double x = rng.nextDouble() * acc;
                int r = 0;
                while (cdf[r] < x) r++;
                raw[u][t] = r * clusters + topic; // item i belongs to topic i % clusters
            }
        }
        return Dataset.build("planted-" + users + "x" + items, userNames, itemNames, raw, 0, 0);
    }

    /** Amazon Book as ComiRec preprocessed it: 603,668 users, 367,982 items, 8,898,041 interactions. */
    public static final int BOOK_USERS = 603_668, BOOK_ITEMS = 367_982;
    public static final long BOOK_INTERACTIONS = 8_898_041L;

    /**
     * A dataset with Amazon Book's shape at {@code scale} (1.0 = full size): a 5-core-like length distribution with
     * Book's mean (≈14.7 per user, long right tail) and a Zipf-like item popularity (exponent 0.8), item ids drawn
     * independently of the user. Good for timing and memory, not for accuracy.
     */
    public static Dataset bookLike(double scale, long seed) {
        if (!(scale > 0 && scale <= 1)) throw new IllegalArgumentException("scale must be in (0, 1], got " + scale);
        int users = Math.max(10, (int) Math.round(BOOK_USERS * scale));
        int items = Math.max(10, (int) Math.round(BOOK_ITEMS * scale));
        double mean = BOOK_INTERACTIONS / (double) BOOK_USERS;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] cdf = new double[items];
        double acc = 0;
        for (int r = 0; r < items; r++) cdf[r] = acc += Math.pow(r + 1, -0.8);
        String[] itemNames = new String[items];
        for (int i = 0; i < items; i++) itemNames[i] = Integer.toString(i);
        String[] userNames = new String[users];
        int[][] raw = new int[users][];
        // Lengths: 5 + a geometric-lognormal tail whose mean makes the total ≈ mean per user.
        double sigma = 1.0, mu = Math.log(mean - 5) - sigma * sigma / 2;
        for (int u = 0; u < users; u++) {
            userNames[u] = Integer.toString(u);
            int len = 5 + (int) Math.min(2000, Math.round(Math.exp(mu + sigma * Gaussian.next(rng))));
            raw[u] = new int[len];
            for (int t = 0; t < len; t++) {
                double x = rng.nextDouble() * acc;
                int lo = 0, hi = items - 1;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (cdf[mid] < x) lo = mid + 1; else hi = mid;
                }
                raw[u][t] = lo;
            }
        }
        return Dataset.build("book-like-" + scale, userNames, itemNames, raw, 0, 0);
    }

}
