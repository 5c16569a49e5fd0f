package org.re4j.model.re4;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a backward flow's loss is averaged over. */
public enum Averaging {
    /** The flow's own terms: one per positive (the paper's reading of eq. 6 and 12). */
    POSITIVE_TERMS,
    /** Every B·K·N_x cell of the batch, positive or not (the authors' code). */
    ALL_CELLS;

    @JsonValue
    public String id() {
        return name().toLowerCase().replace('_', '-');
    }
}
