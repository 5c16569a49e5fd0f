package org.re4j.train;

/**
 * Everything that steers a training run besides the model's shape. Defaults are ComiRec's.
 *
 * @param batchSize     users per step (128)
 * @param maxSteps      step cap (early stopping may end sooner)
 * @param adam          optimiser settings (lr 1e-3, lazy sparse updates)
 * @param negatives     negatives shared by the batch (10 × batch)
 * @param sampler       {@code log-uniform} (ComiRec) or {@code uniform}
 * @param logQ          logQ correction of the sampled softmax (ComiRec: on)
 * @param evalEvery     steps between evaluations on the validation users (1,000)
 * @param patience      evaluations without a better valid Recall@50 before stopping (50)
 * @param seed          seeds every random choice of the run
 * @param excludeHistory drop history items from the ranking (ComiRec: no)
 * @param evalThreads   threads for evaluation
 * @param samples       {@code random-cut} (ComiRec: a random user and cut point per sample) or {@code prefixes}
 *                      (the Re4 authors' code: every prefix of every training user, shuffled once, in epochs)
 * @param logTest       also evaluate the test users at every evaluation and log them (for learning curves such as the
 *                      paper's Figure 3); never used to select the model
 */
public record TrainConfig(int batchSize, long maxSteps, Adam.Settings adam, int negatives, String sampler,
                          boolean logQ, int evalEvery, int patience, long seed, boolean excludeHistory,
                          int evalThreads, String samples, boolean logTest) {

    public TrainConfig {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be ≥ 1, got " + batchSize);
        if (maxSteps < 0) throw new IllegalArgumentException("steps must be ≥ 0, got " + maxSteps);
        if (negatives < 1) throw new IllegalArgumentException("negatives must be ≥ 1, got " + negatives);
        if (evalEvery < 1) throw new IllegalArgumentException("eval-every must be ≥ 1, got " + evalEvery);
        if (patience < 1) throw new IllegalArgumentException("patience must be ≥ 1, got " + patience);
        if (evalThreads < 1) throw new IllegalArgumentException("eval threads must be ≥ 1, got " + evalThreads);
        if (!samples.equals("random-cut") && !samples.equals("prefixes")) {
            throw new IllegalArgumentException("--samples must be random-cut or prefixes, not '" + samples + "'");
        }
    }

    public static TrainConfig comirec(long maxSteps, long seed) {
        return new TrainConfig(128, maxSteps, Adam.Settings.defaults(1e-3), 1280, "log-uniform", true, 1000, 50,
                seed, false, Runtime.getRuntime().availableProcessors(), "random-cut", false);
    }
}
