package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
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
}
