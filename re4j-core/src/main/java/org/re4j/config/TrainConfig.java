package org.re4j.config;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonValue;

import org.re4j.math.Parallel;

/**
 * Everything that steers a training run besides the model's shape: optimisation, sampling, the protocol's model
 * selection and the seed. {@link #comirec()} is ComiRec's; change it with the {@code with...} methods.
 *
 * @param steps           step cap (early stopping may end sooner)
 * @param batchSize       users per step (128)
 * @param adam            optimiser settings (lr 1e-3, lazy sparse updates)
 * @param negatives       negatives shared by the batch; null means 10 × the batch size (ComiRec's)
 * @param sampler         how negatives are drawn
 * @param logQ            logQ correction of the sampled softmax (ComiRec: on)
 * @param exclude         which targets a row's negatives leave out
 * @param samples         how training samples are drawn from the training users
 * @param evalEvery       steps between evaluations on the validation users (1,000)
 * @param patience        evaluations without a better valid Recall@50 before stopping (50)
 * @param historyFraction share of a held-out user's behaviours used as history; the rest are targets (0.8)
 * @param excludeHistory  drop history items from the ranking (ComiRec: no)
 * @param logTestMetrics  also evaluate the test users at every evaluation and log them (learning curves such as the
 *                        paper's Figure 3); never used to select the model
 * @param seed            seeds the user split and every random choice of the run
 * @param workers         threads that each run forward and backward on their part of every batch (a data-parallel
 *                        step); null means every core. One is the step parallelised inside its kernels instead. The
 *                        count changes the order of float sums, so a run's config records it
 * @param validUsers      evaluate a fixed random subset of this many valid users during training (null: all); the
 *                        selected model is then evaluated on every valid and test user. Evaluations of a large
 *                        catalogue's valid users can otherwise cost more than the training between them
 */
public record TrainConfig(long steps, int batchSize, AdamConfig adam, Integer negatives, Sampler sampler, boolean logQ,
                          NegativeExclusion exclude, SampleMode samples, int evalEvery, int patience, double historyFraction,
                          boolean excludeHistory, boolean logTestMetrics, long seed, Integer workers, Integer validUsers) {

    /** Negative sampling distribution of the sampled softmax. */
    public enum Sampler {
        /** Log-uniform (Zipfian) over popularity-ranked ids, as ComiRec's TensorFlow sampler. */
        LOG_UNIFORM("log-uniform"),
        UNIFORM("uniform");

        private final String id;

        Sampler(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** Which targets the sampled negatives leave out. */
    public enum NegativeExclusion {
        /** A negative equal to the row's own target is removed (accidental hit, as TensorFlow's sampled softmax). */
        OWN_TARGET("own-target"),
        /** Negatives are drawn outside every target of the batch (the Re4 authors' script). */
        BATCH_TARGETS("batch-targets");

        private final String id;

        NegativeExclusion(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** How (history, target) samples are drawn from the training users. */
    public enum SampleMode {
        /** ComiRec: a random training user and a random cut point per sample. */
        RANDOM_CUT("random-cut"),
        /** The Re4 authors' code: every prefix of every training user, shuffled once, visited in epochs. */
        PREFIXES("prefixes");

        private final String id;

        SampleMode(String id) {
            this.id = id;
        }

        @JsonValue
        public String id() {
            return id;
        }
    }

    /** ComiRec's negatives per user of the batch, when {@link #negatives} is not set. */
    public static final int NEGATIVES_PER_USER = 10;

    public TrainConfig {
        if (steps < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + steps);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        if (adam == null) throw new IllegalArgumentException("adam settings are required");
        if (negatives != null && negatives < 1) throw new IllegalArgumentException("negatives must be ≥ 1, got " + negatives);
        if (sampler == null) throw new IllegalArgumentException("sampler must be log-uniform or uniform");
        if (exclude == null) throw new IllegalArgumentException("negatives' exclusion must be own-target or batch-targets");
        if (samples == null) throw new IllegalArgumentException("samples must be random-cut or prefixes");
        if (evalEvery < 1) throw new IllegalArgumentException("eval-every must be ≥ 1, got " + evalEvery);
        if (patience < 1) throw new IllegalArgumentException("patience must be ≥ 1, got " + patience);
        if (!(historyFraction > 0 && historyFraction < 1)) {
            throw new IllegalArgumentException("history-fraction must be in (0, 1), got " + historyFraction);
        }
        if (workers != null && workers < 1) throw new IllegalArgumentException("workers must be ≥ 1, got " + workers);
        if (validUsers != null && validUsers < 1) throw new IllegalArgumentException("valid-users must be ≥ 1, got " + validUsers);
    }

    /** ComiRec's protocol and optimiser: 100,000 steps at most, batch 128, Adam lr 1e-3, 1,280 log-uniform negatives. */
    public static TrainConfig comirec() {
        return new TrainConfig(100_000, 128, AdamConfig.defaults(1e-3), null, Sampler.LOG_UNIFORM, true,
                NegativeExclusion.OWN_TARGET, SampleMode.RANDOM_CUT, 1000, 50, 0.8, false, false, 1230, null, null);
    }

    /** The negatives a step draws: {@link #negatives} or 10 × the batch size. */
    public int negativeCount() {
        return negatives != null ? negatives : NEGATIVES_PER_USER * batchSize;
    }

    /** The workers of a step: {@link #workers}, or one per core ({@link Parallel#threads()}). */
    public int workerCount() {
        return workers != null ? workers : Parallel.threads();
    }

    /** This config with the negatives and the workers written out, as config.json records it. */
    public TrainConfig resolved() {
        return withNegatives(negativeCount()).withWorkers(workerCount());
    }

    /** The flags of these settings (training runs, {@code --config} files and presets go through them). */
    public static final List<Setting> SETTINGS = List.of(
            Setting.of("--steps", "steps", Long.class, "Step cap; early stopping may end sooner."),
            Setting.of("--batch-size", "batchSize", Integer.class, "Users per step."),
            Setting.of("--lr", "adam.lr", Double.class, "Adam learning rate."),
            Setting.of("--beta1", "adam.beta1", Double.class, "Adam β1."),
            Setting.of("--beta2", "adam.beta2", Double.class, "Adam β2."),
            Setting.of("--eps", "adam.eps", Double.class, "Adam ε."),
            Setting.of("--weight-decay", "adam.weightDecay", Double.class, "L2 weight decay added to the gradient."),
            Setting.of("--adam", "adam.updates", AdamConfig.Updates.class,
                    "lazy: update only the embedding rows a step touched; dense: every row every step (exact Adam)."),
            new Setting("--negatives", "negatives", Integer.class, "Negatives shared by the batch.", "10 × batch size"),
            Setting.of("--sampler", "sampler", Sampler.class, "Negative sampling: log-uniform (ComiRec) or uniform."),
            Setting.of("--logq", "logQ", Boolean.class, "logQ correction of the sampled softmax."),
            Setting.of("--exclude-from-negatives", "exclude", NegativeExclusion.class,
                    "own-target: a row's own target is no negative (ComiRec); batch-targets: no target of the batch is (the Re4 authors)."),
            Setting.of("--samples", "samples", SampleMode.class,
                    "random-cut (ComiRec: random user, random cut in [4, len)) or prefixes (Re4 authors: every prefix, in epochs)."),
            Setting.of("--eval-every", "evalEvery", Integer.class, "Steps between validation evaluations."),
            Setting.of("--patience", "patience", Integer.class, "Evaluations without a better valid Recall@50 before stopping."),
            Setting.of("--history-fraction", "historyFraction", Double.class,
                    "Share of a held-out user's behaviours used as history; the rest are targets."),
            Setting.of("--exclude-history", "excludeHistory", Boolean.class, "Drop history items from the ranking (ComiRec keeps them)."),
            Setting.of("--log-test-metrics", "logTestMetrics", Boolean.class,
                    "Also evaluate the test users at every evaluation, into log.jsonl (learning curves; never used for model selection)."),
            Setting.of("--seed", "seed", Long.class, "Seed for the split, initialisation and sampling."),
            new Setting("--workers", "workers", Integer.class, "Threads that each run forward and backward on their part "
                    + "of every batch; 1: one thread, the step's kernels parallelised inside (the count changes the "
                    + "order of float sums).", "all cores"),
            new Setting("--valid-users", "validUsers", Integer.class, "Evaluate a fixed random subset of this many valid "
                    + "users during training; the selected model is then evaluated on all valid and test users.", "all"));

    /** The settings that shape one training step (what {@code bench step} takes). */
    public static final List<String> STEP_FLAGS = List.of("--batch-size", "--lr", "--beta1", "--beta2", "--eps",
            "--weight-decay", "--adam", "--negatives", "--sampler", "--logq", "--exclude-from-negatives");

    public TrainConfig withSteps(long v) { return new TrainConfig(v, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withBatchSize(int v) { return new TrainConfig(steps, v, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withAdam(AdamConfig v) { return new TrainConfig(steps, batchSize, v, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withNegatives(Integer v) { return new TrainConfig(steps, batchSize, adam, v, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withSampler(Sampler v) { return new TrainConfig(steps, batchSize, adam, negatives, v, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withLogQ(boolean v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, v, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withExclude(NegativeExclusion v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, v, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withSamples(SampleMode v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, v, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withEvalEvery(int v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, v, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withPatience(int v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, v, historyFraction, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withHistoryFraction(double v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, v, excludeHistory, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withExcludeHistory(boolean v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, v, logTestMetrics, seed, workers, validUsers); }
    public TrainConfig withLogTestMetrics(boolean v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, v, seed, workers, validUsers); }
    public TrainConfig withSeed(long v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, v, workers, validUsers); }
    public TrainConfig withValidUsers(Integer v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, workers, v); }
    public TrainConfig withWorkers(Integer v) { return new TrainConfig(steps, batchSize, adam, negatives, sampler, logQ, exclude, samples, evalEvery, patience, historyFraction, excludeHistory, logTestMetrics, seed, v, validUsers); }
}
