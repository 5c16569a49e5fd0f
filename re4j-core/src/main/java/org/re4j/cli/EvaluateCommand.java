package org.re4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;


import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.EvalResult;
import org.re4j.eval.Evaluator;
import org.re4j.eval.UserRows;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.model.Recommender;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the validation and test users of its data (same split, same seed).")
final class EvaluateCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A directory written by 're4j train'.")
    Path modelDir;

    @Mixin DataOptions data;

    @Option(names = "--exclude-history", description = "Drop history items from the ranking.")
    boolean excludeHistory;

    @Option(names = "--threads", description = "Evaluation threads (default: all cores).")
    Integer threads;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the metrics to this JSON file.")
    Path out;

    @Option(names = "--per-user", paramLabel = "FILE",
            description = "Also write each test user's metrics to this JSON-lines file (as a run's test_users.jsonl, for 're4j compare').")
    Path perUser;

    @Override
    public Integer call() throws Exception {
        TrainedModel t = TrainedModel.load(modelDir, data);
        Recommender model = t.model();
        Dataset ds = t.data();
        Split split = t.split();
        EvalOptions eo = new EvalOptions(50, excludeHistory, threads != null ? threads : Runtime.getRuntime().availableProcessors(), 256);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model.name());
        m.put("dataset", ds.name);
        EvalSet test = t.evalSet(split.test());
        EvalResult testResult = Evaluator.evaluate(model, test, eo);
        m.put("test", testResult.metrics());
        m.put("valid", Evaluator.evaluate(model, t.evalSet(split.valid()), eo).metrics());
        String json = ModelDir.JSON.writeValueAsString(m);
        if (out != null) AtomicFiles.writeString(out, json);
        if (perUser != null) UserRows.of(test, testResult, ds.userIds).write(perUser);
        System.out.println(json);
        return 0;
    }
}
