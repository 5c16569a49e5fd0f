package org.re4j.model.layers;

/**
 * The one place that checks a batch of histories and packs it. A batch is row-major [count × maxLen], oldest item
 * first, padded with 0 after each user's {@code lengths[u]} real items; every length is in [1, maxLen] and every real
 * item in [1, numItems]. Packed, the batch is R = Σ len rows: user u's items are rows rowStart[u] .. rowStart[u+1).
 */
public final class Histories {

    private Histories() {}

    /** Refuses a bad length or item with what is wrong; what lies after a user's length is ignored (padding). */
    public static void validate(int[] hist, int[] lengths, int count, int maxLen, int numItems) {
        for (int u = 0; u < count; u++) {
            int len = lengths[u];
            if (len < 1 || len > maxLen) throw new IllegalArgumentException("history length " + len + " not in [1, " + maxLen + "]");
            for (int i = 0, o = u * maxLen; i < len; i++) {
                int item = hist[o + i];
                if (item < 1 || item > numItems) throw new IllegalArgumentException("item id " + item + " out of range [1, " + numItems + "]");
            }
        }
    }

    /**
     * Validates the batch and packs it: writes rowStart[0..count] and, per row, its item and position (rowPos may be
     * null). With {@code reverse}, a user's position 0 is its most recent item. Returns R. The arrays must hold
     * count + 1 and R entries ({@link #rows} tells R first).
     */
    public static int pack(int[] hist, int[] lengths, int count, int maxLen, int numItems, boolean reverse, int[] rowStart,
                           int[] rowItem, int[] rowPos) {
        validate(hist, lengths, count, maxLen, numItems);
        int r = 0;
        for (int u = 0; u < count; u++) {
            rowStart[u] = r;
            for (int i = 0, len = lengths[u]; i < len; i++, r++) {
                rowItem[r] = hist[u * maxLen + (reverse ? len - 1 - i : i)];
                if (rowPos != null) rowPos[r] = i;
            }
        }
        rowStart[count] = r;
        return r;
    }

    /** R = Σ len, with the lengths checked. */
    public static int rows(int[] lengths, int count, int maxLen) {
        int r = 0;
        for (int u = 0; u < count; u++) {
            int len = lengths[u];
            if (len < 1 || len > maxLen) throw new IllegalArgumentException("history length " + len + " not in [1, " + maxLen + "]");
            r += len;
        }
        return r;
    }
}
