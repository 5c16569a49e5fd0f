package org.re4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import org.re4j.config.ConfigTree;
import org.re4j.config.TrainConfig;
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

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (model, config, log, metrics); "
            + "written whole when the run ends, a new or empty directory unless --overwrite.")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS", description = "Save the whole training state every this many "
            + "steps (default: never), so that a stopped run can be continued with --resume; removed when the run ends.")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue the run into DIR that was stopped before it ended, "
            + "from its last checkpoint, with the settings and data it was started with (only --threads, --no-progress and "
            + "--pause-at may be given besides). It ends with the model and metrics of the run not stopped.")
    Path resume;

    @Option(names = "--pause-at", paramLabel = "STEPS", description = "Stop after this many steps with a checkpoint, "
            + "unfinished: --resume DIR continues it (to the end, or to a later --pause-at) and it ends as the run not "
            + "paused would have. A search pauses its trials so that it continues only the best ones.")
    Long pauseAt;

    @Option(names = "--skip-test", description = "Do not evaluate the test users (metrics.json's test is null): for runs "
            + "that are compared on valid users only, such as a search's trials.")
    boolean skipTest;

    @Option(names = "--overwrite", description = "Replace the model already in --out (the whole directory, when the run ends).")
    boolean overwrite;

    @Mixin ThreadsOption threads;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Spec CommandSpec spec;

    static final String OVERWRITE_HINT = "pass --overwrite to replace it";

    @Override
    public Integer call() throws Exception {
        if (resume != null) return resume();
        if (out == null) throw new IllegalArgumentException("--out is required (or --resume DIR to continue a stopped run)");
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be ≥ 1 steps, got " + checkpointEvery);
        }
        if (pauseAt != null && pauseAt < 1) throw new IllegalArgumentException("--pause-at must be ≥ 1 steps, got " + pauseAt);
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
        int t = threads.count();
        TrainRun.Outcome o = TrainRun.run(new TrainRun.Spec(rc.model(), rc.train()), ds, out,
                new TrainRun.Options(!noProgress && System.console() != null, t, extra, overwrite)
                        .withCheckpointEvery(checkpointEvery == null ? 0 : checkpointEvery)
                        .withPauseAt(pauseAt == null ? 0 : pauseAt).withEvaluateTest(!skipTest), OVERWRITE_HINT);
        return print(o);
    }

    /** metrics.json on stdout, or for a paused run where it stopped and how to continue it. */
    private Integer print(TrainRun.Outcome o) throws Exception {
        if (o.paused()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("paused_at", o.pausedAt());
            p.put("resume", "re4j train --resume " + (resume != null ? resume : out));
            System.out.println(ModelDir.JSON.writeValueAsString(p));
        } else {
            System.out.println(ModelDir.JSON.writeValueAsString(o.metrics()));
        }
        return 0;
    }

    /** train --resume DIR: the stopped run's settings and data, read back from its resume.json. */
    private Integer resume() throws Exception {
        List<String> others = new java.util.ArrayList<>();
        for (var o : spec.commandLine().getParseResult().matchedOptions()) {
            String n = o.longestName();
            if (!List.of("--resume", "--threads", "--no-progress", "--pause-at").contains(n)) others.add(n);
        }
        if (!others.isEmpty()) {
            throw new IllegalArgumentException("--resume continues a run with the settings it was started with: drop "
                    + String.join(", ", others));
        }
        Path dir = ModelDir.Staging.resumable(resume);
        if (dir == null) {
            throw new IllegalArgumentException("no stopped run into " + resume + " to resume (a run can be resumed when it was"
                    + " started with --checkpoint-every and stopped before it ended)");
        }
        Path settings = dir.resolve(ModelDir.RESUME);
        JsonNode saved = ConfigTree.read(settings);
        Dataset ds = DataOptions.from(saved.path("data")).load();
        System.err.printf("re4j: %s: %,d users, %,d items, %,d interactions%n",
                ds.name, ds.numUsers(), ds.numItems(), ds.numInteractions());
        RunConfig rc = RunConfig.resolve(spec.commandLine().getParseResult(), null, null, saved, settings.toString(),
                ds.numItems(), System.err);
        Map<String, Object> extra = new LinkedHashMap<>();
        for (String key : List.of("command", "preset", "config_file")) {
            if (saved.has(key)) extra.put(key, ModelDir.JSON.treeToValue(saved.get(key), Object.class));
        }
        int t = threads.count();
        TrainRun.Outcome o = TrainRun.run(new TrainRun.Spec(rc.model(), rc.train()), ds, resume,
                new TrainRun.Options(!noProgress && System.console() != null, t, extra, saved.path("overwrite").asBoolean(false))
                        .withResume(true).withPauseAt(pauseAt == null ? 0 : pauseAt), OVERWRITE_HINT);
        return print(o);
    }

    /**
     * The model and training settings that train's {@code flags} give (later flags win) for a catalogue of
     * {@code numItems}, as a run resolves them, without loading data or saying which layers did not apply.
     */
    static RunConfig settings(List<String> flags, int numItems) throws IOException {
        TrainCommand cmd = new TrainCommand();
        CommandLine cl = new CommandLine(cmd);
        cl.setOverwrittenOptionsAllowed(true);
        ParseResult pr = cl.parseArgs(flags.toArray(new String[0]));
        JsonNode config = cmd.configFile != null ? ConfigTree.read(cmd.configFile) : null;
        return RunConfig.resolve(pr, cmd.model, cmd.preset, config, cmd.configFile == null ? null : cmd.configFile.toString(),
                numItems, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
    }

    /**
     * Refuses to reuse the run in {@code dir} (finished, or stopped and resumable) for the train command line
     * {@code args} ("train", then its flags) when that command would train other settings, so that an experiment or a
     * search repeated with other flags never reports one command's runs as another's. A command that leaves
     * {@code --workers} to the machine accepts the run's worker count.
     */
    static void requireSameSettings(Path dir, List<String> args) throws IOException {
        Path file;
        if (Files.exists(dir.resolve(TrainRun.METRICS))) {
            file = dir.resolve(ModelDir.CONFIG);
        } else {
            Path hidden = ModelDir.Staging.resumable(dir);
            if (hidden == null) return;
            file = hidden.resolve(ModelDir.RESUME);
        }
        JsonNode saved = ConfigTree.read(file);
        RunConfig rc = settings(args.subList(1, args.size()), saved.path("num_items").asInt());
        TrainConfig train = rc.train();
        if (train.workers() == null && saved.path("train_config").path("workers").isInt()) {
            train = train.withWorkers(saved.path("train_config").path("workers").asInt());
        }
        Map<String, Object> now = new LinkedHashMap<>(); // as TrainRun writes config.json
        now.put("model", rc.family().name());
        now.put("model_config", rc.model());
        now.put("train_config", train.resolved());
        String differs = TrainRun.settingsDifference(saved, ModelDir.JSON.readTree(ModelDir.JSON.writeValueAsString(now)));
        if (differs != null) {
            throw new IllegalArgumentException(dir + " holds a run with another " + differs + " than this command trains: "
                    + "choose another --out, or delete that run to train it again");
        }
    }
}
