package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.GradCheck;
import org.re4j.io.ModelDir;

/**
 * What every encoder must do, as Lucene's {@code BasePostingsFormatTestCase} is for codecs: each model's test extends
 * this with the model's config (built through the registry, as training builds it) and inherits the checks:
 * backward against finite differences (on one worker and with the batch split over several, as a data-parallel step
 * splits it), padding invariance, inference equal to the training forward, a save/load round trip through a model
 * directory, refusal of bad histories, and a seed that fixes the initial parameters.
 *
 * <p>The batch has lengths 6, 3, 1 and 4 of N_x = 6 (one full, one of a single item) over N = 30 items, with an
 * item repeated inside a user and across users.
 */
public abstract class EncoderContractTest {

    protected static final int N = 30, L = 6, B = 4, D = 8;

    @TempDir
    protected Path dir;

    /** The model's config on N items, d = D, N_x = L. */
    protected abstract Record config();

    /** How far parameters are spread for the checks: large enough that every path carries gradient. */
    protected double parameterScale() {
        return 0.5;
    }

    /** Called before the gradient check with a model that has just run forward on the batch (routing models freeze their couplings). */
    protected void beforeGradientCheck(MultiInterestEncoder m) {}

    /** Called after the gradient check. */
    protected void afterGradientCheck(MultiInterestEncoder m) {}

    protected static int[] lengths() {
        return new int[] {6, 3, 1, 4};
    }

    protected static int[] histories() {
        SplittableRandom rng = new SplittableRandom(3);
        int[] len = lengths(), h = new int[B * L];
        for (int u = 0; u < B; u++) for (int i = 0; i < len[u]; i++) h[u * L + i] = 1 + rng.nextInt(N);
        h[0] = h[1] = 5; // a repeated item accumulates two gradient contributions
        h[L] = 5;        // ... and a third from another user
        return h;
    }

    /** A fresh model from the registry, its parameters spread uniformly in ±{@link #parameterScale}. */
    protected MultiInterestEncoder model() {
        MultiInterestEncoder m = (MultiInterestEncoder) Models.create(config(), 11);
        SplittableRandom rng = new SplittableRandom(5);
        for (Param p : m.params().all()) {
            for (int i = 0; i < p.size(); i++) p.value[i] = (float) ((rng.nextDouble() * 2 - 1) * parameterScale());
        }
        Arrays.fill(m.itemEmbeddings().value, 0, m.dim(), 0f); // row 0 is padding
        return m;
    }

    private float[] weights(MultiInterestEncoder m) {
        SplittableRandom rng = new SplittableRandom(9);
        float[] c = new float[B * m.numInterests() * m.dim()];
        for (int i = 0; i < c.length; i++) c[i] = (float) (rng.nextDouble() * 2 - 1);
        return c;
    }

    @Test
    void backwardMatchesFiniteDifferences() {
        MultiInterestEncoder m = model();
        int[] h = histories(), len = lengths();
        float[] c = weights(m);
        m.forward(h, len, B);
        beforeGradientCheck(m);
        // L = Σ c ⊙ Z, plus the losses of the flows a model runs inside backward: dL/dZ = c.
        GradCheck.check(m.params(),
                () -> objective(m, h, len, c),
                () -> { m.params().zeroGrad(); m.forward(h, len, B); m.backward(c); },
                tolerances()[0], tolerances()[1]);
        afterGradientCheck(m);
    }

    /**
     * The batch split over {@code workers} (the model first, then replicas), as a data-parallel step splits it: each
     * runs forward on its part, the model shares the batch, each runs backward with dL/dZ = its part of {@code c}, and
     * the replicas' gradients are added into the model's. With {@code freeze}, each worker's forward runs again after
     * {@link #beforeGradientCheck} (routing models freeze their couplings).
     */
    private void splitBackward(List<MultiInterestEncoder> workers, int[] h, int[] len, float[] c, boolean freeze) {
        MultiInterestEncoder m = workers.get(0);
        int n = workers.size(), kd = m.numInterests() * m.dim();
        for (MultiInterestEncoder w : workers) w.params().zeroGrad();
        int[] start = new int[n + 1];
        for (int w = 0; w <= n; w++) start[w] = B * w / n;
        for (int w = 0; w < n; w++) {
            MultiInterestEncoder x = workers.get(w);
            int[] ph = Arrays.copyOfRange(h, start[w] * L, start[w + 1] * L), pl = Arrays.copyOfRange(len, start[w], start[w + 1]);
            x.forward(ph, pl, pl.length);
            if (freeze) {
                beforeGradientCheck(x);
                x.forward(ph, pl, pl.length);
            }
        }
        if (m.sharesBatch()) m.shareBatch(workers);
        for (int w = 0; w < n; w++) workers.get(w).backward(Arrays.copyOfRange(c, start[w] * kd, start[w + 1] * kd));
        List<ParamSet> replicas = new ArrayList<>();
        for (int w = 1; w < n; w++) replicas.add(workers.get(w).params());
        m.params().addGradients(replicas);
    }

    private static List<MultiInterestEncoder> workers(MultiInterestEncoder m, int n) {
        List<MultiInterestEncoder> out = new ArrayList<>(List.of(m));
        for (int w = 1; w < n; w++) out.add(m.replica());
        return out;
    }

    @Test
    void theBatchSplitOverWorkersGivesTheWholeBatchsGradient() {
        assumeTrue(model().replica() != null, "this encoder trains on one worker");
        int[] h = histories(), len = lengths();
        MultiInterestEncoder whole = model();
        float[] c = weights(whole);
        whole.forward(h, len, B);
        whole.backward(c);
        Map<String, Double> flows = whole.lastFlowLosses();
        for (int n : new int[] {2, 3, B}) { // parts of 2 + 2; 1 + 1 + 2; one user each
            MultiInterestEncoder m = model();
            splitBackward(workers(m, n), h, len, c, false);
            for (Map.Entry<String, Double> e : m.lastFlowLosses().entrySet()) {
                assertEquals(flows.get(e.getKey()), e.getValue(), 1e-5 * Math.abs(flows.get(e.getKey())) + 1e-9, n + " workers: " + e.getKey());
            }
            for (int i = 0; i < m.params().all().size(); i++) {
                Param p = whole.params().all().get(i);
                float[] want = GradCheck.denseGrad(p), got = GradCheck.denseGrad(m.params().all().get(i));
                double scale = 0, err = 0;
                for (int j = 0; j < want.length; j++) {
                    scale = Math.max(scale, Math.abs(want[j]));
                    err = Math.max(err, Math.abs(want[j] - got[j]));
                }
                assertTrue(err <= 1e-5 * scale + 1e-7, n + " workers: " + p.name + " differs by " + err + " of " + scale);
            }
        }
    }

    @Test
    void backwardOnSeveralWorkersMatchesFiniteDifferences() {
        MultiInterestEncoder m = model();
        MultiInterestEncoder whole = m.replica(); // evaluates the loss on the whole batch, with the model's values
        assumeTrue(whole != null, "this encoder trains on one worker");
        int[] h = histories(), len = lengths();
        float[] c = weights(m);
        List<MultiInterestEncoder> workers = workers(m, 3);
        whole.forward(h, len, B);
        beforeGradientCheck(whole);
        GradCheck.check(m.params(),
                () -> {
                    double s = objective(whole, h, len, c);
                    if (!whole.lastFlowLosses().isEmpty()) whole.params().zeroGrad();
                    return s;
                },
                () -> splitBackward(workers, h, len, c, true),
                tolerances()[0], tolerances()[1]);
        afterGradientCheck(whole);
        for (MultiInterestEncoder w : workers) afterGradientCheck(w);
    }

    /**
     * The checked objective L = Σ c ⊙ Z, plus the losses of the flows a model runs inside backward (Re4), which
     * backward computes (the gradients it adds there are not read): dL/dZ = c.
     */
    static double objective(MultiInterestEncoder m, int[] h, int[] len, float[] c) {
        float[] z = m.forward(h, len, B);
        double s = 0;
        for (int i = 0; i < c.length; i++) s += c[i] * z[i];
        if (!m.lastFlowLosses().isEmpty()) {
            m.backward(new float[c.length]);
            for (double f : m.lastFlowLosses().values()) s += f;
        }
        return s;
    }

    /** Finite-difference step and relative tolerance. */
    protected double[] tolerances() {
        return new double[] {1e-2, 2e-2};
    }

    @Test
    void paddingIsIgnored() {
        MultiInterestEncoder m = model();
        int[] h = histories(), len = lengths();
        float[] z1 = m.forward(h, len, B).clone();
        float[] i1 = interests(m, h, len);
        for (int u = 0; u < B; u++) for (int i = len[u]; i < L; i++) h[u * L + i] = 17; // garbage after the end
        assertArrayEquals(z1, Arrays.copyOf(m.forward(h, len, B), z1.length), "training forward");
        assertArrayEquals(i1, interests(m, h, len), "inference");
    }

    @Test
    void inferenceEqualsTheTrainingForward() {
        MultiInterestEncoder m = model();
        int[] h = histories(), len = lengths();
        float[] z = Arrays.copyOf(m.forward(h, len, B), B * m.numInterests() * m.dim());
        assertArrayEquals(z, interests(m, h, len), 1e-6f);
    }

    @Test
    void aSavedModelLoadsBackToTheSameInterests() throws Exception {
        MultiInterestEncoder m = model();
        String[] ids = new String[N + 1];
        for (int i = 1; i <= N; i++) ids[i] = "item" + i;
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("model", m.name());
        cfg.put("model_config", config());
        cfg.put("num_items", N);
        ModelDir.save(dir, m.params(), ids, cfg);
        Recommender back = Models.load(dir, ModelDir.readConfig(dir), N);
        assertEquals(m.name(), back.name());
        int[] h = histories(), len = lengths();
        float[] out = new float[B * back.numInterests() * back.dim()];
        back.interests(h, len, B, out);
        assertArrayEquals(interests(m, h, len), out);
    }

    @Test
    void badHistoriesAreRefused() {
        MultiInterestEncoder m = model();
        int[] h = histories(), len = lengths();
        int[][] badLengths = {{6, 3, 0, 4}, {6, 3, L + 1, 4}};
        for (int[] bl : badLengths) {
            assertThrows(IllegalArgumentException.class, () -> m.forward(h, bl, B), "length " + Arrays.toString(bl));
            assertThrows(IllegalArgumentException.class, () -> interests(m, h, bl), "length " + Arrays.toString(bl));
        }
        for (int bad : new int[] {0, -1, N + 1}) {
            int[] hb = h.clone();
            hb[L + 1] = bad; // inside user 1's history
            assertThrows(IllegalArgumentException.class, () -> m.forward(hb, len, B), "item " + bad);
            assertThrows(IllegalArgumentException.class, () -> interests(m, hb, len), "item " + bad);
        }
    }

    @Test
    void aSeedFixesTheInitialParameters() {
        Recommender a = Models.create(config(), 42), b = Models.create(config(), 42), c = Models.create(config(), 43);
        for (int i = 0; i < a.params().all().size(); i++) {
            assertArrayEquals(a.params().all().get(i).value, b.params().all().get(i).value, a.params().all().get(i).name);
        }
        assertEquals(false, Arrays.equals(a.itemVectors(), c.itemVectors()), "another seed, another item table");
    }

    protected static float[] interests(Recommender m, int[] h, int[] len) {
        float[] out = new float[B * m.numInterests() * m.dim()];
        m.interests(h, len, B, out);
        return out;
    }
}
