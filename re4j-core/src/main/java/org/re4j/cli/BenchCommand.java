package org.re4j.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.re4j.config.LayeredConfig;
import org.re4j.config.TrainConfig;
import org.re4j.data.Batch;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.SyntheticData;
import org.re4j.data.TrainSampler;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.EvalResult;
import org.re4j.eval.Evaluator;
import org.re4j.eval.ItemTiles;
import org.re4j.math.Blas;
import org.re4j.math.Kernels;
import org.re4j.model.ComiRecSA;
import org.re4j.model.ModelConfig;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Recommender;
import org.re4j.model.re4.Re4;
import org.re4j.train.MemoryCheck;
import org.re4j.train.NegativeSampler;
import org.re4j.train.TrainStep;

/**
 * Speed benchmarks on synthetic data, each printing one JSON line. They measure; they assert nothing. Models are
 * built from the same model settings as {@code train} ({@code --model}, {@code --dim}, {@code --lambda-cl}, ...) and
 * stepped by the trainer's own {@link TrainStep}. Histories are full length (maxLen items, the worst case) unless a
 * step benchmark asks for the training protocol's lengths, and items are drawn log-uniformly, like popular-first ids.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed benchmarks and measurements (one JSON line each).",
        subcommands = {BenchCommand.Step.class, BenchCommand.Flows.class, BenchCommand.Eval.class, BenchServeCommands.Ann.class,
                BenchServeCommands.Http.class, BenchValidSubsetCommand.class, BenchScaleCommand.class})
final class BenchCommand {

    /** One JSON object per line. */
    static final com.fasterxml.jackson.databind.ObjectMapper LINE = new com.fasterxml.jackson.databind.ObjectMapper();

    abstract static class Common {
        @Option(names = "--items", defaultValue = "3706", description = "Catalogue size (default: ${DEFAULT-VALUE}).") int items;
        @Option(names = "--blas", defaultValue = "auto", description = "auto, native (system OpenBLAS) or java.") String blas;
        @Option(names = "--seed", defaultValue = "1") long seed;
        @Spec CommandSpec spec;

        /** The config of a model family on --items, with the model flags given applied. */
        Record config(String name) {
            System.setProperty("re4j.blas", blas); // read once, when Blas is first used
            ModelFamily<?> family = Models.forName(name);
            return config(family);
        }

        private <C extends Record & ModelConfig> C config(ModelFamily<C> family) {
            if (items < 1) throw new IllegalArgumentException("--items must be ≥ 1, got " + items);
            LayeredConfig<C> cfg = new LayeredConfig<>(family.configType(), family.defaults(items));
            SettingOptions.applyModelFlags(spec.commandLine().getParseResult(), family, cfg);
            return cfg.build();
        }

        /** A fresh encoder for a config, after checking that {@code models} of its size fit in memory (0: checked before). */
        static MultiInterestEncoder encoder(Record config, long seed, int models) {
            ModelConfig mc = (ModelConfig) config;
            if (models > 0) MemoryCheck.requireModels(models, mc.numItems(), mc.dim(), true);
            Recommender r = Models.create(config, seed);
            if (!(r instanceof MultiInterestEncoder m)) throw new IllegalArgumentException(r.name() + " has no training step to time");
            return m;
        }

        int[] histories(int users, int maxLen, SplittableRandom rng) {
            NegativeSampler zipf = NegativeSampler.logUniform(items);
            int[] h = new int[users * maxLen];
            int[] one = new int[1];
            for (int i = 0; i < h.length; i++) {
                zipf.draw(rng, 1, one);
                h[i] = one[0];
            }
            return h;
        }

        void print(Map<String, Object> m) throws Exception {
            m.put("blas", Blas.implementation());
            m.put("cores", Runtime.getRuntime().availableProcessors());
            System.out.println(LINE.writeValueAsString(m));
        }
    }

    /** Options of the training-step benchmarks. */
    abstract static class StepCommon extends Common {
        @Option(names = "--histories", defaultValue = "full", description = "full: every history has the model's N_x items (the "
                + "worst case); protocol: lengths as training draws them (a random cut, at most N_x items) from "
                + "sequences with Amazon Book's length distribution (default: ${DEFAULT-VALUE}).") String historiesMode;

        /** The training settings of the step: ComiRec's, with the step flags given. */
        TrainConfig trainConfig() {
            LayeredConfig<TrainConfig> t = new LayeredConfig<>(TrainConfig.class, TrainConfig.comirec().withSeed(seed));
            SettingOptions.applyTrainFlags(spec.commandLine().getParseResult(), t);
            return t.build();
        }

        /** History lengths for {@code batches} batches of {@code batch} users of at most {@code maxLen}. */
        int[][] lengths(int batches, int batch, int maxLen) {
            int[][] out = new int[batches][batch];
            switch (historiesMode) {
                case "full" -> { for (int[] l : out) java.util.Arrays.fill(l, maxLen); }
                case "protocol" -> {
                    Dataset book = SyntheticData.bookLike(0.02, seed);
                    int[] users = java.util.stream.IntStream.range(0, book.sequences.length).toArray();
                    TrainSampler sampler = new TrainSampler(book, users, TrainConfig.SampleMode.RANDOM_CUT, seed);
                    Batch b = new Batch(batch, maxLen);
                    for (int[] l : out) {
                        sampler.next(b);
                        System.arraycopy(b.lengths, 0, l, 0, batch);
                    }
                }
                default -> throw new IllegalArgumentException("--histories must be full or protocol, not '" + historiesMode + "'");
            }
            return out;
        }

        void describeHistories(Map<String, Object> r, StepLoop loop) {
            r.put("histories", historiesMode);
            r.put("mean_history", Math.round(loop.meanLength() * 100) / 100.0);
        }
    }

    /** The training step being timed ({@link TrainStep}: forward, loss, backward, Adam), over 16 fixed synthetic batches. */
    static final class StepLoop {
        private static final int BATCHES = 16;
        final TrainStep step;
        private final Batch[] batches = new Batch[BATCHES];
        private int next;

        StepLoop(StepCommon c, MultiInterestEncoder m, TrainConfig train) {
            this.step = new TrainStep(m, train);
            int batch = train.batchSize(), maxLen = m.maxLen();
            SplittableRandom rng = new SplittableRandom(c.seed);
            int[][] lengths = c.lengths(BATCHES, batch, maxLen);
            for (int b = 0; b < BATCHES; b++) {
                Batch x = batches[b] = new Batch(batch, maxLen);
                System.arraycopy(c.histories(batch, maxLen, rng), 0, x.items, 0, batch * maxLen);
                System.arraycopy(c.histories(batch, 1, rng), 0, x.targets, 0, batch);
                System.arraycopy(lengths[b], 0, x.lengths, 0, batch);
                for (int u = 0; u < batch; u++) java.util.Arrays.fill(x.items, u * maxLen + x.lengths[u], (u + 1) * maxLen, 0);
            }
        }

        double meanLength() {
            return java.util.Arrays.stream(batches).flatMapToInt(b -> java.util.Arrays.stream(b.lengths)).average().orElse(0);
        }

        void run(int steps) {
            for (int i = 0; i < steps; i++) step.run(batches[next++ % BATCHES]);
        }
    }

    @Command(name = "flows", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Step.class,
            description = "Time Re4's backward flows against its forward flow: ComiRec-SA (Re4's K, identity W2), Re4 with every "
                    + "λ 0 (Base), each flow alone and all three, in interleaved rounds in one JVM so that a machine's drift "
                    + "cancels out of the ratios. Takes Re4's model settings. One JSON line per configuration.")
    static final class Flows extends StepCommon implements Callable<Integer> {
        @Option(names = "--rounds", defaultValue = "7", description = "Interleaved rounds (default: ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--steps", defaultValue = "40", description = "Timed steps per configuration and round (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps before each timed block, to bring the "
                + "configuration's tables back into cache; 10× as many once at the start (default: ${DEFAULT-VALUE}).") int warmup;

        @Override
        public Integer call() throws Exception {
            if (rounds < 1 || steps < 1 || warmup < 0) throw new IllegalArgumentException("--rounds and --steps must be ≥ 1, --warmup ≥ 0");
            Re4.Config re4 = (Re4.Config) config(Re4.NAME);
            TrainConfig train = trainConfig();
            double cl = re4.contrast().weight(), att = re4.attend().weight(), ct = re4.construct().weight();
            String[] names = {ComiRecSA.NAME, "base", "re-contrast", "re-attend", "re-construct", "all"};
            Record[] configs = {re4.encoder().withProjection(ComiRecSA.Projection.IDENTITY), re4.withFlowWeights(0, 0, 0),
                    re4.withFlowWeights(cl, 0, 0), re4.withFlowWeights(0, att, 0), re4.withFlowWeights(0, 0, ct),
                    re4.withFlowWeights(cl, att, ct)};
            StepLoop[] loops = new StepLoop[names.length];
            MemoryCheck.requireModels(names.length, items, re4.dim(), true); // all six are held at once
            for (int c = 0; c < names.length; c++) {
                loops[c] = new StepLoop(this, encoder(configs[c], seed, 0), train);
                loops[c].run(10 * warmup); // JIT warm-up
            }
            double[][] ms = new double[names.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < names.length; c++) {
                    loops[c].run(warmup);
                    long t0 = System.nanoTime();
                    loops[c].run(steps);
                    ms[c][r] = (System.nanoTime() - t0) / 1e6 / steps;
                }
            }
            for (int c = 0; c < names.length; c++) {
                double[] added = new double[rounds];
                for (int r = 0; r < rounds; r++) added[r] = (ms[c][r] - ms[1][r]) / ms[1][r];
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("bench", "flows");
                out.put("config", names[c]);
                out.put("lambda", configs[c] instanceof Re4.Config r4
                        ? java.util.List.of(r4.contrast().weight(), r4.attend().weight(), r4.construct().weight()) : null);
                if (c > 0) out.put("db", re4.construct().slotSize());
                out.put("items", items);
                out.put("batch", train.batchSize());
                describeHistories(out, loops[c]);
                out.put("interests", re4.encoder().interests());
                out.put("ms_per_step", round3(median(ms[c])));
                out.put("rounds_ms", java.util.Arrays.stream(ms[c]).map(Flows::round3).boxed().toList());
                if (c > 1) out.put("added_vs_base", round3(median(added)));
                print(out);
            }
            return 0;
        }

        static double median(double[] v) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        static double round3(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Step.class,
            description = "Time one training step of a model (forward, loss, backward, Adam), as train runs it. With several "
                    + "--workers counts, each count steps a model of its own in interleaved rounds in one JVM, so that a "
                    + "machine's drift cancels out of the speed-up ratios; one JSON line per count.")
    static final class Step extends StepCommon implements Callable<Integer> {
        @Option(names = "--model", paramLabel = "NAME", description = "The model (the list is written in from the registry).") String modelName;
        @Option(names = "--preset", paramLabel = "NAME", description = "Time a preset's step (its model and training step "
                + "settings, as train applies them; flags given still win).") String preset;
        @Option(names = "--steps", defaultValue = "300", description = "Timed steps per worker count and round (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--warmup", defaultValue = "100", description = "Untimed steps per worker count before the first "
                + "round (default: ${DEFAULT-VALUE}).") int warmup;
        @Option(names = "--workers", split = ",", paramLabel = "N[,N...]", description = "Workers of the data-parallel step "
                + "(train's --workers); several, e.g. 1,2, are timed against each other (default: train's, all cores).")
        List<Integer> workers;
        @Option(names = "--rounds", defaultValue = "1", description = "Interleaved rounds: each times --steps steps of every "
                + "worker count (default: ${DEFAULT-VALUE}).") int rounds;

        @Override
        public Integer call() throws Exception {
            System.setProperty("re4j.blas", blas); // read once, when Blas is first used
            if (items < 1) throw new IllegalArgumentException("--items must be ≥ 1, got " + items);
            if (rounds < 1 || steps < 1 || warmup < 0) throw new IllegalArgumentException("--rounds and --steps must be ≥ 1, --warmup ≥ 0");
            // The layers train uses (defaults, preset, flags), with the bench's seed.
            RunConfig rc = RunConfig.resolve(spec.commandLine().getParseResult(), modelName, preset, null, null, items, System.err);
            String name = rc.family().name();
            Record cfg = rc.model();
            TrainConfig train = rc.train().withSeed(seed);
            List<Integer> counts = workers != null ? workers : List.of(train.workerCount());
            for (int w : counts) if (w < 1) throw new IllegalArgumentException("--workers must be ≥ 1, got " + w);
            StepLoop[] loops = new StepLoop[counts.size()];
            MultiInterestEncoder first = null;
            for (int c = 0; c < loops.length; c++) { // a model per count, from the same seed; all are held at once
                MultiInterestEncoder m = encoder(cfg, seed, c == 0 ? counts.size() : 0);
                if (first == null) first = m;
                loops[c] = new StepLoop(this, m, train.withWorkers(counts.get(c)));
                loops[c].run(warmup);
            }
            double[][] ms = new double[loops.length][rounds], cpu = new double[loops.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int c = 0; c < loops.length; c++) {
                    long c0 = processCpuNanos(), t0 = System.nanoTime();
                    loops[c].run(steps);
                    ms[c][r] = (System.nanoTime() - t0) / 1e6 / steps;
                    cpu[c][r] = c0 < 0 ? -1 : (processCpuNanos() - c0) / 1e6 / steps;
                }
            }
            for (int c = 0; c < loops.length; c++) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("bench", "step");
                r.put("model", name);
                if (preset != null) r.put("preset", preset);
                r.put("items", items);
                r.put("batch", train.batchSize());
                r.put("max_len", first.maxLen());
                describeHistories(r, loops[c]);
                r.put("interests", first.numInterests());
                r.put("dim", first.dim());
                r.put("negatives", loops[c].step.fullSoftmax() ? items : train.negativeCount());
                r.put("adam", train.adam().updates().id());
                r.put("model_config", cfg);
                r.put("workers", loops[c].step.workers());
                r.put("steps", steps);
                r.put("ms_per_step", Flows.round3(Flows.median(ms[c])));
                if (rounds > 1) r.put("rounds_ms", java.util.Arrays.stream(ms[c]).map(Flows::round3).boxed().toList());
                if (cpu[c][0] >= 0) r.put("cpu_ms_per_step", Flows.round3(Flows.median(cpu[c])));
                if (c > 0) { // the first count's time over this one's, round by round: > 1 is faster
                    double[] ratio = new double[rounds];
                    for (int i = 0; i < rounds; i++) ratio[i] = ms[0][i] / ms[c][i];
                    r.put("speedup_vs_workers_" + loops[0].step.workers(), Flows.round3(Flows.median(ratio)));
                }
                print(r);
            }
            return 0;
        }
    }

    /**
     * CPU time of the whole process (every thread, the JIT's and the collector's too), or a negative number where the
     * JVM does not tell it: next to the wall time it shows how much of the machine a step got.
     */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, modelTransformer = SettingOptions.Model.class,
            description = "Time exact top-50 retrieval over the whole catalogue (ComiRec-SA's interests; --interests sets K).")
    static final class Eval extends Common implements Callable<Integer> {
        @Option(names = "--users", defaultValue = "2000") int users;
        @Option(names = "--threads", description = "default: all cores") Integer threads;
        @Option(names = "--users-per-block", defaultValue = "256",
                description = "Users scored together (default: ${DEFAULT-VALUE}, as evaluation does; 1 is recommend's path).")
        int block;

        @Override
        public Integer call() throws Exception {
            if (users < 1) throw new IllegalArgumentException("--users must be ≥ 1, got " + users);
            if (block < 1) throw new IllegalArgumentException("--users-per-block must be ≥ 1, got " + block);
            MultiInterestEncoder m = encoder(config(ComiRecSA.NAME), seed, 1);
            int maxLen = m.maxLen();
            SplittableRandom rng = new SplittableRandom(seed);
            int[] flat = histories(users, maxLen, rng);
            int[] ids = new int[users];
            int[][] h = new int[users][], t = new int[users][];
            for (int u = 0; u < users; u++) {
                ids[u] = u;
                h[u] = java.util.Arrays.copyOfRange(flat, u * maxLen, (u + 1) * maxLen);
                t[u] = new int[] {1 + rng.nextInt(items)};
            }
            EvalSet set = new EvalSet(ids, h, t);
            int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            int warm = Math.min(200, users);
            Evaluator.evaluate(m, new EvalSet(java.util.Arrays.copyOf(ids, warm), java.util.Arrays.copyOf(h, warm),
                    java.util.Arrays.copyOf(t, warm)), new EvalOptions(50, false, th, block)); // warm-up
            EvalResult r = Evaluator.evaluate(m, set, new EvalOptions(50, false, th, block));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "eval");
            out.put("items", items);
            out.put("interests", m.numInterests());
            out.put("dim", m.dim());
            out.put("users", users);
            out.put("threads", th);
            out.put("users_per_block", block);
            out.put("top_n", 50);
            out.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            out.put("users_per_second", Math.round(users / r.seconds()));
            // The scoring's floating-point work (every user's K interests against the whole catalogue), on as many
            // threads in the same run against: sgemm on square 1024³ products (the machine's peak as this BLAS
            // reaches it), sgemm on the same product's shape (a 256-user block's K·256 interest rows against a tile
            // of items: what scoring through BLAS could reach), and the scoring kernel alone (what the copy into
            // tiles, the heap and the metrics leave of it).
            double flops = 2.0 * users * m.numInterests() * (double) items * m.dim();
            double evalGflops = flops / r.seconds() / 1e9;
            double peak = gemmGflops(1024, 1024, 1024, false, th), shaped = gemmGflops(256 * m.numInterests(), ItemTiles.TILE, m.dim(), true, th);
            double kernel = scoringKernelGflops(m.numInterests(), m.dim(), th);
            out.put("scoring_gflops", round3(evalGflops));
            out.put("sgemm_peak_gflops", round3(peak));
            out.put("sgemm_eval_shape_gflops", round3(shaped));
            out.put("scoring_kernel_gflops", round3(kernel));
            out.put("fraction_of_peak", round3(evalGflops / peak));
            out.put("fraction_of_eval_shape", round3(evalGflops / shaped));
            out.put("fraction_of_kernel", round3(evalGflops / kernel));
            print(out);
            return 0;
        }

        private static double round3(double v) {
            return Math.round(v * 1000) / 1000.0;
        }

        /** GFLOP/s of C[m×n] = A[m×k]·op(B) on {@code threads} threads at once, each with its own operands, for ~1.5 s. */
        static double gemmGflops(int m, int n, int k, boolean transB, int threads) throws InterruptedException {
            return gflops(threads, 2.0 * m * n * k, seed -> {
                SplittableRandom rng = new SplittableRandom(seed);
                float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
                for (int j = 0; j < a.length; j++) a[j] = (float) rng.nextDouble();
                for (int j = 0; j < b.length; j++) b[j] = (float) rng.nextDouble();
                return () -> Blas.gemm(false, transB, m, n, k, 1f, a, 0, b, 0, 0f, c, 0);
            });
        }

        /**
         * GFLOP/s of the evaluation's scoring kernel alone ({@link Kernels#maxDots}: one user's K interests against a
         * tile of {@link ItemTiles#TILE} items, laid out as ItemTiles lays them out), without the heap or the
         * metrics: the most the evaluation could reach with this kernel.
         */
        static double scoringKernelGflops(int k, int d, int threads) throws InterruptedException {
            int ld = ItemTiles.LD, users = 64;
            return gflops(threads, 2.0 * users * k * d * ItemTiles.TILE, seed -> {
                SplittableRandom rng = new SplittableRandom(seed);
                float[] z = new float[users * k * d], tile = new float[d * ld], best = new float[ItemTiles.TILE];
                for (int j = 0; j < z.length; j++) z[j] = (float) rng.nextDouble();
                for (int j = 0; j < tile.length; j++) tile[j] = (float) rng.nextDouble();
                return () -> {
                    for (int u = 0; u < users; u++) Kernels.maxDots(z, u * k * d, k, d, tile, 0, ld, ItemTiles.TILE, best);
                };
            });
        }

        /** GFLOP/s of {@code threads} threads each running its own call (built from a per-thread seed) for ~1.5 s. */
        private static double gflops(int threads, double flopsPerCall, java.util.function.LongFunction<Runnable> setup)
                throws InterruptedException {
            java.util.concurrent.atomic.AtomicLong calls = new java.util.concurrent.atomic.AtomicLong();
            long[] window = new long[2];
            Thread[] ts = new Thread[threads];
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
            for (int i = 0; i < threads; i++) {
                final long seed = i;
                ts[i] = new Thread(() -> {
                    Runnable call = setup.apply(seed);
                    for (int w = 0; w < 3; w++) call.run(); // warm-up
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long t0 = System.nanoTime(), end = t0 + 1_500_000_000L;
                    while (System.nanoTime() < end) {
                        call.run();
                        calls.incrementAndGet();
                    }
                    synchronized (window) {
                        window[1] = Math.max(window[1], System.nanoTime() - t0);
                    }
                });
                ts[i].start();
            }
            for (Thread t : ts) t.join();
            return calls.get() * flopsPerCall / window[1];
        }
    }
}
