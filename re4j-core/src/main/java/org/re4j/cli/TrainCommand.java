package org.re4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.re4j.config.ConfigTree;
import org.re4j.data.Dataset;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = SettingOptions.Train.class,
        description = "Train a model under the ComiRec protocol and write it with its metrics into --out.")
final class TrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Option(names = "--model", paramLabel = "NAME", description = "The model (the list is written in from the registry).")
    String model;

    @Option(names = "--preset", paramLabel = "NAME", description = "A named model and training recipe (README, Presets); "
            + "with another --model, its training settings only. Flags given explicitly still win. Presets:")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "Start from this config (JSON or YAML), e.g. a run's "
            + "config.json: its model, model_config, train_config and data; a preset and the flags given override it.")
    Path configFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (model, config, log, metrics); "
            + "written whole when the run ends, a new or empty directory unless --overwrite.")
    Path out;

    @Option(names = "--overwrite", description = "Replace the model already in --out (the whole directory, when the run ends).")
    boolean overwrite;

    @Option(names = "--threads", paramLabel = "N", description = "Evaluation threads (default: all cores).")
    Integer threads;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Spec CommandSpec spec;

    static final String OVERWRITE_HINT = "pass --overwrite to replace it";

    @Override
    public Integer call() throws Exception {
        ModelDir.checkTarget(out, overwrite, OVERWRITE_HINT); // before any work
        JsonNode file = configFile != null ? ConfigTree.read(configFile) : null;
        DataOptions d = data;
        if (!data.given() && file != null && file.has("data")) d = DataOptions.from(file.path("data"));
        if (!d.given()) {
            throw new IllegalArgumentException("--data is required" + (file == null ? ""
                    : file.path("data").isObject() ? " (" + configFile + " names no data files: give the file(s) the run was trained on)"
                    : " (" + configFile + " has no data section)"));
        }
        Dataset ds = d.load();
        System.err.printf("re4j: %s: %,d users, %,d items, %,d interactions%n",
                ds.name, ds.numUsers(), ds.numItems(), ds.numInteractions());
        RunConfig rc = RunConfig.resolve(spec.commandLine().getParseResult(), model, preset, file,
                configFile == null ? null : configFile.toString(), ds.numItems(), System.err);
        Map<String, Object> extra = new LinkedHashMap<>();
        // The data section comes from ds.source(), as for a run through the Java API.
        extra.put("command", List.of(spec.commandLine().getParseResult().originalArgs().toArray()));
        if (preset != null) extra.put("preset", preset);
        if (configFile != null) extra.put("config_file", configFile.toString());
        int t = threads != null ? threads : Runtime.getRuntime().availableProcessors();
        TrainRun.Outcome o = TrainRun.run(new TrainRun.Spec(rc.model(), rc.train()), ds, out,
                new TrainRun.Options(!noProgress && System.console() != null, t, extra, overwrite), OVERWRITE_HINT);
        System.out.println(ModelDir.JSON.writeValueAsString(o.metrics()));
        return 0;
    }
}
