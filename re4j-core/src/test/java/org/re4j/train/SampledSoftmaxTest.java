package org.re4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.re4j.GradCheck;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Param;

class SampledSoftmaxTest {

    static final int N = 200, L = 5, B = 6, K = 3, D = 8;

    static ComiRecSA model() {
        ComiRecSA m = new ComiRecSA(new ComiRecSA.Config(N, D, 12, K, L, true, ComiRecSA.Projection.LEARNED, true, org.re4j.model.Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST), 1);
        SplittableRandom rng = new SplittableRandom(2);
        for (Param p : m.params().all()) for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() - 0.5);
        return m;
    }

    static int[][] batch() {
        SplittableRandom rng = new SplittableRandom(4);
        int[] h = new int[B * L], len = new int[B], y = new int[B];
        for (int u = 0; u < B; u++) {
            len[u] = 1 + rng.nextInt(L);
            for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(N);
            y[u] = 1 + rng.nextInt(20); // popular ids: likely drawn as negatives too (accidental hits)
        }
        return new int[][] {h, len, y};
    }

    /** The whole forward flow + L_rec, checked end to end against finite differences, for both samplers. */
    @Test
    void endToEndGradientMatchesFiniteDifferences() {
        for (TrainConfig.Sampler sampler : TrainConfig.Sampler.values()) {
            for (int negatives : new int[] {40, N}) { // 40: sampled with logQ; N: exact full softmax
                ComiRecSA m = model();
                int[][] b = batch();
                float[] dz = new float[B * K * D];
                GradCheck.check(m.params(),
                        () -> {
                            SampledSoftmax loss = new SampledSoftmax(NegativeSampler.of(sampler, N), negatives, true, 99);
                            Param e = m.itemEmbeddings();
                            float l = loss.loss(m.forward(b[0], b[1], B), B, K, D, b[2], e, dz);
                            e.zeroGrad();
                            return l;
                        },
                        () -> {
                            m.params().zeroGrad();
                            SampledSoftmax loss = new SampledSoftmax(NegativeSampler.of(sampler, N), negatives, true, 99);
                            loss.loss(m.forward(b[0], b[1], B), B, K, D, b[2], m.itemEmbeddings(), dz);
                            m.backward(dz);
                        },
                        1e-2, 3e-2);
            }
        }
    }

    /** MIND's label-aware attention (power 1 and 2): gradients through the mix and its weights, into z and y. */
    @Test
    void labelAwareReadoutGradientMatchesFiniteDifferences() {
        for (int power : new int[] {1, 2}) {
            ComiRecSA m = model();
            // Item vectors large enough that z·y spreads the attention α (a near one-hot α would hide its gradient).
            for (int i = 0; i < m.itemEmbeddings().size(); i++) m.itemEmbeddings().value[i] *= 3f;
            int[][] b = batch();
            float[] dz = new float[B * K * D];
            GradCheck.check(m.params(),
                    () -> {
                        SampledSoftmax loss = new SampledSoftmax(NegativeSampler.uniform(N), 40, true, 99, power);
                        Param e = m.itemEmbeddings();
                        float l = loss.loss(m.forward(b[0], b[1], B), B, K, D, b[2], e, dz);
                        e.zeroGrad();
                        return l;
                    },
                    () -> {
                        m.params().zeroGrad();
                        SampledSoftmax loss = new SampledSoftmax(NegativeSampler.uniform(N), 40, true, 99, power);
                        loss.loss(m.forward(b[0], b[1], B), B, K, D, b[2], m.itemEmbeddings(), dz);
                        m.backward(dz);
                    },
                    1e-2, 3e-2);
        }
    }

    @Test
    void fullSoftmaxLossEqualsTheExactNegativeLogLikelihoodThroughTheClosestInterest() {
        ComiRecSA m = model();
        int[][] b = batch();
        float[] z = m.forward(b[0], b[1], B).clone();
        SampledSoftmax loss = new SampledSoftmax(NegativeSampler.logUniform(N), 10_000, true, 1);
        assertTrue(loss.isFullSoftmax());
        float got = loss.loss(z, B, K, D, b[2], m.itemEmbeddings(), new float[z.length]);
        float[] e = m.itemVectors();
        double expected = 0;
        for (int u = 0; u < B; u++) {
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < K; k++) {
                double s = dot(z, (u * K + k) * D, e, b[2][u] * D);
                if (s > bestScore) { bestScore = s; best = k; }
            }
            double lse = 0;
            for (int i = 1; i <= N; i++) lse += Math.exp(dot(z, (u * K + best) * D, e, i * D));
            expected += Math.log(lse) - bestScore;
        }
        assertEquals(expected / B, got, 1e-4);
    }

    @Test
    void accidentalHitsAreRemovedAndLogQApplied() {
        // Tiny hand case: one user, one interest, all 3 negatives drawn from 3 items with the target among them.
        int n = 7;
        ComiRecSA m = new ComiRecSA(new ComiRecSA.Config(n, 2, 2, 1, 1, false, ComiRecSA.Projection.IDENTITY, false, org.re4j.model.Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST), 1);
        float[] e = m.itemVectors();
        for (int i = 0; i < e.length; i++) e[i] = 0.1f * i;
        SampledSoftmax loss = new SampledSoftmax(NegativeSampler.uniform(n), 3, true, 5);
        float[] z = {1f, -0.5f};
        int y = 2;
        float got = loss.loss(z, 1, 1, 2, new int[] {y}, m.itemEmbeddings(), new float[2]);
        // Recompute: the same draw with the same seed.
        int[] neg = new int[3];
        long tries = NegativeSampler.uniform(n).draw(new SplittableRandom(5), 3, neg);
        NegativeSampler s = NegativeSampler.uniform(n);
        double trueLogit = dot(z, 0, e, y * 2) - s.logExpectedCount(y, tries);
        double lse = Math.exp(trueLogit);
        for (int id : neg) if (id != y) lse += Math.exp(dot(z, 0, e, id * 2) - s.logExpectedCount(id, tries));
        assertEquals(Math.log(lse) - trueLogit, got, 1e-5);
    }

    @Test
    void samplersDrawDistinctIdsWithTheirStatedProbabilities() {
        for (NegativeSampler s : new NegativeSampler[] {NegativeSampler.logUniform(500), NegativeSampler.uniform(500)}) {
            double total = 0;
            for (int i = 1; i <= 500; i++) total += s.probability(i);
            assertEquals(1.0, total, 1e-9, s.name());
            SplittableRandom rng = new SplittableRandom(3);
            int[] ids = new int[100];
            long[] counts = new long[501];
            long draws = 0;
            for (int r = 0; r < 2000; r++) {
                draws += s.draw(rng, 100, ids);
                Set<Integer> seen = new HashSet<>();
                for (int id : ids) {
                    assertTrue(id >= 1 && id <= 500);
                    assertTrue(seen.add(id), "duplicate id " + id);
                }
            }
            // Raw single-draw frequencies: probability × draws, checked on a few ranks.
            rng = new SplittableRandom(4);
            for (int r = 0; r < 200_000; r++) counts[s.drawOne(rng)]++;
            for (int item : new int[] {1, 2, 10, 100}) {
                double p = s.probability(item);
                assertEquals(p, counts[item] / 200_000.0, 4 * Math.sqrt(p / 200_000.0) + 1e-4, s.name() + " item " + item);
            }
            assertFalse(draws < 2000 * 100);
        }
    }

    private static double dot(float[] a, int ao, float[] b, int bo) {
        double s = 0;
        for (int j = 0; j < (a.length == 2 ? 2 : D); j++) s += a[ao + j] * b[bo + j];
        return s;
    }

    @Test
    void negativesDrawnOutsideTheBatchTargetsNeverIncludeOne() {
        NegativeSampler sampler = NegativeSampler.uniform(50);
        SplittableRandom rng = new SplittableRandom(3);
        int[] targets = {4, 9, 9, 17, 33}, ids = new int[40];
        for (int t = 0; t < 20; t++) {
            sampler.draw(rng, 40, ids, targets, targets.length);
            Set<Integer> drawn = new HashSet<>();
            for (int id : ids) {
                assertTrue(id >= 1 && id <= 50 && id != 4 && id != 9 && id != 17 && id != 33, "drew " + id);
                assertTrue(drawn.add(id), "distinct");
            }
        }
        var full = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> sampler.draw(rng, 47, ids.length < 47 ? new int[47] : ids, targets, targets.length));
        assertTrue(full.getMessage().contains("of 46 items"), full.getMessage());
    }
}
