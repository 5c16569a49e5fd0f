package org.re4j.model;

/**
 * What evaluation and serving need from any trained model: a user's history in, K interest vectors out, all in
 * the same space as the item vectors. The score of item y for a user is max_k y·z_k (paper eq. 17); a
 * single-vector model simply has K = 1.
 *
 * <p>Internal item ids are 1..numItems(); id 0 is padding and is never recommended.
 */
public interface Recommender {

    /** Short model name as used on the command line, e.g. {@code comirec-sa}. */
    String name();

    /** K: interest vectors per user. */
    int numInterests();

    /** d: length of each interest vector and of each item vector. */
    int dim();

    /** N: catalogue size; item rows 1..N are scored. */
    int numItems();

    /** Longest history the model reads; longer histories are cut to their last {@code maxLen()} items. */
    int maxLen();

    /** Item vectors, row-major [(numItems + 1) × dim]; row 0 is padding. Callers must not modify it. */
    float[] itemVectors();

    /**
     * Encodes {@code count} users. {@code histories} is row-major [count × maxLen()], oldest item first, padded with
     * 0 at the end; {@code lengths[u]} is the number of real items of user u (≥ 1). Writes
     * {@code out[count × K × d]}. Safe to call from several threads at once.
     */
    void interests(int[] histories, int[] lengths, int count, float[] out);

    /** The ordered, named parameters: what a model file stores (and, for an encoder, what the optimiser updates). */
    ParamSet params();
}
