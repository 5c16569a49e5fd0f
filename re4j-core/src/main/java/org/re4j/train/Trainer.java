package org.re4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import org.re4j.config.TrainConfig;
import org.re4j.data.Batch;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.TrainSampler;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.EvalResult;
import org.re4j.eval.Evaluator;
import org.re4j.math.Rng;
import org.re4j.model.MultiInterestEncoder;

/**
 * ComiRec's training protocol: random (user, cut) samples, one Adam step per batch, an evaluation on the validation
 * users every {@code evalEvery} steps, early stopping on valid Recall@50 with a patience, and the best parameters
 * restored at the end. The test users are evaluated once, after model selection.
 */
public final class Trainer {

    /**
     * What a run produced; metrics maps use the keys of {@link org.re4j.eval.RankingMetrics}. {@code test} is the
     * selected model's evaluation of the test users, with its per-user values (null when they were not evaluated).
     */
    public record Result(Map<String, Double> valid, EvalResult test, long steps, long bestStep,
                         double trainSeconds, double msPerStep, double totalSeconds, double finalEvalSeconds,
                         boolean paused) {}

    /**
     * Checkpoints of a run: every {@code every} steps the whole training state is written to {@code file}
     * ({@link Checkpoint}); with {@code resume} the run starts from the one there, truncating the log back to it.
     * With {@code pauseAt} > 0 the run also writes one at that step and stops there, unfinished ({@link Result#paused}):
     * a search continues only the runs worth continuing, and each ends as it would have without the pause.
     */
    public record Checkpoints(Path file, int every, boolean resume, long pauseAt) {
        public Checkpoints {
            if (every < 0) throw new IllegalArgumentException("checkpoint-every must be ≥ 0, got " + every);
            if (pauseAt < 0) throw new IllegalArgumentException("pause-at must be ≥ 0, got " + pauseAt);
        }

        public Checkpoints(Path file, int every, boolean resume) {
            this(file, every, resume, 0);
        }

        public static final Checkpoints NONE = new Checkpoints(null, 0, false);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Told of every evaluation during training, after the model was evaluated on the selection users (measurements). */
    public interface Observer {
        void evaluated(long step, MultiInterestEncoder model);
    }

    private final TrainConfig cfg;
    private final boolean progress;
    private final int evalThreads;
    private Observer observer = (step, model) -> {};

    /**
     * @param progress    show a progress bar
     * @param evalThreads threads of the validation and test evaluations
     */
    public Trainer(TrainConfig cfg, boolean progress, int evalThreads) {
        this.cfg = cfg;
        this.progress = progress;
        this.evalThreads = evalThreads;
    }

    /** This trainer, telling {@code o} of every evaluation. */
    public Trainer observing(Observer o) {
        this.observer = o;
        return this;
    }

    /**
     * Trains {@code model} on the training users and returns valid/test metrics of the best parameters.
     *
     * @param test the test users, or null for a run whose test users are not to be evaluated (a search's trials)
     * @param log where one JSON line per evaluation is written (created or replaced), or null
     */
    public Result fit(MultiInterestEncoder model, Dataset data, int[] trainUsers, EvalSet valid, EvalSet test, Path log) {
        return fit(model, data, trainUsers, valid, test, log, Checkpoints.NONE);
    }

    /** The same, writing checkpoints or resuming from one as {@code checkpoints} says. */
    public Result fit(MultiInterestEncoder model, Dataset data, int[] trainUsers, EvalSet valid, EvalSet test, Path log,
                      Checkpoints checkpoints) {
        long start = System.nanoTime();
        TrainSampler sampler = new TrainSampler(data, trainUsers, cfg.samples(), cfg.seed());
        TrainStep trainStep = new TrainStep(model, cfg);
        EvalOptions evalOptions = new EvalOptions(50, cfg.excludeHistory(), evalThreads, 256);
        Batch batch = new Batch(cfg.batchSize(), model.maxLen());
        EvalSet selection = subset(valid, cfg.validUsers(), cfg.seed()); // what model selection evaluates while training

        List<float[]> best = model.params().snapshot();
        double bestRecall = Double.NEGATIVE_INFINITY;
        long bestStep = 0;
        int sinceBest = 0;
        long trainNanos = 0;
        double lossSum = 0;
        int lossCount = 0;
        long step = 0;
        boolean resumed = checkpoints.resume();
        if (resumed) {
            try {
                Checkpoint.Loop c = Checkpoint.read(checkpoints.file(), model, best, trainStep, sampler);
                step = c.step();
                bestRecall = c.bestRecall();
                bestStep = c.bestStep();
                sinceBest = c.sinceBest();
                trainNanos = c.trainNanos();
                lossSum = c.lossSum();
                lossCount = c.lossCount();
                if (log != null) truncate(log, c.logBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
            System.err.printf("re4j: resuming at step %,d of %,d (best valid recall@50 %.4f at step %,d)%n",
                    step, cfg.steps(), bestRecall, bestStep);
        }

        try (Writer out = log == null ? Writer.nullWriter() : resumed
                ? Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.APPEND)
                : Files.newBufferedWriter(log, StandardCharsets.UTF_8);
             ProgressBar bar = progress ? progressBar() : null) {
            if (bar != null) bar.stepTo(step);
            boolean stop = sinceBest >= cfg.patience(); // a checkpoint taken as patience ran out: nothing left to train
            while (step < cfg.steps() && !stop) {
                long t0 = System.nanoTime();
                sampler.next(batch);
                float l = trainStep.run(batch);
                if (!Float.isFinite(l)) {
                    throw new IllegalStateException("loss became " + l + " at step " + (step + 1) + ": lower the learning rate");
                }
                trainNanos += System.nanoTime() - t0;
                step++;
                lossSum += l;
                lossCount++;
                if (bar != null) bar.step();

                if (step % cfg.evalEvery() == 0 || step == cfg.steps()) {
                    EvalResult r = Evaluator.evaluate(model, selection, evalOptions);
                    double recall = r.metrics().get("recall@50");
                    boolean improved = recall > bestRecall;
                    if (improved) {
                        bestRecall = recall;
                        bestStep = step;
                        sinceBest = 0;
                        model.params().snapshotInto(best);
                    } else {
                        sinceBest++;
                    }
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("loss", lossSum / lossCount);
                    Map<String, Double> flows = model.lastFlowLosses(); // λ-weighted, of the last step
                    if (!flows.isEmpty()) line.put("flow_losses", flows);
                    line.put("train_seconds", trainNanos / 1e9);
                    line.put("ms_per_step", trainNanos / 1e6 / step);
                    line.put("eval_seconds", r.seconds());
                    line.put("valid", r.metrics());
                    if (selection != valid) line.put("valid_users", selection.size());
                    if (cfg.logTestMetrics() && test != null) line.put("test", Evaluator.evaluate(model, test, evalOptions).metrics());
                    observer.evaluated(step, model);
                    line.put("best", improved);
                    out.write(JSON.writeValueAsString(line));
                    out.write('\n');
                    out.flush();
                    if (bar != null) {
                        bar.setExtraMessage(String.format(" loss %.3f  valid R@50 %.4f (best %.4f @%d)",
                                lossSum / lossCount, recall, bestRecall, bestStep));
                    }
                    lossSum = 0;
                    lossCount = 0;
                    stop = sinceBest >= cfg.patience();
                }
                boolean pause = step == checkpoints.pauseAt() && step < cfg.steps() && !stop;
                if ((pause || checkpoints.every() > 0 && step % checkpoints.every() == 0) && step < cfg.steps() && !stop) {
                    out.flush();
                    long logBytes = log == null ? 0 : Files.size(log);
                    try {
                        Checkpoint.write(checkpoints.file(), new Checkpoint.Loop(step, bestRecall, bestStep, sinceBest,
                                trainNanos, lossSum, lossCount, logBytes), model, best, trainStep, sampler);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write checkpoint " + checkpoints.file() + ": " + e.getMessage(), e);
                    }
                    // As a kill right after this checkpoint would (the resume test): -Dre4j.crashAt=checkpoint-STEP.
                    if (("checkpoint-" + step).equals(System.getProperty("re4j.crashAt"))) Runtime.getRuntime().halt(86);
                }
                if (pause) {
                    System.err.printf("re4j: paused at step %,d of %,d (best valid recall@50 %.4f at step %,d)%n",
                            step, cfg.steps(), bestRecall, bestStep);
                    return new Result(null, null, step, bestStep, trainNanos / 1e9, trainNanos / 1e6 / step,
                            (System.nanoTime() - start) / 1e9, 0, true);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training log " + log, e);
        }

        model.params().restore(best);
        long e0 = System.nanoTime();
        Map<String, Double> validMetrics = Evaluator.evaluate(model, valid, evalOptions).metrics();
        EvalResult testResult = test == null ? null : Evaluator.evaluate(model, test, evalOptions);
        double trainSeconds = trainNanos / 1e9;
        long end = System.nanoTime();
        return new Result(validMetrics, testResult, step, bestStep, trainSeconds,
                step == 0 ? 0 : trainNanos / 1e6 / step, (end - start) / 1e9, (end - e0) / 1e9, false);
    }

    /**
     * A fixed random subset of {@code n} of the valid users (in their order), or {@code valid} itself when n is null or
     * not smaller: the same users at every evaluation, chosen from the seed alone.
     */
    static EvalSet subset(EvalSet valid, Integer n, long seed) {
        if (n == null || n >= valid.size()) return valid;
        int[] idx = new int[valid.size()];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        new Rng(seed ^ 0x76616C6964L).sample(idx, n); // "valid": a stream of its own, apart from the sampler's
        int[] pick = java.util.Arrays.copyOf(idx, n);
        java.util.Arrays.sort(pick);
        int[] users = new int[n];
        int[][] h = new int[n][], t = new int[n][];
        for (int i = 0; i < n; i++) {
            users[i] = valid.users()[pick[i]];
            h[i] = valid.histories()[pick[i]];
            t[i] = valid.targets()[pick[i]];
        }
        return new EvalSet(users, h, t);
    }

    /** Cuts the log back to what it held at the checkpoint: the lines after it are written again. */
    private static void truncate(Path log, long bytes) throws IOException {
        if (!Files.exists(log)) {
            if (bytes == 0) return;
            throw new IOException(log + " is missing: the checkpoint was written with " + bytes + " bytes of it");
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
            if (ch.size() < bytes) throw new IOException(log + " is shorter (" + ch.size() + " bytes) than at the checkpoint (" + bytes + ")");
            ch.truncate(bytes);
        }
    }

    private ProgressBar progressBar() {
        return new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(cfg.steps())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(1000)
                .showSpeed()
                .setUnit(" steps", 1)
                .build();
    }
}
