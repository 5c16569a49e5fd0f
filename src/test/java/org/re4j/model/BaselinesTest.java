package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.re4j.GradCheck;

/** Finite-difference checks of the single-vector baselines, on histories of different lengths (one of length 1). */
class BaselinesTest {

    static final int N = 30, L = 6, B = 4, D = 8;

    static int[] lengths() { return new int[] {6, 3, 1, 4}; }

    static int[] histories() {
        SplittableRandom rng = new SplittableRandom(3);
        int[] len = lengths(), h = new int[B * L];
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(N);
        h[0] = h[1] = 5; // a repeated item accumulates two contributions
        return h;
    }

    static void randomise(MultiInterestEncoder m) {
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.7f;
    }

    static void check(MultiInterestEncoder m) {
        randomise(m);
        int[] h = histories(), len = lengths();
        float[] c = new float[B * D];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < c.length; i++) c[i] = (float) (rng.nextDouble() * 2 - 1);
        GradCheck.check(m.params(),
                () -> { float[] z = m.forward(h, len, B); double s = 0; for (int i = 0; i < c.length; i++) s += c[i] * z[i]; return s; },
                () -> { m.params().zeroGrad(); m.forward(h, len, B); m.backward(c); },
                1e-2, 2e-2);
        float[] out = new float[B * D];
        m.interests(h, len, B, out);
        assertArrayEquals(m.forward(h, len, B), out, 1e-6f, "inference equals the training forward");
    }

    @Test
    void youTubeDnnBackwardMatchesFiniteDifferences() {
        check(new YouTubeDnn(new YouTubeDnn.Config(N, D, L), 1));
    }

    @Test
    void gru4RecBackwardThroughTimeMatchesFiniteDifferences() {
        check(new Gru4Rec(new Gru4Rec.Config(N, D, L), 1));
    }

    @Test
    void gru4RecIgnoresWhatIsAfterTheEnd() {
        Gru4Rec m = new Gru4Rec(new Gru4Rec.Config(N, D, L), 1);
        randomise(m);
        int[] h = histories(), len = lengths();
        float[] a = m.forward(h, len, B);
        for (int u = 0; u < B; u++) for (int i = len[u]; i < L; i++) h[u * L + i] = 7;
        assertArrayEquals(a, m.forward(h, len, B));
    }

    @Test
    void comiRecDrBackwardMatchesFiniteDifferencesWithRoutingHeldFixed() {
        ComiRecDR m = new ComiRecDR(new ComiRecDR.Config(N, D, 3, L, 3), 1);
        randomise(m);
        int[] h = histories(), len = lengths();
        m.forward(h, len, B);
        float[] c = m.couplings().clone();
        // Coefficients are a softmax over interests on real positions and 0 on padding.
        for (int u = 0; u < B; u++) {
            for (int l = 0; l < L; l++) {
                double sum = 0;
                for (int q = 0; q < 3; q++) sum += c[(u * 3 + q) * L + l];
                org.junit.jupiter.api.Assertions.assertEquals(l < len[u] ? 1.0 : 0.0, sum, 1e-5);
            }
        }
        m.freezeCouplings(c); // ComiRec stops the gradient through the routing rounds
        float[] w = new float[B * 3 * D];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextDouble() * 2 - 1);
        GradCheck.check(m.params(),
                () -> { float[] z = m.forward(h, len, B); double s = 0; for (int i = 0; i < w.length; i++) s += w[i] * z[i]; return s; },
                () -> { m.params().zeroGrad(); m.forward(h, len, B); m.backward(w); },
                1e-2, 2e-2);
        m.freezeCouplings(null);
        float[] out = new float[B * 3 * D];
        m.interests(h, len, B, out);
        assertArrayEquals(m.forward(h, len, B), out, 1e-6f);
    }

    @ParameterizedTest(name = "dynamic interests = {0}")
    @ValueSource(booleans = {false, true})
    void mindBackwardMatchesFiniteDifferencesWithRoutingHeldFixed(boolean dynamic) {
        Mind m = new Mind(new Mind.Config(N, D, 3, L, 3, dynamic, 8, 2), 1);
        randomise(m);
        int[] h = histories(), len = lengths();
        m.forward(h, len, B);
        m.frozen = m.couplings().clone(); // routing rounds carry no gradient (ComiRec: stop_gradient)
        float[] w = new float[B * 3 * D];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextDouble() * 2 - 1);
        GradCheck.check(m.params(),
                () -> { float[] z = m.forward(h, len, B); double s = 0; for (int i = 0; i < w.length; i++) s += w[i] * z[i]; return s; },
                () -> { m.params().zeroGrad(); m.forward(h, len, B); m.backward(w); },
                1e-2, 2e-2);
        m.frozen = null;
        float[] out = new float[B * 3 * D];
        m.interests(h, len, B, out);
        assertArrayEquals(m.forward(h, len, B), out, 1e-6f, "deterministic routing: inference equals training");
        if (dynamic) { // the user with one item forms a single interest, repeated
            int u = 2;
            for (int q = 1; q < 3; q++) for (int j = 0; j < D; j++) org.junit.jupiter.api.Assertions.assertEquals(out[u * 3 * D + j], out[(u * 3 + q) * D + j]);
        }
    }
}
