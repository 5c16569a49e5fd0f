package org.re4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.re4j.eval.Evaluator;
import org.re4j.model.Recommender;

/** The HNSW path against exact retrieval on the same queries. */
class HnswIndexTest {

    static final int N = 3000, D = 16, K = 3;

    /** A fixed-vector model: item norms vary (inner product ≠ cosine), interests are given directly. */
    static final class Fixed implements Recommender {
        final float[] items = new float[(N + 1) * D];
        float[] next;

        @Override
        public org.re4j.model.ParamSet params() {
            return new org.re4j.model.ParamSet();
        }

        Fixed(long seed) {
            SplittableRandom r = new SplittableRandom(seed);
            for (int i = 1; i <= N; i++) {
                double scale = 0.5 + r.nextDouble() * 1.5;
                for (int j = 0; j < D; j++) items[i * D + j] = (float) (r.nextGaussian() * scale);
            }
        }
        @Override public String name() { return "fixed"; }
        @Override public int numInterests() { return K; }
        @Override public int dim() { return D; }
        @Override public int numItems() { return N; }
        @Override public int maxLen() { return 5; }
        @Override public float[] itemVectors() { return items; }
        @Override public void interests(int[] h, int[] l, int count, float[] out) { System.arraycopy(next, 0, out, 0, K * D); }
    }

    @Test
    void recallAt50AgainstExactIsHighAndExclusionHolds() {
        Fixed m = new Fixed(1);
        HnswIndex index = new HnswIndex(m.items, N, D, 16, 100);
        SplittableRandom r = new SplittableRandom(2);
        double recall = 0;
        int queries = 40;
        for (int q = 0; q < queries; q++) {
            m.next = new float[K * D];
            for (int i = 0; i < K * D; i++) m.next[i] = (float) r.nextGaussian();
            int[] history = {1 + r.nextInt(N), 1 + r.nextInt(N)};
            List<Evaluator.Recommendation> exact = Evaluator.recommend(m, history, 50, true);
            List<Evaluator.Recommendation> ann = index.search(m.next, K, 50, 200, history);
            assertEquals(50, ann.size());
            Set<Integer> e = new HashSet<>();
            for (Evaluator.Recommendation x : exact) e.add(x.item());
            int hits = 0;
            for (Evaluator.Recommendation x : ann) {
                if (e.contains(x.item())) hits++;
                assertTrue(x.item() != history[0] && x.item() != history[1], "history excluded");
                // the score is the exact max over interests
                float best = Float.NEGATIVE_INFINITY;
                for (int k = 0; k < K; k++) {
                    float s = 0;
                    for (int j = 0; j < D; j++) s += m.next[k * D + j] * m.items[x.item() * D + j];
                    best = Math.max(best, s);
                }
                assertEquals(best, x.score(), 1e-4f);
            }
            recall += hits / 50.0;
            for (int i = 1; i < ann.size(); i++) assertTrue(ann.get(i - 1).score() >= ann.get(i).score(), "sorted");
        }
        recall /= queries;
        assertTrue(recall > 0.9, "ANN recall@50 vs exact: " + recall);
    }
}
