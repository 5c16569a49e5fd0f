package org.re4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.Evaluator;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.math.Blas;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Models;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Param;
import org.re4j.model.ParamSet;
import org.re4j.model.Pop;
import org.re4j.model.Recommender;
import org.re4j.model.re4.Re4;

/**
 * One training run under the ComiRec protocol, from a loaded dataset to a model directory: split the users 8:1:1,
 * build the held-out histories/targets, train (or count, for POP), evaluate, and write {@code model.safetensors},
 * {@code items.txt}, {@code config.json}, {@code log.jsonl} and {@code metrics.json} into the output directory.
 */
public final class TrainRun {

    /**
     * What to train: the model name, its configuration ({@link ComiRecSA.Config} for comirec-sa, {@link Re4.Config}
     * for re4, ignored for pop), the training settings, and the held-out history share.
     */
    public record Spec(String model, Record modelConfig, TrainConfig train, double historyFraction) {}

    /** The trained model and the content of metrics.json. */
    public record Outcome(Recommender model, Map<String, Object> metrics) {}

    public static final String METRICS = "metrics.json", LOG = "log.jsonl";

    private TrainRun() {}

    /**
     * @param out    output directory (created), or null to write nothing
     * @param config extra entries for config.json (data spec, command line)
     */
    public static Outcome run(Spec spec, Dataset data, Path out, Map<String, Object> config, boolean progress)
            throws IOException {
        Split split = Split.comirec(data.numUsers(), spec.train().seed());
        EvalSet valid = data.evalSet(split.valid(), spec.historyFraction());
        EvalSet test = data.evalSet(split.test(), spec.historyFraction());
        if (valid.size() == 0 || test.size() == 0) {
            throw new IllegalArgumentException("dataset " + data.name + " is too small: " + valid.size() + " valid and "
                    + test.size() + " test users with a history and a target (need ≥ 1 each; use ≥ 20 users)");
        }
        if (out != null) Files.createDirectories(out);

        Recommender model;
        ParamSet params;
        Map<String, Object> trainInfo = new LinkedHashMap<>();
        Map<String, Double> validMetrics, testMetrics;
        long start = System.nanoTime();
        switch (spec.model()) {
            case "pop": {
                int[][] seqs = new int[split.train().length][];
                for (int i = 0; i < seqs.length; i++) seqs[i] = data.sequences[split.train()[i]];
                Pop pop = Pop.fit(data.numItems(), seqs);
                model = pop;
                params = new ParamSet();
                Param counts = params.add(Param.dense("item_popularity", data.numItems() + 1, 1));
                System.arraycopy(pop.itemVectors(), 0, counts.value, 0, counts.size());
                EvalOptions eo = new EvalOptions(50, spec.train().excludeHistory(), spec.train().evalThreads(), 256);
                validMetrics = Evaluator.evaluate(pop, valid, eo).metrics();
                testMetrics = Evaluator.evaluate(pop, test, eo).metrics();
                trainInfo.put("steps", 0);
                trainInfo.put("seconds", (System.nanoTime() - start) / 1e9);
                trainInfo.put("ms_per_step", 0.0);
                break;
            }
            case "comirec-sa":
            case "re4":
            case "youtube-dnn":
            case "gru4rec":
            case "comirec-dr":
            case "mind": {
                MultiInterestEncoder enc = Models.create(spec.model(), spec.modelConfig(), spec.train().seed());
                if (enc.numItems() != data.numItems()) throw new IllegalArgumentException("model config is for another catalogue");
                MemoryCheck.requireModel(enc.numItems(), enc.dim(), spec.train().adam().lazy());
                Trainer.Result r = new Trainer(spec.train(), progress)
                        .fit(enc, data, split.train(), valid, test, out == null ? null : out.resolve(LOG));
                model = enc;
                params = enc.params();
                validMetrics = r.valid();
                testMetrics = r.test();
                trainInfo.put("steps", r.steps());
                trainInfo.put("best_step", r.bestStep());
                trainInfo.put("seconds", r.trainSeconds());
                trainInfo.put("total_seconds", r.totalSeconds());
                trainInfo.put("ms_per_step", r.msPerStep());
                break;
            }
            default:
                throw new IllegalArgumentException("--model must be comirec-sa, comirec-dr, mind, re4, youtube-dnn, gru4rec or pop, not '" + spec.model() + "'");
        }
        if (!spec.model().equals("pop")) trainInfo.put("adam", spec.train().adam().lazy() ? "lazy" : "dense");
        trainInfo.put("blas", Blas.implementation());
        trainInfo.put("seed", spec.train().seed());

        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("model", spec.model());
        metrics.put("dataset", data.name);
        metrics.put("test", testMetrics);
        metrics.put("valid", validMetrics);
        metrics.put("train", trainInfo);
        metrics.put("users", Map.of("train", split.train().length, "valid", valid.size(), "test", test.size()));

        if (out != null) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("model", spec.model());
            if (!spec.model().equals("pop")) c.put("model_config", spec.modelConfig());
            c.put("num_items", data.numItems());
            c.put("train_config", spec.train());
            c.put("history_fraction", spec.historyFraction());
            c.putAll(config);
            ModelDir.save(out, params, data.itemIds, c);
            AtomicFiles.writeString(out.resolve(METRICS), ModelDir.JSON.writeValueAsString(metrics));
        }
        return new Outcome(model, metrics);
    }
}
