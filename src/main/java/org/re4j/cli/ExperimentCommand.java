package org.re4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;

/**
 * The paper's experiments, one command each: every variant is an ordinary {@code re4j train} run (same flags, one
 * directory per variant and seed), and the summary is the mean ± std of the test metrics over seeds. A finished run
 * (its metrics.json exists) is not run again, so an interrupted experiment resumes where it stopped.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run a named experiment (several train runs over seeds) and write a Markdown summary.")
final class ExperimentCommand implements Callable<Integer> {

    /** Named experiments: label → extra train flags. */
    static final Map<String, Map<String, List<String>>> EXPERIMENTS = new LinkedHashMap<>();

    static {
        EXPERIMENTS.put("compare", variants(
                "pop", "--model pop",
                "comirec-sa", "--model comirec-sa",
                "re4", "--model re4"));
        EXPERIMENTS.put("table2", variants( // the columns of the paper's Table 2
                "pop", "--model pop",
                "youtube-dnn", "--model youtube-dnn",
                "gru4rec", "--model gru4rec",
                "mind", "--model mind",
                "comirec-sa", "--model comirec-sa",
                "comirec-dr", "--model comirec-dr --lr 0.005",
                "re4", "--model re4"));
        EXPERIMENTS.put("table4", variants( // ablation on the Re4 forward flow (K = 8, learned W2)
                "base", "--model re4 --lambda-cl 0 --lambda-att 0 --lambda-ct 0",
                "+re-attend", "--model re4 --lambda-cl 0 --lambda-ct 0",
                "+re-contrast", "--model re4 --lambda-att 0 --lambda-ct 0",
                "+re-construct", "--model re4 --lambda-cl 0 --lambda-att 0",
                "re4", "--model re4"));
        EXPERIMENTS.put("table3", variants( // number of interests
                "K=2", "--model re4 --interests 2", "K=4", "--model re4 --interests 4",
                "K=6", "--model re4 --interests 6", "K=8", "--model re4 --interests 8"));
        EXPERIMENTS.put("table5", variants( // Re-contrast / Re-construct threshold
                "γ=1/2", "--model re4 --gamma-c 0.5", "γ=1/4", "--model re4 --gamma-c 0.25",
                "γ=1/16", "--model re4 --gamma-c 0.0625", "γ=1/32", "--model re4 --gamma-c 0.03125",
                "adaptive", "--model re4 --gamma-c adaptive"));
        Map<String, List<String>> t6 = new LinkedHashMap<>();
        for (String l : new String[] {"1", "0.1", "0.01"}) {
            t6.put("λ_CL=" + l, split("--model re4 --lambda-att 0 --lambda-ct 0 --lambda-cl " + l));
            t6.put("λ_Att=" + l, split("--model re4 --lambda-cl 0 --lambda-ct 0 --lambda-att " + l));
            t6.put("λ_CT=" + l, split("--model re4 --lambda-cl 0 --lambda-att 0 --lambda-ct " + l));
        }
        EXPERIMENTS.put("table6", t6);
        EXPERIMENTS.put("identity", variants( // Re-attend on ComiRec-SA's identity W2 against ComiRec-SA at the same K
                "comirec-sa-k8", "--model comirec-sa --interests 8",
                "re-attend-identity", "--model re4 --projection identity --lambda-cl 0 --lambda-ct 0"));
        EXPERIMENTS.put("figure3", variants( // test Recall@20 along training, Base vs Re4 (also plotted)
                "base", "--model re4 --lambda-cl 0 --lambda-att 0 --lambda-ct 0 --log-test-metrics",
                "re4", "--model re4 --log-test-metrics"));
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
        StringBuilder md = new StringBuilder("# experiment " + name + " on " + (datasetName != null ? datasetName + " (" + data + ")" : data) + "\n\nseeds " + seeds + "; extra flags "
                + extra + "\n\n| variant |");
        for (String m : ReportCommand.COLUMNS) md.append(' ').append(m).append(" |");
        md.append(" train s (mean) |\n|---|").append("---:|".repeat(ReportCommand.COLUMNS.length + 1)).append('\n');
        List<String> missing = new ArrayList<>();
        Map<String, List<String>> cells = new LinkedHashMap<>(); // variant → "mean ± std" per column
        for (Map.Entry<String, List<String>> v : variants.entrySet()) {
            // Variants left out by --only are still summarised when all their runs have finished, so that running
            // an experiment variant by variant ends with the whole table.
            boolean selected = only == null || only.contains(v.getKey());
            List<JsonNode> results = new ArrayList<>();
            for (long seed : seeds) {
                Path dir = out.resolve(v.getKey().replaceAll("[^A-Za-z0-9+=._-]", "_") + "-seed" + seed);
                if (!Files.exists(dir.resolve("metrics.json"))) {
                    if (!selected) continue;
                    List<String> args = new ArrayList<>(List.of("train", "--data", data, "--seed", Long.toString(seed),
                            "--out", dir.toString(), "--no-progress"));
                    if (datasetName != null) args.addAll(List.of("--name", datasetName));
                    args.addAll(extra);          // the experiment's defaults ...
                    args.addAll(v.getValue());   // ... which a variant's own flags override
                    System.err.println("re4j experiment: " + String.join(" ", args));
                    int code = Main.run(true, args.toArray(new String[0]));
                    if (code != 0) throw new IllegalStateException("run " + dir + " failed (exit " + code + ")");
                }
                results.add(ModelDir.JSON.readTree(dir.resolve("metrics.json").toFile()));
            }
            if (results.isEmpty()) {
                missing.add(v.getKey());
                continue;
            }
            // A variant finished on some seeds only is shown over those, and says so in its label.
            String label = results.size() < seeds.size()
                    ? v.getKey() + " (" + results.size() + " of " + seeds.size() + " seeds)" : v.getKey();
            md.append("| ").append(label).append(" |");
            List<String> row = new ArrayList<>();
            for (String m : ReportCommand.COLUMNS) {
                double[] x = results.stream().mapToDouble(r -> r.path("test").path(m).asDouble()).toArray();
                // One seed has no spread to show; "± 0.0000" would claim one.
                row.add(x.length < 2 ? String.format("%.4f", x[0]) : String.format("%.4f ± %.4f", mean(x), std(x)));
                md.append(' ').append(row.get(row.size() - 1)).append(" |");
            }
            cells.put(label, row);
            md.append(String.format(" %.0f |%n", mean(results.stream().mapToDouble(r -> r.path("train").path("seconds").asDouble()).toArray())));
        }
        if (name.equals("table2") && !cells.isEmpty()) {
            // The paper's layout: one row per metric, one column per model.
            md.append(seeds.size() < 2 ? "\nIn the paper's layout (test users, one seed):\n\n| metric |"
                    : "\nIn the paper's layout (test users, mean ± sample std over " + seeds.size() + " seeds):\n\n| metric |");
            for (String v : cells.keySet()) md.append(' ').append(v).append(" |");
            md.append("\n|---|").append("---:|".repeat(cells.size())).append('\n');
            for (int c = 0; c < ReportCommand.COLUMNS.length; c++) {
                md.append("| ").append(ReportCommand.COLUMNS[c]).append(" |");
                for (List<String> row : cells.values()) md.append(' ').append(row.get(c)).append(" |");
                md.append('\n');
            }
        }
        if (!missing.isEmpty()) md.append("\nNot run on any seed yet: ").append(String.join(", ", missing)).append('\n');
        if (name.equals("figure3")) {
            List<String> plot = new ArrayList<>(List.of("plot", "--metric", "test.recall@20", "--out",
                    out.resolve("figure3.png").toString(), "--title", "Test Recall@20 by step (" + (datasetName != null ? datasetName : data) + ")"));
            for (String v : variants.keySet()) plot.add(out.resolve(v + "-seed" + seeds.get(0)).toString());
            if (Main.run(plot.toArray(new String[0])) != 0) throw new IllegalStateException("plot failed");
            md.append("\n![test Recall@20 by step](figure3.png)\n");
        }
        AtomicFiles.writeString(out.resolve("summary.md"), md.toString());
        System.out.print(md);
        return 0;
    }

    static double mean(double[] x) {
        double s = 0;
        for (double v : x) s += v;
        return s / x.length;
    }

    /** Sample standard deviation (0 for one run). */
    static double std(double[] x) {
        if (x.length < 2) return 0;
        double m = mean(x), s = 0;
        for (double v : x) s += (v - m) * (v - m);
        return Math.sqrt(s / (x.length - 1));
    }

    private static Map<String, List<String>> variants(String... labelFlags) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (int i = 0; i < labelFlags.length; i += 2) m.put(labelFlags[i], split(labelFlags[i + 1]));
        return m;
    }

    private static List<String> split(String flags) {
        return List.of(flags.trim().split("\\s+"));
    }
}
