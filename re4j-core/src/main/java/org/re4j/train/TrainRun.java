package org.re4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.EvalResult;
import org.re4j.eval.Evaluator;
import org.re4j.eval.UserRows;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.io.Provenance;
import org.re4j.io.SafeTensors;
import org.re4j.model.Fittable;
import org.re4j.model.ModelConfig;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Recommender;

/**
 * One training run under the ComiRec protocol, from a loaded dataset to a model directory: split the users 8:1:1,
 * build the held-out histories/targets, train (gradient steps for an encoder, one counting pass for POP), evaluate,
 * and write {@code model.safetensors}, {@code items.txt}, {@code config.json}, {@code log.jsonl},
 * {@code metrics.json} and (when the test users are evaluated) {@code test_users.jsonl} into the output directory.
 *
 * <p>The directory is written whole ({@link ModelDir.Staging}): the run writes into a hidden sibling (its
 * {@code log.jsonl} grows there while it trains) that replaces the output directory in one rename at the end, so an
 * interrupted or failed run leaves the directory as it was. A directory that already holds a model is replaced only
 * with {@link Options#overwrite}.
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
     * @param overwrite   replace a model already in the output directory (otherwise such a run is refused)
     * @param checkpointEvery write the whole training state every this many steps (0: never), so that a run that is
     *                    killed can be resumed; the checkpoint lives in the run's hidden directory and is removed
     *                    when the run ends
     * @param resume      continue the run into the output directory that was stopped before it ended, from its last
     *                    checkpoint (the spec and data must be the run's; {@code re4j train --resume} reads them back)
     * @param pauseAt     stop after this many steps with a checkpoint, unfinished and resumable (0: never)
     * @param evaluateTest evaluate the test users at the end (metrics.json's "test" is null when not)
     */
    public record Options(boolean progress, int evalThreads, Map<String, Object> extraConfig, boolean overwrite,
                          int checkpointEvery, boolean resume, long pauseAt, boolean evaluateTest) {
        public Options {
            if (evalThreads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + evalThreads);
            if (checkpointEvery < 0) throw new IllegalArgumentException("checkpoint-every must be ≥ 0, got " + checkpointEvery);
            if (pauseAt < 0) throw new IllegalArgumentException("pause-at must be ≥ 0, got " + pauseAt);
            extraConfig = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(extraConfig)); // in the caller's order
        }

        public Options(boolean progress, int evalThreads, Map<String, Object> extraConfig, boolean overwrite) {
            this(progress, evalThreads, extraConfig, overwrite, 0, false, 0, true);
        }

        /** Refusing to replace a model already in the output directory. */
        public Options(boolean progress, int evalThreads, Map<String, Object> extraConfig) {
            this(progress, evalThreads, extraConfig, false);
        }

        /** No progress bar, every core, nothing extra, no overwriting. */
        public static Options quiet() {
            return new Options(false, Runtime.getRuntime().availableProcessors(), Map.of());
        }

        /** These options, replacing (or not) a model already in the output directory. */
        public Options withOverwrite(boolean v) {
            return new Options(progress, evalThreads, extraConfig, v, checkpointEvery, resume, pauseAt, evaluateTest);
        }

        /** These options, writing a checkpoint every {@code steps} steps (0: none). */
        public Options withCheckpointEvery(int steps) {
            return new Options(progress, evalThreads, extraConfig, overwrite, steps, resume, pauseAt, evaluateTest);
        }

        /** These options, resuming (or not) the stopped run into the output directory. */
        public Options withResume(boolean v) {
            return new Options(progress, evalThreads, extraConfig, overwrite, checkpointEvery, v, pauseAt, evaluateTest);
        }

        /**
         * These options, stopping the run after {@code step} steps with a checkpoint (0: never): the run stays
         * unfinished and resumable ({@link Outcome#paused}), and ends, when resumed, as it would have without the pause.
         */
        public Options withPauseAt(long step) {
            return new Options(progress, evalThreads, extraConfig, overwrite, checkpointEvery, resume, step, evaluateTest);
        }

        /**
         * These options, evaluating (or not) the test users at the end. A search's trials do not: they are selected
         * on valid users, and the test users are evaluated once, for the configuration selected.
         */
        public Options withEvaluateTest(boolean v) {
            return new Options(progress, evalThreads, extraConfig, overwrite, checkpointEvery, resume, pauseAt, v);
        }
    }

    /**
     * The trained model and the content of metrics.json; for a run that paused ({@link Options#withPauseAt}), the
     * step it paused at and no metrics.
     */
    public record Outcome(Recommender model, Map<String, Object> metrics, long pausedAt) {
        public Outcome(Recommender model, Map<String, Object> metrics) {
            this(model, metrics, 0);
        }

        public boolean paused() {
            return pausedAt > 0;
        }
    }

    public static final String METRICS = ModelDir.METRICS, LOG = ModelDir.LOG;

    private static final com.fasterxml.jackson.databind.ObjectMapper LINE = new com.fasterxml.jackson.databind.ObjectMapper();

    /** How a refusal to replace a model says what to do, from the Java API. */
    static final String OVERWRITE_HINT = "set TrainRun.Options.withOverwrite(true) to replace it";

    private TrainRun() {}

    /** {@link #run(Spec, Dataset, Path, Options)} without a progress bar, on every core. */
    public static Outcome run(Spec spec, Dataset data, Path out) throws IOException {
        return run(spec, data, out, Options.quiet());
    }

    /** @param out output directory (created, or replaced whole), or null to write nothing */
    public static Outcome run(Spec spec, Dataset data, Path out, Options options) throws IOException {
        return run(spec, data, out, options, OVERWRITE_HINT);
    }

    /** @param overwriteHint what a refusal to replace a model says to do */
    public static Outcome run(Spec spec, Dataset data, Path out, Options options, String overwriteHint) throws IOException {
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
        Map<String, Object> used = used(model, train, data.numItems());
        Map<String, Object> config = new LinkedHashMap<>(); // config.json, less the model id
        config.put("model", family.name());
        config.put("model_config", spec.modelConfig());
        config.put("num_items", data.numItems());
        config.put("train_config", train);
        config.put("training", used);
        if (!options.extraConfig().containsKey("data")) config.put("data", describe(data));
        config.putAll(options.extraConfig());
        if (options.resume() && out == null) throw new IllegalArgumentException("resuming needs the output directory of the run");
        if (options.pauseAt() > 0 && (out == null || !(model instanceof MultiInterestEncoder))) {
            throw new IllegalArgumentException("pausing needs an output directory and a model trained in steps (" + family.name() + ")");
        }
        boolean checkpoints = model instanceof MultiInterestEncoder && out != null
                && (options.checkpointEvery() > 0 || options.resume() || options.pauseAt() > 0);
        boolean evaluateTest = options.evaluateTest();

        try (ModelDir.Staging staging = out == null ? null : options.resume() ? ModelDir.Staging.resume(out, overwriteHint)
                : ModelDir.Staging.begin(out, options.overwrite(), overwriteHint)) {
            Path work = staging == null ? null : staging.dir();
            int checkpointEvery = options.checkpointEvery();
            if (options.resume()) {
                JsonNode saved = ModelDir.JSON.readTree(work.resolve(ModelDir.RESUME).toFile());
                checkSameRun(saved, ModelDir.JSON.readTree(ModelDir.JSON.writeValueAsString(config)), data, work.resolve(ModelDir.RESUME));
                if (checkpointEvery == 0) checkpointEvery = saved.path("checkpoint_every").asInt(0);
                evaluateTest = saved.path("evaluate_test").asBoolean(true); // as the run was started
                List<Object> resumedAt = new ArrayList<>();
                saved.path("resumed_at_steps").forEach(n -> resumedAt.add(n.asLong()));
                long from = Files.exists(work.resolve(ModelDir.CHECKPOINT))
                        ? Long.parseLong(SafeTensors.metadata(work.resolve(ModelDir.CHECKPOINT)).getOrDefault("step", "0")) : 0L;
                if (options.pauseAt() > 0 && options.pauseAt() <= from) {
                    throw new IllegalArgumentException("--pause-at " + options.pauseAt() + " is not after step " + from
                            + ", where the run stopped");
                }
                resumedAt.add(from);
                config.put("resumed_at_steps", resumedAt);
            }
            if (staging != null) {
                System.err.println("re4j: training into " + out + " (until the run ends, its files and log.jsonl are in "
                        + work + ")");
            }
            if (checkpoints) { // the run's settings beside its checkpoints, for train --resume
                Map<String, Object> r = new LinkedHashMap<>(config);
                r.put("checkpoint_every", checkpointEvery);
                r.put("evaluate_test", evaluateTest);
                r.put("overwrite", options.overwrite() || staging.overwrites());
                r.put("data_shape", shape(data));
                AtomicFiles.writeString(work.resolve(ModelDir.RESUME), ModelDir.JSON.writeValueAsString(r));
            }
            Map<String, Object> trainInfo = new LinkedHashMap<>();
            Map<String, Double> validMetrics;
            EvalResult testResult; // null when the test users are not evaluated
            long start = System.nanoTime();
            if (model instanceof MultiInterestEncoder enc) {
                Trainer.Checkpoints ck = !checkpoints ? Trainer.Checkpoints.NONE
                        : new Trainer.Checkpoints(work.resolve(ModelDir.CHECKPOINT), checkpointEvery,
                                options.resume() && Files.exists(work.resolve(ModelDir.CHECKPOINT)), options.pauseAt());
                Trainer.Result r = new Trainer(train, options.progress(), options.evalThreads())
                        .fit(enc, data, split.train(), valid, evaluateTest ? test : null, work == null ? null : work.resolve(LOG), ck);
                if (r.paused()) { // unfinished: the hidden directory stays, with its checkpoint, for --resume
                    staging.pause();
                    return new Outcome(model, null, r.steps());
                }
                validMetrics = r.valid();
                testResult = r.test();
                trainInfo.put("steps", r.steps());
                trainInfo.put("best_step", r.bestStep());
                trainInfo.put("seconds", r.trainSeconds());
                trainInfo.put("total_seconds", r.totalSeconds());
                trainInfo.put("final_eval_seconds", r.finalEvalSeconds()); // the selected model on every valid and test user
                trainInfo.put("ms_per_step", r.msPerStep());
                trainInfo.put("adam", train.adam().updates().id());
            } else if (model instanceof Fittable f) {
                f.fit(data, split.train());
                double fitSeconds = (System.nanoTime() - start) / 1e9;
                EvalOptions eo = new EvalOptions(50, train.excludeHistory(), options.evalThreads(), 256);
                long e0 = System.nanoTime();
                validMetrics = Evaluator.evaluate(model, valid, eo).metrics();
                double evalSeconds = (System.nanoTime() - e0) / 1e9;
                testResult = evaluateTest ? Evaluator.evaluate(model, test, eo) : null;
                trainInfo.put("steps", 0);
                trainInfo.put("seconds", (System.nanoTime() - start) / 1e9);
                trainInfo.put("ms_per_step", 0.0);
                trainInfo.put("adam", null); // fitted in one counting pass: no optimiser
                if (work != null) { // the log's one record: the fit
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", 0);
                    line.put("fit_seconds", fitSeconds);
                    line.put("eval_seconds", evalSeconds);
                    line.put("valid", validMetrics);
                    if (train.logTestMetrics() && testResult != null) line.put("test", testResult.metrics());
                    line.put("best", true);
                    AtomicFiles.writeString(work.resolve(LOG), LINE.writeValueAsString(line) + "\n");
                }
            } else {
                throw new IllegalStateException(family.name() + " is neither trained nor fitted");
            }
            trainInfo.put("seed", train.seed());
            Map<String, Double> testMetrics = testResult == null ? null : testResult.metrics();

            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("model", family.name());
            metrics.put("dataset", data.name);
            metrics.put("test", testMetrics); // null: the test users were not evaluated (a search's trial)
            metrics.put("valid", validMetrics);
            metrics.put("train", trainInfo);
            Map<String, Integer> users = new LinkedHashMap<>(); // a fixed order: the same run writes the same file
            users.put("train", split.train().length);
            users.put("valid", valid.size());
            users.put("test", test.size());
            metrics.put("users", users);
            metrics.put("provenance", Provenance.current());

            if (staging != null) {
                String id = ModelDir.save(work, model.params(), data.itemIds, config);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(ModelDir.MODEL_ID, id);
                m.putAll(metrics);
                metrics = m;
                AtomicFiles.writeString(work.resolve(METRICS), ModelDir.JSON.writeValueAsString(metrics));
                if (testResult != null) UserRows.of(test, testResult, data.userIds).write(work.resolve(ModelDir.TEST_USERS));
                Files.deleteIfExists(work.resolve(ModelDir.CHECKPOINT)); // the model directory holds the model only
                Files.deleteIfExists(work.resolve(ModelDir.RESUME));
                staging.commit();
            }
            return new Outcome(model, metrics);
        }
    }

    /** The data's size, which a resumed run checks against the data it is given. */
    private static Map<String, Object> shape(Dataset data) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("users", data.numUsers());
        m.put("items", data.numItems());
        m.put("interactions", data.numInteractions());
        m.put("item_ids_hash", java.util.Arrays.hashCode(data.itemIds));
        return m;
    }

    /** Refuses to resume a run with other settings or other data than it was started with. */
    private static void checkSameRun(JsonNode saved, JsonNode now, Dataset data, Path file) {
        String differs = settingsDifference(saved, now);
        if (differs != null) {
            throw new IllegalArgumentException(file + ": the run was started with another " + differs
                    + ": resume it with the settings it was started with");
        }
        JsonNode shape;
        try {
            shape = ModelDir.JSON.readTree(ModelDir.JSON.writeValueAsString(shape(data))); // as read back from the file
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!saved.path("data_shape").equals(shape)) {
            throw new IllegalArgumentException(file + ": the run was started on other data (" + saved.path("data_shape")
                    + ", now " + shape + ")");
        }
    }

    /**
     * Where two runs' settings differ (their model, model_config and train_config, as config.json and resume.json
     * record them), e.g. "train_config.adam.lr: 0.001 then, 0.005 now"; null when they are the same run's.
     */
    public static String settingsDifference(JsonNode saved, JsonNode now) {
        for (String key : List.of("model", "model_config", "train_config")) {
            if (!saved.path(key).equals(now.path(key))) return key + " (" + firstDifference(saved.path(key), now.path(key), key) + ")";
        }
        return null;
    }

    private static String firstDifference(JsonNode a, JsonNode b, String at) {
        if (a.isObject() && b.isObject()) {
            for (var it = a.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!a.path(f).equals(b.path(f))) return firstDifference(a.path(f), b.path(f), at + "." + f);
            }
            for (var it = b.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!a.has(f)) return at + "." + f + " was not set";
            }
        }
        return at + ": " + a + " then, " + b + " now";
    }

    /**
     * What the run uses, for config.json's "training": the optimiser, the loss and the negatives as they are, which
     * differ from train_config's when the catalogue is small (the full softmax) or the model is fitted (POP). A full
     * softmax is also said on stderr.
     */
    private static Map<String, Object> used(Recommender model, TrainConfig train, int numItems) {
        Map<String, Object> u = new LinkedHashMap<>();
        if (!(model instanceof MultiInterestEncoder)) {
            u.put("optimiser", "none");
            u.put("adam", null);
            u.put("loss", null);
            u.put("negatives", null);
            u.put("sampler", null);
            u.put("logq", null);
            return u;
        }
        u.put("optimiser", "adam");
        u.put("adam", train.adam().updates().id());
        int neg = train.negativeCount();
        if (SampledSoftmax.usesFullSoftmax(neg, numItems)) {
            System.err.printf("re4j: %,d negatives reach half of the %,d items: the loss is the full softmax over every item"
                    + " (no sampling, no logQ)%n", neg, numItems);
            u.put("loss", "full-softmax");
            u.put("negatives", numItems - 1); // every item but the target
            u.put("sampler", null);
            u.put("logq", false);
        } else {
            u.put("loss", "sampled-softmax");
            u.put("negatives", neg);
            u.put("sampler", train.sampler().id());
            u.put("logq", train.logQ());
        }
        return u;
    }

    /**
     * config.json's data section: the files and reading options of a dataset read from files, so that
     * {@code evaluate} and {@code train --config} read it again; for generated data, only what it is (then
     * {@code evaluate} asks for {@code --data}).
     */
    private static Map<String, Object> describe(Dataset data) {
        if (data.source() != null) return data.source().describe();
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("name", data.name);
        d.put("users", data.numUsers());
        d.put("items", data.numItems());
        d.put("interactions", data.numInteractions());
        return d;
    }
}
