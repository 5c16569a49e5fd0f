package org.re4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The five metrics on hand-computed cases. Expected values are written out as the arithmetic that gives them. */
class RankingMetricsTest {

    static final int[] C25 = {2, 5};
    static final int[] C2050 = {20, 50};
    static final double EPS = 1e-12;

    static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }

    /** One user's metrics: accumulate, then average over that one user. */
    static Map<String, Double> one(int[] ranked, int rankedCount, int[] targets, int[] cutoffs) {
        double[] sums = new double[RankingMetrics.NAMES.size() * cutoffs.length];
        RankingMetrics.accumulate(ranked, rankedCount, targets, cutoffs, sums);
        return RankingMetrics.average(sums, 1, cutoffs);
    }

    static void expect(Map<String, Double> m, String key, double expected) {
        assertEquals(expected, m.get(key), EPS, key);
    }

    @Test
    void keysInReportOrder() {
        assertEquals(List.of("recall@2", "recall@5", "hitrate@2", "hitrate@5", "ndcg@2", "ndcg@5", "ndcg_comirec@2",
                "ndcg_comirec@5", "ndcg_comirec_orig@2", "ndcg_comirec_orig@5"), RankingMetrics.keys(C25));
        Map<String, Double> m = one(new int[] {1, 2, 3, 4, 5}, 5, new int[] {1}, C25);
        assertEquals(RankingMetrics.keys(C25), List.copyOf(m.keySet()));
    }

    @Test
    void noHitIsAllZero() {
        Map<String, Double> m = one(new int[] {1, 2, 3, 4, 5}, 5, new int[] {9, 8}, C25);
        for (String k : RankingMetrics.keys(C25)) expect(m, k, 0.0);
    }

    /** Ranked 10 20 30 40 50; targets 60 20 40 (behaviour order). The three NDCGs all differ at 5. */
    @Test
    void threeNdcgsDiffer() {
        Map<String, Double> m = one(new int[] {10, 20, 30, 40, 50}, 5, new int[] {60, 20, 40}, C25);
        // @2: only 20 retrieved, at rank 2 (index 1); it is the 2nd entry of the target list.
        expect(m, "recall@2", 1 / 3.0);
        expect(m, "hitrate@2", 1);
        expect(m, "ndcg@2", (1 / log2(3)) / (1 / log2(2) + 1 / log2(3)));      // IDCG over min(3 targets, 2)
        expect(m, "ndcg_comirec@2", (1 / log2(3)) / (1 / log2(2)));           // IDCG over 1 hit
        expect(m, "ndcg_comirec_orig@2", (1 / log2(3)) / (1 / log2(2)));      // 20 at target position 2
        // @5: 20 at rank 2 and 40 at rank 4; in the target list they are entries 2 and 3.
        expect(m, "recall@5", 2 / 3.0);
        expect(m, "hitrate@5", 1);
        double ndcg = (1 / log2(3) + 1 / log2(5)) / (1 / log2(2) + 1 / log2(3) + 1 / log2(4));
        double comirec = (1 / log2(3) + 1 / log2(5)) / (1 / log2(2) + 1 / log2(3));
        double orig = (1 / log2(3) + 1 / log2(4)) / (1 / log2(2) + 1 / log2(3));
        expect(m, "ndcg@5", ndcg);
        expect(m, "ndcg_comirec@5", comirec);
        expect(m, "ndcg_comirec_orig@5", orig);
        assertNotEquals(ndcg, comirec, 1e-3);
        assertNotEquals(ndcg, orig, 1e-3);
        assertNotEquals(comirec, orig, 1e-3);
    }

    /** Ranked 7 8 9 10 11; targets 8 8 12 7: the target list has a repeat. */
    @Test
    void duplicateTargets() {
        Map<String, Double> m = one(new int[] {7, 8, 9, 10, 11}, 5, new int[] {8, 8, 12, 7}, C25);
        for (int n : C25) {
            // Two distinct items retrieved (7 at rank 1, 8 at rank 2) over a target list of 4 entries.
            expect(m, "recall@" + n, 2 / 4.0);
            expect(m, "hitrate@" + n, 1);
            expect(m, "ndcg_comirec@" + n, (1 / log2(2) + 1 / log2(3)) / (1 / log2(2) + 1 / log2(3)));
            // The original loop counts each retrieved target entry: positions 1, 2 (both 8) and 4 (7): 3 hits.
            expect(m, "ndcg_comirec_orig@" + n,
                    (1 / log2(2) + 1 / log2(3) + 1 / log2(5)) / (1 / log2(2) + 1 / log2(3) + 1 / log2(4)));
        }
        // Standard NDCG: IDCG over min(3 distinct targets, N).
        expect(m, "ndcg@2", (1 / log2(2) + 1 / log2(3)) / (1 / log2(2) + 1 / log2(3)));
        expect(m, "ndcg@5", (1 / log2(2) + 1 / log2(3)) / (1 / log2(2) + 1 / log2(3) + 1 / log2(4)));
    }

    /** Ranked 1..50; the only retrieved target, 35, is at rank 35: a hit at 50, none at 20. */
    @Test
    void hitBeyondTwentyWithinFifty() {
        int[] ranked = new int[50];
        for (int r = 0; r < 50; r++) ranked[r] = r + 1;
        Map<String, Double> m = one(ranked, 50, new int[] {35, 99}, C2050);
        for (String name : RankingMetrics.NAMES) expect(m, name + "@20", 0);
        expect(m, "recall@50", 1 / 2.0);
        expect(m, "hitrate@50", 1);
        expect(m, "ndcg@50", (1 / log2(36)) / (1 / log2(2) + 1 / log2(3)));   // IDCG over min(2 targets, 50)
        expect(m, "ndcg_comirec@50", (1 / log2(36)) / (1 / log2(2)));
        expect(m, "ndcg_comirec_orig@50", (1 / log2(2)) / (1 / log2(2)));     // 35 is the 1st target entry
    }

    /** Only 3 items retrieved (a small catalogue); entries past rankedCount are ignored even if they are targets. */
    @Test
    void fewerRankedItemsThanTheCutoff() {
        int[] ranked = {3, 1, 2, 4, 4};
        Map<String, Double> m = one(ranked, 3, new int[] {2, 4}, C25);
        for (String name : RankingMetrics.NAMES) expect(m, name + "@2", 0); // 3, 1: no target
        // @5 reads ranks 1..3 only: 2 at rank 3.
        expect(m, "recall@5", 1 / 2.0);
        expect(m, "hitrate@5", 1);
        expect(m, "ndcg@5", (1 / log2(4)) / (1 / log2(2) + 1 / log2(3)));
        expect(m, "ndcg_comirec@5", (1 / log2(4)) / (1 / log2(2)));
        expect(m, "ndcg_comirec_orig@5", (1 / log2(2)) / (1 / log2(2)));
    }

    @Test
    void perfectRankingScoresOne() {
        Map<String, Double> m = one(new int[] {4, 5, 6, 7, 8}, 5, new int[] {5, 4}, C25);
        for (String k : RankingMetrics.keys(C25)) expect(m, k, 1);
    }

    @Test
    void averagesOverUsers() {
        double[] sums = new double[RankingMetrics.NAMES.size() * 2];
        RankingMetrics.accumulate(new int[] {10, 20, 30, 40, 50}, 5, new int[] {60, 20, 40}, C25, sums);
        RankingMetrics.accumulate(new int[] {1, 2, 3, 4, 5}, 5, new int[] {9}, C25, sums);  // no hit
        RankingMetrics.accumulate(new int[] {4, 5, 6, 7, 8}, 5, new int[] {4}, C25, sums);  // perfect
        Map<String, Double> m = RankingMetrics.average(sums, 3, C25);
        expect(m, "recall@2", (1 / 3.0 + 0 + 1) / 3);
        expect(m, "hitrate@5", (1 + 0 + 1) / 3.0);
        expect(m, "ndcg@5", ((1 / log2(3) + 1 / log2(5)) / (1 / log2(2) + 1 / log2(3) + 1 / log2(4)) + 0 + 1) / 3);
        Map<String, Double> none = RankingMetrics.average(new double[10], 0, C25);
        for (String k : RankingMetrics.keys(C25)) expect(none, k, 0);
    }
}
