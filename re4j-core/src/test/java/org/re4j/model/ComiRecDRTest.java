package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** ComiRec-DR: the encoder contract with the routing held fixed for the gradient (ComiRec stops it), and its couplings. */
class ComiRecDRTest extends EncoderContractTest {

    @Override
    protected Record config() {
        return new ComiRecDR.Config(N, D, 3, L, 3);
    }

    @Override
    protected double parameterScale() {
        return 0.7;
    }

    @Override
    protected void beforeGradientCheck(MultiInterestEncoder m) {
        ComiRecDR dr = (ComiRecDR) m;
        dr.freezeCouplings(dr.couplings().clone());
    }

    @Override
    protected void afterGradientCheck(MultiInterestEncoder m) {
        ((ComiRecDR) m).freezeCouplings(null);
    }

    @Test
    void couplingsAreASoftmaxOverInterestsOnRealPositionsAndZeroOnPadding() {
        ComiRecDR m = (ComiRecDR) model();
        int[] len = lengths();
        m.forward(histories(), len, B);
        float[] c = m.couplings();
        for (int u = 0; u < B; u++) {
            for (int l = 0; l < L; l++) {
                double sum = 0;
                for (int q = 0; q < 3; q++) sum += c[(u * 3 + q) * L + l];
                assertEquals(l < len[u] ? 1.0 : 0.0, sum, 1e-5);
            }
        }
    }
}
