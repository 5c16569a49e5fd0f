package org.re4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.analysis.Clustering;
import org.re4j.analysis.InterestAnalysis;
import org.re4j.analysis.InterestAnalysis.Scores;
import org.re4j.analysis.InterestAnalysis.UserPoints;
import org.re4j.analysis.ScatterFigure;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;

/**
 * The paper's representation analysis on trained models: Table 7 (INTER / INTRA clustering scores for every
 * clustering method and initialisation) and Figure 4 (t-SNE of a few test users' interests and items), for
 * several models side by side on the same test users.
 */
@Command(name = "analyze", mixinStandardHelpOptions = true,
        description = "Table 7 clustering scores and Figure 4 t-SNE panels of trained models, on the same test users.")
final class AnalyzeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "[LABEL=]DIR",
            description = "A directory written by 're4j train'; repeat to compare (e.g. --model base=runs/a --model re4=runs/b).")
    List<String> models;

    @Mixin DataOptions data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Writes summary.md, table7.json, figure4.png and figure4.svg.")
    Path out;

    @Option(names = "--users", defaultValue = "100",
            description = "Test users sampled for the clustering (INTER clusters all of them together; default: ${DEFAULT-VALUE}).")
    int users;

    @Option(names = "--figure-users", defaultValue = "4", description = "Test users drawn in Figure 4 (0: no figure; default: ${DEFAULT-VALUE}).")
    int figureUsers;

    @Option(names = "--fuzziness", defaultValue = "2", description = "Fuzzy C-means exponent m > 1 (default: ${DEFAULT-VALUE}).")
    double fuzziness;

    @Option(names = "--cosine",
            description = "Cluster unit-length vectors (cosine distance) instead of the paper's raw negative dot product.")
    boolean cosine;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the user sample, K-means++ and X-means (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (users < 1) throw new IllegalArgumentException("--users must be at least 1, got " + users);
        if (figureUsers < 0 || figureUsers > users) throw new IllegalArgumentException("--figure-users must be in 0.." + users + ", got " + figureUsers);
        Map<String, TrainedModel> loaded = new LinkedHashMap<>();
        for (String m : models) {
            int eq = m.indexOf('=');
            Path dir = Path.of(eq < 0 ? m : m.substring(eq + 1));
            String label = eq < 0 ? dir.getFileName().toString() : m.substring(0, eq);
            if (loaded.containsKey(label)) throw new IllegalArgumentException("two models labelled '" + label + "': use LABEL=DIR");
            loaded.put(label, TrainedModel.load(dir, data));
        }
        TrainedModel first = loaded.values().iterator().next();
        long splitSeed = first.config().path("train_config").path("seed").asLong();
        for (Map.Entry<String, TrainedModel> e : loaded.entrySet()) {
            TrainedModel t = e.getValue();
            if (!Arrays.equals(t.data().itemIds, first.data().itemIds)) {
                throw new IllegalArgumentException(e.getKey() + " was trained on another catalogue than " + loaded.keySet().iterator().next());
            }
            if (t.config().path("train_config").path("seed").asLong() != splitSeed) {
                System.err.println("re4j: warning: " + e.getKey() + " used another user split; its users here are "
                        + "the first model's test users, some of whom it may have trained on");
            }
        }
        // The same test users for every model, so the columns compare like with like.
        int[] test = first.split().test().clone();
        shuffle(test, new Random(seed));
        int[] sample = Arrays.copyOf(test, Math.min(users, test.length));
        Arrays.sort(sample);

        ObjectNode json = ModelDir.JSON.createObjectNode();
        json.put("users", sample.length).put("distance", cosine ? "cosine" : "negative dot product")
                .put("fuzziness", fuzziness).put("seed", seed);
        Map<String, List<Scores>> scores = new LinkedHashMap<>();
        List<ScatterFigure.Panel> panels = new ArrayList<>();
        Map<String, List<UserPoints>> points = new LinkedHashMap<>();
        ObjectNode byModel = json.putObject("models");
        for (Map.Entry<String, TrainedModel> e : loaded.entrySet()) {
            long t0 = System.nanoTime();
            List<UserPoints> pts = InterestAnalysis.collect(e.getValue().model(), e.getValue().evalSet(sample), cosine);
            points.put(e.getKey(), pts);
            scores.put(e.getKey(), InterestAnalysis.table7(pts, fuzziness, seed));
            System.err.printf(Locale.ROOT, "re4j: analysed %s (K %d) on %d test users in %.1f s%n", e.getKey(),
                    e.getValue().model().numInterests(), sample.length, (System.nanoTime() - t0) / 1e9);
            ArrayNode rows = byModel.putArray(e.getKey());
            for (Scores s : scores.get(e.getKey())) {
                rows.addObject().put("method", s.method().label).put("init", s.init().label)
                        .put("inter", s.inter()).put("intra", s.intra());
            }
        }
        int drawn = Math.min(figureUsers, sample.length);
        for (int u = 0; u < drawn; u++) { // rows = users, columns = models
            for (Map.Entry<String, List<UserPoints>> e : points.entrySet()) {
                UserPoints p = e.getValue().get(u);
                String user = first.data().userIds[p.user()];
                panels.add(InterestAnalysis.tsnePanel(e.getKey() + ", user " + user, p, seed + u));
            }
        }

        Files.createDirectories(out);
        String md = table7(scores, first.data().name + (cosine ? ", cosine distance" : ""), sample.length) + (drawn > 0
                ? "\n![t-SNE of interests (stars) and items (dots) of " + drawn + " test users](figure4.png)\n" : "");
        if (drawn > 0) {
            ScatterFigure fig = new ScatterFigure("t-SNE of interests (stars) and their items (dots)", panels, loaded.size());
            fig.writePng(out.resolve("figure4.png"));
            fig.writeSvg(out.resolve("figure4.svg"));
        }
        AtomicFiles.writeString(out.resolve("table7.json"), ModelDir.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(json));
        AtomicFiles.writeString(out.resolve("summary.md"), md);
        System.out.print(md);
        return 0;
    }

    /** Table 7's layout: rows = method × {INTER, INTRA}, columns = initialisation × model. */
    static String table7(Map<String, List<Scores>> scores, String dataset, int users) {
        StringBuilder sb = new StringBuilder("# Table 7 on " + dataset + ": interest clustering of " + users + " test users\n\n| method | score |");
        for (Clustering.Init init : Clustering.Init.values()) {
            for (String model : scores.keySet()) sb.append(' ').append(init.label).append(": ").append(model).append(" |");
        }
        sb.append("\n|---|---|").append("---:|".repeat(Clustering.Init.values().length * scores.size())).append('\n');
        for (Clustering.Method m : Clustering.Method.values()) {
            for (String score : new String[] {"INTER", "INTRA"}) {
                sb.append("| ").append(m.label).append(" | ").append(score).append(" |");
                for (Clustering.Init init : Clustering.Init.values()) {
                    for (List<Scores> s : scores.values()) {
                        Scores c = s.stream().filter(x -> x.method() == m && x.init() == init).findFirst().orElseThrow();
                        sb.append(String.format(Locale.ROOT, " %.4f |", score.equals("INTER") ? c.inter() : c.intra()));
                    }
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static void shuffle(int[] a, Random r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
