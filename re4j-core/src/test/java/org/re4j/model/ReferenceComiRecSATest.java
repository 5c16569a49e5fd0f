package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;
import org.re4j.GradCheck;

/**
 * {@link ComiRecSA}'s fast forward and backward (packed rows, distinct items, BLAS, threads) against the plain
 * double-precision {@link ReferenceComiRecSA}, and the reference's own gradients against central differences of its
 * forward.
 */
class ReferenceComiRecSATest {

    static final int N = 30, L = 6, D = 8, H = 16, K = 3;

    /**
     * Tolerance of a float result f against its double reference r: |f − r| ≤ RTOL·|r| + FLOOR·max|r| + ABS, the max
     * over the whole array. The fast code computes in float (ε ≈ 6·10⁻⁸), with sums of at most a few hundred terms and
     * ~1–2-ulp tanh/exp: its error is ~10⁻⁶ of the magnitudes involved. RTOL = 10⁻⁴ leaves ample headroom for that,
     * while a missing, doubled or mis-indexed term changes entries by O(1) relative and fails by orders of magnitude
     * (an entry 1 % off fails: {@link #theToleranceCatchesAOnePercentError}). Entries that are small by cancellation
     * carry the absolute error of their O(1) summands: FLOOR = 10⁻⁵ of the array's largest entry, and ABS = 10⁻⁶ for
     * sums that are exactly zero in exact arithmetic (b_k's gradient without dLogits: softmax is shift-invariant, so
     * Σ_i ∂/∂l_{k,i} = 0) where float leaves ~10⁻⁸. All inputs here are O(1) (weights ±0.5, upstream gradients ±1).
     */
    static final double RTOL = 1e-4, FLOOR = 1e-5, ABS = 1e-6;
    static double worst; // largest err / tol seen (reported by the build log, for the record)

    static void assertClose(String what, double[] ref, float[] fast) {
        worst = Math.max(worst, org.re4j.ReferenceMath.assertClose(what, ref, fast, RTOL, FLOOR, ABS));
    }

    @org.junit.jupiter.api.AfterAll
    static void report() {
        System.out.println("ReferenceComiRecSATest: worst error / tolerance " + worst);
    }

    static ComiRecSA model(boolean pos, boolean proj, boolean bias) {
        ComiRecSA m = new ComiRecSA(new ComiRecSA.Config(N, D, H, K, L, pos,
                proj ? ComiRecSA.Projection.LEARNED : ComiRecSA.Projection.IDENTITY, bias, org.re4j.model.Init.GLOROT_UNIFORM,
                ComiRecSA.HistoryOrder.OLDEST_FIRST), 11);
        // Larger-than-default weights and non-zero biases: attention far from uniform, every path carries gradient.
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        Arrays.fill(m.params().get("item_embeddings").value, 0, D, 0f); // row 0 is padding
        return m;
    }

    /** Items drawn from 1..8 only, so they repeat within and across users; plus item 5 at u0's 0, 1 and u1's 0. */
    static int[] histories(int[] len, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] h = new int[len.length * L];
        for (int u = 0; u < len.length; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(8);
        h[0] = 5;
        if (len[0] > 1) h[1] = 5;
        if (len.length > 1) h[L] = 5;
        for (int u = 0; u < len.length; u++) for (int i = len[u]; i < L; i++) h[u * L + i] = 1 + rng.nextInt(N); // padding: ignored
        return h;
    }

    static float[] random(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (rng.nextDouble() * 2 - 1);
        return out;
    }

    static double[] toDouble(float[] a) {
        return org.re4j.ReferenceMath.toDouble(a);
    }

    // Mixed lengths with one full and one of length 1; all length 1; all full; and an unordered five-user batch.
    static final String[] PATTERNS = {"6,3,1,4", "1,1,1,1", "6,6,6,6", "2,6,1,5,3"};

    static List<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String cfg : new String[] {"true,false,true", "false,true,false", "true,true,true"}) {
            for (String p : PATTERNS) out.add(Arguments.of(cfg, p));
        }
        return out;
    }

    @ParameterizedTest(name = "position,projection,bias={0} lengths={1}")
    @MethodSource("cases")
    void fastForwardAndBackwardMatchTheReference(String config, String pattern) {
        boolean[] f = new boolean[3];
        String[] parts = config.split(",");
        for (int i = 0; i < 3; i++) f[i] = Boolean.parseBoolean(parts[i]);
        ComiRecSA m = model(f[0], f[1], f[2]);
        int[] len = Arrays.stream(pattern.split(",")).mapToInt(Integer::parseInt).toArray();
        int b = len.length, rows = Arrays.stream(len).sum(), zs = b * K * D;
        int[] h = histories(len, 3);

        // A different, larger batch first: a buffer the encoder reuses without clearing shows up below.
        int[] warm = {6, 2, 6, 5, 1, 6};
        m.forward(histories(warm, 8), warm, warm.length);
        m.backward(random(warm.length * K * D, 1), random(K * 26, 2), random(26 * D, 3));

        ReferenceComiRecSA ref = new ReferenceComiRecSA(m);
        ReferenceComiRecSA.Forward rf = ref.forward(h, len, b);
        float[] z = Arrays.copyOf(m.forward(h, len, b), zs);
        ComiRecSA.Activations act = m.lastForward();
        assertEquals(rows, act.rows());
        assertClose("z", rf.z(), z);
        assertClose("attention", rf.packedAttention(), Arrays.copyOf(act.attention(), K * rows));
        double[] x = new double[rows * D];
        for (int u = 0; u < b; u++) {
            for (int i = 0; i < len[u]; i++) {
                assertEquals(h[u * L + i], act.rowItems()[rf.rowStart()[u] + i]);
                for (int c = 0; c < D; c++) x[(rf.rowStart()[u] + i) * D + c] = rf.x()[u][i][c];
            }
        }
        assertClose("x", x, Arrays.copyOf(act.x(), rows * D));

        // Backward with the flows' extra gradients, then the plain backward(dZ).
        float[] dZ = random(zs, 9), dLogits = random(K * rows, 10), dX = random(rows * D, 11);
        compareBackward(m, ref, rf, h, len, dZ, dLogits, dX, "with dLogits, dX: ");
        compareBackward(m, ref, rf, h, len, dZ, null, null, "dZ only: ");
    }

    static void compareBackward(ComiRecSA m, ReferenceComiRecSA ref, ReferenceComiRecSA.Forward rf, int[] h, int[] len,
                                float[] dZ, float[] dLogits, float[] dX, String label) {
        m.params().zeroGrad();
        m.forward(h, len, len.length);
        m.backward(dZ, dLogits, dX);
        Map<String, double[]> expected = ref.backward(rf, toDouble(dZ), dLogits != null ? toDouble(dLogits) : null,
                dX != null ? toDouble(dX) : null);
        assertEquals(expected.keySet(), new java.util.LinkedHashSet<>(m.params().all().stream().map(p -> p.name).toList()));
        for (Param p : m.params().all()) assertClose(label + p.name, expected.get(p.name), GradCheck.denseGrad(p));
    }

    /**
     * The reference's analytic gradients against central differences of its own forward, in double (step 10⁻⁵:
     * truncation ~10⁻¹⁰·f''', round-off ~10⁻¹⁶/10⁻⁵), for every entry of every parameter.
     */
    @ParameterizedTest(name = "position,projection,bias={0}")
    @MethodSource("configs")
    void referenceGradientsMatchFiniteDifferences(boolean pos, boolean proj, boolean bias) {
        ComiRecSA m = model(pos, proj, bias);
        int[] len = {6, 3, 1, 4};
        int[] h = histories(len, 3);
        int rows = 14, zs = len.length * K * D;
        ReferenceComiRecSA ref = new ReferenceComiRecSA(m);
        double[] dZ = toDouble(random(zs, 9)), dLogits = toDouble(random(K * rows, 10)), dX = toDouble(random(rows * D, 11));
        // The scalar whose gradient backward computes: Σ dZ⊙z + Σ dLogits⊙logits + Σ dX⊙x.
        java.util.function.DoubleSupplier objective = () -> {
            ReferenceComiRecSA.Forward f = ref.forward(h, len, len.length);
            double s = 0;
            for (int i = 0; i < zs; i++) s += dZ[i] * f.z()[i];
            for (int u = 0; u < len.length; u++) {
                for (int i = 0; i < len[u]; i++) {
                    for (int k = 0; k < K; k++) s += dLogits[K * f.rowStart()[u] + k * len[u] + i] * f.logits()[u][k][i];
                    for (int c = 0; c < D; c++) s += dX[(f.rowStart()[u] + i) * D + c] * f.x()[u][i][c];
                }
            }
            return s;
        };
        Map<String, double[]> grads = ref.backward(ref.forward(h, len, len.length), dZ, dLogits, dX);
        for (Map.Entry<String, double[]> e : ref.values().entrySet()) {
            org.re4j.ReferenceMath.finiteDifferences(e.getKey(), e.getValue(), grads.get(e.getKey()), objective);
        }
    }

    static List<Arguments> configs() {
        return List.of(Arguments.of(true, false, true), Arguments.of(false, true, false), Arguments.of(true, true, true));
    }

    @Test
    void theToleranceCatchesAOnePercentError() {
        // The comparison itself must be sharp: the same fast W1 gradient against a reference with one entry off by
        // 1 % (far above the float error, far below a missing term) fails.
        ComiRecSA m = model(true, true, true);
        int[] len = {6, 3, 1, 4};
        int[] h = histories(len, 3);
        ReferenceComiRecSA ref = new ReferenceComiRecSA(m);
        float[] dZ = random(len.length * K * D, 9);
        m.params().zeroGrad();
        m.forward(h, len, len.length);
        m.backward(dZ);
        double[] w1 = ref.backward(ref.forward(h, len, len.length), toDouble(dZ), null, null).get("attention_w1");
        float[] fast = GradCheck.denseGrad(m.params().get("attention_w1"));
        assertClose("attention_w1", w1, fast);
        int i = 0;
        while (Math.abs(w1[i]) < 1e-2) i++;
        w1[i] *= 1.01;
        double before = worst;
        assertThrows(AssertionFailedError.class, () -> assertClose("attention_w1", w1, fast));
        worst = before;
    }
}
