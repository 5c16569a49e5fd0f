package org.re4j.eval;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-user retrieval metrics at a cutoff N, averaged over users by the caller. Three NDCGs are in circulation for
 * this protocol and they differ by a factor of two or more, so each has its own name:
 * <ul>
 *   <li>{@code ndcg}: the standard one. DCG over the rank positions of hits, IDCG over min(|distinct targets|, N).</li>
 *   <li>{@code ndcg_comirec}: ComiRec's fixed code. Same DCG, but IDCG over the number of hits, so any user with a
 *       hit at rank 1..h scores 1.</li>
 *   <li>{@code ndcg_comirec_orig}: ComiRec's original code, used by the Re4 authors' code and paper tables. DCG by
 *       each hit's position <em>in the target list</em> (not in the ranking), IDCG over the number of hits.</li>
 * </ul>
 * {@code recall} is (distinct retrieved items that are targets) / |target list|, {@code hitrate} is 1 if any target
 * is retrieved: both as in ComiRec.
 */
public final class RankingMetrics {

    /** Metric names in report order, without the {@code @N} suffix. */
    public static final List<String> NAMES = List.of("recall", "hitrate", "ndcg", "ndcg_comirec", "ndcg_comirec_orig");

    private RankingMetrics() {}

    /** Keys {@code name@N} in report order: every metric at each cutoff. */
    public static List<String> keys(int[] cutoffs) {
        List<String> k = new ArrayList<>();
        for (String name : NAMES) for (int n : cutoffs) k.add(name + "@" + n);
        return k;
    }

    /**
     * Adds one user's metrics at each cutoff into {@code sums}, laid out as {@link #keys(int[])}.
     *
     * @param ranked  retrieved items, best first, distinct, at least max(cutoffs) long unless the catalogue is smaller
     * @param targets the user's targets in behaviour order (duplicates allowed)
     */
    public static void accumulate(int[] ranked, int rankedCount, int[] targets, int[] cutoffs, double[] sums) {
        Set<Integer> targetSet = new HashSet<>();
        for (int t : targets) targetSet.add(t);
        int c = cutoffs.length;
        for (int j = 0; j < c; j++) {
            int n = Math.min(cutoffs[j], rankedCount);
            int hits = 0;
            double dcg = 0;
            Set<Integer> retrieved = new HashSet<>();
            for (int r = 0; r < n; r++) {
                retrieved.add(ranked[r]);
                if (targetSet.contains(ranked[r])) {
                    hits++;
                    dcg += discount(r);
                }
            }
            // ComiRec's original loop runs over the target list and counts every target entry that was retrieved.
            int origHits = 0;
            double origDcg = 0;
            for (int p = 0; p < targets.length; p++) {
                if (retrieved.contains(targets[p])) {
                    origHits++;
                    origDcg += discount(p);
                }
            }
            sums[j] += hits / (double) targets.length;
            sums[c + j] += hits > 0 ? 1 : 0;
            sums[2 * c + j] += dcg / idcg(Math.min(targetSet.size(), cutoffs[j]));
            sums[3 * c + j] += hits > 0 ? dcg / idcg(hits) : 0;
            sums[4 * c + j] += origHits > 0 ? origDcg / idcg(origHits) : 0;
        }
    }

    /** Averages {@code sums} over {@code users} into a map keyed as {@link #keys(int[])}. */
    public static Map<String, Double> average(double[] sums, int users, int[] cutoffs) {
        List<String> keys = keys(cutoffs);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) m.put(keys.get(i), users == 0 ? 0.0 : sums[i] / users);
        return m;
    }

    static double discount(int rank) {
        return 1.0 / (Math.log(rank + 2) / Math.log(2));
    }

    static double idcg(int count) {
        double s = 0;
        for (int r = 0; r < count; r++) s += discount(r);
        return s;
    }
}
