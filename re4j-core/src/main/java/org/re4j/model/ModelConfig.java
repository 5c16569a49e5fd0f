package org.re4j.model;

/**
 * What every model config tells before a model is built: its catalogue and its vector size, so that a run can
 * refuse a model that cannot fit in memory before allocating it.
 */
public interface ModelConfig {

    /** N: items 1..N. */
    int numItems();

    /** d: the size of the item table's rows. */
    int dim();
}
