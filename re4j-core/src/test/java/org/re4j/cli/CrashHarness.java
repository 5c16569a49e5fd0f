package org.re4j.cli;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.re4j.io.ModelDir;

/**
 * Kills {@code re4j train --overwrite} (a child JVM on this classpath, SIGKILL through
 * {@link Process#destroyForcibly}) while it replaces a model, and classifies what each kill left in the model
 * directory: nothing, the complete previous model, the complete new model, a directory that {@code evaluate} refuses
 * with one clear line, or an inconsistent one (loads, but its files do not belong together; must never happen).
 *
 * <p>The previous model (seed 1) and the new one (seed 2) are trained once uninterrupted as references; runs are
 * deterministic, so a complete model is recognised by its parameters' bytes and its metrics. {@code main} runs many
 * kills and prints the tally (scripts/crash-test.sh); {@code ModelDirCrashTest} runs a few.
 */
final class CrashHarness {

    static final ObjectMapper JSON = new ObjectMapper();

    /** What the kills left. {@code refusals} counts each refusal's message with its paths left out. */
    static final class Tally {
        int kills, nothing, nothingPreviousAside, previous, newer, refused, inconsistent, leftoverMax;
        final Map<String, Integer> refusals = new LinkedHashMap<>();
        final List<String> inconsistencies = new ArrayList<>();

        String line() {
            return String.format("kills %d: left nothing %d (previous model set aside, put back by the next run: %d), "
                            + "complete previous model %d, complete new model %d, refused clearly %d, inconsistent %d; "
                            + "hidden leftovers at most %d at once",
                    kills, nothing, nothingPreviousAside, previous, newer, refused, inconsistent, leftoverMax);
        }
    }

    private final Path work, data, model, refA, refB;
    private final List<String> flags;
    private JsonNode testA, testB;
    private byte[] paramsA, paramsB;
    /** Milliseconds an uninterrupted child run takes, JVM start included. */
    long runMillis;

    /**
     * @param work  an empty directory for the models
     * @param data  an interactions file
     * @param flags training flags besides --data, --seed and --out (small: each kill costs a run)
     */
    CrashHarness(Path work, Path data, List<String> flags) {
        this.work = work;
        this.data = data;
        this.flags = flags;
        this.model = work.resolve("model");
        this.refA = work.resolve("ref-previous");
        this.refB = work.resolve("ref-new");
    }

    /**
     * Trains the two references in-process.
     *
     * @param timeChild also train the new one in a child, which times a run (else the first child run that ends by
     *                  itself, such as one halted at a commit point, does)
     */
    void setUp(boolean timeChild) throws IOException, InterruptedException {
        for (Object[] r : new Object[][] {{1L, refA}, {2L, refB}}) {
            CliTest.Run a = CliTest.run(trainArgs((Long) r[0], (Path) r[1], false).toArray(new String[0]));
            if (a.code() != 0) throw new IllegalStateException("reference run failed: " + a.err());
        }
        testA = JSON.readTree(refA.resolve(ModelDir.METRICS).toFile()).path("test");
        testB = JSON.readTree(refB.resolve(ModelDir.METRICS).toFile()).path("test");
        paramsA = Files.readAllBytes(refA.resolve(ModelDir.PARAMS));
        paramsB = Files.readAllBytes(refB.resolve(ModelDir.PARAMS));
        if (java.util.Arrays.equals(paramsA, paramsB)) throw new IllegalStateException("the two references are the same model");
        if (timeChild) {
            Path scratch = work.resolve("timed");
            long t0 = System.nanoTime();
            Process p = child(trainArgs(2, scratch, false), null);
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("child run failed: " + Files.readString(work.resolve("child.log")));
            }
            runMillis = (System.nanoTime() - t0) / 1_000_000;
            if (!sameBytes(scratch.resolve(ModelDir.PARAMS), paramsB)) throw new IllegalStateException("a child run gives another model");
            delete(scratch);
        }
    }

    private List<String> trainArgs(long seed, Path out, boolean overwrite) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--seed", Long.toString(seed),
                "--out", out.toString(), "--no-progress"));
        args.addAll(flags);
        if (overwrite) args.add("--overwrite");
        return args;
    }

    private Process child(List<String> args, String crashAt) throws IOException {
        return childJvm(args, crashAt, work.resolve("child.log"));
    }

    /** {@code re4j ARGS} in a child JVM on this classpath, halted at {@code crashAt} (re4j.crashAt) unless null. */
    static Process childJvm(List<String> args, String crashAt, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) cmd.add("--add-modules=jdk.incubator.vector");
        if (crashAt != null) cmd.add("-Dre4j.crashAt=" + crashAt);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Puts the previous model in place, unless a killed run left it set aside (the next run must put it back). */
    private void reset() throws IOException {
        if (!Files.exists(model) && !hidden().stream().anyMatch(p -> p.getFileName().toString().contains(".replaced-"))) {
            copy(refA, model);
        } else if (Files.exists(model) && !sameBytes(model.resolve(ModelDir.PARAMS), paramsA)) {
            delete(model);
            copy(refA, model);
        }
    }

    /** One run, killed after {@code delayMillis}, or halted at a commit point ({@code crashAt}); then the verdict. */
    String kill(long delayMillis, String crashAt, Tally tally) throws IOException, InterruptedException {
        reset();
        long t0 = System.nanoTime();
        Process p = child(trainArgs(2, model, true), crashAt);
        boolean ended = crashAt != null;
        if (crashAt == null && !p.waitFor(delayMillis, TimeUnit.MILLISECONDS)) p.destroyForcibly();
        else ended = true;
        if (!p.waitFor(10, TimeUnit.MINUTES)) throw new IllegalStateException("child run does not end");
        if (ended && runMillis == 0) runMillis = (System.nanoTime() - t0) / 1_000_000;
        tally.kills++;
        tally.leftoverMax = Math.max(tally.leftoverMax, hidden().size());
        return classify(tally);
    }

    String classify(Tally t) throws IOException {
        if (!Files.exists(model)) {
            boolean aside = hidden().stream().anyMatch(p -> p.getFileName().toString().contains(".replaced-")
                    && sameBytes(p.resolve(ModelDir.PARAMS), paramsA));
            t.nothing++;
            if (aside) t.nothingPreviousAside++;
            CliTest.Run e = CliTest.run("evaluate", "--model", model.toString());
            if (e.code() != 2 || e.err().strip().lines().count() != 1) return inconsistent(t, "missing model not refused in one line: " + e.err());
            return aside ? "nothing (previous set aside)" : "nothing";
        }
        CliTest.Run e = CliTest.run("evaluate", "--model", model.toString());
        if (e.code() == 2) {
            String msg = e.err().strip();
            if (msg.lines().count() != 1 || !msg.startsWith("re4j: error: ")) return inconsistent(t, "refusal not one clear line: " + msg);
            t.refused++;
            t.refusals.merge(msg.replace(work.toString(), "DIR").replaceAll("[0-9a-f]{16,}", "ID"), 1, Integer::sum);
            return "refused: " + msg;
        }
        if (e.code() != 0) return inconsistent(t, "evaluate exit " + e.code() + ": " + e.err());
        JsonNode evaluated = JSON.readTree(e.out()).path("test");
        JsonNode recorded = JSON.readTree(model.resolve(ModelDir.METRICS).toFile()).path("test");
        byte[] params = Files.readAllBytes(model.resolve(ModelDir.PARAMS));
        if (java.util.Arrays.equals(params, paramsA) && close(evaluated, testA) && close(recorded, testA)) {
            t.previous++;
            return "previous";
        }
        if (java.util.Arrays.equals(params, paramsB) && close(evaluated, testB) && close(recorded, testB)) {
            t.newer++;
            return "new";
        }
        return inconsistent(t, "loads, but evaluate says recall@50 " + evaluated.path("recall@50") + " and metrics.json "
                + recorded.path("recall@50"));
    }

    private static boolean close(JsonNode a, JsonNode b) {
        for (String k : List.of("recall@20", "recall@50", "ndcg@50", "hitrate@50")) {
            if (!a.has(k) || Math.abs(a.path(k).asDouble() - b.path(k).asDouble()) > 1e-12) return false;
        }
        return true;
    }

    private static String inconsistent(Tally t, String why) {
        t.inconsistent++;
        t.inconsistencies.add(why);
        return "INCONSISTENT: " + why;
    }

    /** The hidden siblings runs into the model directory made (.model.training-*, .model.replaced-*). */
    List<Path> hidden() throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(work, ".model.*")) {
            for (Path p : ds) out.add(p);
        }
        return out;
    }

    /** An uninterrupted run (in-process) into the model directory: it must replace the model and leave nothing hidden. */
    String finish() throws IOException {
        reset();
        CliTest.Run r = CliTest.run(trainArgs(2, model, true).toArray(new String[0]));
        if (r.code() != 0) return "final run failed: " + r.err();
        if (!hidden().isEmpty()) return "final run left " + hidden();
        if (!sameBytes(model.resolve(ModelDir.PARAMS), paramsB)) return "final run did not leave the new model";
        return null;
    }

    private static boolean sameBytes(Path f, byte[] want) {
        try {
            return Files.exists(f) && java.util.Arrays.equals(Files.readAllBytes(f), want);
        } catch (IOException e) {
            return false;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void delete(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /**
     * {@code CrashHarness [--kills N] [--seed S] [--work DIR]}: N kills at random points (half of them over the
     * whole run, half near its end, where the model is written and committed), then the tally. Exit 1 when any
     * directory was inconsistent or the final run did not clean up.
     */
    public static void main(String[] args) throws Exception {
        int kills = 100;
        long seed = 1;
        Path work = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--kills" -> kills = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (work == null) work = Files.createTempDirectory("re4j-crash");
        Files.createDirectories(work);
        Path data = CliTest.writePlanted(work);
        CrashHarness h = new CrashHarness(work, data, List.of("--steps", "200", "--eval-every", "50", "--dim", "32",
                "--hidden", "32", "--threads", "1"));
        h.setUp(true);
        System.out.printf("re4j crash test: %d kills of 'train --overwrite' (one uninterrupted run: %,d ms), in %s%n",
                kills, h.runMillis, work);
        SplittableRandom rnd = new SplittableRandom(seed);
        Tally t = new Tally();
        for (int i = 0; i < kills; i++) {
            double u = rnd.nextDouble();
            long delay = i % 2 == 0 ? (long) (u * 1.1 * h.runMillis) : (long) ((0.75 + 0.3 * u) * h.runMillis);
            String v = h.kill(delay, null, t);
            System.out.printf("kill %3d after %5d ms: %s%n", i + 1, delay, v);
        }
        String fin = h.finish();
        System.out.println(t.line());
        t.refusals.forEach((m, n) -> System.out.printf("  refused %d× with: %s%n", n, m));
        t.inconsistencies.forEach(m -> System.out.println("  INCONSISTENT: " + m));
        System.out.println(fin == null ? "final uninterrupted run: new model in place, no hidden leftovers" : "FINAL RUN: " + fin);
        System.exit(t.inconsistent == 0 && fin == null ? 0 : 1);
    }
}
