package org.re4j.model;

/** YouTube DNN: the encoder contract. */
class YouTubeDnnTest extends EncoderContractTest {

    @Override
    protected Record config() {
        return new YouTubeDnn.Config(N, D, L);
    }

    @Override
    protected double parameterScale() {
        return 0.7;
    }
}
