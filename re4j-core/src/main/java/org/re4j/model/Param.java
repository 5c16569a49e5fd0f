package org.re4j.model;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.re4j.math.Gaussian;

/**
 * One named parameter matrix [rows × cols] (row-major) with its gradient. Dense parameters keep a dense gradient;
 * embedding tables keep a {@link RowGrads} so that only the rows a batch touched are stored and updated.
 */
public final class Param {

    public final String name;
    public final int rows;
    public final int cols;
    public final float[] value;
    /** Dense gradient, or null for a row-sparse parameter. */
    public final float[] grad;
    /** Row-sparse gradient, or null for a dense parameter. */
    public final RowGrads rowGrads;

    private Param(String name, int rows, int cols, boolean rowSparse) {
        if (rows <= 0 || cols <= 0) throw new IllegalArgumentException(name + ": bad shape " + rows + "×" + cols);
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException(name + ": " + rows + "×" + cols + " does not fit in one Java array");
        }
        this.name = name;
        this.rows = rows;
        this.cols = cols;
        this.value = new float[(int) size];
        this.grad = rowSparse ? null : new float[(int) size];
        this.rowGrads = rowSparse ? new RowGrads(rows, cols) : null;
    }

    private Param(Param master) {
        this.name = master.name;
        this.rows = master.rows;
        this.cols = master.cols;
        this.value = master.value;
        this.grad = master.grad != null ? new float[master.grad.length] : null;
        this.rowGrads = master.rowGrads != null ? new RowGrads(rows, cols) : null;
    }

    public static Param dense(String name, int rows, int cols) {
        return new Param(name, rows, cols, false);
    }

    public static Param rowSparse(String name, int rows, int cols) {
        return new Param(name, rows, cols, true);
    }

    /**
     * A worker's view of this parameter in a data-parallel step: the same name, shape and value array (an update of
     * this parameter shows in it), with a gradient of its own, zero.
     */
    public Param replica() {
        return new Param(this);
    }

    public boolean isRowSparse() {
        return rowGrads != null;
    }

    public int size() {
        return value.length;
    }

    public void zeroGrad() {
        if (grad != null) Arrays.fill(grad, 0f);
        else rowGrads.clear();
    }

    /** Glorot/Xavier uniform over (fanIn = rows, fanOut = cols), TensorFlow's default initialiser. */
    public Param glorotUniform(SplittableRandom rng) {
        double limit = Math.sqrt(6.0 / (rows + cols));
        for (int i = 0; i < value.length; i++) value[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        return this;
    }

    /** Uniform in ±limit. */
    public Param uniform(SplittableRandom rng, double limit) {
        for (int i = 0; i < value.length; i++) value[i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
        return this;
    }

    public Param normal(SplittableRandom rng, double std) {
        for (int i = 0; i < value.length; i++) value[i] = (float) (Gaussian.next(rng) * std);
        return this;
    }
}
