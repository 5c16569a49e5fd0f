package org.re4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.re4j.data.Batch;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.SyntheticData;
import org.re4j.data.TrainSampler;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.EvalResult;
import org.re4j.eval.Evaluator;
import org.re4j.io.ModelDir;
import org.re4j.math.Blas;
import org.re4j.model.ComiRecDR;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Gru4Rec;
import org.re4j.model.Mind;
import org.re4j.model.YouTubeDnn;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.re4.Re4;
import org.re4j.train.Adam;
import org.re4j.train.NegativeSampler;
import org.re4j.train.SampledSoftmax;

/**
 * Speed benchmarks on synthetic data, each printing one JSON line. They measure; they assert nothing.
 * Histories are full length (maxLen items, the worst case) unless a step benchmark asks for the training protocol's
 * lengths, and items are drawn log-uniformly, like popular-first ids.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed benchmarks (one JSON line each).",
        subcommands = {BenchCommand.Step.class, BenchCommand.Flows.class, BenchCommand.Eval.class, BenchServeCommands.Ann.class, BenchServeCommands.Http.class})
final class BenchCommand {

    abstract static class Common {
        @Option(names = "--items", defaultValue = "3706", description = "Catalogue size (default: ${DEFAULT-VALUE}).") int items;
        @Option(names = "--interests", description = "K (default: 4; 8 for re4)") Integer interestsOption;
        int interests;
        @Option(names = "--dim", defaultValue = "64") int dim;
        @Option(names = "--hidden", defaultValue = "256") int hidden;
        @Option(names = "--max-len", defaultValue = "20") int maxLen;
        @Option(names = "--blas", defaultValue = "auto", description = "auto, native (system OpenBLAS) or java.") String blas;
        @Option(names = "--seed", defaultValue = "1") long seed;

        MultiInterestEncoder model(String name) {
            System.setProperty("re4j.blas", blas); // read once, when Blas is first used
            org.re4j.train.MemoryCheck.requireModel(items, dim, true);
            interests = name.equals("youtube-dnn") || name.equals("gru4rec") ? 1
                    : interestsOption != null ? interestsOption : name.equals("re4") ? 8 : 4;
            switch (name) {
                case "comirec-sa":
                    return new ComiRecSA(new ComiRecSA.Config(items, dim, hidden, interests, maxLen, true, false, true), seed);
                case "re4":
                    return re4(lambdaCl, lambdaAtt, lambdaCt);
                case "comirec-dr":
                    return new ComiRecDR(new ComiRecDR.Config(items, dim, interests, maxLen, 3), seed);
                case "mind":
                    return new Mind(new Mind.Config(items, dim, interests, maxLen, 3, false, 1, 2), seed);
                case "youtube-dnn":
                    return new YouTubeDnn(new YouTubeDnn.Config(items, dim, maxLen), seed);
                case "gru4rec":
                    return new Gru4Rec(new Gru4Rec.Config(items, dim, maxLen), seed);
                default:
                    throw new IllegalArgumentException("--model must be comirec-sa, comirec-dr, mind, re4, youtube-dnn or gru4rec, not '" + name + "'");
            }
        }

        /** Re4 at the paper's settings with the given flow weights (call after {@link #model} has set K). */
        Re4 re4(double cl, double att, double ct) {
            Re4.Config p = Re4.Config.paper(items);
            return new Re4(new Re4.Config(new ComiRecSA.Config(items, dim, hidden, interests, maxLen, true, true, true),
                    cl, att, ct, p.tau(), p.gamma(), p.contrastNegatives(), true, db, p.constructHidden(), false, false), seed);
        }

        @Option(names = "--lambda-cl", defaultValue = "0.1", description = "re4 only") double lambdaCl;
        @Option(names = "--lambda-att", defaultValue = "0.1", description = "re4 only") double lambdaAtt;
        @Option(names = "--lambda-ct", defaultValue = "0.1", description = "re4 only") double lambdaCt;
        @Option(names = "--db", defaultValue = "32", description = "re4 only: Re-construct slot size d_b (default: ${DEFAULT-VALUE}).") int db;

        int[] histories(int users, SplittableRandom rng) {
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
            System.out.println(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(m));
        }
    }

    /** Options of the training-step benchmarks. */
    abstract static class StepCommon extends Common {
        @Option(names = "--batch-size", defaultValue = "128") int batch;
        @Option(names = "--histories", defaultValue = "full", description = "full: every history has --max-len items (the "
                + "worst case); protocol: lengths as training draws them (a random cut, at most --max-len items) from "
                + "sequences with Amazon Book's length distribution (default: ${DEFAULT-VALUE}).") String historiesMode;

        /** History lengths for {@code batches} batches of {@link #batch} users. */
        int[][] lengths(int batches) {
            int[][] out = new int[batches][batch];
            switch (historiesMode) {
                case "full" -> { for (int[] l : out) java.util.Arrays.fill(l, maxLen); }
                case "protocol" -> {
                    Dataset book = SyntheticData.bookLike(0.02, seed);
                    int[] users = java.util.stream.IntStream.range(0, book.sequences.length).toArray();
                    TrainSampler sampler = new TrainSampler(book, users, seed);
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

    /** The training step being timed: forward, sampled-softmax loss, backward, Adam, over 16 fixed synthetic batches. */
    static final class StepLoop {
        private static final int BATCHES = 16;
        final SampledSoftmax loss;
        private final MultiInterestEncoder m;
        private final Adam adam;
        private final int batch, k, dim;
        private final int[][] hist = new int[BATCHES][], targets = new int[BATCHES][], lengths;
        private final float[] dz;
        private int step;

        StepLoop(StepCommon c, MultiInterestEncoder m, int negatives, boolean denseAdam) {
            this.m = m;
            this.batch = c.batch;
            this.k = m.numInterests();
            this.dim = m.dim();
            SplittableRandom rng = new SplittableRandom(c.seed);
            lengths = c.lengths(BATCHES);
            for (int b = 0; b < BATCHES; b++) {
                hist[b] = c.histories(batch, rng);
                targets[b] = c.histories(batch, rng);
                for (int u = 0; u < batch; u++) java.util.Arrays.fill(hist[b], u * c.maxLen + lengths[b][u], (u + 1) * c.maxLen, 0);
            }
            loss = new SampledSoftmax(NegativeSampler.logUniform(c.items), negatives, true, c.seed, m.trainingReadoutPower());
            Adam.Settings s = Adam.Settings.defaults(1e-3);
            adam = new Adam(new Adam.Settings(s.lr(), s.beta1(), s.beta2(), s.eps(), 0, !denseAdam), m.params().all());
            dz = new float[batch * k * dim];
        }

        double meanLength() {
            return java.util.Arrays.stream(lengths).flatMapToInt(java.util.Arrays::stream).average().orElse(0);
        }

        void run(int steps) {
            for (int i = 0; i < steps; i++, step++) {
                int b = step % BATCHES;
                float[] z = m.forward(hist[b], lengths[b], batch);
                loss.loss(z, batch, k, dim, targets[b], m.itemEmbeddings(), dz);
                m.backward(dz);
                adam.step();
            }
        }
    }

    @Command(name = "flows", mixinStandardHelpOptions = true,
            description = "Time Re4's backward flows against its forward flow: ComiRec-SA (K 8), Re4 with every λ 0 (Base), "
                    + "each flow alone and all three, in interleaved rounds in one JVM so that a machine's drift cancels out "
                    + "of the ratios. One JSON line per configuration.")
    static final class Flows extends StepCommon implements Callable<Integer> {
        @Option(names = "--rounds", defaultValue = "7", description = "Interleaved rounds (default: ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--steps", defaultValue = "40", description = "Timed steps per configuration and round (default: ${DEFAULT-VALUE}).") int steps;
        @Option(names = "--warmup", defaultValue = "10", description = "Untimed steps before each timed block, to bring the "
                + "configuration's tables back into cache; 10× as many once at the start (default: ${DEFAULT-VALUE}).") int warmup;

        @Override
        public Integer call() throws Exception {
            if (rounds < 1 || steps < 1 || warmup < 0) throw new IllegalArgumentException("--rounds and --steps must be ≥ 1, --warmup ≥ 0");
            interestsOption = interestsOption != null ? interestsOption : 8;
            org.re4j.train.MemoryCheck.requireModels(6, items, dim, true); // all six are held at once
            String[] names = {"comirec-sa", "base", "re-contrast", "re-attend", "re-construct", "all"};
            double[][] lambdas = {null, {0, 0, 0}, {lambdaCl, 0, 0}, {0, lambdaAtt, 0}, {0, 0, lambdaCt}, {lambdaCl, lambdaAtt, lambdaCt}};
            StepLoop[] loops = new StepLoop[names.length];
            for (int c = 0; c < names.length; c++) {
                // model() checks memory and sets K; the Re4 configurations then share its settings
                MultiInterestEncoder m = c == 0 ? model("comirec-sa") : re4(lambdas[c][0], lambdas[c][1], lambdas[c][2]);
                loops[c] = new StepLoop(this, m, 10 * batch, false);
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
                out.put("lambda", lambdas[c] == null ? null : java.util.List.of(lambdas[c][0], lambdas[c][1], lambdas[c][2]));
                if (c > 0) out.put("db", db);
                out.put("items", items);
                out.put("batch", batch);
                describeHistories(out, loops[c]);
                out.put("interests", interests);
                out.put("ms_per_step", round3(median(ms[c])));
                out.put("rounds_ms", java.util.Arrays.stream(ms[c]).map(Flows::round3).boxed().toList());
                if (c > 1) out.put("added_vs_base", round3(median(added)));
                print(out);
            }
            return 0;
        }

        private static double median(double[] v) {
            double[] s = v.clone();
            java.util.Arrays.sort(s);
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        private static double round3(double v) {
            return Math.round(v * 1000) / 1000.0;
        }
    }

    @Command(name = "step", mixinStandardHelpOptions = true, description = "Time one ComiRec-SA training step (forward, loss, backward, lazy Adam).")
    static final class Step extends StepCommon implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "comirec-sa") String modelName;
        @Option(names = "--negatives", description = "default: 10 × batch") Integer negatives;
        @Option(names = "--steps", defaultValue = "300") int steps;
        @Option(names = "--warmup", defaultValue = "100") int warmup;
        @Option(names = "--dense-adam") boolean denseAdam;

        @Override
        public Integer call() throws Exception {
            MultiInterestEncoder m = model(modelName);
            int neg = negatives != null ? negatives : 10 * batch;
            StepLoop loop = new StepLoop(this, m, neg, denseAdam);
            loop.run(warmup);
            long t0 = System.nanoTime();
            loop.run(steps);
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("bench", "step");
            r.put("model", modelName);
            r.put("items", items);
            r.put("batch", batch);
            r.put("max_len", maxLen);
            describeHistories(r, loop);
            r.put("interests", interests);
            r.put("dim", dim);
            r.put("negatives", loop.loss.isFullSoftmax() ? items : neg);
            r.put("adam", denseAdam ? "dense" : "lazy");
            if (m instanceof Re4 re4) {
                r.put("lambda", java.util.List.of(lambdaCl, lambdaAtt, lambdaCt));
                r.put("db", db);
            }
            r.put("steps", steps);
            r.put("ms_per_step", Math.round(ms * 1000) / 1000.0);
            print(r);
            return 0;
        }
    }

    @Command(name = "eval", mixinStandardHelpOptions = true, description = "Time exact top-50 retrieval over the whole catalogue.")
    static final class Eval extends Common implements Callable<Integer> {
        @Option(names = "--users", defaultValue = "2000") int users;
        @Option(names = "--threads", description = "default: all cores") Integer threads;

        @Override
        public Integer call() throws Exception {
            MultiInterestEncoder m = model("comirec-sa");
            SplittableRandom rng = new SplittableRandom(seed);
            int[] flat = histories(users, rng);
            int[] ids = new int[users];
            int[][] h = new int[users][], t = new int[users][];
            for (int u = 0; u < users; u++) {
                ids[u] = u;
                h[u] = java.util.Arrays.copyOfRange(flat, u * maxLen, (u + 1) * maxLen);
                t[u] = new int[] {1 + rng.nextInt(items)};
            }
            EvalSet set = new EvalSet(ids, h, t);
            int th = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            Evaluator.evaluate(m, new EvalSet(java.util.Arrays.copyOf(ids, 200), java.util.Arrays.copyOf(h, 200),
                    java.util.Arrays.copyOf(t, 200)), new EvalOptions(50, false, th, 256)); // warm-up
            EvalResult r = Evaluator.evaluate(m, set, new EvalOptions(50, false, th, 256));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "eval");
            out.put("items", items);
            out.put("interests", interests);
            out.put("dim", dim);
            out.put("users", users);
            out.put("threads", th);
            out.put("top_n", 50);
            out.put("seconds", Math.round(r.seconds() * 1000) / 1000.0);
            out.put("users_per_second", Math.round(users / r.seconds()));
            print(out);
            return 0;
        }
    }
}
