package org.re4j.model.re4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.ToDoubleBiFunction;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.re4j.GradCheck;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/**
 * Finite-difference checks of Re4's three backward flows through the ComiRec-SA encoder. The positive sets P_k are a
 * hard threshold on the attention, so each check selects them once at the starting point and holds them fixed.
 */
class FlowsTest {

    static final int N = 30, L = 6, B = 4, K = 3, D = 8;

    static int[] lengths() { return new int[] {6, 3, 1, 4}; }

    static int[] histories() {
        return histories(lengths());
    }

    static int[] histories(int[] len) {
        SplittableRandom rng = new SplittableRandom(3);
        int[] h = new int[B * L];
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(N);
        h[0] = h[1] = 5;
        return h;
    }

    static ComiRecSA encoder() {
        ComiRecSA m = new ComiRecSA(new ComiRecSA.Config(N, D, 16, K, L, true, ComiRecSA.Projection.LEARNED, true, org.re4j.model.Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST), 11);
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        return m;
    }

    /** Runs forward, builds the flow input with the given positives (null: select with the adaptive threshold). */
    static FlowInput forward(ComiRecSA m, boolean[] positives) {
        return forward(m, positives, lengths());
    }

    static FlowInput forward(ComiRecSA m, boolean[] positives, int[] len) {
        float[] z = m.forward(histories(len), len, B);
        ComiRecSA.Activations a = m.lastForward();
        boolean[] pos = positives != null ? positives : FlowInput.selectPositives(B, K, a.rowStart(), a.attention(), PositiveThreshold.ADAPTIVE, null);
        return FlowInput.of(a, B, K, D, z, pos);
    }

    /** Checks d(flow loss)/d(all params) through the encoder. */
    static void check(ComiRecSA m, ParamSet params, ToDoubleBiFunction<FlowInput, FlowGrads> flow, double h, double tol) {
        check(m, params, flow, h, tol, lengths());
    }

    static void check(ComiRecSA m, ParamSet params, ToDoubleBiFunction<FlowInput, FlowGrads> flow, double h, double tol,
                      int[] len) {
        boolean[] pos = forward(m, null, len).positive().clone();
        FlowGrads g = new FlowGrads();
        // One call first, so that a buffer the flow reuses between steps without clearing shows up as a wrong gradient.
        FlowInput first = forward(m, pos, len);
        g.reset(first);
        flow.applyAsDouble(first, g);
        GradCheck.check(params,
                () -> { FlowInput in = forward(m, pos, len); g.reset(in); return flow.applyAsDouble(in, g); },
                () -> {
                    params.zeroGrad();
                    FlowInput in = forward(m, pos, len);
                    g.reset(in);
                    flow.applyAsDouble(in, g);
                    m.backward(g.dZ, g.dLogits, g.dX);
                },
                h, tol);
    }

    /** Re-contrast at weight w and temperature τ, sampled negatives, averaged over the positive terms. */
    static ReContrast.Config contrast(double w, double tau) {
        return new ReContrast.Config(w, tau, 0, ReContrast.NegativeSource.SAMPLED, ReContrast.Denominator.NEGATIVES, Averaging.POSITIVE_TERMS);
    }

    /** Re-construct at weight w with small slots (d_b 4, hidden 5). */
    static ReConstruct.Config construct(double w, Averaging averaging) {
        return new ReConstruct.Config(w, 4, 5, averaging);
    }

    @Test
    void positivesAreTheAboveUniformAttention() {
        ComiRecSA m = encoder();
        FlowInput in = forward(m, null);
        int n = 0;
        for (int u = 0; u < B; u++) {
            for (int k = 0; k < K; k++) {
                for (int i = 0; i < in.len(u); i++) {
                    assertEquals(in.attention()[in.att(u, k, i)] > 1.0 / in.len(u), in.positive(u, k, i));
                    if (in.positive(u, k, i)) n++;
                }
            }
            for (int k = 0; k < K; k++) if (in.len(u) == 1) assertTrue(!in.positive(u, k, 0), "a single item is not above 1/1");
        }
        assertTrue(n > 0);
        boolean[] fixed = FlowInput.selectPositives(B, K, m.lastForward().rowStart(), m.lastForward().attention(), PositiveThreshold.fixed(0.25), null);
        for (int q = 0; q < K * in.rows(); q++) assertEquals(in.attention()[q] > 0.25, fixed[q]);
    }

    @Test
    void reAttendWithBothSidesLiveMatchesFiniteDifferences() {
        ComiRecSA m = encoder();
        ReAttend flow = new ReAttend(new ReAttend.Config(1.0, false));
        check(m, m.params(), flow::loss, 1e-2, 2e-2);
    }

    @Test
    void reAttendWithDetachedTargetIsTheGradientOfTheFrozenTargetCrossEntropy() {
        ComiRecSA m = encoder();
        // ã at the starting point, frozen.
        FlowInput base = forward(m, null);
        int q = K * base.rows();
        double[] target = new double[q];
        for (int u = 0; u < B; u++) {
            for (int k = 0; k < K; k++) {
                int len = base.len(u);
                double[] s = new double[len];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < len; i++) {
                    for (int j = 0; j < D; j++) s[i] += base.z()[(u * K + k) * D + j] * base.x()[(base.rowStart()[u] + i) * D + j];
                    max = Math.max(max, s[i]);
                }
                for (int i = 0; i < len; i++) sum += s[i] = Math.exp(s[i] - max);
                for (int i = 0; i < len; i++) target[base.att(u, k, i)] = s[i] / sum;
            }
        }
        ReAttend flow = new ReAttend(new ReAttend.Config(1.0, true));
        FlowGrads g = new FlowGrads();
        GradCheck.check(m.params(),
                () -> {
                    FlowInput in = forward(m, null);
                    double l = 0;
                    for (int i = 0; i < q; i++) l -= target[i] * Math.log(in.attention()[i]);
                    return l / (B * K);
                },
                () -> {
                    m.params().zeroGrad();
                    FlowInput in = forward(m, null);
                    g.reset(in);
                    flow.loss(in, g);
                    m.backward(g.dZ, g.dLogits, g.dX);
                },
                1e-2, 2e-2);
    }

    @ParameterizedTest(name = "tau={0}")
    @ValueSource(doubles = {0.5, 0.2})
    void reContrastMatchesFiniteDifferences(double tau) {
        ComiRecSA m = encoder();
        ReContrast flow = new ReContrast(contrast(1.0, tau), L);
        int[] sampled = {2, 9, 17, 25, 5}; // 5 is in user 0's history: not one of its negatives
        check(m, m.params(), (in, g) -> flow.loss(in, sampled, sampled.length, m.itemEmbeddings(), g), 5e-3, 3e-2);
    }

    @Test
    void sampledItemsInAUsersHistoryAreNotItsNegatives() {
        ComiRecSA m = encoder();
        int[] len = lengths(), h = histories(len);
        for (int u = 0; u < B; u++) h[u * L + len[u] - 1] = 5; // item 5 is in every user's history
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) seen.add(h[u * L + i]);
        int outside = 1;
        while (seen.contains(outside)) outside++;
        float[] z = m.forward(h, len, B);
        boolean[] pos = FlowInput.selectPositives(B, K, m.lastForward().rowStart(), m.lastForward().attention(), PositiveThreshold.ADAPTIVE, null);
        FlowInput in = FlowInput.of(m.lastForward(), B, K, D, z, pos);
        ReContrast flow = new ReContrast(contrast(1.0, 0.5), L);
        FlowGrads g = new FlowGrads();
        g.reset(in);
        double none = flow.loss(in, new int[0], 0, m.itemEmbeddings(), g);
        g.reset(in);
        assertEquals(none, flow.loss(in, new int[] {5}, 1, m.itemEmbeddings(), g), 1e-9, "item 5 is every user's own");
        g.reset(in);
        assertEquals(none, flow.loss(in, new int[] {5, outside}, 1, m.itemEmbeddings(), g), 1e-9, "only the first m count");
        g.reset(in);
        assertTrue(flow.loss(in, new int[] {5, outside}, 2, m.itemEmbeddings(), g) > none, "an outside item is a negative");
        g.reset(in);
        int twiceDrawn = outside;
        var twice = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> flow.loss(in, new int[] {twiceDrawn, 7, twiceDrawn}, 3, m.itemEmbeddings(), g));
        assertTrue(twice.getMessage().contains("appears twice"), twice.getMessage());
    }

    // The upsampling runs per group of lengths that round up to the same width (4 slots, or N_x = 6), in padded copies
    // unless the batch is already in that layout: unordered lengths, one group out of order, ordered lengths with
    // padding, ordered lengths that are their own widths (two groups, no copies), every history full (one group).
    @ParameterizedTest(name = "histories {0}")
    @ValueSource(strings = {"6,3,1,4", "4,2,4,2", "1,3,4,6", "4,4,6,6", "6,6,6,6"})
    void reConstructMatchesFiniteDifferences(String histories) {
        ComiRecSA m = encoder();
        ReConstruct flow = new ReConstruct(construct(1.0, Averaging.POSITIVE_TERMS), L, D, org.re4j.model.Init.GLOROT_UNIFORM, new SplittableRandom(4));
        ParamSet all = new ParamSet();
        for (Param p : m.params().all()) all.add(p);
        for (Param p : flow.params()) {
            all.add(p);
            SplittableRandom rng = new SplittableRandom(p.name.hashCode());
            for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        }
        int[] len = java.util.Arrays.stream(histories.split(",")).mapToInt(Integer::parseInt).toArray();
        check(m, all, flow::loss, 1e-2, 2e-2, len);
    }

    @Test
    void allThreeTogetherAddUp() {
        ComiRecSA m = encoder();
        ReAttend att = new ReAttend(new ReAttend.Config(0.3, false));
        ReContrast cl = new ReContrast(contrast(0.5, 0.3), L);
        ReConstruct ct = new ReConstruct(construct(2.0, Averaging.POSITIVE_TERMS), L, D, org.re4j.model.Init.GLOROT_UNIFORM, new SplittableRandom(4));
        ParamSet all = new ParamSet();
        for (Param p : m.params().all()) all.add(p);
        for (Param p : ct.params()) all.add(p);
        int[] sampled = {3, 11};
        check(m, all, (in, g) -> att.loss(in, g) + cl.loss(in, sampled, 2, m.itemEmbeddings(), g) + ct.loss(in, g), 5e-3, 3e-2);
    }

    @Test
    void authorsVariantsMatchFiniteDifferences() {
        ComiRecSA m = encoder();
        // Previous-user negatives and per-cell averaging (Re-contrast), per-cell averaging (Re-construct).
        ReContrast cl = new ReContrast(contrast(1.0, 0.3).withNegativeSource(ReContrast.NegativeSource.PREVIOUS_USER).withAveraging(Averaging.ALL_CELLS), L);
        ReConstruct ct = new ReConstruct(construct(20.0, Averaging.ALL_CELLS), L, D, org.re4j.model.Init.GLOROT_UNIFORM, new SplittableRandom(4));
        ParamSet all = new ParamSet();
        for (Param p : m.params().all()) all.add(p);
        for (Param p : ct.params()) all.add(p);
        check(m, all, (in, g) -> cl.loss(in, new int[0], 0, m.itemEmbeddings(), g) + ct.loss(in, g), 5e-3, 3e-2);
    }
}
