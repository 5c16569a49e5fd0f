package org.re4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.eval.Paired;
import org.re4j.eval.UserRows;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;

/**
 * Compares two runs user by user: for each metric, the means of A and B over the test users both were evaluated on,
 * and a paired bootstrap interval of B − A ({@link Paired}). The runs must share their test users (same data, same
 * seed); each run's {@code test_users.jsonl} holds its per-user values.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Compare two runs on the test users they share: the mean of each metric for A and B, the difference"
                + " B - A and its 95% paired bootstrap interval (users resampled, the same users for both runs).",
                "Reads RUN/test_users.jsonl (written by 're4j train'; 're4j evaluate --per-user FILE' writes the same rows,"
                + " and a RUN may be such a file)."})
final class CompareCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_A", description = "The baseline: a run directory, or a per-user rows file.")
    Path runA;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The run compared with it.")
    Path runB;

    /** The metrics compared unless told otherwise (also in an experiment's paired differences). */
    static final String DEFAULT_METRICS = "recall@50,ndcg@50";

    @Option(names = "--metric", paramLabel = "METRIC", split = ",", defaultValue = DEFAULT_METRICS,
            description = "Metrics to compare (default: ${DEFAULT-VALUE}).")
    List<String> metrics;

    @Option(names = "--resamples", defaultValue = "" + Paired.RESAMPLES, description = "Bootstrap resamples (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--seed", defaultValue = "" + Paired.SEED, description = "Seed of the resampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE.md", description = "Also write the table to this Markdown file.")
    Path out;

    /** One metric's comparison, for the table. */
    record Row(String metric, Paired.Result result) {}

    @Override
    public Integer call() throws Exception {
        if (resamples < 1) throw new IllegalArgumentException("--resamples must be ≥ 1, got " + resamples);
        Path fileA = rowsFile(runA), fileB = rowsFile(runB);
        UserRows a = UserRows.read(fileA), b = UserRows.read(fileB);
        List<Row> rows = new ArrayList<>();
        for (String m : metrics) {
            try {
                rows.add(new Row(m, Paired.compare(metric(a, m, fileA), metric(b, m, fileB), resamples, seed)));
            } catch (IllegalArgumentException e) {
                if (e.getMessage().startsWith(fileA + ":") || e.getMessage().startsWith(fileB + ":")) throw e;
                throw new IllegalArgumentException(fileA + " and " + fileB + ": " + e.getMessage(), e);
            }
        }
        String md = String.format(Locale.ROOT, "A = %s, B = %s%n%n", runA, runB) + table(rows);
        if (out != null) AtomicFiles.writeString(out, md);
        System.out.print(md);
        return 0;
    }

    /** A run directory's rows file (or the file itself); a missing one is refused, saying why it may be missing. */
    static Path rowsFile(Path run) {
        if (Files.isRegularFile(run)) return run;
        if (!Files.isDirectory(run)) throw new IllegalArgumentException(run + ": no such run directory or file");
        Path f = UserRows.inRun(run);
        if (f == null) {
            throw new IllegalArgumentException(run.resolve(ModelDir.TEST_USERS) + " is missing: the run was trained without test users"
                    + " (--skip-test) or before per-user rows existed ('re4j evaluate --model " + run + " --per-user FILE' writes them)");
        }
        return f;
    }

    private static java.util.Map<String, Double> metric(UserRows rows, String m, Path file) {
        try {
            return rows.metric(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** The comparison as a Markdown table, and under it the users, resamples and seed it was drawn from. */
    static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder("| metric | A | B | B − A | 95% CI | significant |\n|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Paired.Result p = r.result();
            sb.append(String.format(Locale.ROOT, "| %s | %.4f | %.4f | %+.4f | %s | %s |%n", r.metric(), p.meanA(), p.meanB(),
                    p.diff(), interval(p), p.significant() ? "yes" : "n.s."));
        }
        if (!rows.isEmpty()) {
            Paired.Result p = rows.get(0).result();
            sb.append(String.format(Locale.ROOT, "%nPaired bootstrap over %,d test users: %,d resamples, seed %d.%n",
                    p.users(), p.resamples(), p.seed()));
        }
        return sb.toString();
    }

    static String interval(Paired.Result p) {
        return String.format(Locale.ROOT, "[%+.4f, %+.4f]", p.lo(), p.hi());
    }
}
