package org.re4j.model;

import org.re4j.data.Dataset;

/** A model fitted in one pass over the training users' sequences, without gradient steps (POP). */
public interface Fittable extends Recommender {

    void fit(Dataset data, int[] trainUsers);
}
