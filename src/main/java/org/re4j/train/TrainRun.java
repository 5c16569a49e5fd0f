package org.re4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.Evaluator;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.io.Provenance;
import org.re4j.model.Fittable;
import org.re4j.model.ModelConfig;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Recommender;

/**
 * One training run under the ComiRec protocol, from a loaded dataset to a model directory: split the users 8:1:1,
 * build the held-out histories/targets, train (gradient steps for an encoder, one counting pass for POP), evaluate,
 * and write {@code model.safetensors}, {@code items.txt}, {@code config.json}, {@code log.jsonl} and
 * {@code metrics.json} into the output directory.
 */
public final class TrainRun {

    /**
     * What to train: a model config of any family (its type names the family, see {@link Models#familyOf}) and the
     * training settings.
     */
    public record Spec(Record modelConfig, TrainConfig train) {
        public ModelFamily<?> family() {
            return Models.familyOf(modelConfig);
        }
    }

    /**
     * How to run, besides what: none of it changes the result.
     *
     * @param progress    show a progress bar
     * @param evalThreads threads of the evaluations
     * @param extraConfig extra entries for config.json (data spec, command line, preset)
     */
    public record Options(boolean progress, int evalThreads, Map<String, Object> extraConfig) {
        public Options {
            if (evalThreads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + evalThreads);
            extraConfig = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraConfig)); // in the caller's order
        }

        /** No progress bar, every core, nothing extra. */
        public static Options quiet() {
            return new Options(false, Runtime.getRuntime().availableProcessors(), Map.of());
        }
    }

    /** The trained model and the content of metrics.json. */
    public record Outcome(Recommender model, Map<String, Object> metrics) {}

    public static final String METRICS = "metrics.json", LOG = "log.jsonl";

    private TrainRun() {}

    /** {@link #run(Spec, Dataset, Path, Options)} without a progress bar, on every core. */
    public static Outcome run(Spec spec, Dataset data, Path out) throws IOException {
        return run(spec, data, out, Options.quiet());
    }

    /** @param out output directory (created), or null to write nothing */
    public static Outcome run(Spec spec, Dataset data, Path out, Options options) throws IOException {
        TrainConfig train = spec.train().resolved();
        ModelFamily<?> family = spec.family();
        Split split = Split.comirec(data.numUsers(), train.seed());
        EvalSet valid = data.evalSet(split.valid(), train.historyFraction());
        EvalSet test = data.evalSet(split.test(), train.historyFraction());
        if (valid.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("dataset " + data.name + " is too small: " + valid.size() + " valid and "
                    + test.size() + " test users with a history and a target (need ≥ 1 each; use ≥ 20 users)");
        }
        ModelConfig mc = (ModelConfig) spec.modelConfig();
        if (mc.numItems() != data.numItems()) {
            throw new IllegalArgumentException("the model config is for " + mc.numItems() + " items, the data has " + data.numItems());
        }
        MemoryCheck.requireModel(mc.numItems(), mc.dim(), train.adam().lazy());
        Recommender model = family.create(spec.modelConfig(), train.seed());
        if (out != null) Files.createDirectories(out);

        Map<String, Object> trainInfo = new LinkedHashMap<>();
        Map<String, Double> validMetrics, testMetrics;
        long start = System.nanoTime();
        if (model instanceof MultiInterestEncoder enc) {
            Trainer.Result r = new Trainer(train, options.progress(), options.evalThreads())
                    .fit(enc, data, split.train(), valid, test, out == null ? null : out.resolve(LOG));
            validMetrics = r.valid();
            testMetrics = r.test();
            trainInfo.put("steps", r.steps());
            trainInfo.put("best_step", r.bestStep());
            trainInfo.put("seconds", r.trainSeconds());
            trainInfo.put("total_seconds", r.totalSeconds());
            trainInfo.put("ms_per_step", r.msPerStep());
            trainInfo.put("adam", train.adam().updates().id());
        } else if (model instanceof Fittable f) {
            f.fit(data, split.train());
            EvalOptions eo = new EvalOptions(50, train.excludeHistory(), options.evalThreads(), 256);
            validMetrics = Evaluator.evaluate(model, valid, eo).metrics();
            testMetrics = Evaluator.evaluate(model, test, eo).metrics();
            trainInfo.put("steps", 0);
            trainInfo.put("seconds", (System.nanoTime() - start) / 1e9);
            trainInfo.put("ms_per_step", 0.0);
        } else {
            throw new IllegalStateException(family.name() + " is neither trained nor fitted");
        }
        trainInfo.put("seed", train.seed());

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", family.name());
        metrics.put("dataset", data.name);
        metrics.put("test", testMetrics);
        metrics.put("valid", validMetrics);
        metrics.put("train", trainInfo);
        Map<String, Integer> users = new LinkedHashMap<>(); // a fixed order: the same run writes the same file
        users.put("train", split.train().length);
        users.put("valid", valid.size());
        users.put("test", test.size());
        metrics.put("users", users);
        metrics.put("provenance", Provenance.current());

        if (out != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("model", family.name());
            c.put("model_config", spec.modelConfig());
            c.put("num_items", data.numItems());
            c.put("train_config", train);
            c.putAll(options.extraConfig());
            ModelDir.save(out, model.params(), data.itemIds, c);
            AtomicFiles.writeString(out.resolve(METRICS), ModelDir.JSON.writeValueAsString(metrics));
        }
        return new Outcome(model, metrics);
    }
}
