package org.re4j.model.re4;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.re4j.config.AdamConfig;
import org.re4j.config.Preset;
import org.re4j.config.Setting;
import org.re4j.config.TrainConfig;
import org.re4j.math.Rng;
import org.re4j.model.layers.Activation;
import org.re4j.model.layers.Dense;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Init;
import org.re4j.model.ModelConfig;
import org.re4j.model.ModelFamily;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/**
 * Re4 (Zhang et al., WWW 2022): the ComiRec-SA forward flow trained with the recommendation loss plus three backward
 * flows, L = L_rec + λ_CL·L_CL + λ_Att·L_Att + λ_CT·L_CT (eq. 16). The paper's Re4 is its ComiRec-SA plus the flows
 * (its ablation's Base row is its ComiRec-SA row), and so is this: with every λ 0 it trains exactly the model
 * {@code comirec-sa} trains with the same encoder config, parameter for parameter and draw for draw.
 *
 * <p>The trainer sees an ordinary encoder: it calls {@link #forward}, computes L_rec and its gradient dZ, and calls
 * {@link #backward}; the flows run inside {@code backward}, add their gradients, and send everything through the
 * encoder once. A flow whose λ is 0 is never built and costs nothing. Inference is the encoder's: the flows only
 * shape training.
 *
 * <p>In a data-parallel step each worker's replica runs the flows on its part of the batch, and {@link #shareBatch}
 * first gives every part what the flows take from the whole batch: its user count and positives (the averages are
 * batch-wide), Re-contrast's sampled items (drawn once, by this encoder, as an unsplit step draws them) and the
 * history of the user before the part's first one (the previous-user negatives cross the parts' boundaries).
 */
public final class Re4 implements MultiInterestEncoder {

    public static final String NAME = "re4";

    /**
     * @param encoder      the forward flow
     * @param positives    γ_c, the attention threshold of the positives P_k (Re-contrast and Re-construct)
     * @param contrast     Re-contrast (λ_CL, τ, negatives)
     * @param attend       Re-attend (λ_Att)
     * @param construct    Re-construct (λ_CT, d_b)
     * @param interestHead the authors' code: user vectors u_k = tanh(W z_k + b) for the loss and for scoring, while
     *                     the flows read z_k (off in the paper's version)
     */
    public record Config(ComiRecSA.Config encoder, PositiveThreshold positives, ReContrast.Config contrast,
                         ReAttend.Config attend, ReConstruct.Config construct, boolean interestHead) implements ModelConfig {
        public Config {
            if (encoder == null || positives == null || contrast == null || attend == null || construct == null) {
                throw new IllegalArgumentException("re4: encoder, positives and the three flows' configs are required");
            }
        }

        @Override
        public int numItems() {
            return encoder.numItems();
        }

        @Override
        public int dim() {
            return encoder.dim();
        }

        /**
         * The paper's defaults on a catalogue: ComiRec-SA's forward flow as ComiRec's code has it (identity W2,
         * position embedding, biases; the paper's ablation Base is its ComiRec-SA) at the paper's K = 8, λ = 0.1
         * each, τ = 0.02, adaptive γ_c, d_b = 32. With every λ 0 this is exactly ComiRec-SA at K 8. Eq. 2's learned
         * W2 is {@code encoder.projection = learned}.
         */
        public static Config paper(int numItems) {
            return new Config(ComiRecSA.Config.comirec(numItems).withInterests(8),
                    PositiveThreshold.ADAPTIVE, ReContrast.Config.paper(), ReAttend.Config.paper(), ReConstruct.Config.paper(), false);
        }

        /**
         * The authors' public code (one PyTorch script, its Book weights): a learned W2, no position embedding and no
         * attention biases, the history read most recent first, N(0, 1) initialisation with PyTorch's nn.Linear
         * defaults for its linear layers, the tanh interest head; Re-attend not detached, λ_Att 0.001; Re-contrast
         * λ_CL 0.1 with the previous user's history as negatives, the whole history in every denominator, averaged
         * over all B·K·N_x cells; Re-construct λ_CT 0.1 with 64-dimensional slots and attention, averaged over all
         * cells.
         */
        public static Config authors(int numItems) {
            Config p = paper(numItems);
            return new Config(p.encoder().withPositionEmbedding(false).withAttentionBias(false)
                    .withProjection(ComiRecSA.Projection.LEARNED).withInit(Init.STANDARD_NORMAL)
                    .withOrder(ComiRecSA.HistoryOrder.MOST_RECENT_FIRST), p.positives(),
                    p.contrast().withSampledNegatives(0).withNegativeSource(ReContrast.NegativeSource.PREVIOUS_USER)
                            .withDenominator(ReContrast.Denominator.ALL_HISTORY).withAveraging(Averaging.ALL_CELLS),
                    new ReAttend.Config(0.001, false),
                    new ReConstruct.Config(0.1, 64, 64, Averaging.ALL_CELLS), true);
        }

        public Config withEncoder(ComiRecSA.Config v) { return new Config(v, positives, contrast, attend, construct, interestHead); }
        public Config withPositives(PositiveThreshold v) { return new Config(encoder, v, contrast, attend, construct, interestHead); }
        public Config withContrast(ReContrast.Config v) { return new Config(encoder, positives, v, attend, construct, interestHead); }
        public Config withAttend(ReAttend.Config v) { return new Config(encoder, positives, contrast, v, construct, interestHead); }
        public Config withConstruct(ReConstruct.Config v) { return new Config(encoder, positives, contrast, attend, v, interestHead); }
        public Config withInterestHead(boolean v) { return new Config(encoder, positives, contrast, attend, construct, v); }

        /** The three flows' weights λ_CL, λ_Att, λ_CT at once (0 turns a flow off). */
        public Config withFlowWeights(double contrastWeight, double attendWeight, double constructWeight) {
            return new Config(encoder, positives, contrast.withWeight(contrastWeight), attend.withWeight(attendWeight),
                    construct.withWeight(constructWeight), interestHead);
        }
    }

    /**
     * The authors' training recipe: batch 1024, 5,000 uniform negatives drawn outside the batch's targets, without logQ, PyTorch's Adam (every row every
     * step, the decay added to the gradient) with lr 0.003 and weight decay 1e-6, every prefix a sample.
     */
    static TrainConfig authorsTraining(TrainConfig t) {
        AdamConfig a = t.adam().withLr(0.003).withWeightDecay(1e-6).withUpdates(AdamConfig.Updates.DENSE);
        return t.withBatchSize(1024).withNegatives(5000).withSampler(TrainConfig.Sampler.UNIFORM).withLogQ(false)
                .withAdam(a).withExclude(TrainConfig.NegativeExclusion.BATCH_TARGETS).withSamples(TrainConfig.SampleMode.PREFIXES);
    }

    public static final List<Setting> SETTINGS = settings();

    private static List<Setting> settings() {
        List<Setting> s = new java.util.ArrayList<>();
        for (Setting e : ComiRecSA.SETTINGS) s.add(e.under("encoder"));
        s.add(Setting.of("--gamma-c", "positives", PositiveThreshold.class,
                "Attention threshold of the positives: a number in (0, 1), or adaptive = 1/len."));
        s.add(Setting.of("--lambda-cl", "contrast.weight", Double.class, "Re-contrast weight λ_CL (0 = off)."));
        s.add(Setting.of("--tau", "contrast.tau", Double.class, "Re-contrast temperature τ."));
        s.add(Setting.of("--contrast-negatives", "contrast.sampledNegatives", Integer.class,
                "Items sampled outside the sequences as Re-contrast negatives, shared by the batch."));
        s.add(Setting.of("--contrast-negative-source", "contrast.negativeSource", ReContrast.NegativeSource.class,
                "previous-user adds the previous user's history items as Re-contrast negatives (the authors' code)."));
        s.add(Setting.of("--contrast-denominator", "contrast.denominator", ReContrast.Denominator.class,
                "History items in a positive's denominator: negatives (eq. 5) or all-history (the authors' code)."));
        s.add(Setting.of("--contrast-averaging", "contrast.averaging", Averaging.class,
                "Re-contrast averaged over its positive terms or over all B·K·N_x cells (the authors' code)."));
        s.add(Setting.of("--lambda-att", "attend.weight", Double.class, "Re-attend weight λ_Att (0 = off)."));
        s.add(Setting.of("--re-attend-detach", "attend.detachTarget", Boolean.class,
                "No gradient through Re-attend's target ã (the authors' code lets it through)."));
        s.add(Setting.of("--lambda-ct", "construct.weight", Double.class, "Re-construct weight λ_CT (0 = off)."));
        s.add(Setting.of("--db", "construct.slotSize", Integer.class, "Re-construct slot size d_b."));
        s.add(Setting.of("--construct-hidden", "construct.hidden", Integer.class, "Re-construct attention hidden size."));
        s.add(Setting.of("--construct-averaging", "construct.averaging", Averaging.class,
                "Re-construct averaged over its positive terms or over all cells (the authors' code)."));
        s.add(Setting.of("--interest-head", "interestHead", Boolean.class,
                "The authors' tanh head on the interests for the loss and for scoring."));
        return List.copyOf(s);
    }

    public static final ModelFamily<Config> FAMILY = new ModelFamily<>(NAME,
            "Re4: the ComiRec-SA forward flow with Re-contrast, Re-attend and Re-construct",
            Config.class, Config::paper, Re4::new, SETTINGS,
            List.of(new Preset<>("re4-authors", "behave like the Re4 authors' public code (model and training recipe)",
                    Config::authors, Re4::authorsTraining)));

    private final Config cfg;
    private final ComiRecSA encoder;
    private final ParamSet params = new ParamSet();
    private final ReContrast contrast;
    private final ReAttend attend;
    private final ReConstruct construct;
    private final int[] drawn; // drawn[item] == step: already sampled this step
    private int step;
    private final Rng rng; // Re-contrast's sampled items
    private final FlowGrads grads = new FlowGrads();
    private final double[] lastLosses = new double[3];
    private boolean[] positives;
    private int[] sampled = new int[0];
    private float[] z, u, dzHead = new float[0];
    private final Dense head; // the authors' u_k = tanh(W z_k + b), or null
    private int count;
    // Data-parallel steps: what this part's backward needs of the whole batch (set by shareBatch for one backward),
    // the shared sampled items, and, on the model, the parts of its last split step (their flow losses add up).
    private WholeBatch whole;
    private int sampledCount;
    private List<Re4> parts;

    public Re4(Config cfg, long seed) {
        this.cfg = cfg;
        this.encoder = new ComiRecSA(cfg.encoder(), seed);
        for (Param p : encoder.params().all()) params.add(p);
        SplittableRandom init = new SplittableRandom(seed ^ 0x5DEECE66DL);
        int maxLen = cfg.encoder().maxLen(), d = cfg.encoder().dim();
        this.contrast = cfg.contrast().weight() > 0 ? new ReContrast(cfg.contrast(), maxLen) : null;
        this.attend = cfg.attend().weight() > 0 ? new ReAttend(cfg.attend()) : null;
        Init how = cfg.encoder().init();
        this.construct = cfg.construct().weight() > 0 ? new ReConstruct(cfg.construct(), maxLen, d, how, init) : null;
        if (construct != null) for (Param p : construct.params()) params.add(p);
        head = cfg.interestHead() ? new Dense(params.add(how.linearWeight(Param.dense("interest_head_w", d, d), init)),
                params.add(how.linearBias(Param.dense("interest_head_b", 1, d), d, init)), Activation.TANH) : null;
        int n = cfg.encoder().numItems();
        this.drawn = contrast != null && cfg.contrast().sampledNegatives() > 0 ? new int[n + 1] : null;
        this.rng = new Rng(seed + 2);
    }

    /** Re-contrast's sample stream and its step count: what a resumed run must continue from. */
    @Override
    public long[] trainingState() {
        return new long[] {rng.state(), step};
    }

    @Override
    public void restoreTrainingState(long[] state) {
        if (state.length != 2) throw new IllegalArgumentException("not a Re4 training state: " + Arrays.toString(state));
        rng.restore(state[0]);
        step = (int) state[1];
    }

    /** A replica for a data-parallel step (see {@link MultiInterestEncoder#replica()}); it draws no samples of its own. */
    private Re4(Re4 master) {
        this.cfg = master.cfg;
        this.encoder = master.encoder.replica();
        for (Param p : encoder.params().all()) params.add(p);
        this.contrast = master.contrast != null ? new ReContrast(cfg.contrast(), cfg.encoder().maxLen()) : null;
        this.attend = master.attend != null ? new ReAttend(cfg.attend()) : null;
        this.construct = master.construct != null ? new ReConstruct(master.construct) : null;
        if (construct != null) for (Param p : construct.params()) params.add(p);
        head = master.head == null ? null : new Dense(params.add(master.params.get("interest_head_w").replica()),
                params.add(master.params.get("interest_head_b").replica()), Activation.TANH);
        this.drawn = null;
        this.rng = null;
    }

    @Override
    public Re4 replica() {
        return new Re4(this);
    }

    private boolean hasFlows() {
        return contrast != null || attend != null || construct != null;
    }

    /** With any flow on: the flows average over the whole batch, share its samples, and may read the previous user. */
    @Override
    public boolean sharesBatch() {
        return hasFlows();
    }

    @Override
    public void shareBatch(List<MultiInterestEncoder> workers) {
        if (!hasFlows()) return;
        List<Re4> ps = new java.util.ArrayList<>(workers.size());
        for (MultiInterestEncoder w : workers) ps.add((Re4) w);
        int k = encoder.numInterests(), total = 0;
        long positives = 0;
        for (Re4 r : ps) {
            ComiRecSA.Activations act = r.encoder.lastForward();
            r.positives = FlowInput.selectPositives(r.count, k, act.rowStart(), act.attention(), cfg.positives(), r.positives);
            positives += WholeBatch.positives(r.flowInput());
            total += r.count;
        }
        int m = drawSampled(); // once for the whole batch, from this encoder's stream: as an unsplit step draws them
        boolean previousUser = cfg.contrast().negativeSource() == ReContrast.NegativeSource.PREVIOUS_USER;
        for (int i = 0; i < ps.size(); i++) {
            Re4 r = ps.get(i), before = ps.get((i + ps.size() - 1) % ps.size());
            int[] previous = null;
            if (previousUser) { // the last user of the part before, in the order its encoder packed its rows
                ComiRecSA.Activations b = before.encoder.lastForward();
                previous = Arrays.copyOfRange(b.rowItems(), b.rowStart()[before.count - 1], b.rowStart()[before.count]);
            }
            r.whole = new WholeBatch(total, positives, previous);
            r.sampled = sampled;
            r.sampledCount = m;
        }
        parts = ps;
    }

    public Config config() {
        return cfg;
    }

    /** λ-weighted losses of the last step: re_contrast, re_attend, re_construct (0 when off). */
    @Override
    public Map<String, Double> lastFlowLosses() {
        double[] sum = parts == null ? lastLosses : new double[3]; // a split step's: the parts' shares, in batch order
        if (parts != null) for (Re4 r : parts) for (int i = 0; i < 3; i++) sum[i] += r.lastLosses[i];
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("re_contrast", sum[0]);
        m.put("re_attend", sum[1]);
        m.put("re_construct", sum[2]);
        return m;
    }

    @Override public String name() { return NAME; }
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
        if (head != null) {
            int rows = count * numInterests();
            head.forward(Arrays.copyOf(out, rows * dim()), rows, out);
        }
    }

    @Override
    public float[] forward(int[] histories, int[] lengths, int count) {
        this.count = count;
        this.z = encoder.forward(histories, lengths, count);
        if (head == null) return z;
        int rows = count * numInterests();
        if (u == null || u.length < rows * dim()) u = new float[rows * dim()];
        head.forward(z, rows, u);
        return u;
    }

    @Override
    public void backward(float[] dZ) {
        if (head != null) { // dZ of the loss on the head's output, through the head
            int n = count * numInterests() * dim();
            if (dzHead.length < n) dzHead = new float[n];
            head.backward(z, u, dZ, count * numInterests(), dzHead);
            dZ = dzHead;
        }
        if (!hasFlows()) {
            encoder.backward(dZ);
            return;
        }
        int k = encoder.numInterests(), d = encoder.dim();
        WholeBatch w = whole; // set by shareBatch when the batch is split; for this backward only
        boolean split = w != null;
        whole = null;
        if (!split) {
            parts = null;
            ComiRecSA.Activations act = encoder.lastForward();
            positives = FlowInput.selectPositives(count, k, act.rowStart(), act.attention(), cfg.positives(), positives);
        }
        FlowInput in = flowInput();
        if (w == null) w = WholeBatch.of(in);
        grads.reset(in);
        if (contrast != null) {
            int m = split ? sampledCount : drawSampled();
            lastLosses[0] = contrast.loss(in, w, sampled, m, encoder.itemEmbeddings(), grads);
        }
        if (attend != null) lastLosses[1] = attend.loss(in, w, grads);
        if (construct != null) lastLosses[2] = construct.loss(in, w, grads);
        for (int i = 0, n = count * k * d; i < n; i++) grads.dZ[i] += dZ[i];
        encoder.backward(grads.dZ, grads.dLogits, grads.dX);
    }

    /** The flows' view of the last training forward, with its positives. */
    private FlowInput flowInput() {
        return FlowInput.of(encoder.lastForward(), count, encoder.numInterests(), encoder.dim(), z, positives);
    }

    /** Draws Re-contrast's sampled negatives into {@link #sampled}: distinct items, uniform over the catalogue. */
    private int drawSampled() {
        if (contrast == null) return 0;
        if (drawn == null && cfg.contrast().sampledNegatives() > 0) {
            throw new IllegalStateException("a replica draws no samples: its backward runs inside a data-parallel step");
        }
        int m = drawn == null ? 0 : Math.min(cfg.contrast().sampledNegatives(), encoder.numItems() / 2);
        if (sampled.length < m) sampled = new int[m];
        step++;
        for (int q = 0; q < m; ) {
            int item = 1 + rng.nextInt(encoder.numItems());
            if (drawn[item] != step) {
                drawn[item] = step;
                sampled[q++] = item;
            }
        }
        return m;
    }
}
