package org.re4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.re4j.GradCheck;
import org.re4j.config.TrainConfig;
import org.re4j.data.Batch;
import org.re4j.model.ComiRecDR;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Gru4Rec;
import org.re4j.model.Init;
import org.re4j.model.Mind;
import org.re4j.model.Models;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Param;
import org.re4j.model.YouTubeDnn;
import org.re4j.model.re4.Re4;

/**
 * The data-parallel step: one worker is the step as it was before workers existed, bit for bit; a given number of
 * workers gives the same bits on every run; and several workers give one worker's loss and gradients up to the order
 * of float sums. Each model in its own shape, on batches of varied history lengths.
 */
class TrainStepTest {

    static final int ITEMS = 400, BATCH = 24, MAX_LEN = 8, D = 16;

    /** Every model with a training step, small, with the training settings it is stepped with. */
    static Stream<Arguments> models() {
        UnaryOperator<TrainConfig> comirec = t -> t;
        UnaryOperator<TrainConfig> authors = t -> t.withExclude(TrainConfig.NegativeExclusion.BATCH_TARGETS)
                .withSampler(TrainConfig.Sampler.UNIFORM).withLogQ(false);
        ComiRecSA.Config sa = new ComiRecSA.Config(ITEMS, D, 32, 4, MAX_LEN, true, ComiRecSA.Projection.IDENTITY, true,
                Init.GLOROT_UNIFORM, ComiRecSA.HistoryOrder.OLDEST_FIRST);
        Re4.Config paper = Re4.Config.paper(ITEMS), byAuthors = Re4.Config.authors(ITEMS);
        List<Arguments> out = new ArrayList<>();
        out.add(Arguments.of("comirec-sa", sa, comirec));
        out.add(Arguments.of("comirec-sa, learned W2, most recent first, negatives outside the batch's targets",
                sa.withPositionEmbedding(false).withProjection(ComiRecSA.Projection.LEARNED).withAttentionBias(false)
                        .withOrder(ComiRecSA.HistoryOrder.MOST_RECENT_FIRST), authors));
        out.add(Arguments.of("re4, the paper's flows with sampled negatives", paper.withEncoder(paper.encoder().withDim(D)
                .withHidden(32).withInterests(4).withMaxLen(MAX_LEN)), comirec));
        out.add(Arguments.of("re4, every λ 0", paper.withEncoder(paper.encoder().withDim(D).withHidden(32).withMaxLen(MAX_LEN))
                .withFlowWeights(0, 0, 0), comirec));
        out.add(Arguments.of("re4, the authors' preset (previous-user negatives, all-cell averages, interest head)",
                byAuthors.withEncoder(byAuthors.encoder().withDim(D).withHidden(32).withInterests(4).withMaxLen(MAX_LEN)), authors));
        out.add(Arguments.of("comirec-dr", new ComiRecDR.Config(ITEMS, D, 4, MAX_LEN, 3), comirec));
        out.add(Arguments.of("mind, label-aware attention, dynamic interests", new Mind.Config(ITEMS, D, 4, MAX_LEN, 3, true, 1, 2), comirec));
        out.add(Arguments.of("youtube-dnn", new YouTubeDnn.Config(ITEMS, D, MAX_LEN), comirec));
        out.add(Arguments.of("gru4rec", new Gru4Rec.Config(ITEMS, D, MAX_LEN), comirec));
        return out.stream();
    }

    static TrainConfig train(int workers, UnaryOperator<TrainConfig> recipe) {
        return recipe.apply(TrainConfig.comirec().withBatchSize(BATCH).withSeed(4).withWorkers(workers));
    }

    static MultiInterestEncoder model(Record cfg) {
        return (MultiInterestEncoder) Models.create(cfg, 17);
    }

    /** Batches of lengths 1..N_x (some full), popular-first items, a repeated item in every batch. */
    static Batch[] batches(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        NegativeSampler zipf = NegativeSampler.logUniform(ITEMS);
        int[] one = new int[1];
        Batch[] out = new Batch[n];
        for (int i = 0; i < n; i++) {
            Batch b = out[i] = new Batch(BATCH, MAX_LEN);
            for (int u = 0; u < BATCH; u++) {
                b.lengths[u] = u % 5 == 0 ? MAX_LEN : 1 + rng.nextInt(MAX_LEN);
                for (int j = 0; j < b.lengths[u]; j++) {
                    zipf.draw(rng, 1, one);
                    b.items[u * MAX_LEN + j] = one[0];
                }
                zipf.draw(rng, 1, one);
                b.targets[u] = one[0];
            }
            b.items[1] = b.items[0];
        }
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void oneWorkerIsTheStepAsItWasBitForBit(String name, Record cfg, UnaryOperator<TrainConfig> recipe) {
        TrainConfig t = train(1, recipe);
        Batch[] bs = batches(6, 1);
        MultiInterestEncoder a = model(cfg), b = model(cfg);
        TrainStep step = new TrainStep(a, t);
        assertEquals(1, step.workers());
        // The step as it was written before workers existed.
        SampledSoftmax loss = new SampledSoftmax(NegativeSampler.of(t.sampler(), ITEMS), t.negativeCount(), t.logQ(),
                t.exclude() == TrainConfig.NegativeExclusion.BATCH_TARGETS, t.seed() + 1, b.trainingReadoutPower());
        Adam adam = new Adam(t.adam(), b.params().all());
        float[] dz = new float[BATCH * b.numInterests() * b.dim()];
        for (Batch batch : bs) {
            float la = step.run(batch);
            float[] z = b.forward(batch.items, batch.lengths, batch.size);
            float lb = loss.loss(z, batch.size, b.numInterests(), b.dim(), batch.targets, b.itemEmbeddings(), dz);
            b.backward(dz);
            adam.step();
            assertEquals(Float.floatToIntBits(lb), Float.floatToIntBits(la), "loss");
            assertEquals(b.lastFlowLosses(), a.lastFlowLosses());
        }
        assertSameParameters(a, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void aWorkerCountGivesTheSameBitsOnEveryRun(String name, Record cfg, UnaryOperator<TrainConfig> recipe) {
        Batch[] bs = batches(5, 2);
        for (int workers : new int[] {2, 3}) {
            MultiInterestEncoder a = model(cfg), b = model(cfg);
            TrainStep sa = new TrainStep(a, train(workers, recipe)), sb = new TrainStep(b, train(workers, recipe));
            assertEquals(workers, sa.workers(), "the step is data-parallel");
            for (Batch batch : bs) {
                assertEquals(Float.floatToIntBits(sa.run(batch)), Float.floatToIntBits(sb.run(batch)), workers + " workers: loss");
                assertEquals(a.lastFlowLosses(), b.lastFlowLosses(), workers + " workers: flow losses");
            }
            assertSameParameters(a, b);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void severalWorkersGiveOneWorkersLossAndGradients(String name, Record cfg, UnaryOperator<TrainConfig> recipe) {
        for (Batch batch : batches(3, 3)) {
            MultiInterestEncoder one = model(cfg);
            float l1 = new TrainStep(one, train(1, recipe)).gradients(batch);
            Map<String, Double> f1 = one.lastFlowLosses();
            for (int workers : new int[] {2, 3, 5}) {
                MultiInterestEncoder m = model(cfg);
                TrainStep step = new TrainStep(m, train(workers, recipe));
                assertEquals(workers, step.workers());
                float l = step.gradients(batch);
                assertEquals(l1, l, 1e-5 * Math.abs(l1), workers + " workers: loss");
                for (Map.Entry<String, Double> e : m.lastFlowLosses().entrySet()) {
                    double want = f1.get(e.getKey());
                    assertEquals(want, e.getValue(), 1e-5 * Math.abs(want) + 1e-9, workers + " workers: " + e.getKey());
                }
                assertCloseGradients(one, m, 1e-5, workers + " workers");
            }
        }
    }

    static void assertSameParameters(MultiInterestEncoder a, MultiInterestEncoder b) {
        List<Param> pa = a.params().all(), pb = b.params().all();
        assertEquals(pa.size(), pb.size());
        for (int i = 0; i < pa.size(); i++) assertArrayEquals(pb.get(i).value, pa.get(i).value, pa.get(i).name);
    }

    /**
     * Every parameter's gradient within {@code rel} of the largest entry of the reference's, and the same embedding
     * rows touched. A gradient that is zero in exact arithmetic (a bias under a softmax, whose shift changes nothing)
     * is left with round-off only: it is held to {@code rel} of the largest gradient of all parameters instead.
     */
    static void assertCloseGradients(MultiInterestEncoder want, MultiInterestEncoder got, double rel, String what) {
        List<Param> pw = want.params().all(), pg = got.params().all();
        double global = 0;
        for (Param w : pw) for (float v : GradCheck.denseGrad(w)) global = Math.max(global, Math.abs(v));
        for (int i = 0; i < pw.size(); i++) {
            Param w = pw.get(i), g = pg.get(i);
            float[] a = GradCheck.denseGrad(w), b = GradCheck.denseGrad(g);
            if (w.isRowSparse()) assertEquals(touched(w), touched(g), what + ": rows touched in " + w.name);
            double scale = 0, err = 0;
            for (int j = 0; j < a.length; j++) {
                scale = Math.max(scale, Math.abs(a[j]));
                err = Math.max(err, Math.abs(a[j] - b[j]));
            }
            assertTrue(scale > 0, what + ": " + w.name + " has a gradient");
            double tol = rel * (scale > 1e-5 * global ? scale : global);
            assertTrue(err <= tol, what + ": " + w.name + " differs by " + err + " of " + scale + " (largest of all " + global + ")");
        }
    }

    private static List<Integer> touched(Param p) {
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < p.rowGrads.count(); i++) rows.add(p.rowGrads.row(i));
        rows.sort(null);
        return rows;
    }
}
