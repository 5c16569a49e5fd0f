package org.re4j.model;

/**
 * A trainable model that turns a batch of histories into K interest vectors per user (the forward flow), and
 * takes the gradient of any loss on those vectors back to its parameters. Losses (sampled softmax, Re4's
 * backward flows) live outside the encoder and talk to it only through {@link #forward} and {@link #backward}.
 *
 * <p>Training use is single-threaded: {@code forward} caches its activations for the next {@code backward}. A
 * data-parallel step ({@link org.re4j.train.TrainStep}) runs several {@link #replica replicas} at once instead, each
 * on its own part of the batch.
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

    /**
     * A worker for a data-parallel step: an encoder of the same config whose parameters share this one's value arrays
     * ({@link Param#replica()}: the optimiser's update of this encoder shows in all its replicas) but accumulate their
     * own gradients, with a training workspace of its own, so that this encoder and its replicas can run forward and
     * backward on separate parts of a batch at the same time. The replicas' gradients are then added into this
     * encoder's ({@link ParamSet#addGradients}). Null when the encoder trains on one worker only.
     */
    default MultiInterestEncoder replica() {
        return null;
    }

    /**
     * Whether {@link #backward} needs something of the whole batch when a data-parallel step splits it (Re4's flows:
     * batch-wide normalisers, shared samples, the previous user across parts); then the step calls
     * {@link #shareBatch} between the parts' forwards and their backwards.
     */
    default boolean sharesBatch() {
        return false;
    }

    /**
     * Called on this encoder after the forwards of a split batch's parts, before their backwards, with the workers
     * that ran them in batch order (this encoder first, then replicas of it): tells each what its backward needs of
     * the whole batch. The workers' backwards then follow, and may run at the same time.
     */
    default void shareBatch(java.util.List<MultiInterestEncoder> parts) {}

    /**
     * The random streams and counters the encoder keeps from step to step (Re4: Re-contrast's sampled items), which a
     * checkpoint saves beside the parameters so that a resumed run draws what the uninterrupted run would have.
     * Empty for an encoder without any.
     */
    default long[] trainingState() {
        return new long[0];
    }

    /** Continues from a {@link #trainingState()} of an encoder of the same config and seed. */
    default void restoreTrainingState(long[] state) {
        if (state.length != 0) throw new IllegalArgumentException(name() + " keeps no training state, got " + state.length + " values");
    }
}
