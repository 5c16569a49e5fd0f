package org.re4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

/**
 * A run at Amazon Book's size end to end: generate the data ({@link SyntheticData#bookLike}), then for each model
 * train under the protocol (valid evaluations on a fixed subset of the valid users), evaluate the selected model on
 * every valid and test user, and write the model directory. One JSON line per phase and model: wall time, steps/s,
 * users/s, and the process's peak resident memory so far.
 */
@Command(name = "scale", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Train.class,
        description = "Load, train and evaluate at Amazon Book's size (synthetic, --scale 1.0) end to end; one JSON line per phase.")
final class BenchScaleCommand implements Callable<Integer> {

    @Option(names = "--scale", defaultValue = "1.0", description = "Share of Amazon Book's users and items (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--models", split = ",", defaultValue = "comirec-sa,re4", description = "Models to train (default: ${DEFAULT-VALUE}).")
    List<String> models;

    @Option(names = "--data-seed", defaultValue = "1", description = "Seed of the generated data (default: ${DEFAULT-VALUE}).")
    long dataSeed;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where the model directories go (DIR/MODEL, replaced).")
    Path out;

    @Mixin ThreadsOption threads;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        long t0 = System.nanoTime();
        Dataset ds = SyntheticData.bookLike(scale, dataSeed);
        Map<String, Object> load = line("load", null);
        load.put("scale", scale);
        load.put("users", ds.numUsers());
        load.put("items", ds.numItems());
        load.put("interactions", ds.numInteractions());
        load.put("seconds", round((System.nanoTime() - t0) / 1e9));
        print(load);
        int t = threads.count();
        for (String name : models) {
            RunConfig rc = RunConfig.resolve(spec.commandLine().getParseResult(), name, null, null, null, ds.numItems(), System.err);
            Files.createDirectories(out);
            long r0 = System.nanoTime();
            TrainRun.Outcome o = TrainRun.run(new TrainRun.Spec(rc.model(), rc.train()), ds, out.resolve(rc.family().name()),
                    new TrainRun.Options(false, t, Map.of("synthetic", "book-like", "scale", scale, "data_seed", dataSeed), true));
            double total = (System.nanoTime() - r0) / 1e9;
            Map<?, ?> train = (Map<?, ?>) o.metrics().get("train");
            Map<?, ?> users = (Map<?, ?>) o.metrics().get("users");
            double stepSeconds = ((Number) train.get("seconds")).doubleValue();
            double fitSeconds = ((Number) train.get("total_seconds")).doubleValue();
            double finalEval = ((Number) train.get("final_eval_seconds")).doubleValue();
            long steps = ((Number) train.get("steps")).longValue();
            int evalUsers = ((Number) users.get("valid")).intValue() + ((Number) users.get("test")).intValue();

            Map<String, Object> tr = line("train", rc.family().name());
            tr.put("steps", steps);
            tr.put("step_seconds", round(stepSeconds));
            tr.put("steps_per_second", round(steps / stepSeconds));
            tr.put("ms_per_step", round(((Number) train.get("ms_per_step")).doubleValue()));
            tr.put("valid_users_while_training", rc.train().validUsers() == null ? users.get("valid") : rc.train().validUsers());
            tr.put("evaluation_seconds_while_training", round(fitSeconds - stepSeconds - finalEval));
            tr.put("workers", rc.train().resolved().workers());
            print(tr);
            Map<String, Object> ev = line("evaluate", rc.family().name());
            ev.put("users", evalUsers);
            ev.put("seconds", round(finalEval));
            ev.put("users_per_second", round(evalUsers / finalEval));
            ev.put("test_recall@50", ((Map<?, ?>) o.metrics().get("test")).get("recall@50"));
            print(ev);
            Map<String, Object> w = line("write", rc.family().name());
            w.put("seconds", round(total - fitSeconds));
            w.put("model_mb", round(Files.size(out.resolve(rc.family().name()).resolve(ModelDir.PARAMS)) / 1e6));
            print(w);
        }
        return 0;
    }

    private Map<String, Object> line(String phase, String model) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bench", "scale");
        m.put("phase", phase);
        if (model != null) m.put("model", model);
        return m;
    }

    /** Adds the peak resident memory so far and the heap limit, then prints the line. */
    private static void print(Map<String, Object> m) throws Exception {
        Map<String, Long> s = BenchServeCommands.ChildServer.status(ProcessHandle.current().pid());
        m.put("peak_rss_gb", s.containsKey("VmHWM") ? round(s.get("VmHWM") / 1024.0 / 1024.0) : null);
        m.put("max_heap_gb", round(Runtime.getRuntime().maxMemory() / 1e9));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        System.out.println(BenchCommand.LINE.writeValueAsString(m));
        System.out.flush();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
