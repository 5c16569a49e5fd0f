package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** MIND: the encoder contract with the routing held fixed for the gradient, with fixed and with dynamic K. */
class MindTest extends EncoderContractTest {

    static Mind.Config config(boolean dynamic) {
        return new Mind.Config(N, D, 3, L, 3, dynamic, 8, 2);
    }

    @Override
    protected Record config() {
        return config(false);
    }

    @Override
    protected double parameterScale() {
        return 0.7;
    }

    @Override
    protected void beforeGradientCheck(MultiInterestEncoder m) {
        ((Mind) m).frozen = ((Mind) m).couplings().clone(); // routing rounds carry no gradient (ComiRec: stop_gradient)
    }

    @Override
    protected void afterGradientCheck(MultiInterestEncoder m) {
        ((Mind) m).frozen = null;
    }

    @Nested
    class DynamicInterests extends EncoderContractTest {
        @Override
        protected Record config() {
            return MindTest.config(true);
        }

        @Override
        protected double parameterScale() {
            return 0.7;
        }

        @Override
        protected void beforeGradientCheck(MultiInterestEncoder m) {
            ((Mind) m).frozen = ((Mind) m).couplings().clone();
        }

        @Override
        protected void afterGradientCheck(MultiInterestEncoder m) {
            ((Mind) m).frozen = null;
        }

        @Test
        void theUserWithOneItemFormsOneInterestRepeated() {
            float[] out = interests(model(), histories(), lengths());
            int u = 2;
            for (int q = 1; q < 3; q++) for (int j = 0; j < D; j++) assertEquals(out[u * 3 * D + j], out[(u * 3 + q) * D + j]);
        }
    }

    @Test
    void routingIsDeterministic() {
        MultiInterestEncoder m = model();
        float[] a = interests(m, histories(), lengths()), b = interests(m, histories(), lengths());
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, "fixed initial logits: the same interests on every call");
    }
}
