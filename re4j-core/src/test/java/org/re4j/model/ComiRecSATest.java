package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** ComiRec-SA: the encoder contract in three shapes (position embedding, projection, biases), and its attention. */
class ComiRecSATest extends EncoderContractTest {

    static ComiRecSA.Config config(boolean position, ComiRecSA.Projection projection, boolean bias) {
        return new ComiRecSA.Config(N, D, 16, 3, L, position, projection, bias, org.re4j.model.Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST);
    }

    @Override
    protected Record config() {
        return config(true, ComiRecSA.Projection.IDENTITY, true); // ComiRec's shape
    }

    @Nested
    class LearnedProjectionWithoutPositionOrBiases extends EncoderContractTest {
        @Override
        protected Record config() {
            return ComiRecSATest.config(false, ComiRecSA.Projection.LEARNED, false);
        }
    }

    @Nested
    class LearnedProjectionWithPositionAndBiases extends EncoderContractTest {
        @Override
        protected Record config() {
            return ComiRecSATest.config(true, ComiRecSA.Projection.LEARNED, true);
        }
    }

    @Nested
    class MostRecentFirstWithTheAuthorsInit extends EncoderContractTest {
        @Override
        protected Record config() {
            return ComiRecSATest.config(true, ComiRecSA.Projection.LEARNED, true).withOrder(ComiRecSA.HistoryOrder.MOST_RECENT_FIRST)
                    .withInit(Init.STANDARD_NORMAL);
        }
    }

    @Test
    void mostRecentFirstReadsTheReversedHistory() {
        ComiRecSA.Config oldest = config(true, ComiRecSA.Projection.LEARNED, true);
        ComiRecSA a = new ComiRecSA(oldest, 3), b = new ComiRecSA(oldest.withOrder(ComiRecSA.HistoryOrder.MOST_RECENT_FIRST), 3);
        int[] h = histories(), len = lengths(), reversed = h.clone();
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) reversed[u * L + i] = h[u * L + len[u] - 1 - i];
        assertArrayEquals(interests(a, reversed, len), interests(b, h, len), "same parameters, the history read backwards");
        assertFalse(Arrays.equals(interests(a, h, len), interests(b, h, len)), "with a position embedding the order matters");
    }

    @Test
    void theAuthorsInitDrawsTheItemTableFromAStandardNormal() {
        ComiRecSA m = new ComiRecSA(ComiRecSA.Config.comirec(2000).withInit(Init.STANDARD_NORMAL), 1);
        float[] v = m.itemVectors();
        double s = 0, s2 = 0;
        int n = v.length - m.dim();
        for (int i = m.dim(); i < v.length; i++) {
            s += v[i];
            s2 += (double) v[i] * v[i];
        }
        assertEquals(0, s / n, 0.01);
        assertEquals(1, Math.sqrt(s2 / n), 0.01);
        for (int j = 0; j < m.dim(); j++) assertEquals(0f, v[j], "row 0 is padding");
    }

    @Test
    void eachInterestsAttentionSumsToOneOverTheRealItems() {
        ComiRecSA m = (ComiRecSA) model();
        int[] len = lengths();
        m.forward(histories(), len, B);
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
        ComiRecSA m = (ComiRecSA) model();
        int[] h = new int[L];
        h[0] = 7;
        float[] out = new float[3 * D];
        m.interests(h, new int[] {1}, 1, out);
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < D; j++) assertEquals(m.itemVectors()[7 * D + j], out[k * D + j], 1e-6);
        }
    }
}
