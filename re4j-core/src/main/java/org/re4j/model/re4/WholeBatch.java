package org.re4j.model.re4;

/**
 * What the backward flows of one part of a batch need to know of the whole batch when a data-parallel step splits it
 * ({@link Re4#shareBatch}): the batch-wide normalisers, and the user before the part's first one, whose history is
 * Re-contrast's previous-user negatives. {@link #of} describes a batch that is not split.
 *
 * @param count     users in the whole batch (Re-attend averages over count·K; the all-cells averages over count·K·N_x)
 * @param positives positive cells a_{k,i} &gt; γ_c in the whole batch (the positive-term averages)
 * @param previous  the item of each history row, in the encoder's packed order, of the user before the part's first
 *                  user in batch order (for the first part, the batch's last user); null when the part is the whole
 *                  batch, whose first user's previous user is its own last
 */
public record WholeBatch(int count, long positives, int[] previous) {

    /** A batch that is not split: its own count and positives. */
    public static WholeBatch of(FlowInput in) {
        return new WholeBatch(in.count(), positives(in), null);
    }

    /** The positive cells of a batch or part. */
    public static long positives(FlowInput in) {
        long n = 0;
        for (int q = 0, e = in.k() * in.rows(); q < e; q++) if (in.positive()[q]) n++;
        return n;
    }
}
