package org.re4j.model.re4;

import java.util.Arrays;

/**
 * Gradients the backward flows hand back to the encoder: on the interests Z, on the attention logits (packed like the
 * attention), and on the history rows X. Flows add into them; the trainer clears them each step.
 */
public final class FlowGrads {
    public float[] dZ = new float[0], dLogits = new float[0], dX = new float[0];

    /** Sizes the buffers for a batch and zeroes them. */
    public void reset(FlowInput in) {
        int zs = in.count() * in.k() * in.d(), as = in.k() * in.rows(), xs = in.rows() * in.d();
        if (dZ.length < zs) dZ = new float[zs];
        if (dLogits.length < as) dLogits = new float[as];
        if (dX.length < xs) dX = new float[xs];
        Arrays.fill(dZ, 0, zs, 0f);
        Arrays.fill(dLogits, 0, as, 0f);
        Arrays.fill(dX, 0, xs, 0f);
    }
}
