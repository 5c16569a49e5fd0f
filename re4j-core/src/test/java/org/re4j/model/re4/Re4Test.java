package org.re4j.model.re4;

import org.re4j.model.EncoderContractTest;

/**
 * Re4 end to end: the encoder contract with all three flows inside backward and the authors' interest head (the
 * gradient check covers the flows' gradients through the encoder and the head). Re-contrast's sampled negatives are
 * off here: each backward would draw new ones.
 */
class Re4Test extends EncoderContractTest {

    @Override
    protected Record config() {
        Re4.Config a = Re4.Config.authors(N);
        return a.withEncoder(a.encoder().withDim(D).withHidden(16).withInterests(3).withMaxLen(L))
                .withContrast(a.contrast().withTau(0.3)).withConstruct(new ReConstruct.Config(2.0, 4, 5, Averaging.ALL_CELLS))
                .withFlowWeights(0.5, 0.3, 2.0);
    }

    @Override
    protected double[] tolerances() {
        return new double[] {5e-3, 3e-2};
    }
}
