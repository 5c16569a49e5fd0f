package org.re4j.train;

import java.util.ArrayList;
import java.util.List;

import org.re4j.config.TrainConfig;
import org.re4j.data.Batch;
import org.re4j.math.Parallel;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.ParamSet;

/**
 * One training step as {@link Trainer} runs it, and as {@code re4j bench step} times it: the encoder's forward, the
 * sampled-softmax loss and its gradient on the interests, the encoder's backward (with any backward flows inside),
 * and one Adam update.
 *
 * <p><b>Workers.</b> With one worker ({@link TrainConfig#workers}) the step runs on the calling thread and its kernels
 * spread their loops over the cores ({@link Parallel}). With W &gt; 1 the step is data-parallel: the batch is cut
 * into W contiguous parts, and each worker (the model itself for the first part, {@link MultiInterestEncoder#replica
 * replicas} for the others) runs forward, loss and backward on its part on a thread of its own, its kernels serial
 * inside it, into gradients of its own. What the loss and the flows take from the whole batch stays batch-wide: the
 * negatives are drawn once for the batch (each worker's loss draws the same ones from a stream seeded alike, outside
 * the whole batch's targets when asked), every part's gradient is its share of the batch mean, and an encoder that
 * {@linkplain MultiInterestEncoder#sharesBatch needs the whole batch in its backward} is told it between the
 * forwards and the backwards. The workers' gradients are then added into the model's in worker order, and one Adam
 * update follows. Results are the same from run to run for a given W; W changes the order of float sums only. An
 * encoder without replicas trains on one worker.
 */
public final class TrainStep {

    private final MultiInterestEncoder model;
    private final SampledSoftmax loss;
    private final Adam adam;
    private final float[] dz;
    private final Worker[] workers; // null: one worker, the step as the calling thread runs it

    public TrainStep(MultiInterestEncoder model, TrainConfig cfg) {
        this.model = model;
        this.loss = softmax(model, cfg);
        this.adam = new Adam(cfg.adam(), model.params().all());
        this.dz = new float[cfg.batchSize() * model.numInterests() * model.dim()];
        int n = Math.min(cfg.workerCount(), cfg.batchSize());
        Worker[] w = n > 1 ? new Worker[n] : null;
        for (int i = 0; w != null && i < n; i++) {
            MultiInterestEncoder m = i == 0 ? model : model.replica();
            if (m == null) {
                w = null; // this encoder trains on one worker
                break;
            }
            w[i] = new Worker(m, i == 0 ? loss : softmax(model, cfg));
        }
        this.workers = w;
    }

    /** The sampled softmax of every worker alike: the same seed, so each draws the same negatives at every step. */
    private static SampledSoftmax softmax(MultiInterestEncoder model, TrainConfig cfg) {
        return new SampledSoftmax(NegativeSampler.of(cfg.sampler(), model.numItems()), cfg.negativeCount(),
                cfg.logQ(), cfg.exclude() == TrainConfig.NegativeExclusion.BATCH_TARGETS, cfg.seed() + 1,
                model.trainingReadoutPower());
    }

    /** Runs the step on a batch; returns the recommendation loss (mean over the batch). */
    public float run(Batch batch) {
        float l = gradients(batch);
        adam.step();
        return l;
    }

    /**
     * The step without its update: forward, loss and backward, the batch's gradients left in the model's parameters
     * (as the update reads them). Returns the recommendation loss (mean over the batch).
     */
    public float gradients(Batch batch) {
        if (workers == null) {
            float[] z = model.forward(batch.items, batch.lengths, batch.size);
            float l = loss.loss(z, batch.size, model.numInterests(), model.dim(), batch.targets, model.itemEmbeddings(), dz);
            model.backward(dz);
            return l;
        }
        final int n = Math.min(workers.length, batch.size);
        for (int w = 0; w < n; w++) workers[w].take(batch, batch.size * w / n, batch.size * (w + 1) / n);
        final boolean share = model.sharesBatch();
        Parallel.forRange(n, 1, (from, to) -> {
            for (int w = from; w < to; w++) {
                workers[w].forward(batch);
                if (!share) workers[w].model.backward(workers[w].dz);
            }
        });
        if (share) {
            List<MultiInterestEncoder> parts = new ArrayList<>(n);
            for (int w = 0; w < n; w++) parts.add(workers[w].model);
            model.shareBatch(parts);
            Parallel.forRange(n, 1, (from, to) -> {
                for (int w = from; w < to; w++) workers[w].model.backward(workers[w].dz);
            });
        }
        List<ParamSet> replicas = new ArrayList<>(n - 1);
        for (int w = 1; w < n; w++) replicas.add(workers[w].model.params());
        model.params().addGradients(replicas);
        float l = 0;
        for (int w = 0; w < n; w++) l += workers[w].loss;
        return l;
    }

    /** The optimiser, whose moments and step count a checkpoint saves. */
    public Adam optimiser() {
        return adam;
    }

    /** The negatives' random state (every worker's loss draws the same stream), for a checkpoint. */
    public long lossRandomState() {
        return loss.randomState();
    }

    public void restoreLossRandomState(long state) {
        loss.restoreRandomState(state);
        if (workers != null) for (Worker w : workers) w.softmax.restoreRandomState(state);
    }

    /** The workers a step runs on (1 when the step is not data-parallel). */
    public int workers() {
        return workers == null ? 1 : workers.length;
    }

    /** True when the catalogue is small enough that the loss is the exact softmax over all items. */
    public boolean fullSoftmax() {
        return loss.isFullSoftmax();
    }

    /** One worker of a data-parallel step: its encoder, its loss, and its part of the batch. */
    private static final class Worker {
        final MultiInterestEncoder model;
        final SampledSoftmax softmax;
        int[] items = new int[0], lengths = new int[0], targets = new int[0];
        float[] dz = new float[0];
        int count;
        float loss;

        Worker(MultiInterestEncoder model, SampledSoftmax softmax) {
            this.model = model;
            this.softmax = softmax;
        }

        /** Copies rows [from, to) of the batch: the encoders keep the histories they ran forward on for backward. */
        void take(Batch b, int from, int to) {
            count = to - from;
            if (lengths.length < count) {
                lengths = new int[count];
                targets = new int[count];
                dz = new float[count * model.numInterests() * model.dim()];
            }
            if (items.length < count * b.maxLen) items = new int[count * b.maxLen];
            System.arraycopy(b.items, from * b.maxLen, items, 0, count * b.maxLen);
            System.arraycopy(b.lengths, from, lengths, 0, count);
            System.arraycopy(b.targets, from, targets, 0, count);
        }

        void forward(Batch b) {
            float[] z = model.forward(items, lengths, count);
            loss = softmax.loss(z, count, model.numInterests(), model.dim(), targets, model.itemEmbeddings(), dz,
                    b.targets, b.size);
        }
    }
}
