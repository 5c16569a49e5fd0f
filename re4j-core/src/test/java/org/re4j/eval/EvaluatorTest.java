package org.re4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.re4j.data.EvalSet;
import org.re4j.eval.Evaluator.Recommendation;
import org.re4j.model.Pop;
import org.re4j.model.Recommender;

/** Exact retrieval against brute force, and evaluation that does not depend on threads or blocking. */
class EvaluatorTest {

    static final int K = 3, D = 5, MAX_LEN = 6;

    /**
     * K = 3 interests of d = 5 drawn from a seed hashed from the (cut) history, over random item vectors. With
     * {@code integer}, every coordinate is a small integer, so every score is an exact integer whatever the order
     * of the BLAS sums (exact comparison against brute force, and many ties); otherwise Gaussian.
     */
    static final class RandomModel implements Recommender {
        final int numItems;
        final boolean integer;
        final float[] v;
        /** Pairs (a, b), a < b, with identical vectors. */
        final List<int[]> twins = new ArrayList<>();

        @Override
        public org.re4j.model.ParamSet params() {
            return new org.re4j.model.ParamSet();
        }

        RandomModel(int numItems, long seed, boolean integer) {
            this.numItems = numItems;
            this.integer = integer;
            this.v = new float[(numItems + 1) * D];
            SplittableRandom rng = new SplittableRandom(seed);
            for (int i = 1; i <= numItems; i++) for (int j = 0; j < D; j++) v[i * D + j] = draw(rng, integer);
            // Identical vectors, some of them far apart (other tiles when the catalogue is large).
            for (int b = 3; b <= numItems; b += 7) {
                int a = b % 2 == 0 ? b / 2 : b - 1;
                if (b > ItemTiles.TILE + 10 && b % 3 == 0) a = b - ItemTiles.TILE - 5;
                System.arraycopy(v, a * D, v, b * D, D);
                twins.add(new int[] {a, b});
            }
        }

        static float draw(SplittableRandom rng, boolean integer) {
            if (integer) return rng.nextInt(-3, 4);
            double u1 = 1 - rng.nextDouble(), u2 = rng.nextDouble();
            return (float) (Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }

        @Override public String name() { return "random"; }
        @Override public int numInterests() { return K; }
        @Override public int dim() { return D; }
        @Override public int numItems() { return numItems; }
        @Override public int maxLen() { return MAX_LEN; }
        @Override public float[] itemVectors() { return v; }

        @Override
        public void interests(int[] histories, int[] lengths, int count, float[] out) {
            for (int u = 0; u < count; u++) {
                assertTrue(lengths[u] >= 1 && lengths[u] <= MAX_LEN, "length " + lengths[u]);
                for (int t = lengths[u]; t < MAX_LEN; t++) assertEquals(0, histories[u * MAX_LEN + t], "padding");
                SplittableRandom rng = new SplittableRandom(hash(histories, u * MAX_LEN, lengths[u]));
                for (int j = 0; j < K * D; j++) out[u * K * D + j] = draw(rng, integer);
            }
        }

        static long hash(int[] h, int from, int len) {
            long x = 0x9E3779B97F4A7C15L;
            for (int t = 0; t < len; t++) x = (x ^ h[from + t]) * 0xBF58476D1CE4E5B9L;
            return x;
        }
    }

    static int[] lastItems(int[] history, int maxLen) {
        return Arrays.copyOfRange(history, Math.max(0, history.length - maxLen), history.length);
    }

    /** Scores every item 1..N as max_k y·z_k (first k on ties), sorts by score desc then id asc, keeps n. */
    static List<Recommendation> bruteForce(Recommender m, int[] history, int n, boolean excludeHistory) {
        int[] h = lastItems(history, m.maxLen());
        int[] padded = Arrays.copyOf(h, m.maxLen());
        int k = m.numInterests(), d = m.dim();
        float[] z = new float[k * d];
        m.interests(padded, new int[] {h.length}, 1, z);
        Set<Integer> ex = new HashSet<>();
        if (excludeHistory) for (int i : history) ex.add(i);
        float[] v = m.itemVectors();
        List<Recommendation> all = new ArrayList<>();
        for (int i = 1; i <= m.numItems(); i++) {
            if (ex.contains(i)) continue;
            float best = 0;
            int arg = -1;
            for (int q = 0; q < k; q++) {
                float s = 0;
                for (int j = 0; j < d; j++) s += v[i * d + j] * z[q * d + j];
                if (arg < 0 || s > best) {
                    best = s;
                    arg = q;
                }
            }
            all.add(new Recommendation(i, best, arg));
        }
        all.sort(Comparator.comparingDouble((Recommendation r) -> -r.score()).thenComparingInt(Recommendation::item));
        return all.subList(0, Math.min(n, all.size()));
    }

    static int[] randomHistory(SplittableRandom rng, int numItems, int len) {
        int[] h = new int[len];
        for (int t = 0; t < len; t++) h[t] = 1 + rng.nextInt(numItems);
        return h;
    }

    // ---------------------------------------------------------------------------------------------- recommend

    @Test
    void recommendMatchesBruteForce() {
        for (int numItems : new int[] {200, 2500}) {
            RandomModel m = new RandomModel(numItems, numItems, true);
            SplittableRandom rng = new SplittableRandom(1);
            int tiesSeen = 0;
            for (int trial = 0; trial < 20; trial++) {
                int[] history = randomHistory(rng, numItems, 1 + rng.nextInt(12));
                for (int n : new int[] {10, 300}) {
                    for (boolean exclude : new boolean[] {false, true}) {
                        List<Recommendation> got = Evaluator.recommend(m, history, n, exclude);
                        List<Recommendation> want = bruteForce(m, history, n, exclude);
                        String what = numItems + " items, top " + n + (exclude ? ", history excluded" : "") + ", trial " + trial;
                        assertEquals(want, got, what);
                        for (int r = 1; r < got.size(); r++) if (got.get(r).score() == got.get(r - 1).score()) tiesSeen++;
                    }
                }
            }
            assertTrue(tiesSeen > 100, "integer scores tie often: " + tiesSeen);
        }
    }

    @Test
    void recommendReturnsTheWholeCatalogueWhenNIsLarger() {
        RandomModel m = new RandomModel(200, 5, true);
        int[] history = {3, 17, 3, 150};
        List<Recommendation> all = Evaluator.recommend(m, history, 300, false);
        assertEquals(200, all.size());
        Set<Integer> ids = new HashSet<>();
        for (Recommendation r : all) {
            assertTrue(r.item() >= 1 && r.item() <= 200, "padding never returned: " + r);
            ids.add(r.item());
        }
        assertEquals(200, ids.size(), "each item once");
        List<Recommendation> excluded = Evaluator.recommend(m, history, 300, true);
        assertEquals(197, excluded.size(), "three distinct history items left out");
        for (Recommendation r : excluded) assertFalse(r.item() == 3 || r.item() == 17 || r.item() == 150);
    }

    @Test
    void twinsComeSmallerIdFirst() {
        for (int numItems : new int[] {200, 2500}) {
            RandomModel m = new RandomModel(numItems, 77, true); // exact scores: twins tie whatever the BLAS
            for (int[] h : new int[][] {{1}, {5, 9, 11}, {numItems, 2}}) {
                List<Recommendation> all = Evaluator.recommend(m, h, numItems, false);
                int[] rank = new int[numItems + 1];
                for (int r = 0; r < all.size(); r++) rank[all.get(r).item()] = r;
                for (int[] t : m.twins) {
                    assertTrue(rank[t[0]] < rank[t[1]], "identical items " + t[0] + " and " + t[1] + " in the wrong order");
                    assertEquals(all.get(rank[t[0]]).score(), all.get(rank[t[1]]).score());
                }
                // The cut falls inside a tie: asking for fewer keeps the smaller id.
                for (int[] t : m.twins) {
                    int r = rank[t[0]];
                    List<Recommendation> top = Evaluator.recommend(m, h, r + 1, false);
                    assertEquals(t[0], top.get(r).item());
                }
            }
        }
    }

    @Test
    void interestIsTheArgmaxAndScoreTheMax() {
        RandomModel m = new RandomModel(2500, 3, false);
        int[] h = {7, 8, 9, 2400};
        float[] z = new float[K * D];
        m.interests(Arrays.copyOf(h, MAX_LEN), new int[] {h.length}, 1, z);
        List<Recommendation> recs = Evaluator.recommend(m, h, 100, false);
        Set<Integer> interestsUsed = new HashSet<>();
        for (Recommendation r : recs) {
            double best = Double.NEGATIVE_INFINITY;
            int arg = -1;
            for (int q = 0; q < K; q++) {
                double s = 0;
                for (int j = 0; j < D; j++) s += (double) m.v[r.item() * D + j] * z[q * D + j];
                if (s > best) {
                    best = s;
                    arg = q;
                }
            }
            assertEquals(arg, r.interest(), "interest of item " + r.item());
            assertEquals(best, r.score(), 1e-4, "score of item " + r.item());
            interestsUsed.add(r.interest());
        }
        assertTrue(interestsUsed.size() > 1, "the top 100 draw on more than one interest: " + interestsUsed);
    }

    @Test
    void onlyTheLastMaxLenItemsCount() {
        RandomModel m = new RandomModel(200, 9, true);
        int[] tail = {4, 5, 6, 7, 8, 9};
        int[] longer = {100, 101, 102, 4, 5, 6, 7, 8, 9};
        assertEquals(Evaluator.recommend(m, tail, 20, false), Evaluator.recommend(m, longer, 20, false));
        // Excluding the history leaves out all of it, not only the part the model reads.
        for (Recommendation r : Evaluator.recommend(m, longer, 200, true)) assertFalse(Set.of(100, 101, 102, 4, 5, 6, 7, 8, 9).contains(r.item()));
    }

    @Test
    void recommendRejectsBadInput() {
        RandomModel m = new RandomModel(200, 9, true);
        assertThrows(IllegalArgumentException.class, () -> Evaluator.recommend(m, new int[0], 10, false));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.recommend(m, new int[] {0}, 10, false));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.recommend(m, new int[] {201}, 10, false));
        assertThrows(IllegalArgumentException.class, () -> Evaluator.recommend(m, new int[] {1}, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TopN(m, ItemTiles.of(m), 0, 10));
    }

    // ---------------------------------------------------------------------------------------------- TopN blocks

    @Test
    void topNOverABlockMatchesOneUserAtATime() {
        RandomModel m = new RandomModel(2500, 21, true);
        SplittableRandom rng = new SplittableRandom(4);
        int users = 9, n = 60;
        int[][] hs = new int[users][];
        int[] hist = new int[users * MAX_LEN], len = new int[users];
        int[][] exclude = new int[users][];
        for (int u = 0; u < users; u++) {
            hs[u] = randomHistory(rng, 2500, 1 + rng.nextInt(10));
            len[u] = Evaluator.pack(hs[u], MAX_LEN, hist, u * MAX_LEN);
            exclude[u] = u % 2 == 0 ? hs[u] : null;
        }
        TopN top = new TopN(m, ItemTiles.of(m), 16, n);
        int[][] items = new int[users][n], interests = new int[users][n];
        float[][] scores = new float[users][n];
        int[] filled = new int[users];
        for (int round = 0; round < 2; round++) { // the instance is reused: nothing may carry over
            top.search(hist, len, users, exclude, items, scores, interests, filled);
            for (int u = 0; u < users; u++) {
                List<Recommendation> want = bruteForce(m, hs[u], n, exclude[u] != null);
                assertEquals(n, filled[u]);
                for (int r = 0; r < n; r++) {
                    assertEquals(want.get(r), new Recommendation(items[u][r], scores[u][r], interests[u][r]), "user " + u + " rank " + r);
                }
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> top.search(new int[17 * MAX_LEN], new int[17], 17, null, new int[17][n], null, null, new int[17]));
    }

    @Test
    void scoresAreOneFmaChainPerInterestWhateverTheBlock() {
        RandomModel m = new RandomModel(3 * ItemTiles.TILE + 77, 23, false); // real-valued: sums round
        ItemTiles tiles = ItemTiles.of(m);
        SplittableRandom rng = new SplittableRandom(5);
        int users = 7, n = 40, k = m.numInterests(), d = m.dim();
        int[] hist = new int[users * MAX_LEN], len = new int[users];
        for (int u = 0; u < users; u++) len[u] = Evaluator.pack(randomHistory(rng, m.numItems(), 1 + rng.nextInt(10)), MAX_LEN, hist, u * MAX_LEN);
        TopN block = new TopN(m, tiles, users, n), one = new TopN(m, tiles, 1, n);
        int[][] items = new int[users][n], interests = new int[users][n], oneItems = new int[1][n], oneInterests = new int[1][n];
        float[][] scores = new float[users][n], oneScores = new float[1][n];
        int[] filled = new int[users], oneFilled = new int[1];
        block.search(hist, len, users, null, items, scores, interests, filled);
        float[] z = block.interests().clone(), v = m.itemVectors();
        for (int u = 0; u < users; u++) {
            one.search(Arrays.copyOfRange(hist, u * MAX_LEN, (u + 1) * MAX_LEN), new int[] {len[u]}, 1, null, oneItems, oneScores, oneInterests, oneFilled);
            assertArrayEquals(items[u], oneItems[0], "user " + u);
            assertArrayEquals(scores[u], oneScores[0], 0f, "user " + u);
            assertArrayEquals(interests[u], oneInterests[0], "user " + u);
            for (int r = 0; r < n; r++) {
                int item = items[u][r];
                float best = Float.NEGATIVE_INFINITY;
                for (int q = 0; q < k; q++) best = Math.max(best, org.re4j.math.Kernels.dotColumn(z, (u * k + q) * d, d, v, item * d, 1));
                assertEquals(best, scores[u][r], 0f, "user " + u + " rank " + r + ": the FMA chain over the item's own row");
            }
        }
        RandomModel other = new RandomModel(100, 1, false);
        assertThrows(IllegalArgumentException.class, () -> new TopN(other, tiles, 1, n));
    }

    // ---------------------------------------------------------------------------------------------- evaluate

    static EvalSet randomEvalSet(int users, int numItems, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] ids = new int[users];
        int[][] h = new int[users][], t = new int[users][];
        for (int u = 0; u < users; u++) {
            ids[u] = u;
            h[u] = randomHistory(rng, numItems, 1 + rng.nextInt(15));
            t[u] = randomHistory(rng, numItems, 1 + rng.nextInt(40));
        }
        return new EvalSet(ids, h, t);
    }

    static final List<String> KEYS = List.of("recall@20", "recall@50", "hitrate@20", "hitrate@50", "ndcg@20", "ndcg@50",
            "ndcg_comirec@20", "ndcg_comirec@50", "ndcg_comirec_orig@20", "ndcg_comirec_orig@50");

    @Test
    void evaluateDoesNotDependOnThreadsOrBlocks() {
        RandomModel m = new RandomModel(2500, 13, false);
        // Targets drawn among the first 150 items so that hits are common enough to make the sums non-trivial.
        EvalSet set = randomEvalSet(61, 150, 2);
        for (boolean exclude : new boolean[] {false, true}) {
            EvalResult a = Evaluator.evaluate(m, set, new EvalOptions(50, exclude, 1, 1));
            EvalResult b = Evaluator.evaluate(m, set, new EvalOptions(50, exclude, 2, 7));
            EvalResult c = Evaluator.evaluate(m, set, new EvalOptions(50, exclude, 3, 256));
            assertEquals(61, a.users());
            assertEquals(KEYS, List.copyOf(a.metrics().keySet()));
            assertEquals(a.metrics(), b.metrics(), "1 thread × block 1 vs 2 threads × block 7");
            assertEquals(a.metrics(), c.metrics(), "1 thread × block 1 vs 3 threads × block 256");
            for (String k : KEYS) {
                assertEquals(Double.doubleToRawLongBits(a.metrics().get(k)), Double.doubleToRawLongBits(b.metrics().get(k)), k);
            }
        }
    }

    @Test
    void evaluateEqualsBruteForceRankingAndMetrics() {
        RandomModel m = new RandomModel(2500, 17, true);
        SplittableRandom rng = new SplittableRandom(5);
        int users = 40;
        int[] ids = new int[users];
        int[][] h = new int[users][], t = new int[users][];
        for (int u = 0; u < users; u++) {
            ids[u] = u;
            h[u] = randomHistory(rng, 2500, 1 + rng.nextInt(15));
            // Targets: some from the brute-force top 50, some at random, so every metric moves.
            List<Recommendation> top = bruteForce(m, h[u], 50, false);
            int nt = 1 + rng.nextInt(6);
            t[u] = new int[nt];
            for (int j = 0; j < nt; j++) t[u][j] = rng.nextBoolean() ? top.get(rng.nextInt(50)).item() : 1 + rng.nextInt(2500);
        }
        EvalSet set = new EvalSet(ids, h, t);
        for (boolean exclude : new boolean[] {false, true}) {
            int[] cutoffs = {20, 50};
            double[] sums = new double[RankingMetrics.NAMES.size() * cutoffs.length];
            for (int u = 0; u < users; u++) {
                int[] ranked = bruteForce(m, h[u], 50, exclude).stream().mapToInt(Recommendation::item).toArray();
                RankingMetrics.accumulate(ranked, ranked.length, t[u], cutoffs, sums);
            }
            Map<String, Double> want = RankingMetrics.average(sums, users, cutoffs);
            Map<String, Double> got = Evaluator.evaluate(m, set, new EvalOptions(50, exclude, 2, 7)).metrics();
            assertEquals(want, got, exclude ? "history excluded" : "history kept");
            assertTrue(got.get("hitrate@50") > 0.3, "hits happen: " + got);
        }
    }

    @Test
    void cutoffsFollowN() {
        assertArrayEquals(new int[] {20, 50}, new EvalOptions(50, false, 1, 1).cutoffs());
        assertArrayEquals(new int[] {20}, new EvalOptions(20, false, 1, 1).cutoffs());
        assertArrayEquals(new int[] {10}, new EvalOptions(10, false, 1, 1).cutoffs());
        assertArrayEquals(new int[] {20, 30}, new EvalOptions(30, false, 1, 1).cutoffs());
        assertArrayEquals(new int[] {20, 50, 100}, new EvalOptions(100, false, 1, 1).cutoffs());
        assertThrows(IllegalArgumentException.class, () -> new EvalOptions(0, false, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new EvalOptions(50, false, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new EvalOptions(50, false, 1, 0));
        RandomModel m = new RandomModel(200, 1, true);
        EvalResult r = Evaluator.evaluate(m, randomEvalSet(5, 200, 1), new EvalOptions(100, false, 1, 2));
        assertEquals(List.of("recall@20", "recall@50", "recall@100"), List.copyOf(r.metrics().keySet()).subList(0, 3));
    }

    @Test
    void emptyEvalSetGivesZeros() {
        EvalResult r = Evaluator.evaluate(new RandomModel(200, 1, true), new EvalSet(new int[0], new int[0][], new int[0][]),
                new EvalOptions(50, false, 4, 8));
        assertEquals(0, r.users());
        for (String k : KEYS) assertEquals(0.0, r.metrics().get(k));
    }

    // ---------------------------------------------------------------------------------------------- Pop

    @Test
    void popRanksByCountTiesToTheSmallerId() {
        // counts: 1→2, 2→5, 3→2, 4→0, 5→5, 6→1, 7→2, 8→0
        int[][] train = {{2, 5, 1}, {2, 5, 3, 7}, {2, 5, 5, 2}, {1, 3, 6, 7, 2, 5}};
        Pop pop = Pop.fit(8, train);
        List<Recommendation> recs = Evaluator.recommend(pop, new int[] {6}, 8, false);
        assertEquals(List.of(2, 5, 1, 3, 7, 6, 4, 8), recs.stream().map(Recommendation::item).toList());
        assertEquals(List.of(5f, 5f, 2f, 2f, 2f, 1f, 0f, 0f), recs.stream().map(Recommendation::score).toList());
        for (Recommendation r : recs) assertEquals(0, r.interest());
        // The history does not matter, except when it is excluded.
        assertEquals(recs, Evaluator.recommend(pop, new int[] {1, 2, 3}, 8, false));
        assertEquals(List.of(5, 3, 7, 6), Evaluator.recommend(pop, new int[] {2, 1, 4, 8}, 4, true).stream()
                .map(Recommendation::item).toList());
        assertEquals(List.of(2, 5, 1), Evaluator.recommend(pop, new int[] {6}, 3, false).stream().map(Recommendation::item).toList());
    }

    @Test
    void popEvaluatedLikeAnyModel() {
        int numItems = 3000;
        SplittableRandom rng = new SplittableRandom(8);
        int[][] train = new int[300][];
        for (int u = 0; u < train.length; u++) {
            train[u] = new int[5 + rng.nextInt(20)];
            for (int t = 0; t < train[u].length; t++) train[u][t] = 1 + (int) (numItems * Math.pow(rng.nextDouble(), 3));
        }
        Pop pop = Pop.fit(numItems, train);
        List<Recommendation> top = Evaluator.recommend(pop, new int[] {1}, 50, false);
        List<Recommendation> want = bruteForce(pop, new int[] {1}, 50, false);
        assertEquals(want, top);
        for (int r = 1; r < top.size(); r++) {
            Recommendation a = top.get(r - 1), b = top.get(r);
            assertTrue(a.score() > b.score() || (a.score() == b.score() && a.item() < b.item()), a + " before " + b);
        }
        EvalSet set = randomEvalSet(50, 100, 3);
        Map<String, Double> one = Evaluator.evaluate(pop, set, new EvalOptions(50, false, 1, 1)).metrics();
        Map<String, Double> many = Evaluator.evaluate(pop, set, new EvalOptions(50, false, 2, 7)).metrics();
        assertEquals(one, many);
        assertNotEquals(0.0, one.get("recall@50"));
    }
}
