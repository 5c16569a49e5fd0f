package org.re4j.train;

import java.util.Arrays;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.math.Parallel;
import org.re4j.math.Rng;
import org.re4j.model.Param;
import org.re4j.model.RowGrads;

/**
 * The recommendation loss L_rec (paper eq. 13–15): for each user pick the interest closest to the target,
 * ẑ = z_{argmax_k z_k·y}, and take the negative log-likelihood of the target under a softmax over the target and
 * negatives shared by the batch.
 *
 * <p>As in ComiRec ({@code tf.nn.sampled_softmax_loss}): negatives are distinct draws from a {@link NegativeSampler},
 * every logit is corrected by −log(expected count) (logQ, switchable), a negative equal to the row's own target is
 * removed (accidental hit), and output biases are zero. When the requested negatives reach half the catalogue, the
 * loss becomes the exact full softmax (all items, no correction): sampling would only cost more and add noise.
 */
public final class SampledSoftmax {

    private final NegativeSampler sampler;
    private final int numNegatives;
    private final boolean logQ;
    private final boolean full;
    private final Rng rng;
    private final int readoutPower; // ≤ 0: argmax interest (ComiRec); p > 0: MIND's label-aware attention
    private final boolean excludeBatchTargets;

    private int[] neg = new int[0];
    private float[] negCorrection = new float[0]; // −log Q(s), 0 when logQ is off
    private float[] eneg = new float[0];          // gathered negative embeddings [S × d]
    private float[] u = new float[0];             // selected interests ẑ [B × d]
    private float[] logits = new float[0];        // [B × S], then their gradient
    private float[] du = new float[0];
    private float[] deneg = new float[0];
    private int[] selected = new int[0];
    private double[] rowLoss = new double[0];
    private double[] alpha = new double[0], dots = new double[0];
    private float[] dTrueRow = new float[0];

    /**
     * @param numNegatives negatives shared by the batch (ComiRec: 10 × batch size)
     * @param logQ         subtract log(expected count) from every logit (ComiRec: yes)
     */
    public SampledSoftmax(NegativeSampler sampler, int numNegatives, boolean logQ, long seed) {
        this(sampler, numNegatives, logQ, seed, 0);
    }

    /**
     * @param readoutPower 0 for the argmax interest (ComiRec, Re4); p ≥ 1 for MIND's label-aware attention
     *                     u = Σ_k softmax_k((z_k·y)^p) z_k, differentiated through the weights too
     */
    public SampledSoftmax(NegativeSampler sampler, int numNegatives, boolean logQ, long seed, int readoutPower) {
        this(sampler, numNegatives, logQ, false, seed, readoutPower);
    }

    /** @param excludeBatchTargets draw the negatives outside every target of the batch (the Re4 authors' script) */
    public SampledSoftmax(NegativeSampler sampler, int numNegatives, boolean logQ, boolean excludeBatchTargets, long seed,
                          int readoutPower) {
        if (numNegatives < 1) throw new IllegalArgumentException("numNegatives must be ≥ 1, got " + numNegatives);
        this.sampler = sampler;
        this.full = usesFullSoftmax(numNegatives, sampler.numItems);
        this.numNegatives = full ? sampler.numItems : numNegatives;
        this.logQ = logQ && !full;
        this.rng = new Rng(seed);
        this.readoutPower = readoutPower;
        this.excludeBatchTargets = excludeBatchTargets && !full;
    }

    /**
     * True when {@code numNegatives} negatives reach half of a catalogue of {@code numItems}: the loss is then the exact
     * softmax over every item, without sampling and without the logQ correction.
     */
    public static boolean usesFullSoftmax(int numNegatives, int numItems) {
        return numNegatives * 2L >= numItems;
    }

    /** The state of the negatives' random stream, for a checkpoint. */
    public long randomState() {
        return rng.state();
    }

    public void restoreRandomState(long state) {
        rng.restore(state);
    }

    /** True when the catalogue is small enough that the exact softmax over all items is used. */
    public boolean isFullSoftmax() {
        return full;
    }

    /** The interest each user of the last call was trained through (argmax_k z_k·y). */
    public int[] selectedInterests() {
        return selected;
    }

    /**
     * Mean loss over the batch. Writes dL/dZ into {@code dz} [count × K × d] (overwriting it) and adds dL/dx_y and
     * dL/dx_s to the item table's row gradients.
     */
    public float loss(float[] z, int count, int k, int d, int[] targets, Param items, float[] dz) {
        return loss(z, count, k, d, targets, items, dz, targets, count);
    }

    /**
     * The same for one part of a batch ({@code count} rows) inside a data-parallel step: negatives are drawn as for
     * the whole batch ({@code batchTargets[0..batchSize)}), and the gradient and the returned loss are the part's share
     * of the batch mean (its sum over {@code batchSize}).
     */
    public float loss(float[] z, int count, int k, int d, int[] targets, Param items, float[] dz, int[] batchTargets,
                      int batchSize) {
        final int s = numNegatives;
        ensure(count, s, d, k);
        final float[] table = items.value;

        // Negatives and their correction. In full mode the negatives are rows 1..N of the table itself.
        float[] negTable;
        int negOff;
        long tries = 0;
        if (full) {
            for (int i = 0; i < s; i++) neg[i] = i + 1;
            Arrays.fill(negCorrection, 0, s, 0f);
            negTable = table;
            negOff = d;
        } else {
            tries = excludeBatchTargets ? sampler.draw(rng, s, neg, batchTargets, batchSize) : sampler.draw(rng, s, neg);
            for (int i = 0; i < s; i++) {
                negCorrection[i] = logQ ? (float) -sampler.logExpectedCount(neg[i], tries) : 0f;
                System.arraycopy(table, neg[i] * d, eneg, i * d, d);
            }
            negTable = eneg;
            negOff = 0;
        }

        // ẑ: the interest with the largest inner product with the target (a hard, non-differentiable choice).
        for (int b = 0; b < count; b++) {
            int yo = targets[b] * d, best = 0;
            float bestScore = Float.NEGATIVE_INFINITY;
            for (int kk = 0; kk < k; kk++) {
                float sc = Kernels.dot(z, (b * k + kk) * d, table, yo, d);
                if (sc > bestScore) {
                    bestScore = sc;
                    best = kk;
                }
            }
            selected[b] = best;
            if (readoutPower <= 0) {
                System.arraycopy(z, (b * k + best) * d, u, b * d, d);
                continue;
            }
            // Label-aware attention: α = softmax_k((z_k·y)^p), u = Σ α_k z_k.
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int kk = 0; kk < k; kk++) {
                double sc = Kernels.dot(z, (b * k + kk) * d, table, yo, d);
                dots[b * k + kk] = sc;
                alpha[b * k + kk] = Math.pow(sc, readoutPower);
                max = Math.max(max, alpha[b * k + kk]);
            }
            for (int kk = 0; kk < k; kk++) sum += alpha[b * k + kk] = Math.exp(alpha[b * k + kk] - max);
            Arrays.fill(u, b * d, (b + 1) * d, 0f);
            for (int kk = 0; kk < k; kk++) {
                alpha[b * k + kk] /= sum;
                Kernels.axpy(d, (float) alpha[b * k + kk], z, (b * k + kk) * d, u, b * d);
            }
        }

        Blas.gemm(false, true, count, s, d, 1f, u, 0, d, negTable, negOff, d, 0f, logits, 0, s);

        final float invB = 1f / batchSize;
        final float[] negTab = negTable;
        final int nOff = negOff;
        final long t = tries;
        Arrays.fill(dz, 0, count * k * d, 0f);
        // Rows are independent: each writes its own logits, loss and du row.
        Parallel.forRange(count, 16, (from, to) -> {
            for (int b = from; b < to; b++) {
                int y = targets[b], lo = b * s;
                float trueLogit = Kernels.dot(u, b * d, table, y * d, d)
                        + (logQ ? (float) -sampler.logExpectedCount(y, t) : 0f);
                float max = trueLogit;
                for (int i = 0; i < s; i++) {
                    float l = neg[i] == y ? Float.NEGATIVE_INFINITY : logits[lo + i] + negCorrection[i];
                    logits[lo + i] = l;
                    if (l > max) max = l;
                }
                // One exp per logit: keep exp(l − max), then scale by 1/sum for the softmax.
                double eTrue = Math.exp(trueLogit - max), sum = eTrue + Kernels.expInPlace(logits, lo, s, max);
                rowLoss[b] = max + Math.log(sum) - trueLogit;
                // Gradient of the mean NLL: softmax − one-hot, over the batch size.
                float scale = (float) (invB / sum);
                for (int i = 0; i < s; i++) logits[lo + i] *= scale;
                float dTrue = (float) (eTrue / sum - 1) * invB;
                dTrueRow[b] = dTrue;
                // du_b starts with the target's share; the negatives' share comes from one product below.
                for (int j = 0; j < d; j++) du[b * d + j] = dTrue * table[y * d + j];
            }
        });
        double total = 0;
        RowGrads eg = items.rowGrads;
        for (int b = 0; b < count; b++) {
            total += rowLoss[b];
            int off = eg.offset(targets[b]);
            Kernels.axpy(d, dTrueRow[b], u, b * d, eg.values(), off);
        }
        Blas.gemm(false, false, count, d, s, 1f, logits, 0, s, negTable, negOff, d, 1f, du, 0, d);
        Blas.gemm(true, false, s, d, count, 1f, logits, 0, s, u, 0, d, 0f, deneg, 0, d);
        for (int i = 0; i < s; i++) {
            int off = eg.offset(neg[i]);
            Kernels.axpy(d, 1f, deneg, i * d, eg.values(), off);
        }
        double[] da = new double[k];
        for (int b = 0; b < count; b++) {
            if (readoutPower <= 0) {
                System.arraycopy(du, b * d, dz, (b * k + selected[b]) * d, d);
                continue;
            }
            // Through u = Σ α_k z_k and α = softmax((z_k·y)^p): dz_k = α_k du + ds_k y, dy += Σ ds_k z_k.
            int y = targets[b], yo = y * d;
            double mean = 0;
            for (int kk = 0; kk < k; kk++) {
                da[kk] = Kernels.dot(du, b * d, z, (b * k + kk) * d, d);
                mean += alpha[b * k + kk] * da[kk];
            }
            int off = eg.offset(y);
            float[] vals = eg.values();
            for (int kk = 0; kk < k; kk++) {
                double a = alpha[b * k + kk], sc = dots[b * k + kk];
                float ds = (float) (a * (da[kk] - mean) * readoutPower * Math.pow(sc, readoutPower - 1));
                int zo = (b * k + kk) * d;
                for (int j = 0; j < d; j++) dz[zo + j] = (float) a * du[b * d + j] + ds * table[yo + j];
                Kernels.axpy(d, ds, z, zo, vals, off);
            }
        }
        return (float) (total / batchSize);
    }

    private void ensure(int count, int s, int d, int k) {
        if (neg.length < s) {
            neg = new int[s];
            negCorrection = new float[s];
            eneg = new float[s * d];
            deneg = new float[s * d];
        }
        if (alpha.length < count * k) {
            alpha = new double[count * k];
            dots = new double[count * k];
        }
        if (selected.length < count) {
            selected = new int[count];
            rowLoss = new double[count];
            dTrueRow = new float[count];
            u = new float[count * d];
            du = new float[count * d];
        }
        if (logits.length < count * s) logits = new float[count * s];
    }
}
