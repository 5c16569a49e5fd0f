package org.re4j.cli;

import picocli.CommandLine.Option;

import org.re4j.train.Adam;
import org.re4j.train.TrainConfig;

/** Optimisation, sampling and model selection. Defaults are ComiRec's. */
public final class TrainOptions {

    @Option(names = "--steps", defaultValue = "100000", description = "Step cap; early stopping may end sooner (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch-size", defaultValue = "128", description = "Users per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--lr", defaultValue = "0.001", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--beta1", defaultValue = "0.9") double beta1;
    @Option(names = "--beta2", defaultValue = "0.999") double beta2;
    @Option(names = "--eps", defaultValue = "1e-8") double eps;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 weight decay added to the gradient (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--dense-adam", description = "Update every embedding row every step (exact dense Adam) instead of lazy sparse updates.")
    boolean denseAdam;

    @Option(names = "--negatives", description = "Negatives shared by the batch (default: 10 × batch size).")
    Integer negatives;

    @Option(names = "--sampler", defaultValue = "log-uniform", description = "log-uniform (ComiRec) or uniform (default: ${DEFAULT-VALUE}).")
    String sampler;

    @Option(names = "--logq", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "logQ correction of the sampled softmax (default: on).")
    boolean logQ;

    @Option(names = "--eval-every", defaultValue = "1000", description = "Steps between validation evaluations (default: ${DEFAULT-VALUE}).")
    int evalEvery;

    @Option(names = "--patience", defaultValue = "50", description = "Evaluations without a better valid Recall@50 before stopping (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--seed", defaultValue = "1230", description = "Seed for the split, initialisation and sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--exclude-history", description = "Drop history items from the ranking (ComiRec keeps them).")
    boolean excludeHistory;

    @Option(names = "--threads", description = "Evaluation threads (default: all cores).")
    Integer threads;

    @Option(names = "--samples", defaultValue = "random-cut",
            description = "random-cut (ComiRec: random user, random cut in [4, len)) or prefixes (Re4 authors: every prefix, in epochs).")
    String samples;

    @Option(names = "--log-test-metrics",
            description = "Also evaluate the test users at every evaluation, into log.jsonl (learning curves; never used for model selection).")
    boolean logTest;

    @Option(names = "--history-fraction", defaultValue = "0.8",
            description = "Share of a held-out user's behaviours used as history; the rest are targets (default: ${DEFAULT-VALUE}).")
    double historyFraction;

    TrainConfig toConfig() {
        if (!(historyFraction > 0 && historyFraction < 1)) {
            throw new IllegalArgumentException("--history-fraction must be in (0, 1), got " + historyFraction);
        }
        Adam.Settings adam = new Adam.Settings(lr, beta1, beta2, eps, weightDecay, !denseAdam);
        int neg = negatives != null ? negatives : 10 * batchSize;
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        return new TrainConfig(batchSize, steps, adam, neg, sampler, logQ, evalEvery, patience, seed, excludeHistory, t, samples, logTest);
    }
}
