package org.re4j.model.layers;

import org.re4j.math.Kernels;

/** Element-wise activations with their gradients, written in terms of the activation's output y. */
public enum Activation {
    LINEAR {
        @Override public void forward(float[] x, int off, int n) {}
        @Override public void backward(float[] y, float[] dy, int off, int n) {}
    },
    TANH {
        @Override public void forward(float[] x, int off, int n) { Kernels.tanhInPlace(x, off, n); }
        @Override public void backward(float[] y, float[] dy, int off, int n) { Kernels.tanhBackward(y, dy, off, n); }
    },
    RELU {
        @Override public void forward(float[] x, int off, int n) { for (int i = off; i < off + n; i++) x[i] = Math.max(0f, x[i]); }
        @Override public void backward(float[] y, float[] dy, int off, int n) { for (int i = off; i < off + n; i++) if (!(y[i] > 0)) dy[i] = 0f; }
    };

    /** x ← f(x) on [off, off + n). */
    public abstract void forward(float[] x, int off, int n);

    /** dy ← dy ⊙ f'(x), from the output y = f(x), on [off, off + n). */
    public abstract void backward(float[] y, float[] dy, int off, int n);
}
