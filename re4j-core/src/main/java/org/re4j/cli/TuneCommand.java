package org.re4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.config.ConfigTree;
import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.io.SafeTensors;
import org.re4j.math.Rng;
import org.re4j.train.TrainRun;

/**
 * A search over train flags, selected on valid users only, by successive halving: every configuration trains to the
 * first rung's step and pauses ({@code train --pause-at}); the best 1/η by their valid curve so far continue to the
 * next rung, and so on, until the last ones train to the end. A paused run continues from its checkpoint, so a
 * configuration that survives every rung ends exactly as its uninterrupted run would. The test users are evaluated
 * only for the configuration selected, retrained once per seed given, and (unless {@code --baseline none}) for the
 * model at its defaults on the same seeds, which it is paired against.
 *
 * <p>Every trial is an ordinary {@code re4j train} run into {@code OUT/trials/NNN}, so a killed search continues where
 * it stopped: finished trials are read back, paused or killed ones resumed.
 */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Search train flags on valid users (grid or random, successive halving), then train the selected "
                + "configuration over the seeds and evaluate it on the test users.")
final class TuneCommand implements Callable<Integer> {

    @Option(names = "--data", required = true, description = "As for train (comma-separated files).") String data;
    @Option(names = "--name", description = "Dataset name in reports.") String datasetName;
    @Option(names = "--model", description = "The model (default: train's).") String model;
    @Option(names = "--space", paramLabel = "SPACE", description = "Flags and their values: 'lambda-cl=0,0.1,1;interests=4,8' "
            + "(train flags without --; a switch takes true,false).") String space;
    @Option(names = "--space-file", paramLabel = "FILE", description = "The space as a JSON or YAML object: {\"lambda-cl\": [0, 0.1, 1], ...}.")
    Path spaceFile;
    @Option(names = "--sample", defaultValue = "grid", description = "grid (every combination, in order) or random "
            + "(--budget distinct combinations drawn with the search seed); default: ${DEFAULT-VALUE}.") Sampling sample;
    @Option(names = "--budget", paramLabel = "N", description = "Configurations to try (random: required; grid: refuses a "
            + "larger grid).") Integer budget;
    @Option(names = "--eta", defaultValue = "3", description = "Keep the best 1/η at each rung (default: ${DEFAULT-VALUE}).")
    int eta;
    @Option(names = "--min-steps", paramLabel = "STEPS", description = "The first rung (default: the run's steps / η², rounded "
            + "up to an evaluation); the rungs are min-steps·η^i below the run's steps, then the end.") Long minSteps;
    @Option(names = "--metric", defaultValue = "recall@50", description = "Valid metric that ranks the configurations "
            + "(default: ${DEFAULT-VALUE}); within a run, the best step is chosen by valid recall@50, as train does.")
    String metric;
    @Option(names = "--seeds", defaultValue = "1230,1231,1232", split = ",", description = "The search runs on the first seed's "
            + "split; the selected configuration is retrained on every seed (default: ${DEFAULT-VALUE}).") List<Long> seeds;
    @Option(names = "--out", required = true, description = "Search directory: tune.json, trials/, final/, baseline/, summary.md.") Path out;
    @Option(names = "--baseline", defaultValue = "defaults", description = "defaults: also train the model at its defaults "
            + "(the flags after '--', none of the space's) on every seed, and pair the selected configuration against it over "
            + "the same test users; none: skip (default: ${DEFAULT-VALUE}).") Baseline baseline;
    @Option(names = "--no-progress", description = "No progress bar.") boolean noProgress;
    @Parameters(paramLabel = "TRAIN_FLAG", description = "Flags for every run, after '--' (e.g. -- --steps 20000 --eval-every 1000).")
    List<String> extra = new ArrayList<>();

    enum Sampling { grid, random }

    /** What the selected configuration is compared with on the test users. */
    enum Baseline { defaults, none }

    /** One configuration of the search: flag → value, in the space's order. */
    record Trial(int index, Map<String, String> values) {
        String dir() {
            return String.format(Locale.ROOT, "%03d", index);
        }

        String describe() {
            return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(" "));
        }
    }

    /** Where a trial stands on disk, and its curve (valid metric by step) so far. */
    record State(boolean finished, long step, Map<Long, Double> curve, JsonNode metrics) {
        /** The best valid value of the curve up to {@code upTo}: what a rung ranks, the same users for every trial. */
        double score(long upTo) {
            return curve.entrySet().stream().filter(e -> e.getKey() <= upTo).mapToDouble(Map.Entry::getValue)
                    .max().orElse(Double.NEGATIVE_INFINITY);
        }

        /** A finished run's valid value: its selected step on every valid user (metrics.json), what selection ranks. */
        double finalScore(String metric) {
            return metrics.path("valid").path(metric).asDouble(Double.NEGATIVE_INFINITY);
        }
    }

    private PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        if (eta < 2) throw new IllegalArgumentException("--eta must be ≥ 2, got " + eta);
        if (seeds.isEmpty()) throw new IllegalArgumentException("--seeds: give at least one seed");
        Map<String, List<String>> flags = readSpace();
        long searchSeed = seeds.get(0);
        List<Trial> plan = plan(flags, searchSeed);
        List<String> base = baseArgs(searchSeed);
        TrainConfig tc = resolve(base, plan.get(0));
        for (Trial t : plan.subList(1, plan.size())) resolve(base, t); // a bad value fails now, not after hours
        long[] rungs = rungs(tc.steps(), tc.evalEvery());

        Files.createDirectories(out.resolve("trials"));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("command", command());
        header.put("space", flags);
        header.put("sample", sample.name());
        header.put("eta", eta);
        header.put("rungs", rungs);
        header.put("metric", metric);
        header.put("search_seed", searchSeed);
        header.put("trials", plan.stream().map(Trial::values).toList());
        Path tuneJson = out.resolve("tune.json");
        if (Files.exists(tuneJson)) { // a killed search continues only as the same search
            JsonNode before = ModelDir.JSON.readTree(tuneJson.toFile());
            for (String k : List.of("space", "sample", "eta", "rungs", "metric", "search_seed", "trials")) {
                if (!before.path(k).equals(ModelDir.JSON.readTree(ModelDir.JSON.writeValueAsString(header.get(k))))) {
                    throw new IllegalArgumentException(out + " holds another search (its " + k + " was " + before.path(k)
                            + "): choose another --out, or repeat that search's command to continue it");
                }
            }
        } else {
            AtomicFiles.writeString(tuneJson, ModelDir.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(header) + "\n");
        }

        for (Trial t : plan) { // a trial read back or resumed is this search's, the flags after '--' included
            List<String> command = new ArrayList<>(base);
            command.addAll(trialFlags(t));
            TrainCommand.requireSameSettings(out.resolve("trials").resolve(t.dir()), command);
        }
        long started = System.nanoTime();
        long budgetSteps = 0;
        List<Integer> alive = new ArrayList<>();
        for (Trial t : plan) alive.add(t.index());
        for (int r = 0; r < rungs.length; r++) budgetSteps += (rungs[r] - (r == 0 ? 0 : rungs[r - 1])) * survivors(plan.size(), r);
        err.printf("re4j tune: %d configurations, rungs at %s steps, at most %,d steps in all (%.1f full runs)%n",
                plan.size(), Arrays.toString(rungs), budgetSteps, budgetSteps / (double) tc.steps());
        Map<Integer, Long> stoppedAt = new LinkedHashMap<>();
        try (ProgressBar bar = noProgress || System.console() == null ? null : new ProgressBarBuilder().setTaskName("tune")
                .setInitialMax(budgetSteps).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(1000).setUnit(" steps", 1).build()) {
            long done = 0;
            for (int r = 0; r < rungs.length; r++) {
                boolean last = r == rungs.length - 1;
                for (int i : alive) {
                    Trial t = plan.get(i);
                    State s = state(t);
                    if (!s.finished() && s.step() < rungs[r]) advance(t, base, last ? 0 : rungs[r]);
                    done += rungs[r] - (r == 0 ? 0 : rungs[r - 1]);
                    if (bar != null) bar.stepTo(done);
                }
                if (last) break;
                long at = rungs[r];
                List<Integer> ranked = new ArrayList<>(alive);
                Map<Integer, Double> score = new LinkedHashMap<>();
                for (int i : ranked) score.put(i, state(plan.get(i)).score(at));
                ranked.sort(Comparator.comparingDouble((Integer i) -> -score.get(i)).thenComparingInt(i -> i));
                int keep = survivors(plan.size(), r + 1);
                for (int i : ranked.subList(keep, ranked.size())) {
                    stoppedAt.put(i, at);
                    free(plan.get(i));
                }
                alive = new ArrayList<>(ranked.subList(0, keep));
                alive.sort(null);
                err.printf("re4j tune: rung %d (step %,d): %s continue%n", r, at,
                        alive.stream().map(i -> plan.get(i).dir()).collect(Collectors.joining(", ")));
            }
        }
        double searchSeconds = (System.nanoTime() - started) / 1e9;

        // The selected configuration: the best final valid score among the configurations that trained to the end.
        int selected = alive.stream().max(Comparator.comparingDouble((Integer i) -> state(plan.get(i)).finalScore(metric))
                .thenComparingInt(i -> -i)).orElseThrow();
        Trial best = plan.get(selected);
        err.printf("re4j tune: selected %s (%s)%n", best.dir(), best.describe());

        List<JsonNode> finals = new ArrayList<>(), baselines = new ArrayList<>();
        Map<String, Map<Long, Path>> finished = new LinkedHashMap<>(); // for the paired differences
        // When the selection is the defaults, its runs are the baseline's (a difference of 0), not trained twice.
        RunConfig chosen = settings(base, trialFlags(best), "the selected configuration"), defaults = settings(base, List.of(), "the defaults");
        boolean selectedIsDefaults = chosen.family().name().equals(defaults.family().name()) && chosen.model().equals(defaults.model())
                && chosen.train().equals(defaults.train());
        for (long seed : seeds) {
            Path dir = out.resolve("final").resolve("seed" + seed);
            finals.add(trainOnce(dir, seed, trialFlags(best)));
            if (baseline == Baseline.none) continue;
            Path bdir = selectedIsDefaults ? dir : out.resolve("baseline").resolve("seed" + seed);
            baselines.add(trainOnce(bdir, seed, List.of()));
            finished.computeIfAbsent(DEFAULTS, x -> new LinkedHashMap<>()).put(seed, bdir);
            finished.computeIfAbsent(SELECTED, x -> new LinkedHashMap<>()).put(seed, dir);
        }
        List<ResultTable.PairedDiff> paired = ExperimentCommand.pairedDiffs(finished);
        String md = summary(plan, rungs, stoppedAt, selected, finals, baselines, selectedIsDefaults, paired, tc, searchSeconds);
        AtomicFiles.writeString(out.resolve("summary.md"), md);
        System.out.print(md);
        return 0;
    }

    static final String SELECTED = "selected", DEFAULTS = "defaults";

    /** A run of the given flags on one seed with its test users, trained unless it finished (resumed if it was killed). */
    private JsonNode trainOnce(Path dir, long seed, List<String> flags) throws IOException {
        List<String> command = new ArrayList<>(baseArgs(seed));
        command.addAll(flags);
        TrainCommand.requireSameSettings(dir, command); // a run kept or resumed is this search's
        if (!Files.exists(dir.resolve(TrainRun.METRICS))) {
            List<String> args;
            if (ModelDir.Staging.resumable(dir) != null) {
                args = new ArrayList<>(List.of("train", "--resume", dir.toString(), "--no-progress"));
            } else {
                args = new ArrayList<>(baseArgs(seed));
                args.addAll(List.of("--out", dir.toString()));
                if (Files.exists(dir)) args.add("--overwrite");
                args.addAll(flags);
            }
            train(args, dir);
        }
        return ModelDir.JSON.readTree(dir.resolve(TrainRun.METRICS).toFile());
    }

    /** The space, from --space or --space-file: flag (without --) → its values as train reads them. */
    private Map<String, List<String>> readSpace() throws IOException {
        if ((space == null) == (spaceFile == null)) throw new IllegalArgumentException("give the search space: --space or --space-file");
        Map<String, List<String>> m = new LinkedHashMap<>();
        if (space != null) {
            for (String part : space.split(";")) {
                if (part.isBlank()) continue;
                int eq = part.indexOf('=');
                if (eq <= 0 || eq == part.length() - 1) {
                    throw new IllegalArgumentException("--space: '" + part.strip() + "' is not FLAG=VALUE,VALUE,... (e.g. lambda-cl=0,0.1,1)");
                }
                List<String> values = Arrays.stream(part.substring(eq + 1).split(",")).map(String::strip).toList();
                if (values.stream().anyMatch(String::isEmpty)) throw new IllegalArgumentException("--space: an empty value in '" + part.strip() + "'");
                put(m, part.substring(0, eq).strip(), values, "--space");
            }
        } else {
            JsonNode n = ConfigTree.read(spaceFile);
            if (!n.isObject()) throw new IllegalArgumentException(spaceFile + ": the space must be an object of flag → list of values");
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw new IllegalArgumentException(spaceFile + ": " + e.getKey() + " must be a non-empty list of values");
                }
                List<String> values = new ArrayList<>();
                e.getValue().forEach(v -> values.add(v.isTextual() ? v.asText() : v.toString()));
                put(m, e.getKey(), values, spaceFile.toString());
            }
        }
        if (m.isEmpty()) throw new IllegalArgumentException("the search space is empty");
        return m;
    }

    private static void put(Map<String, List<String>> m, String flag, List<String> values, String where) {
        String f = flag.startsWith("--") ? flag.substring(2) : flag;
        if (List.of("seed", "out", "data", "resume", "pause-at", "skip-test", "overwrite").contains(f)) {
            throw new IllegalArgumentException(where + ": --" + f + " is set by the search itself and cannot be searched");
        }
        if (m.containsKey(f)) throw new IllegalArgumentException(where + ": " + f + " is given twice");
        if (values.stream().distinct().count() < values.size()) throw new IllegalArgumentException(where + ": " + f + " repeats a value");
        m.put(f, values);
    }

    /** The configurations: the whole grid in order, or a random subset of it (distinct, in grid order). */
    private List<Trial> plan(Map<String, List<String>> flags, long seed) {
        long size = 1;
        for (List<String> v : flags.values()) size = Math.multiplyExact(size, v.size());
        int n;
        if (sample == Sampling.grid) {
            if (budget != null && size > budget) {
                throw new IllegalArgumentException("the grid has " + size + " configurations, more than --budget " + budget
                        + ": narrow the space or use --sample random");
            }
            if (size > 10_000) throw new IllegalArgumentException("the grid has " + size + " configurations: use --sample random --budget N");
            n = (int) size;
        } else {
            if (budget == null || budget < 1) throw new IllegalArgumentException("--sample random needs --budget N (≥ 1)");
            n = (int) Math.min(budget, size);
        }
        long[] picks = new long[n];
        if (n == size) {
            for (int i = 0; i < n; i++) picks[i] = i;
        } else { // n distinct grid positions: a partial Fisher–Yates over the positions, for grids that fit in memory
            if (size > 10_000_000) throw new IllegalArgumentException("the space has " + size + " configurations: narrow it");
            int[] idx = new int[(int) size];
            for (int i = 0; i < idx.length; i++) idx[i] = i;
            new Rng(seed ^ 0x74756E65L).sample(idx, n); // "tune": a stream apart from the runs' own
            for (int i = 0; i < n; i++) picks[i] = idx[i];
            Arrays.sort(picks);
        }
        List<Trial> plan = new ArrayList<>();
        List<String> keys = new ArrayList<>(flags.keySet());
        for (int t = 0; t < n; t++) {
            long rest = picks[t];
            Map<String, String> values = new LinkedHashMap<>();
            long stride = size;
            for (String k : keys) { // mixed radix, the first flag slowest
                stride /= flags.get(k).size();
                values.put(k, flags.get(k).get((int) (rest / stride)));
                rest %= stride;
            }
            plan.add(new Trial(t, values));
        }
        return plan;
    }

    /** How many configurations train at rung {@code r}: ⌈n / η^r⌉. */
    private int survivors(int n, int r) {
        double k = n;
        for (int i = 0; i < r; i++) k = Math.ceil(k / eta);
        return (int) k;
    }

    /** The rungs' steps: minSteps·η^i while below the run's steps, each on an evaluation, then the run's steps. */
    long[] rungs(long steps, int evalEvery) {
        long first = minSteps != null ? minSteps : Math.max(1, steps / ((long) eta * eta));
        if (first < 1) throw new IllegalArgumentException("--min-steps must be ≥ 1, got " + first);
        List<Long> r = new ArrayList<>();
        for (long s = first; s < steps; s = Math.multiplyExact(s, eta)) {
            long onEval = Math.min(steps, (s + evalEvery - 1) / evalEvery * evalEvery);
            if (onEval < steps && (r.isEmpty() || onEval > r.get(r.size() - 1))) r.add(onEval);
        }
        r.add(steps);
        return r.stream().mapToLong(Long::longValue).toArray();
    }

    private List<String> baseArgs(long seed) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data, "--seed", Long.toString(seed), "--no-progress"));
        if (datasetName != null) a.addAll(List.of("--name", datasetName));
        if (model != null) a.addAll(List.of("--model", model));
        a.addAll(extra);
        return a;
    }

    /** A trial's flags: each switch as --flag or --no-flag, each other flag with its value. */
    private static List<String> trialFlags(Trial t) {
        CommandLine train = new CommandLine(new TrainCommand());
        List<String> a = new ArrayList<>();
        for (var e : t.values().entrySet()) {
            OptionSpec o = train.getCommandSpec().findOption("--" + e.getKey());
            if (o == null) throw new IllegalArgumentException("the search space names --" + e.getKey() + ", which train does not have");
            if (o.type() == boolean.class || o.type() == Boolean.class) {
                String v = e.getValue().toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw new IllegalArgumentException("--" + e.getKey() + " is a switch: its values are true and false, not " + e.getValue());
                }
                a.add(v.equals("true") ? "--" + e.getKey() : "--no-" + e.getKey());
            } else {
                a.add("--" + e.getKey());
                a.add(e.getValue());
            }
        }
        return a;
    }

    /** The training settings of a trial, as train resolves them (this also checks every flag and value). */
    private TrainConfig resolve(List<String> base, Trial t) throws IOException {
        return settings(base, trialFlags(t), "configuration " + t.dir() + " (" + t.describe() + ")").train().resolved();
    }

    /** The model and training settings that {@code base} plus {@code flags} give, as train resolves them. */
    private RunConfig settings(List<String> base, List<String> flags, String what) throws IOException {
        List<String> args = new ArrayList<>(base.subList(1, base.size()));
        args.addAll(List.of("--out", out.resolve("trials").toString()));
        args.addAll(flags);
        try {
            if (dataset == null) { // the data's catalogue, read once for every configuration
                TrainCommand cmd = new TrainCommand();
                new CommandLine(cmd).setOverwrittenOptionsAllowed(true).parseArgs(args.toArray(new String[0]));
                dataset = cmd.data.load();
            }
            return TrainCommand.settings(args, dataset.numItems());
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage());
        }
    }

    private Dataset dataset;

    /** Where a trial stands: finished (metrics.json), paused or killed (its hidden directory), or not begun. */
    private State state(Trial t) {
        Path dir = out.resolve("trials").resolve(t.dir());
        try {
            if (Files.exists(dir.resolve(TrainRun.METRICS))) {
                JsonNode m = ModelDir.JSON.readTree(dir.resolve(TrainRun.METRICS).toFile());
                return new State(true, m.path("train").path("steps").asLong(), curve(dir.resolve(TrainRun.LOG)), m);
            }
            Path hidden = ModelDir.Staging.resumable(dir);
            if (hidden == null) return new State(false, 0, Map.of(), null);
            Path ck = hidden.resolve(ModelDir.CHECKPOINT);
            Map<Long, Double> curve = new LinkedHashMap<>(curve(hidden.resolve(TrainRun.LOG)));
            long step;
            if (Files.exists(ck)) {
                step = Long.parseLong(SafeTensors.metadata(ck).getOrDefault("step", "0"));
                curve.keySet().removeIf(s -> s > step); // what a resume writes again
            } else { // stopped at a rung (its checkpoint freed), or killed before its first checkpoint
                step = curve.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
            }
            return new State(false, step, curve, null);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read trial " + dir + ": " + e.getMessage(), e);
        }
    }

    private Map<Long, Double> curve(Path log) throws IOException {
        Map<Long, Double> c = new LinkedHashMap<>();
        if (!Files.exists(log)) return c;
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.isBlank()) continue;
            JsonNode n = ModelDir.JSON.readTree(line);
            if (n.path("valid").has(metric)) c.put(n.path("step").asLong(), n.path("valid").path(metric).asDouble());
        }
        if (!c.isEmpty() || Files.size(log) == 0) return c;
        throw new IllegalArgumentException(log + " has no valid " + metric + ": choose a --metric that train logs (e.g. recall@50)");
    }

    /** Trains a trial to {@code pauseAt} (0: to its end), starting it or continuing it from its checkpoint. */
    private void advance(Trial t, List<String> base, long pauseAt) throws IOException {
        Path dir = out.resolve("trials").resolve(t.dir());
        List<String> args;
        if (ModelDir.Staging.resumable(dir) != null) {
            args = new ArrayList<>(List.of("train", "--resume", dir.toString(), "--no-progress"));
        } else {
            args = new ArrayList<>(base);
            args.addAll(List.of("--out", dir.toString(), "--skip-test"));
            if (Files.exists(dir)) args.add("--overwrite");
            args.addAll(trialFlags(t));
        }
        if (pauseAt > 0) args.addAll(List.of("--pause-at", Long.toString(pauseAt)));
        train(args, dir);
    }

    private void train(List<String> args, Path dir) {
        err.println("re4j tune: " + String.join(" ", args));
        int code = Main.run(true, args.toArray(new String[0]));
        if (code != 0) throw new IllegalStateException("run " + dir + " failed (exit " + code + ")");
    }

    /** A configuration stopped early keeps its log but not its checkpoint (the disk of a model and its moments). */
    private void free(Trial t) throws IOException {
        Path hidden = ModelDir.Staging.resumable(out.resolve("trials").resolve(t.dir()));
        if (hidden != null) Files.deleteIfExists(hidden.resolve(ModelDir.CHECKPOINT));
    }

    private String command() {
        StringBuilder sb = new StringBuilder("re4j tune --data " + data);
        if (datasetName != null) sb.append(" --name ").append(datasetName);
        if (model != null) sb.append(" --model ").append(model);
        if (space != null) sb.append(" --space '").append(space).append('\'');
        if (spaceFile != null) sb.append(" --space-file ").append(spaceFile);
        sb.append(" --sample ").append(sample);
        if (budget != null) sb.append(" --budget ").append(budget);
        sb.append(" --eta ").append(eta);
        if (minSteps != null) sb.append(" --min-steps ").append(minSteps);
        sb.append(" --metric ").append(metric).append(" --seeds ")
                .append(seeds.stream().map(String::valueOf).collect(Collectors.joining(","))).append(" --out ").append(out);
        if (!extra.isEmpty()) sb.append(" -- ").append(String.join(" ", extra));
        return sb.toString();
    }

    private String summary(List<Trial> plan, long[] rungs, Map<Integer, Long> stoppedAt, int selected, List<JsonNode> finals,
                           List<JsonNode> baselines, boolean selectedIsDefaults, List<ResultTable.PairedDiff> paired, TrainConfig tc,
                           double searchSeconds) throws IOException {
        StringBuilder md = new StringBuilder("# Search on " + (datasetName != null ? datasetName : data) + "\n\n`" + command() + "`\n\n");
        long trained = 0;
        StringBuilder rows = new StringBuilder("| trial | flags | valid " + metric + " | steps | best step | outcome |\n|---|---|---:|---:|---:|---|\n");
        List<Map<String, Object>> json = new ArrayList<>();
        for (Trial t : plan) {
            State s = state(t);
            long steps = s.finished() ? s.step() : stoppedAt.getOrDefault(t.index(), s.step());
            trained += steps;
            double score = s.finished() ? s.finalScore(metric) : s.score(steps);
            String outcome = s.finished() ? (s.step() < tc.steps() ? "finished (patience)" : "finished")
                    : "stopped at rung step " + String.format(Locale.ROOT, "%,d", steps);
            if (t.index() == selected) outcome += ", **selected**";
            long bestStep = s.finished() ? s.metrics().path("train").path("best_step").asLong()
                    : s.curve().entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(0L);
            rows.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %,d | %,d | %s |%n", t.dir(), t.describe(), score, steps, bestStep, outcome));
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("trial", t.dir());
            j.put("flags", t.values());
            j.put("valid_" + metric, score);
            j.put("steps", steps);
            j.put("best_step", bestStep);
            j.put("finished", s.finished());
            j.put("selected", t.index() == selected);
            json.add(j);
        }
        md.append(String.format(Locale.ROOT, "%d configurations on seed %d's split, successive halving with η %d at steps %s; "
                        + "ranked by valid %s (the test users were not evaluated).%n%n", plan.size(), seeds.get(0), eta,
                Arrays.stream(rungs).mapToObj(r -> String.format(Locale.ROOT, "%,d", r)).collect(Collectors.joining(", ")), metric));
        md.append(rows);
        md.append(String.format(Locale.ROOT, "%nCost: %,d steps trained, %.1f full runs of %,d steps (a grid of full runs: %d); "
                + "search wall time %.0f s.%n", trained, trained / (double) tc.steps(), tc.steps(), plan.size(), searchSeconds));
        Trial best = plan.get(selected);
        md.append("\nSelected: trial ").append(best.dir()).append(" (`").append(String.join(" ", trialFlags(best))).append("`).\n");

        List<String> columns = List.of(ReportCommand.COLUMNS);
        List<ResultTable.Row> tableRows = new ArrayList<>();
        if (!baselines.isEmpty()) tableRows.add(ResultTable.row(DEFAULTS, List.of(), null, baselines, columns));
        tableRows.add(ResultTable.row(SELECTED, trialFlags(best), null, finals, columns));
        ResultTable table = new ResultTable("search on " + (datasetName != null ? datasetName : data),
                datasetName != null ? datasetName : data, "test", command(), seeds, null, tableRows, paired);
        md.append("\nThe selected configuration retrained on each seed").append(baselines.isEmpty() ? "" : ", and the model at its defaults")
                .append(", test users (mean ± std over ").append(seeds.size()).append(seeds.size() == 1 ? " seed" : " seeds")
                .append("):\n\n").append(table.markdown(columns, true));
        md.append("\n| seed | test recall@50 | test ndcg@50 | best step |\n|---:|---:|---:|---:|\n");
        for (int i = 0; i < seeds.size(); i++) {
            JsonNode f = finals.get(i);
            md.append(String.format(Locale.ROOT, "| %d | %.4f | %.4f | %,d |%n", seeds.get(i), f.path("test").path("recall@50").asDouble(),
                    f.path("test").path("ndcg@50").asDouble(), f.path("train").path("best_step").asLong()));
        }
        if (seeds.size() > 1) {
            md.append("\nThe search saw seed ").append(seeds.get(0)).append("'s valid users only. The other seeds split the users "
                    + "anew, so about a tenth of their test users were valid users of the search: seed ").append(seeds.get(0))
                    .append("'s test metrics are the ones no selection has seen.\n");
        }
        if (selectedIsDefaults && !baselines.isEmpty()) {
            md.append("\nThe selected configuration is the model's defaults: the defaults row is the same runs.\n");
        }
        md.append(table.pairedMarkdown());
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("command", command());
        s.put("rungs", rungs);
        s.put("trials", json);
        s.put("steps_trained", trained);
        s.put("full_runs", trained / (double) tc.steps());
        s.put("search_seconds", searchSeconds);
        s.put("selected", best.dir());
        s.put("selected_flags", best.values());
        s.put("final", table);
        AtomicFiles.writeString(out.resolve("summary.json"), ModelDir.JSON.writeValueAsString(s) + "\n");
        return md.toString();
    }
}
