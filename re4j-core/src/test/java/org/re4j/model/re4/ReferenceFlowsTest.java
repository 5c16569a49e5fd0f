package org.re4j.model.re4;

import static org.re4j.ReferenceMath.finiteDifferences;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.re4j.GradCheck;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Param;

/**
 * Re4's fast backward flows (BLAS products, transposed and length-grouped layouts, threads) against the plain
 * double-precision {@link ReferenceFlows}: the λ-weighted loss, dZ, dX, dLogits, the item table's row gradients and
 * Re-construct's parameter gradients, on batches from a small ComiRec-SA forward; and the reference's own gradients
 * against central differences of its loss.
 */
class ReferenceFlowsTest {

    static final int N = 30, L = 6, K = 3, D = 8;

    /**
     * Tolerance of a float result f against its double reference r: |f − r| ≤ RTOL·|r| + FLOOR·max|r| + ABS, the max
     * over the array. The flows compute in float (ε ≈ 6·10⁻⁸) from float inputs that the reference reads exactly, with
     * sums of at most a few hundred terms and ~1-ulp exp/tanh; the error is ~10⁻⁶ of the magnitudes involved (τ = 0.2
     * amplifies the similarities' rounding by 1/τ = 5 only). RTOL = 10⁻⁴ leaves ample headroom, while a missing,
     * doubled or mis-routed term changes entries by O(1) relative. FLOOR = 10⁻⁵ of the array's largest entry covers
     * entries that are small by cancellation (their float error is absolute); ABS = 10⁻⁹ only keeps an all-zero
     * reference from demanding more than float can represent of a sum that cancels exactly, and is otherwise
     * negligible: the flows' gradients here are 10⁻³–1.
     */
    static final double RTOL = 1e-4, FLOOR = 1e-5, ABS = 1e-9;
    static double worst; // largest err / tol seen

    static void assertClose(String what, double[] ref, float[] fast) {
        worst = Math.max(worst, org.re4j.ReferenceMath.assertClose(what, ref, fast, RTOL, FLOOR, ABS));
    }

    @AfterAll
    static void report() {
        System.out.println("ReferenceFlowsTest: worst error / tolerance " + worst);
    }

    // ------------------------------------------------------------------------------------------------- batches

    static ComiRecSA encoder() {
        ComiRecSA m = new ComiRecSA(new ComiRecSA.Config(N, D, 16, K, L, true, ComiRecSA.Projection.LEARNED, true, org.re4j.model.Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST), 11);
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        return m;
    }

    static int[] lengths(String pattern) {
        return Arrays.stream(pattern.split(",")).mapToInt(Integer::parseInt).toArray();
    }

    /** Items from 1..10, so they repeat within and across users; item 5 at user 0's positions 0 and 1. */
    static int[] histories(int[] len) {
        SplittableRandom rng = new SplittableRandom(3);
        int[] h = new int[len.length * L];
        for (int u = 0; u < len.length; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(10);
        h[0] = 5;
        if (len[0] > 1) h[1] = 5;
        return h;
    }

    /**
     * A forward of the encoder, as the flows see it. Positives: the adaptive threshold (a_{k,i} > 1/len, never for a
     * single item), or, with {@code randomPositives}, a random 40 % of the cells, length-1 histories included.
     */
    static FlowInput forward(ComiRecSA m, int[] len, boolean randomPositives) {
        int b = len.length;
        float[] z = m.forward(histories(len), len, b);
        ComiRecSA.Activations a = m.lastForward();
        boolean[] pos;
        if (randomPositives) {
            SplittableRandom rng = new SplittableRandom(13);
            pos = new boolean[K * a.rows()];
            for (int q = 0; q < pos.length; q++) pos[q] = rng.nextInt(10) < 4;
        } else {
            pos = FlowInput.selectPositives(b, K, a.rowStart(), a.attention(), PositiveThreshold.ADAPTIVE, null);
        }
        FlowInput in = FlowInput.of(a, b, K, D, z, pos);
        int n = 0;
        for (int q = 0; q < K * in.rows(); q++) if (in.positive()[q]) n++;
        assertTrue(n > 0, "the batch has positives");
        return in;
    }

    /** The fast flow's results against the reference's. */
    static void compare(String label, ReferenceFlows.Grads ref, double fastLoss, FlowInput in, FlowGrads g) {
        assertEquals(ref.loss(), fastLoss, RTOL * Math.abs(ref.loss()) + ABS, label + "loss");
        assertTrue(ref.loss() > 0, label + "a non-trivial loss");
        assertClose(label + "dZ", ref.dZ(), Arrays.copyOf(g.dZ, in.count() * K * D));
        assertClose(label + "dX", ref.dX(), Arrays.copyOf(g.dX, in.rows() * D));
        assertClose(label + "dLogits", ref.dLogits(), Arrays.copyOf(g.dLogits, K * in.rows()));
    }

    // ------------------------------------------------------------------------------------------------- Re-contrast

    static final int[] SAMPLED = {2, 9, 17, 25, 5}; // 5 is in user 0's history: not one of its negatives

    static double fastContrast(ComiRecSA m, ReContrast flow, FlowInput in, int[] sampled, FlowGrads g) {
        m.itemEmbeddings().zeroGrad();
        g.reset(in);
        return flow.loss(in, sampled, sampled.length, m.itemEmbeddings(), g);
    }

    @ParameterizedTest(name = "tau={0} randomPositives={1}")
    @CsvSource({"0.5,false,negatives", "0.2,false,negatives", "0.2,true,negatives", "0.2,true,all-history", "0.5,false,all-history"})
    void reContrastMatchesTheReference(double tau, boolean randomPositives, String denominator) {
        ReContrast.Config cfg = new ReContrast.Config(0.7, tau, SAMPLED.length, ReContrast.NegativeSource.SAMPLED,
                denominator.equals("negatives") ? ReContrast.Denominator.NEGATIVES : ReContrast.Denominator.ALL_HISTORY, Averaging.POSITIVE_TERMS);
        checkContrast(cfg, "6,3,1,4", randomPositives);
    }

    @ParameterizedTest(name = "lengths={0}")
    @ValueSource(strings = {"6,3,1,4", "1,2,6,6,3"})
    void reContrastWithPreviousUserNegativesAndAllCellsMatchesTheReference(String pattern) {
        ReContrast.Config cfg = new ReContrast.Config(0.7, 0.3, SAMPLED.length, ReContrast.NegativeSource.PREVIOUS_USER, ReContrast.Denominator.ALL_HISTORY, Averaging.ALL_CELLS);
        checkContrast(cfg, pattern, false);
    }

    static void checkContrast(ReContrast.Config cfg, String pattern, boolean randomPositives) {
        ComiRecSA m = encoder();
        ReContrast flow = new ReContrast(cfg, L);
        FlowGrads g = new FlowGrads();
        // One call on another batch first: state the flow keeps between calls must not leak into the next.
        fastContrast(m, flow, forward(m, lengths("2,6,6,5,1"), true), new int[] {3, 4, 7, 8, 11, 12, 30}, g);
        FlowInput in = forward(m, lengths(pattern), randomPositives);
        double loss = fastContrast(m, flow, in, SAMPLED, g);
        ReferenceFlows.Grads ref = ReferenceFlows.reContrast(in, cfg, L, SAMPLED, m.itemVectors());
        compare("re-contrast ", ref, loss, in, g);
        assertClose("re-contrast items", ref.dItems(), GradCheck.denseGrad(m.itemEmbeddings()));
    }

    // ------------------------------------------------------------------------------------------------- Re-attend

    @ParameterizedTest(name = "detachTarget={0} lengths={1}")
    @CsvSource({"true,'6,3,1,4'", "false,'6,3,1,4'", "true,'6,6,6,6'", "false,'1,5,2,6,6'"})
    void reAttendMatchesTheReference(boolean detach, String pattern) {
        ComiRecSA m = encoder();
        ReAttend.Config cfg = new ReAttend.Config(0.7, detach);
        ReAttend flow = new ReAttend(cfg);
        FlowGrads g = new FlowGrads();
        FlowInput warm = forward(m, lengths("2,6,6,5,1"), true);
        g.reset(warm);
        flow.loss(warm, g);
        FlowInput in = forward(m, lengths(pattern), false);
        m.params().zeroGrad();
        g.reset(in);
        double loss = flow.loss(in, g);
        compare("re-attend ", ReferenceFlows.reAttend(in, cfg), loss, in, g);
        assertEquals(0, m.itemEmbeddings().rowGrads.count(), "re-attend touches no item row directly");
    }

    // ------------------------------------------------------------------------------------------------- Re-construct

    static ReConstruct construct(ReConstruct.Config cfg) {
        ReConstruct flow = new ReConstruct(cfg, L, D, org.re4j.model.Init.GLOROT_UNIFORM, new SplittableRandom(4));
        for (Param p : flow.params()) {
            SplittableRandom rng = new SplittableRandom(p.name.hashCode());
            for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        }
        return flow;
    }

    // The five length patterns of FlowsTest (unordered; one group out of order; ordered with padding; ordered at their
    // own widths; all full), both averagings, and random positives (length-1 positives, more terms).
    @ParameterizedTest(name = "lengths={0} averaging={1} randomPositives={2}")
    @CsvSource({
            "'6,3,1,4',POSITIVE_TERMS,false", "'4,2,4,2',POSITIVE_TERMS,false", "'1,3,4,6',POSITIVE_TERMS,false",
            "'4,4,6,6',POSITIVE_TERMS,false", "'6,6,6,6',POSITIVE_TERMS,false",
            "'6,3,1,4',ALL_CELLS,false", "'4,2,4,2',ALL_CELLS,false", "'1,3,4,6',ALL_CELLS,false",
            "'4,4,6,6',ALL_CELLS,false", "'6,6,6,6',ALL_CELLS,false",
            "'6,3,1,4',POSITIVE_TERMS,true", "'1,1,6,2,5',ALL_CELLS,true"})
    void reConstructMatchesTheReference(String pattern, Averaging averaging, boolean randomPositives) {
        ComiRecSA m = encoder();
        ReConstruct.Config cfg = new ReConstruct.Config(2.0, 4, 5, averaging);
        ReConstruct flow = construct(cfg);
        FlowGrads g = new FlowGrads();
        FlowInput warm = forward(m, lengths("2,6,6,5,1"), true);
        g.reset(warm);
        flow.loss(warm, g);
        FlowInput in = forward(m, lengths(pattern), randomPositives);
        for (Param p : flow.params()) p.zeroGrad();
        m.params().zeroGrad();
        g.reset(in);
        double loss = flow.loss(in, g);
        ReferenceFlows.Grads ref = ReferenceFlows.reConstruct(in, cfg, L, flow.params());
        compare("re-construct ", ref, loss, in, g);
        for (Param p : flow.params()) assertClose("re-construct " + p.name, ref.params().get(p.name), p.grad);
        assertEquals(0, m.itemEmbeddings().rowGrads.count(), "re-construct touches no item row directly");
    }

    // ------------------------------------------------------------------------------------------------- the reference itself

    /**
     * Central differences in double (step 10⁻⁵: truncation ~10⁻¹⁰, round-off ~10⁻¹¹) of the reference's own loss, on
     * every entry of z, x, the attention logits, the item table and Re-construct's parameters, against its analytic
     * gradients. Positives stay fixed, as in the flows.
     */
    @Test
    void referenceGradientsMatchFiniteDifferences() {
        ComiRecSA m = encoder();
        FlowInput in = forward(m, lengths("6,3,1,4"), true);
        double[] items = org.re4j.ReferenceMath.toDouble(m.itemVectors(), m.itemVectors().length);

        for (ReContrast.Config cfg : List.of(
                new ReContrast.Config(0.7, 0.2, 5, ReContrast.NegativeSource.SAMPLED, ReContrast.Denominator.NEGATIVES, Averaging.POSITIVE_TERMS),
                new ReContrast.Config(0.7, 0.3, 5, ReContrast.NegativeSource.PREVIOUS_USER, ReContrast.Denominator.ALL_HISTORY, Averaging.ALL_CELLS))) {
            ReferenceFlows.Batch b = ReferenceFlows.Batch.of(in);
            DoubleSupplier loss = () -> ReferenceFlows.reContrast(b, cfg, L, SAMPLED, items).loss();
            ReferenceFlows.Grads g = ReferenceFlows.reContrast(b, cfg, L, SAMPLED, items);
            finiteDifferences("re-contrast z", b.z(), g.dZ(), loss);
            finiteDifferences("re-contrast x", b.x(), g.dX(), loss);
            finiteDifferences("re-contrast items", items, g.dItems(), loss);
            logitDifferences("re-contrast", b, g.dLogits(), loss);
        }
        for (boolean detach : new boolean[] {true, false}) {
            ReAttend.Config cfg = new ReAttend.Config(0.7, detach);
            ReferenceFlows.Batch b = ReferenceFlows.Batch.of(in);
            DoubleSupplier loss = () -> ReferenceFlows.reAttend(b, cfg).loss();
            ReferenceFlows.Grads g = ReferenceFlows.reAttend(b, cfg);
            if (detach) {
                // ã is held constant: no gradient into z or x (so no finite differences there: the loss does move with them).
                assertTrue(Arrays.stream(g.dZ()).allMatch(v -> v == 0) && Arrays.stream(g.dX()).allMatch(v -> v == 0));
            } else {
                finiteDifferences("re-attend z", b.z(), g.dZ(), loss);
                finiteDifferences("re-attend x", b.x(), g.dX(), loss);
            }
            logitDifferences("re-attend", b, g.dLogits(), loss);
        }
        for (Averaging averaging : Averaging.values()) {
            ReConstruct.Config cfg = new ReConstruct.Config(2.0, 4, 5, averaging);
            ReConstruct flow = construct(cfg);
            ReferenceFlows.Batch b = ReferenceFlows.Batch.of(in);
            Map<String, double[]> w = new java.util.LinkedHashMap<>();
            for (Param p : flow.params()) w.put(p.name, org.re4j.ReferenceMath.toDouble(p.value, p.size()));
            DoubleSupplier loss = () -> ReferenceFlows.reConstruct(b, cfg, L, w).loss();
            ReferenceFlows.Grads g = ReferenceFlows.reConstruct(b, cfg, L, w);
            finiteDifferences("re-construct z", b.z(), g.dZ(), loss);
            finiteDifferences("re-construct x", b.x(), g.dX(), loss);
            logitDifferences("re-construct", b, g.dLogits(), loss);
            for (String name : w.keySet()) finiteDifferences("re-construct " + name, w.get(name), g.params().get(name), loss);
        }
    }

    static final double STEP = 1e-5;

    /** The attention is a softmax of logits l = log a + const per (user, interest): perturb l, renormalise. */
    static void logitDifferences(String what, ReferenceFlows.Batch b, double[] grad, DoubleSupplier loss) {
        double[] a0 = b.a().clone();
        for (int u = 0; u < b.count(); u++) {
            int len = b.len(u);
            for (int kk = 0; kk < b.k(); kk++) {
                int o = b.att(u, kk, 0);
                for (int i = 0; i < len; i++) {
                    double[] lpm = new double[2];
                    for (int s = 0; s < 2; s++) {
                        double[] l = new double[len];
                        for (int j = 0; j < len; j++) l[j] = Math.log(a0[o + j]) + (j == i ? (s == 0 ? STEP : -STEP) : 0);
                        double[] a = org.re4j.ReferenceMath.softmax(l);
                        System.arraycopy(a, 0, b.a(), o, len);
                        lpm[s] = loss.getAsDouble();
                    }
                    System.arraycopy(a0, o, b.a(), o, len);
                    double fd = (lpm[0] - lpm[1]) / (2 * STEP);
                    assertEquals(fd, grad[o + i], 1e-7 * (1 + Math.abs(fd)), what + " logits[" + (o + i) + "]");
                }
            }
        }
    }
}
