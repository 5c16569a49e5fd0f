package org.re4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.eval.Paired;
import org.re4j.eval.UserRows;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.model.ComiRecDR;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Gru4Rec;
import org.re4j.model.Mind;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;
import org.re4j.model.Pop;
import org.re4j.model.YouTubeDnn;
import org.re4j.model.re4.Re4;
import org.re4j.train.TrainRun;

/**
 * The paper's experiments, one command each: every variant is an ordinary {@code re4j train} run (same flags, one
 * directory per variant and seed), and the summary is the mean ± std of the test metrics over seeds, with the
 * paired difference of every two variants on every seed ({@link Paired}, over the same test users). A finished run
 * (its metrics.json exists: a run's directory appears whole when it ends) is not run again, so an interrupted
 * experiment resumes where it stopped; a run killed after a checkpoint ({@code -- --checkpoint-every N}) continues
 * from it ({@code train --resume}).
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a named experiment (several train runs over seeds) and write a Markdown summary.")
final class ExperimentCommand implements Callable<Integer> {

    /** Named experiments: label → train flags of the variant. */
    static final Map<String, Map<String, List<String>>> EXPERIMENTS = new LinkedHashMap<>();

    private static final String SA = ComiRecSA.NAME, RE4 = Re4.NAME, SA_K8 = ComiRecSA.NAME + "-k8";

    static {
        // Every comparison with Re4 also shows ComiRec-SA at Re4's K: Re4 with every λ 0 is exactly that model.
        EXPERIMENTS.put("compare", variants(
                Pop.NAME, List.of("--model", Pop.NAME),
                SA, List.of("--model", SA),
                SA_K8, List.of("--model", SA, "--interests", "8"),
                RE4, List.of("--model", RE4)));
        EXPERIMENTS.put("table2", variants( // the columns of the paper's Table 2
                Pop.NAME, List.of("--model", Pop.NAME),
                YouTubeDnn.NAME, List.of("--model", YouTubeDnn.NAME),
                Gru4Rec.NAME, List.of("--model", Gru4Rec.NAME),
                Mind.NAME, List.of("--model", Mind.NAME),
                SA, List.of("--model", SA),
                SA_K8, List.of("--model", SA, "--interests", "8"),
                ComiRecDR.NAME, List.of("--model", ComiRecDR.NAME, "--lr", "0.005"),
                RE4, List.of("--model", RE4)));
        EXPERIMENTS.put("table4", variants( // ablation: Base (every λ 0) is ComiRec-SA at K 8, each row adds flows
                "base", re4(0, 0, 0),
                "+re-attend", List.of("--model", RE4, "--lambda-cl", "0", "--lambda-ct", "0"),
                "+re-contrast", List.of("--model", RE4, "--lambda-att", "0", "--lambda-ct", "0"),
                "+re-construct", List.of("--model", RE4, "--lambda-cl", "0", "--lambda-att", "0"),
                RE4, List.of("--model", RE4)));
        Map<String, List<String>> t3 = new LinkedHashMap<>(); // number of interests
        for (String k : new String[] {"2", "4", "6", "8"}) t3.put("K=" + k, List.of("--model", RE4, "--interests", k));
        EXPERIMENTS.put("table3", t3);
        Map<String, List<String>> t5 = new LinkedHashMap<>(); // Re-contrast / Re-construct threshold
        String[][] gammas = {{"γ=1/2", "0.5"}, {"γ=1/4", "0.25"}, {"γ=1/16", "0.0625"}, {"γ=1/32", "0.03125"}, {"adaptive", "adaptive"}};
        for (String[] g : gammas) t5.put(g[0], List.of("--model", RE4, "--gamma-c", g[1]));
        EXPERIMENTS.put("table5", t5);
        Map<String, List<String>> t6 = new LinkedHashMap<>(); // each flow alone at three weights
        for (String l : new String[] {"1", "0.1", "0.01"}) {
            t6.put("λ_CL=" + l, List.of("--model", RE4, "--lambda-att", "0", "--lambda-ct", "0", "--lambda-cl", l));
            t6.put("λ_Att=" + l, List.of("--model", RE4, "--lambda-cl", "0", "--lambda-ct", "0", "--lambda-att", l));
            t6.put("λ_CT=" + l, List.of("--model", RE4, "--lambda-cl", "0", "--lambda-att", "0", "--lambda-ct", l));
        }
        EXPERIMENTS.put("table6", t6);
        EXPERIMENTS.put("identity", variants( // Re-attend on ComiRec-SA's identity W2 against ComiRec-SA at the same K
                SA_K8, List.of("--model", SA, "--interests", "8"),
                "re-attend-identity", List.of("--model", RE4, "--projection", "identity", "--lambda-cl", "0", "--lambda-ct", "0")));
        EXPERIMENTS.put("figure3", variants( // test Recall@20 along training, Base vs Re4 (also plotted)
                "base", concat(re4(0, 0, 0), "--log-test-metrics"),
                RE4, List.of("--model", RE4, "--log-test-metrics")));
    }

    private static List<String> re4(double cl, double att, double ct) {
        return List.of("--model", RE4, "--lambda-cl", fmt(cl), "--lambda-att", fmt(att), "--lambda-ct", fmt(ct));
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }

    @Parameters(index = "0", paramLabel = "NAME", description = "compare, table2, table3, table4, table5, table6, figure3 or identity.")
    String name;

    @Option(names = "--data", required = true, description = "As for train (comma-separated files).") String data;
    @Option(names = "--name", description = "Dataset name in reports.") String datasetName;
    @Option(names = "--seeds", defaultValue = "1230,1231,1232", split = ",", description = "Seeds (default: ${DEFAULT-VALUE}).")
    List<Long> seeds;
    @Option(names = "--out", required = true, description = "Experiment directory: one sub-directory per run, summary.md.")
    Path out;
    @Option(names = "--only", split = ",", description = "Run only these variants (labels); the summary still lists every variant with a finished run, over the seeds it has.") List<String> only;
    @Parameters(index = "1..*", paramLabel = "TRAIN_FLAG",
            description = "Flags for every run, after '--' (e.g. -- --steps 20000 --lambda-cl 0.01); a variant's own flags win.")
    List<String> extra = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, List<String>> variants = EXPERIMENTS.get(name);
        if (variants == null) throw new IllegalArgumentException("unknown experiment '" + name + "': " + EXPERIMENTS.keySet());
        if (only != null) { // a misspelt label would otherwise run nothing and say nothing
            for (String o : only) {
                if (!variants.containsKey(o)) {
                    throw new IllegalArgumentException("--only: experiment " + name + " has no variant '" + o + "'; its variants: "
                            + String.join(", ", variants.keySet()));
                }
            }
        }
        Files.createDirectories(out);
        List<String> missing = new ArrayList<>();
        List<ResultTable.Row> rows = new ArrayList<>();
        Map<String, Map<Long, Path>> finished = new LinkedHashMap<>(); // variant → seed → run, for the paired differences
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
            // Variants left out by --only are still summarised when all their runs have finished, so that running
            // an experiment variant by variant ends with the whole table.
            boolean selected = only == null || only.contains(v.getKey());
            List<JsonNode> results = new ArrayList<>();
            List<Long> done = new ArrayList<>();
            for (long seed : seeds) {
                Path dir = out.resolve(v.getKey().replaceAll("[^A-Za-z0-9+=._-]", "_") + "-seed" + seed);
                List<String> args = new ArrayList<>(List.of("train", "--data", data, "--seed", Long.toString(seed),
                        "--out", dir.toString(), "--no-progress"));
                if (datasetName != null) args.addAll(List.of("--name", datasetName));
                args.addAll(applicable(extra, v.getValue())); // the experiment's defaults ...
                args.addAll(v.getValue());                   // ... which a variant's own flags override
                TrainCommand.requireSameSettings(dir, args); // a run kept, resumed or summarised is this command's
                if (!Files.exists(dir.resolve(TrainRun.METRICS))) {
                    if (!selected) continue;
                    // A run is written whole, so a directory without metrics.json is an earlier re4j's unfinished run.
                    if (Files.exists(dir)) args.add("--overwrite");
                    if (ModelDir.Staging.resumable(dir) != null) { // killed with checkpoints (-- --checkpoint-every N): continue it
                        args = new ArrayList<>(List.of("train", "--resume", dir.toString(), "--no-progress"));
                    }
                    System.err.println("re4j experiment: " + String.join(" ", args));
                    int code = Main.run(true, args.toArray(new String[0]));
                    if (code != 0) throw new IllegalStateException("run " + dir + " failed (exit " + code + ")");
                }
                results.add(ModelDir.JSON.readTree(dir.resolve(TrainRun.METRICS).toFile()));
                done.add(seed);
                finished.computeIfAbsent(v.getKey(), k -> new LinkedHashMap<>()).put(seed, dir);
            }
            if (results.isEmpty()) {
                missing.add(v.getKey());
                continue;
            }
            // A variant finished on some seeds only is shown over those, and says so.
            rows.add(ResultTable.row(v.getKey(), v.getValue(), done.size() < seeds.size() ? done : null, results,
                    List.of(ReportCommand.COLUMNS)));
        }
        String command = "re4j experiment " + name + " --data " + data + (datasetName != null ? " --name " + datasetName : "")
                + " --seeds " + seeds.stream().map(String::valueOf).collect(Collectors.joining(",")) + " --out " + out
                + (only == null ? "" : " --only " + String.join(",", only))
                + (extra.isEmpty() ? "" : " -- " + String.join(" ", extra));
        ResultTable table = new ResultTable("experiment " + name + " on " + (datasetName != null ? datasetName : data),
                datasetName != null ? datasetName : data, "test", command, seeds, null, rows,
                pairedDiffs(finished));
        table.write(out.resolve("summary.json"));

        StringBuilder md = new StringBuilder("# " + table.title() + "\n\n`" + command + "`\n\n");
        md.append(table.markdown(List.of(ReportCommand.COLUMNS), true));
        if (name.equals("table2") && !rows.isEmpty()) {
            // The paper's layout: one row per metric, one column per model.
            md.append(seeds.size() < 2 ? "\nIn the paper's layout (test users, one seed):\n\n| metric |"
                    : "\nIn the paper's layout (test users, mean ± sample std over " + seeds.size() + " seeds):\n\n| metric |");
            for (ResultTable.Row r : rows) md.append(' ').append(r.label()).append(" |");
            md.append("\n|---|").append("---:|".repeat(rows.size())).append('\n');
            for (String c : ReportCommand.COLUMNS) {
                md.append("| ").append(c).append(" |");
                for (ResultTable.Row r : rows) md.append(' ').append(r.metrics().containsKey(c) ? r.metrics().get(c).format() : "–").append(" |");
                md.append('\n');
            }
        }
        md.append(table.pairedMarkdown());
        if (!missing.isEmpty()) md.append("\nNot run on any seed yet: ").append(String.join(", ", missing)).append('\n');
        if (name.equals("figure3")) {
            List<String> plot = new ArrayList<>(List.of("plot", "--metric", "test.recall@20", "--out",
                    out.resolve("figure3.png").toString(), "--title", "Test Recall@20 by step (" + (datasetName != null ? datasetName : data) + ")"));
            int series = 0; // the variants finished on the first seed (with --only, maybe not all)
            for (String v : variants.keySet()) {
                Path run = out.resolve(v + "-seed" + seeds.get(0));
                if (Files.exists(run.resolve(TrainRun.LOG))) {
                    plot.add(run.toString());
                    series++;
                }
            }
            if (series > 0) {
                if (Main.run(plot.toArray(new String[0])) != 0) throw new IllegalStateException("plot failed");
                md.append("\n![test Recall@20 by step](figure3.png)\n");
            }
        }
        AtomicFiles.writeString(out.resolve("summary.md"), md.toString());
        System.out.print(md);
        return 0;
    }

    /**
     * Every pair of variants (A before B in {@code finished}'s order) on each seed both finished, from their test
     * users' rows; runs without rows (trained by an earlier re4j) are left out. Null when there is nothing to pair.
     */
    static List<ResultTable.PairedDiff> pairedDiffs(Map<String, Map<Long, Path>> finished) throws IOException {
        List<String> variants = new ArrayList<>(finished.keySet());
        Map<Path, UserRows> rows = new LinkedHashMap<>(); // each run's rows read once
        List<ResultTable.PairedDiff> out = new ArrayList<>();
        for (int i = 0; i < variants.size(); i++) {
            for (int j = i + 1; j < variants.size(); j++) {
                Map<Long, Path> base = finished.get(variants.get(i));
                for (Map.Entry<Long, Path> run : finished.get(variants.get(j)).entrySet()) {
                    Path a = base.get(run.getKey()), b = run.getValue();
                    if (a == null || UserRows.inRun(a) == null || UserRows.inRun(b) == null) continue;
                    UserRows ra = userRows(rows, a), rb = userRows(rows, b);
                    Map<String, Paired.Result> m = new LinkedHashMap<>();
                    for (String metric : CompareCommand.DEFAULT_METRICS.split(",")) m.put(metric, Paired.compare(ra.metric(metric), rb.metric(metric)));
                    out.add(new ResultTable.PairedDiff(variants.get(j), variants.get(i), run.getKey(), m));
                }
            }
        }
        return out.isEmpty() ? null : out;
    }

    private static UserRows userRows(Map<Path, UserRows> cache, Path run) throws IOException {
        UserRows r = cache.get(run);
        if (r == null) cache.put(run, r = UserRows.read(UserRows.inRun(run)));
        return r;
    }

    /**
     * The experiment-wide flags that apply to a variant's model: a model setting its model does not have (say
     * {@code --db} for POP in a comparison) is left out for that variant instead of failing its run.
     */
    static List<String> applicable(List<String> extra, List<String> variant) {
        int at = variant.indexOf("--model");
        ModelFamily<?> family = Models.forName(at >= 0 && at + 1 < variant.size() ? variant.get(at + 1) : ComiRecSA.NAME);
        Map<String, List<ModelFamily<?>>> modelFlags = SettingOptions.modelFlags();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < extra.size(); i++) {
            String a = extra.get(i);
            String flag = a.startsWith("--no-") ? "--" + a.substring(5) : a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            if (modelFlags.containsKey(flag) && family.setting(flag).isEmpty()) {
                boolean takesValue = !modelFlags.get(flag).get(0).setting(flag).orElseThrow().isSwitch() && !a.contains("=");
                System.err.println("re4j experiment: " + a + " does not apply to " + family.name() + "; not passed to it");
                if (takesValue) i++;
                continue;
            }
            out.add(a);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, List<String>> variants(Object... labelFlags) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < labelFlags.length; i += 2) m.put((String) labelFlags[i], (List<String>) labelFlags[i + 1]);
        return m;
    }
}
