package org.re4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;

import org.re4j.config.ConfigTree;
import org.re4j.eval.Paired;
import org.re4j.io.AtomicFiles;

/**
 * A table of results, one row per model or variant, with the command and seeds that made it: what
 * {@code re4j experiment} writes as {@code summary.json}, what {@code docs/results/*.json} keep, and what
 * {@code re4j report} turns back into Markdown.
 *
 * @param title   e.g. "Table 2 on Gowalla"
 * @param dataset the dataset's name
 * @param users   whose metrics these are: "test" (or "valid")
 * @param command the command that made the table
 * @param seeds   the seeds of every row (a row may list its own)
 * @param notes   one line, or null
 * @param rows    the rows in order
 * @param paired  each variant against the first, seed by seed, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ResultTable(String title, String dataset, String users, String command, List<Long> seeds, String notes, List<Row> rows,
                   List<PairedDiff> paired) {

    /** A table without paired differences. */
    ResultTable(String title, String dataset, String users, String command, List<Long> seeds, String notes, List<Row> rows) {
        this(title, dataset, users, command, seeds, notes, rows, null);
    }

    /** Test metrics shown by default, in order: the paper's NDCG first among the NDCGs. */
    static final List<String> DEFAULT_COLUMNS = List.of("recall@20", "recall@50", "ndcg_comirec_orig@20",
            "ndcg_comirec_orig@50", "hitrate@20", "hitrate@50");

    /**
     * @param label   the variant
     * @param flags   the train flags that make it, or null
     * @param seeds   its seeds when they differ from the table's, or null
     * @param metrics mean and sample standard deviation (null for one seed) per metric
     * @param extra   other numbers (train_seconds, ms_per_step, best_step), or null
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(String label, List<String> flags, List<Long> seeds, Map<String, Stat> metrics, Map<String, Double> extra) {}

    /** @param std the sample standard deviation over seeds, null for one seed */
    record Stat(double mean, Double std) {
        static Stat of(double[] x) {
            double m = 0;
            for (double v : x) m += v;
            m /= x.length;
            if (x.length < 2) return new Stat(m, null);
            double s = 0;
            for (double v : x) s += (v - m) * (v - m);
            return new Stat(m, Math.sqrt(s / (x.length - 1)));
        }

        String format() {
            return std == null ? String.format(Locale.ROOT, "%.4f", mean) : String.format(Locale.ROOT, "%.4f ± %.4f", mean, std);
        }
    }

    /**
     * One variant against a baseline on one seed (the same test users): per metric, B − A with its paired bootstrap
     * interval ({@link Paired}).
     */
    record PairedDiff(String variant, String baseline, long seed, Map<String, Paired.Result> metrics) {}

    /**
     * The paired differences as a Markdown section ("" when there are none): one table per baseline A, each later
     * variant B on every seed, "n.s." where an interval holds 0, then each B's mean ± std over the seeds.
     */
    String pairedMarkdown() {
        if (paired == null || paired.isEmpty()) return "";
        List<String> cols = new ArrayList<>();
        for (PairedDiff d : paired) for (String m : d.metrics().keySet()) if (!cols.contains(m)) cols.add(m);
        Paired.Result first = paired.get(0).metrics().values().iterator().next();
        Map<String, Map<String, List<PairedDiff>>> byBaseline = new LinkedHashMap<>(); // A → B → its seeds
        for (PairedDiff d : paired) {
            byBaseline.computeIfAbsent(d.baseline(), a -> new LinkedHashMap<>()).computeIfAbsent(d.variant(), v -> new ArrayList<>()).add(d);
        }
        boolean overSeeds = byBaseline.values().stream().flatMap(m -> m.values().stream()).anyMatch(l -> l.size() > 1);
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%n## Paired differences%n%n%s on the same"
                + " seed: B − A over the test users both runs share, and its 95%% paired bootstrap interval (%,d resamples, seed %d);"
                + " n.s.: the interval holds 0%s.%n", byBaseline.size() == 1 ? "Each variant B against " + paired.get(0).baseline()
                : "Each pair of variants, B against each A listed before it,", first.resamples(), first.seed(),
                overSeeds ? "; then, over the seeds, the mean ± std of those differences" : ""));
        for (Map.Entry<String, Map<String, List<PairedDiff>>> a : byBaseline.entrySet()) {
            if (byBaseline.size() > 1) sb.append("\n### Against ").append(a.getKey()).append('\n');
            sb.append("\n| variant | seed |");
            for (String c : cols) sb.append(' ').append(c).append(" |");
            sb.append("\n|---|---:|").append("---:|".repeat(cols.size())).append('\n');
            for (List<PairedDiff> seeds : a.getValue().values()) {
                for (PairedDiff d : seeds) {
                    sb.append("| ").append(d.variant()).append(" | ").append(d.seed()).append(" |");
                    for (String c : cols) {
                        Paired.Result p = d.metrics().get(c);
                        sb.append(' ').append(p == null ? "–" : String.format(Locale.ROOT, "%+.4f %s%s", p.diff(), CompareCommand.interval(p),
                                p.significant() ? "" : " n.s.")).append(" |");
                    }
                    sb.append('\n');
                }
            }
            // Over seeds: the mean ± sample std of each variant's per-seed differences.
            for (Map.Entry<String, List<PairedDiff>> v : a.getValue().entrySet()) {
                if (v.getValue().size() < 2) continue;
                sb.append("| ").append(v.getKey()).append(" | mean ± std over ").append(v.getValue().size()).append(" seeds |");
                for (String c : cols) {
                    double[] x = v.getValue().stream().filter(d -> d.metrics().containsKey(c)).mapToDouble(d -> d.metrics().get(c).diff()).toArray();
                    sb.append(' ').append(x.length < 2 ? "–" : Stat.of(x).format().replaceFirst("^(?=[0-9])", "+")).append(" |");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    static ResultTable read(Path file) throws IOException {
        try {
            return ConfigTree.toRecord(ConfigTree.read(file), ResultTable.class, file.toString());
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    void write(Path file) throws IOException {
        AtomicFiles.writeString(file, ConfigTree.JSON.writeValueAsString(this) + "\n");
    }

    /** The table in Markdown with the given metric columns (those no row has are left out) and the extra columns. */
    String markdown(List<String> columns, boolean extras) {
        List<String> cols = new ArrayList<>();
        for (String c : columns) if (rows.stream().anyMatch(r -> r.metrics() != null && r.metrics().containsKey(c))) cols.add(c);
        Set<String> extra = new LinkedHashSet<>();
        if (extras) for (Row r : rows) if (r.extra() != null) extra.addAll(r.extra().keySet());
        StringBuilder sb = new StringBuilder("| variant |");
        for (String c : cols) sb.append(' ').append(c).append(" |");
        for (String e : extra) sb.append(' ').append(e.replace('_', ' ')).append(" |");
        sb.append("\n|---|").append("---:|".repeat(cols.size() + extra.size())).append('\n');
        for (Row r : rows) {
            String label = r.label();
            if (r.seeds() != null && seeds != null && r.seeds().size() < seeds.size()) {
                label += " (" + r.seeds().size() + " of " + seeds.size() + " seeds)";
            }
            sb.append("| ").append(label).append(" |");
            for (String c : cols) {
                Stat s = r.metrics() == null ? null : r.metrics().get(c);
                sb.append(' ').append(s == null ? "–" : s.format()).append(" |");
            }
            for (String e : extra) {
                Double v = r.extra() == null ? null : r.extra().get(e);
                sb.append(' ').append(v == null ? "–" : v == Math.rint(v) && Math.abs(v) >= 10 ? String.format(Locale.ROOT, "%.0f", v)
                        : String.format(Locale.ROOT, "%.2f", v)).append(" |");
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The metrics of a set of metrics.json contents (one per seed), as a row. */
    static Row row(String label, List<String> flags, List<Long> seeds, List<com.fasterxml.jackson.databind.JsonNode> runs,
                   List<String> metricKeys) {
        Map<String, Stat> m = new LinkedHashMap<>();
        for (String k : metricKeys) {
            if (runs.stream().allMatch(r -> r.path("test").has(k))) {
                m.put(k, Stat.of(runs.stream().mapToDouble(r -> r.path("test").path(k).asDouble()).toArray()));
            }
        }
        Map<String, Double> extra = new LinkedHashMap<>();
        extra.put("train_seconds", runs.stream().mapToDouble(r -> r.path("train").path("seconds").asDouble()).average().orElse(0));
        return new Row(label, flags, seeds, m, extra);
    }
}
