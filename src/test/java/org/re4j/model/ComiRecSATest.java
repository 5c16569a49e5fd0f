package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.re4j.GradCheck;
import org.re4j.math.Kernels;

class ComiRecSATest {

    static final int N = 30, L = 6, B = 4;

    /** A batch with different lengths, one of them full and one of length 1, and repeated items. */
    static int[] lengths() { return new int[] {6, 3, 1, 4}; }

    static int[] histories() {
        SplittableRandom rng = new SplittableRandom(3);
        int[] len = lengths(), h = new int[B * L];
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(N);
        h[0] = h[1] = 5; // a repeated item accumulates two gradient contributions
        h[L] = 5;        // ... and a third from another user, at the same position as the first
        return h;
    }

    static ComiRecSA model(boolean pos, boolean proj, boolean bias) {
        ComiRecSA.Config c = new ComiRecSA.Config(N, 8, 16, 3, L, pos, proj ? ComiRecSA.Projection.LEARNED : ComiRecSA.Projection.IDENTITY, bias);
        ComiRecSA m = new ComiRecSA(c, 11);
        // Larger-than-default weights so that attention is far from uniform and every path carries gradient.
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) {
            for (int i = 0; i < p.size(); i++) p.value[i] = (float) (rng.nextDouble() * 2 - 1) * 0.5f;
        }
        return m;
    }

    @ParameterizedTest(name = "position={0} projection={1} bias={2}")
    @CsvSource({"true,false,true", "false,true,false", "true,true,true"})
    void backwardMatchesFiniteDifferences(boolean pos, boolean proj, boolean bias) {
        ComiRecSA m = model(pos, proj, bias);
        int[] h = histories(), len = lengths();
        int zs = B * 3 * 8;
        float[] c = new float[zs];
        SplittableRandom rng = new SplittableRandom(9);
        for (int i = 0; i < zs; i++) c[i] = (float) (rng.nextDouble() * 2 - 1);
        // L = Σ c ⊙ Z: dL/dZ = c.
        GradCheck.check(m.params(),
                () -> { float[] z = m.forward(h, len, B); double s = 0; for (int i = 0; i < zs; i++) s += c[i] * z[i]; return s; },
                () -> { m.params().zeroGrad(); m.forward(h, len, B); m.backward(c); },
                1e-2, 2e-2);
    }

    @Test
    void paddingNeverReceivesAttentionAndDoesNotChangeInterests() {
        ComiRecSA m = model(true, false, true);
        int[] h = histories(), len = lengths();
        float[] z1 = m.forward(h, len, B).clone();
        for (int u = 0; u < B; u++) for (int i = len[u]; i < L; i++) h[u * L + i] = 17; // garbage after the end
        float[] z2 = m.forward(h, len, B).clone();
        assertArrayEquals(z1, z2);
        // Attention of each interest sums to one over the real items.
        float[] a = m.lastForward().attention();
        int[] rs = m.lastForward().rowStart();
        for (int u = 0; u < B; u++) {
            for (int k = 0; k < 3; k++) {
                double s = 0;
                for (int i = 0; i < len[u]; i++) s += a[3 * rs[u] + k * len[u] + i];
                assertEquals(1.0, s, 1e-5);
            }
        }
    }

    @Test
    void interestsForOneItemHistoryEqualTheItemEmbeddingUnderIdentityProjection() {
        ComiRecSA m = model(true, false, true);
        int[] h = new int[L];
        h[0] = 7;
        float[] out = new float[3 * 8];
        m.interests(h, new int[] {1}, 1, out);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 8; j++) assertEquals(m.itemVectors()[7 * 8 + j], out[k * 8 + j], 1e-6);
        }
    }

    @Test
    void inferenceMatchesTrainingForward() {
        ComiRecSA m = model(true, true, true);
        int[] h = histories(), len = lengths();
        float[] z = m.forward(h, len, B).clone();
        float[] out = new float[z.length];
        m.interests(h, len, B, out);
        assertArrayEquals(z, out);
        assertEquals(Kernels.dot(z, 0, z, 0, 8), Kernels.dot(out, 0, out, 0, 8));
    }
}
