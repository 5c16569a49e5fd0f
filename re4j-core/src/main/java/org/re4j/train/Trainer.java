package org.re4j.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.re4j.model.MultiInterestEncoder;

/**
 * ComiRec's training protocol: random (user, cut) samples, one Adam step per batch, an evaluation on the validation
 * users every {@code evalEvery} steps, early stopping on valid Recall@50 with a patience, and the best parameters
 * restored at the end. The test users are evaluated once, after model selection.
 */
public final class Trainer {

    /** What a run produced; metrics maps use the keys of {@link org.re4j.eval.RankingMetrics}. */
    public record Result(Map<String, Double> valid, Map<String, Double> test, long steps, long bestStep,
                         double trainSeconds, double msPerStep, double totalSeconds) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TrainConfig cfg;
    private final boolean progress;
    private final int evalThreads;

    /**
     * @param progress    show a progress bar
     * @param evalThreads threads of the validation and test evaluations
     */
    public Trainer(TrainConfig cfg, boolean progress, int evalThreads) {
        this.cfg = cfg;
        this.progress = progress;
        this.evalThreads = evalThreads;
    }

    /**
     * Trains {@code model} on the training users and returns valid/test metrics of the best parameters.
     *
     * @param log where one JSON line per evaluation is written (created or replaced), or null
     */
    public Result fit(MultiInterestEncoder model, Dataset data, int[] trainUsers, EvalSet valid, EvalSet test, Path log) {
        long start = System.nanoTime();
        TrainSampler sampler = new TrainSampler(data, trainUsers, cfg.samples(), cfg.seed());
        TrainStep trainStep = new TrainStep(model, cfg);
        EvalOptions evalOptions = new EvalOptions(50, cfg.excludeHistory(), evalThreads, 256);
        Batch batch = new Batch(cfg.batchSize(), model.maxLen());

        List<float[]> best = model.params().snapshot();
        double bestRecall = Double.NEGATIVE_INFINITY;
        long bestStep = 0;
        int sinceBest = 0;
        long trainNanos = 0;
        double lossSum = 0;
        int lossCount = 0;
        long step = 0;

        try (Writer out = log == null ? Writer.nullWriter() : Files.newBufferedWriter(log, StandardCharsets.UTF_8);
             ProgressBar bar = progress ? progressBar() : null) {
            while (step < cfg.steps()) {
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
                    EvalResult r = Evaluator.evaluate(model, valid, evalOptions);
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
                    if (cfg.logTestMetrics()) line.put("test", Evaluator.evaluate(model, test, evalOptions).metrics());
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
                    if (sinceBest >= cfg.patience()) break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write training log " + log, e);
        }

        model.params().restore(best);
        Map<String, Double> validMetrics = Evaluator.evaluate(model, valid, evalOptions).metrics();
        Map<String, Double> testMetrics = Evaluator.evaluate(model, test, evalOptions).metrics();
        double trainSeconds = trainNanos / 1e9;
        return new Result(validMetrics, testMetrics, step, bestStep, trainSeconds,
                step == 0 ? 0 : trainNanos / 1e6 / step, (System.nanoTime() - start) / 1e9);
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
