package org.re4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.re4j.data.Dataset;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model under the ComiRec protocol and write it with its metrics into --out.")
final class TrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;
    @Mixin ModelOptions model;
    @Mixin TrainOptions train;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (model, config, log, metrics).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        var cfg = train.toConfig();
        Dataset ds = data.load();
        System.err.printf("re4j: %s: %,d users, %,d items, %,d interactions%n",
                ds.name, ds.numUsers(), ds.numItems(), ds.numInteractions());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("data", data.describe());
        extra.put("command", List.of(spec.commandLine().getParseResult().originalArgs().toArray()));
        TrainRun.Spec runSpec = new TrainRun.Spec(model.model, model.config(ds.numItems()), cfg, train.historyFraction);
        TrainRun.Outcome o = TrainRun.run(runSpec, ds, out, extra, !noProgress && System.console() != null);
        System.out.println(ModelDir.JSON.writeValueAsString(o.metrics()));
        return 0;
    }
}
