package org.re4j.model;

/** GRU4Rec: the encoder contract (its gradient check is back-propagation through time over lengths 6, 3, 1, 4). */
class Gru4RecTest extends EncoderContractTest {

    @Override
    protected Record config() {
        return new Gru4Rec.Config(N, D, L);
    }

    @Override
    protected double parameterScale() {
        return 0.7;
    }
}
