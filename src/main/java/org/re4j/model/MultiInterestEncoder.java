package org.re4j.model;

/**
 * A trainable model that turns a batch of histories into K interest vectors per user (the forward flow), and
 * takes the gradient of any loss on those vectors back to its parameters. Losses (sampled softmax, Re4's
 * backward flows) live outside the encoder and talk to it only through {@link #forward} and {@link #backward}.
 *
 * <p>Training use is single-threaded: {@code forward} caches its activations for the next {@code backward}.
 */
public interface MultiInterestEncoder extends Recommender {

    /** The item embedding table [(numItems + 1) × d], shared by inputs and outputs; row 0 is padding. */
    Param itemEmbeddings();

    /**
     * Training forward for {@code count} histories ([count × maxLen()], oldest first, 0-padded at the end, every
     * length ≥ 1). Returns Z [count × K × d]; the array is owned by the encoder and valid until the next call.
     */
    float[] forward(int[] histories, int[] lengths, int count);

    /**
     * How training reads one vector out of the K interests for the target: 0 = the interest closest to the target
     * (ComiRec's hard readout, the default); p ≥ 1 = MIND's label-aware attention softmax_k((z_k·y)^p).
     */
    default int trainingReadoutPower() {
        return 0;
    }

    /** Back-propagates dZ [count × K × d] of the last forward, accumulating into the parameters' gradients. */
    void backward(float[] dZ);

    /**
     * Losses the encoder adds to the recommendation loss inside {@link #backward} (Re4's backward flows), λ-weighted,
     * of the last step, by name; empty for an encoder trained by the recommendation loss alone.
     */
    default java.util.Map<String, Double> lastFlowLosses() {
        return java.util.Map.of();
    }
}
