package org.re4j.train;

import org.re4j.config.TrainConfig;
import org.re4j.data.Batch;
import org.re4j.model.MultiInterestEncoder;

/**
 * One training step as {@link Trainer} runs it, and as {@code re4j bench step} times it: the encoder's forward, the
 * sampled-softmax loss and its gradient on the interests, the encoder's backward (with any backward flows inside),
 * and one Adam update.
 */
public final class TrainStep {

    private final MultiInterestEncoder model;
    private final SampledSoftmax loss;
    private final Adam adam;
    private final float[] dz;

    public TrainStep(MultiInterestEncoder model, TrainConfig cfg) {
        this.model = model;
        this.loss = new SampledSoftmax(NegativeSampler.of(cfg.sampler(), model.numItems()), cfg.negativeCount(),
                cfg.logQ(), cfg.exclude() == TrainConfig.NegativeExclusion.BATCH_TARGETS, cfg.seed() + 1,
                model.trainingReadoutPower());
        this.adam = new Adam(cfg.adam(), model.params().all());
        this.dz = new float[cfg.batchSize() * model.numInterests() * model.dim()];
    }

    /** Runs the step on a batch; returns the recommendation loss (mean over the batch). */
    public float run(Batch batch) {
        float[] z = model.forward(batch.items, batch.lengths, batch.size);
        float l = loss.loss(z, batch.size, model.numInterests(), model.dim(), batch.targets, model.itemEmbeddings(), dz);
        model.backward(dz);
        adam.step();
        return l;
    }

    /** True when the catalogue is small enough that the loss is the exact softmax over all items. */
    public boolean fullSoftmax() {
        return loss.isFullSoftmax();
    }
}
