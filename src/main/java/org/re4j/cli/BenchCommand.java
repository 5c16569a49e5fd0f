package org.re4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.re4j.data.EvalSet;
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
 * Histories are full length (maxLen items, the worst case) and items are drawn log-uniformly, like popular-first ids.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Speed benchmarks (one JSON line each).",
        subcommands = {BenchCommand.Step.class, BenchCommand.Eval.class, BenchServeCommands.Ann.class, BenchServeCommands.Http.class})
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
                case "re4": {
                    Re4.Config p = Re4.Config.paper(items);
                    return new Re4(new Re4.Config(new ComiRecSA.Config(items, dim, hidden, interests, maxLen, true, true, true),
                            lambdaCl, lambdaAtt, lambdaCt, p.tau(), p.gamma(), p.contrastNegatives(), true, p.db(),
                            p.constructHidden(), false, false), seed);
                }
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

        @Option(names = "--lambda-cl", defaultValue = "0.1", description = "re4 only") double lambdaCl;
        @Option(names = "--lambda-att", defaultValue = "0.1", description = "re4 only") double lambdaAtt;
        @Option(names = "--lambda-ct", defaultValue = "0.1", description = "re4 only") double lambdaCt;

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

    @Command(name = "step", mixinStandardHelpOptions = true, description = "Time one ComiRec-SA training step (forward, loss, backward, lazy Adam).")
    static final class Step extends Common implements Callable<Integer> {
        @Option(names = "--model", defaultValue = "comirec-sa") String modelName;
        @Option(names = "--batch-size", defaultValue = "128") int batch;
        @Option(names = "--negatives", description = "default: 10 × batch") Integer negatives;
        @Option(names = "--steps", defaultValue = "300") int steps;
        @Option(names = "--warmup", defaultValue = "100") int warmup;
        @Option(names = "--dense-adam") boolean denseAdam;

        @Override
        public Integer call() throws Exception {
            MultiInterestEncoder m = model(modelName);
            SplittableRandom rng = new SplittableRandom(seed);
            int batches = 16;
            int[][] hist = new int[batches][], targets = new int[batches][];
            for (int b = 0; b < batches; b++) {
                hist[b] = histories(batch, rng);
                targets[b] = histories(batch, rng);
            }
            int[] lengths = new int[batch];
            java.util.Arrays.fill(lengths, maxLen);
            int neg = negatives != null ? negatives : 10 * batch;
            SampledSoftmax loss = new SampledSoftmax(NegativeSampler.logUniform(items), neg, true, seed, m.trainingReadoutPower());
            Adam.Settings s = Adam.Settings.defaults(1e-3);
            Adam adam = new Adam(new Adam.Settings(s.lr(), s.beta1(), s.beta2(), s.eps(), 0, !denseAdam), m.params().all());
            float[] dz = new float[batch * interests * dim];
            long t0 = 0;
            for (int i = 0; i < warmup + steps; i++) {
                if (i == warmup) t0 = System.nanoTime();
                int b = i % batches;
                float[] z = m.forward(hist[b], lengths, batch);
                loss.loss(z, batch, interests, dim, targets[b], m.itemEmbeddings(), dz);
                m.backward(dz);
                adam.step();
            }
            double ms = (System.nanoTime() - t0) / 1e6 / steps;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("bench", "step");
            r.put("model", modelName);
            r.put("items", items);
            r.put("batch", batch);
            r.put("max_len", maxLen);
            r.put("interests", interests);
            r.put("dim", dim);
            r.put("negatives", loss.isFullSoftmax() ? items : neg);
            r.put("adam", denseAdam ? "dense" : "lazy");
            if (m instanceof Re4 re4) {
                r.put("lambda", java.util.List.of(lambdaCl, lambdaAtt, lambdaCt));
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
