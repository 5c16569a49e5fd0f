package org.re4j.model;

import java.util.Arrays;

/**
 * Gradient of an embedding table, kept only for the rows a batch touched. A step costs O(rows touched), never
 * O(table): on a 368k-item catalogue a batch touches a few thousand rows.
 */
public final class RowGrads {

    private final int cols;
    private final int[] slotOfRow; // -1 = untouched in this step
    private int[] rows = new int[1024];
    private float[] values;
    private int count;

    RowGrads(int tableRows, int cols) {
        this.cols = cols;
        this.slotOfRow = new int[tableRows];
        Arrays.fill(slotOfRow, -1);
        this.values = new float[rows.length * cols];
    }

    /** Offset into {@link #values()} of the gradient row for {@code row}, added (zeroed) when new. */
    public int offset(int row) {
        int slot = slotOfRow[row];
        if (slot < 0) {
            if (count == rows.length) {
                rows = Arrays.copyOf(rows, count * 2);
                values = Arrays.copyOf(values, count * 2 * cols);
            }
            slot = count++;
            slotOfRow[row] = slot;
            rows[slot] = row;
            Arrays.fill(values, slot * cols, slot * cols + cols, 0f);
        }
        return slot * cols;
    }

    /** Number of rows touched since the last {@link #clear()}. */
    public int count() {
        return count;
    }

    /** The i-th touched row (0 ≤ i < count), in order of first touch. */
    public int row(int i) {
        return rows[i];
    }

    /** Gradient storage: touched row i lives at [i·cols, (i+1)·cols). */
    public float[] values() {
        return values;
    }

    /** The gradient of {@code row}, or -1 when the row was not touched. */
    public int offsetIfTouched(int row) {
        int slot = slotOfRow[row];
        return slot < 0 ? -1 : slot * cols;
    }

    public void clear() {
        for (int i = 0; i < count; i++) slotOfRow[rows[i]] = -1;
        count = 0;
    }
}
