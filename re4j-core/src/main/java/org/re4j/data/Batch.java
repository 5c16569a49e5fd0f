package org.re4j.data;

/**
 * One training batch, reused from step to step: histories row-major [size × maxLen] (oldest first, padded with 0 at
 * the end), their lengths, one target per row, and the user each row came from.
 */
public final class Batch {
    public final int size;
    public final int maxLen;
    public final int[] items;
    public final int[] lengths;
    public final int[] targets;
    public final int[] users;

    public Batch(int size, int maxLen) {
        if (size < 1 || maxLen < 1) throw new IllegalArgumentException("batch size and maxLen must be ≥ 1");
        this.size = size;
        this.maxLen = maxLen;
        this.items = new int[size * maxLen];
        this.lengths = new int[size];
        this.targets = new int[size];
        this.users = new int[size];
    }
}
