package org.re4j.data;

/** PLACEHOLDER until the data branch lands (same fields). */
public final class Batch {
    public final int size;
    public final int maxLen;
    public final int[] items;
    public final int[] lengths;
    public final int[] targets;
    public final int[] users;

    public Batch(int size, int maxLen) {
        this.size = size;
        this.maxLen = maxLen;
        this.items = new int[size * maxLen];
        this.lengths = new int[size];
        this.targets = new int[size];
        this.users = new int[size];
    }
}
