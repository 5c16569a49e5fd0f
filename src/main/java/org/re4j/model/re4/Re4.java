package org.re4j.model.re4;

import java.util.SplittableRandom;

import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.model.ComiRecSA;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/**
 * Re4 (Zhang et al., WWW 2022): the ComiRec-SA forward flow with a learned projection W2, trained with the
 * recommendation loss plus three backward flows, L = L_rec + λ_CL·L_CL + λ_Att·L_Att + λ_CT·L_CT (eq. 16).
 *
 * <p>The trainer sees an ordinary encoder: it calls {@link #forward}, computes L_rec and its gradient dZ, and calls
 * {@link #backward}; the flows run inside {@code backward}, add their gradients, and send everything through the
 * encoder once. A flow whose λ is 0 is never built and costs nothing. Inference is the encoder's: the flows only
 * shape training.
 */
public final class Re4 implements MultiInterestEncoder {

    /**
     * @param encoder           the forward flow (Re4: K = 8, learned projection)
     * @param lambdaContrast    λ_CL, Re-contrast weight
     * @param lambdaAttend      λ_Att, Re-attend weight
     * @param lambdaConstruct   λ_CT, Re-construct weight
     * @param tau               Re-contrast temperature τ
     * @param gamma             γ_c, the attention threshold of the positives; ≤ 0 = adaptive 1/len_u
     * @param contrastNegatives items sampled (uniformly, shared by the batch) as extra Re-contrast negatives
     * @param detachAttendTarget stop the gradient through Re-attend's target ã (see {@link ReAttend})
     * @param db                Re-construct slot size d_b
     * @param constructHidden   Re-construct attention hidden size
     * @param interestHead      the authors' code: user vectors u_k = tanh(W z_k + b) for the loss and for scoring,
     *                          while the flows read z_k (off in the paper's version)
     * @param authorsFlows      the authors' code's flow details: Re-contrast negatives from the previous user's history
     *                          instead of catalogue samples, and Re-contrast / Re-construct averaged over all B·K·N_x
     *                          cells (and d) rather than over the positive terms
     */
    public record Config(ComiRecSA.Config encoder, double lambdaContrast, double lambdaAttend, double lambdaConstruct,
                         double tau, double gamma, int contrastNegatives, boolean detachAttendTarget, int db,
                         int constructHidden, boolean interestHead, boolean authorsFlows) {
        public Config {
            if (lambdaContrast < 0 || lambdaAttend < 0 || lambdaConstruct < 0) throw new IllegalArgumentException("λ must be ≥ 0");
            if (!(tau > 0)) throw new IllegalArgumentException("τ must be > 0, got " + tau);
            if (gamma >= 1) throw new IllegalArgumentException("γ_c must be < 1 (≤ 0 for adaptive), got " + gamma);
            if (contrastNegatives < 0 || db < 1 || constructHidden < 1) throw new IllegalArgumentException("sizes must be positive");
        }

        /** The paper's defaults on a catalogue: K = 8, learned W2, λ = 0.1 each, τ = 0.02, adaptive γ_c, d_b = 32. */
        public static Config paper(int numItems) {
            return new Config(new ComiRecSA.Config(numItems, 64, 256, 8, 20, true, true, true),
                    0.1, 0.1, 0.1, 0.02, 0, 128, true, 32, 32, false, false);
        }

        /**
         * The authors' public code (one PyTorch script): no position embedding and no attention biases, the tanh
         * interest head, Re-attend not detached, λ_CL 0.1, λ_Att 0.01, λ_CT 0.1, previous-user negatives.
         */
        public static Config authors(int numItems) {
            return new Config(new ComiRecSA.Config(numItems, 64, 256, 8, 20, false, true, false),
                    0.1, 0.01, 0.1, 0.02, 0, 0, false, 32, 32, true, true);
        }
    }

    private final Config cfg;
    private final ComiRecSA encoder;
    private final ParamSet params = new ParamSet();
    private final ReContrast contrast;
    private final ReAttend attend;
    private final ReConstruct construct;
    private final int[] drawn; // drawn[item] == step: already sampled this step
    private int step;
    private final SplittableRandom rng;
    private final FlowGrads grads = new FlowGrads();
    private final double[] lastLosses = new double[3];
    private boolean[] positives;
    private int[] sampled = new int[0];
    private float[] z, u, du = new float[0], dzHead = new float[0];
    private final Param headW, headB;
    private int count;

    public Re4(Config cfg, long seed) {
        this.cfg = cfg;
        this.encoder = new ComiRecSA(cfg.encoder(), seed);
        for (Param p : encoder.params().all()) params.add(p);
        SplittableRandom init = new SplittableRandom(seed ^ 0x5DEECE66DL);
        this.contrast = cfg.lambdaContrast() > 0
                ? new ReContrast(cfg.lambdaContrast(), cfg.tau(), cfg.authorsFlows() ? cfg.encoder().maxLen() : 0) : null;
        this.attend = cfg.lambdaAttend() > 0 ? new ReAttend(cfg.lambdaAttend(), cfg.detachAttendTarget()) : null;
        this.construct = cfg.lambdaConstruct() > 0
                ? new ReConstruct(cfg.lambdaConstruct(), cfg.encoder().maxLen(), cfg.encoder().dim(), cfg.db(), cfg.constructHidden(),
                        cfg.authorsFlows(), init)
                : null;
        if (construct != null) for (Param p : construct.params()) params.add(p);
        int d = cfg.encoder().dim();
        headW = cfg.interestHead() ? params.add(Param.dense("interest_head_w", d, d).glorotUniform(init)) : null;
        headB = cfg.interestHead() ? params.add(Param.dense("interest_head_b", 1, d)) : null;
        int n = cfg.encoder().numItems();
        this.drawn = contrast != null && cfg.contrastNegatives() > 0 ? new int[n + 1] : null;
        this.rng = new SplittableRandom(seed + 2);
    }

    public Config config() {
        return cfg;
    }

    /** λ-weighted losses of the last step: Re-contrast, Re-attend, Re-construct (0 when off). */
    public double[] lastFlowLosses() {
        return lastLosses.clone();
    }

    @Override public String name() { return "re4"; }
    @Override public int numInterests() { return encoder.numInterests(); }
    @Override public int dim() { return encoder.dim(); }
    @Override public int numItems() { return encoder.numItems(); }
    @Override public int maxLen() { return encoder.maxLen(); }
    @Override public float[] itemVectors() { return encoder.itemVectors(); }
    @Override public ParamSet params() { return params; }
    @Override public Param itemEmbeddings() { return encoder.itemEmbeddings(); }

    @Override
    public void interests(int[] histories, int[] lengths, int count, float[] out) {
        encoder.interests(histories, lengths, count, out);
        if (headW != null) {
            int rows = count * numInterests();
            float[] z0 = java.util.Arrays.copyOf(out, rows * dim());
            head(z0, rows, out);
        }
    }

    /** u = tanh(z·W + b) over [rows × d]. */
    private void head(float[] zIn, int rows, float[] out) {
        int d = dim();
        Blas.gemm(false, false, rows, d, d, 1f, zIn, 0, headW.value, 0, 0f, out, 0);
        Kernels.addRowVector(out, 0, rows, d, headB.value);
        Kernels.tanhInPlace(out, 0, rows * d);
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        this.count = count;
        this.z = encoder.forward(histories, lengths, count);
        if (headW == null) return z;
        int rows = count * numInterests();
        if (u == null || u.length < rows * dim()) u = new float[rows * dim()];
        head(z, rows, u);
        return u;
    }

    /** dZ of the loss on the head's output: through tanh and the linear map, accumulating the head's gradients. */
    private float[] headBackward(float[] dU) {
        int rows = count * numInterests(), d = dim();
        if (du.length < rows * d) du = new float[rows * d];
        System.arraycopy(dU, 0, du, 0, rows * d);
        Kernels.tanhBackward(u, du, 0, rows * d);
        Kernels.addColumnSums(du, 0, rows, d, headB.grad);
        Blas.gemm(true, false, d, d, rows, 1f, z, 0, du, 0, 1f, headW.grad, 0);
        if (dzHead.length < rows * d) dzHead = new float[rows * d];
        Blas.gemm(false, true, rows, d, d, 1f, du, 0, headW.value, 0, 0f, dzHead, 0);
        return dzHead;
    }

    @Override
    public void backward(float[] dZ) {
        if (headW != null) dZ = headBackward(dZ);
        if (contrast == null && attend == null && construct == null) {
            encoder.backward(dZ);
            return;
        }
        int k = encoder.numInterests(), d = encoder.dim();
        positives = FlowInput.selectPositives(count, k, encoder.rowStart(), encoder.attention(), cfg.gamma(), positives);
        FlowInput in = new FlowInput(count, k, d, encoder.rowStart(), encoder.attention(), encoder.historyRows(), z,
                encoder.rowItems(), positives);
        grads.reset(in);
        if (contrast != null) {
            int m = drawn == null ? 0 : Math.min(cfg.contrastNegatives(), encoder.numItems() / 2);
            if (sampled.length < m) sampled = new int[m];
            step++;
            for (int q = 0; q < m; ) { // distinct items, uniform over the catalogue
                int item = 1 + rng.nextInt(encoder.numItems());
                if (drawn[item] != step) {
                    drawn[item] = step;
                    sampled[q++] = item;
                }
            }
            lastLosses[0] = contrast.loss(in, sampled, m, encoder.itemEmbeddings(), grads);
        }
        if (attend != null) lastLosses[1] = attend.loss(in, grads);
        if (construct != null) lastLosses[2] = construct.loss(in, grads);
        for (int i = 0, n = count * k * d; i < n; i++) grads.dZ[i] += dZ[i];
        encoder.backward(grads.dZ, grads.dLogits, grads.dX);
    }
}
