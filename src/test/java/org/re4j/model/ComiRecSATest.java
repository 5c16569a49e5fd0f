package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** ComiRec-SA: the encoder contract in three shapes (position embedding, projection, biases), and its attention. */
class ComiRecSATest extends EncoderContractTest {

    static ComiRecSA.Config config(boolean position, ComiRecSA.Projection projection, boolean bias) {
        return new ComiRecSA.Config(N, D, 16, 3, L, position, projection, bias);
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
