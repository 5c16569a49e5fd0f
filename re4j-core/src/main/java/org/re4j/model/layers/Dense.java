package org.re4j.model.layers;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.model.Param;

/**
 * A dense layer y = f(x W + b) over [rows × in] → [rows × out], W [in × out], b [1 × out]. Backward accumulates
 * into W's and b's gradients and, when asked, writes the input's gradient.
 */
public final class Dense {

    private final Param w, b;
    private final Activation f;
    private float[] dPre = new float[0]; // the pre-activation gradient, reused between steps (training is single-threaded)

    public Dense(Param w, Param b, Activation f) {
        if (b != null && b.cols != w.cols) throw new IllegalArgumentException(b.name + " does not match " + w.name);
        this.w = w;
        this.b = b;
        this.f = f;
    }

    public int in() {
        return w.rows;
    }

    public int out() {
        return w.cols;
    }

    /** y = f(x W + b); y must not be x. Safe from several threads (it writes only y). */
    public void forward(float[] x, int rows, float[] y) {
        Blas.gemm(false, false, rows, out(), in(), 1f, x, 0, w.value, 0, 0f, y, 0);
        if (b != null) Kernels.addRowVector(y, 0, rows, out(), b.value);
        f.forward(y, 0, rows * out());
    }

    /**
     * From the forward's input x and output y and the output's gradient dy (left unchanged): W += xᵀ·g and b += Σ g
     * with g = dy ⊙ f'(·); dx = g·Wᵀ when dx is not null (overwritten).
     */
    public void backward(float[] x, float[] y, float[] dy, int rows, float[] dx) {
        int n = rows * out();
        if (dPre.length < n) dPre = new float[n];
        System.arraycopy(dy, 0, dPre, 0, n);
        f.backward(y, dPre, 0, n);
        Blas.gemm(true, false, in(), out(), rows, 1f, x, 0, dPre, 0, 1f, w.grad, 0);
        if (b != null) Kernels.addColumnSums(dPre, 0, rows, out(), b.grad);
        if (dx != null) Blas.gemm(false, true, rows, in(), out(), 1f, dPre, 0, w.value, 0, 0f, dx, 0);
    }
}
