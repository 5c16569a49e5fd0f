package org.re4j.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.re4j.math.Blas;
import org.re4j.math.Kernels;

/**
 * JMH benchmarks of the kernels a ComiRec-SA step spends its time in, at the step's shapes (128 users × 20
 * positions = 2,560 rows, d = 64, d_h = 256). Run with {@code scripts/jmh.sh} (add {@code -Dre4j.blas=java} to
 * force the pure-Java BLAS). Not part of the test suite.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-modules=jdk.incubator.vector")
public class KernelBench {

    static final int R = 2560, D = 64, H = 256;
    static final int LOGITS = 128 * 1281; // one step's sampled-softmax logits: batch × (1 + 1,280 negatives)
    static final int K = 4;
    float[] x, w1, t, dt, dw, logits, work, wk, wkT, g;
    int[] rowOrder; // the touched rows in a shuffled order, as a batch touches them

    @Setup
    public void setup() {
        SplittableRandom rng = new SplittableRandom(1);
        x = fill(R * D, rng);
        w1 = fill(D * H, rng);
        t = fill(R * H, rng);
        dt = fill(R * H, rng);
        dw = new float[D * H];
        logits = fill(LOGITS, rng);
        work = new float[LOGITS];
        wk = fill(H * K, rng);
        wkT = fill(K * H, rng);
        g = new float[R * K];
        rowOrder = new int[R];
        for (int i = 0; i < R; i++) rowOrder[i] = i;
        for (int i = R - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), tmp = rowOrder[i];
            rowOrder[i] = rowOrder[j];
            rowOrder[j] = tmp;
        }
    }

    static float[] fill(int n, SplittableRandom rng) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (rng.nextDouble() - 0.5);
        return a;
    }

    /** Forward attention product: [2560 × 64] · [64 × 256]. */
    @Benchmark
    public float[] gemmForward() {
        Blas.gemm(false, false, R, H, D, 1f, x, 0, w1, 0, 0f, t, 0);
        return t;
    }

    /** Weight gradient: [64 × 2560] · [2560 × 256] (transposed A). */
    @Benchmark
    public float[] gemmWeightGrad() {
        Blas.gemm(true, false, D, H, R, 1f, x, 0, dt, 0, 0f, dw, 0);
        return dw;
    }

    /** tanh over the 2560 × 256 activations. */
    @Benchmark
    public float[] tanh() {
        Kernels.tanhInPlace(t, 0, R * H);
        return t;
    }

    /** Math.tanh over the same cells, for comparison with the rational approximation. */
    @Benchmark
    public float[] tanhMath() {
        for (int i = 0; i < t.length; i++) t[i] = (float) Math.tanh(t[i]);
        return t;
    }

    /** One step's softmax exponentials through Kernels.expInPlace (SIMD lanes when the vector module is present). */
    @Benchmark
    public double exp() {
        System.arraycopy(logits, 0, work, 0, LOGITS);
        return Kernels.expInPlace(work, 0, LOGITS, 0.5f);
    }

    /**
     * The same with the Vector API's own EXP operator and reduceLanes, as Kernels.expInPlace had it before its exp and
     * sum were written in exact lane-wise arithmetic (the library's operator changed its last bits with JIT timing).
     */
    @Benchmark
    public double expVectorLibrary() {
        System.arraycopy(logits, 0, work, 0, LOGITS);
        jdk.incubator.vector.VectorSpecies<Float> s = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED;
        jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.zero(s);
        int i = 0, up = s.loopBound(LOGITS);
        for (; i < up; i += s.length()) {
            var e = jdk.incubator.vector.FloatVector.fromArray(s, work, i).sub(0.5f).lanewise(jdk.incubator.vector.VectorOperators.EXP);
            e.intoArray(work, i);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < LOGITS; i++) sum += work[i] = (float) Math.exp(work[i] - 0.5f);
        return sum;
    }

    /** The same with a Math.exp loop, as before Kernels.expInPlace. */
    @Benchmark
    public double expMath() {
        System.arraycopy(logits, 0, work, 0, LOGITS);
        double sum = 0;
        for (int i = 0; i < LOGITS; i++) sum += work[i] = (float) Math.exp(work[i] - 0.5f);
        return sum;
    }

    /** Attention logits as one BLAS product, [2560 × 256] · [256 × K]: skinny, so it streams t for little work. */
    @Benchmark
    public float[] logitsGemm() {
        Blas.gemm(false, false, R, K, H, 1f, t, 0, wk, 0, 0f, g, 0);
        return g;
    }

    /** The same logits as K dot products per row (what ComiRec-SA does, right after each row's tanh). */
    @Benchmark
    public float[] logitsDots() {
        for (int r = 0; r < R; r++) for (int k = 0; k < K; k++) g[r * K + k] = Kernels.dot(t, r * H, wkT, k * H, H);
        return g;
    }

    /** dt = g·w_kᵀ row by row: K axpys of length d_h per row (SIMD lanes when the vector module is present). */
    @Benchmark
    public float[] axpyRows() {
        for (int r = 0; r < R; r++) for (int k = 0; k < K; k++) Kernels.axpy(H, g[r * K + k], wkT, k * H, dt, r * H);
        return dt;
    }

    /** The same with a plain loop, which C2 leaves scalar here. */
    @Benchmark
    public float[] axpyRowsLoop() {
        for (int r = 0; r < R; r++) {
            for (int k = 0; k < K; k++) {
                float a = g[r * K + k];
                for (int j = 0, yo = r * H, xo = k * H; j < H; j++) dt[yo + j] += a * wkT[xo + j];
            }
        }
        return dt;
    }

    /** tanh's backward over the 2560 × 256 activations (two arrays). */
    @Benchmark
    public float[] tanhBackward() {
        Kernels.tanhBackward(t, dt, 0, R * H);
        return dt;
    }

    /** The bias b1 added to every row of t. */
    @Benchmark
    public float[] addRowVector() {
        Kernels.addRowVector(t, 0, R, H, w1);
        return t;
    }

    /** b1's gradient: the column sums of dt. */
    @Benchmark
    public float[] addColumnSums() {
        java.util.Arrays.fill(dw, 0f);
        Kernels.addColumnSums(dt, 0, R, H, dw);
        return dw;
    }

    /**
     * Lazy Adam's update of 2,560 touched rows of 64 values, as the old {@code Adam.update} wrote it: one plain loop per
     * row, the gradient row compact and the parameter row (and its moments) elsewhere. C2 leaves this loop scalar.
     */
    @Benchmark
    public float[] adamRowsLoop() {
        float b1 = 0.9f, b2 = 0.999f, a1 = 0.1f, a2 = 0.001f, lr = 1e-3f, eps = 1e-8f;
        float[] w = x, g = t, m = dt, v = work;
        for (int q = 0; q < R; q++) {
            int wOff = rowOrder[q] * D, gOff = q * D;
            for (int j = 0; j < D; j++) {
                int i = wOff + j;
                float gj = g[gOff + j];
                float mi = b1 * m[i] + a1 * gj;
                float vi = b2 * v[i] + a2 * gj * gj;
                m[i] = mi;
                v[i] = vi;
                w[i] -= lr * mi / ((float) Math.sqrt(vi) + eps);
            }
        }
        return w;
    }

    /** The same update through {@code Kernels.adam} (SIMD lanes with the Vector API; bit-identical results). */
    @Benchmark
    public float[] adamRowsKernel() {
        for (int q = 0; q < R; q++) Kernels.adam(D, x, rowOrder[q] * D, t, q * D, dt, work, 0.9f, 0.999f, 1e-3f, 1e-8f, 0f);
        return x;
    }
}
