package org.re4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.eval.EvalOptions;
import org.re4j.eval.Evaluator;
import org.re4j.eval.RankingMetrics;
import org.re4j.math.Rng;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Recommender;
import org.re4j.train.Trainer;

/**
 * What {@code --valid-users N} costs model selection: one training run evaluated on every valid user at each
 * evaluation, user by user; then, for many random subsets of N of those users, the step whose mean valid recall@50 is
 * best on the subset against the step best on all of them. Prints one JSON line per N: how often the subset picks
 * another step, and how much full-valid recall@50 that pick gives up. Early stopping follows the full valid set, so
 * every subset sees the same curve.
 */
@Command(name = "valid-subset", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = SettingOptions.Train.class,
        description = "How often model selection on N random valid users picks another step than on all of them (one training run).")
final class BenchValidSubsetCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "comirec-sa", description = "The model (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--sizes", split = ",", defaultValue = "250,500,1000,2000", paramLabel = "N,...",
            description = "Subset sizes (default: ${DEFAULT-VALUE}); sizes not below the valid users are skipped.")
    List<Integer> sizes;

    @Option(names = "--subsets", defaultValue = "1000", paramLabel = "R", description = "Random subsets per size (default: ${DEFAULT-VALUE}).")
    int subsets;

    @Mixin ThreadsOption threads;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (subsets < 1) throw new IllegalArgumentException("--subsets must be ≥ 1, got " + subsets);
        if (!data.given()) throw new IllegalArgumentException("--data is required");
        Dataset ds = data.load();
        RunConfig rc = RunConfig.resolve(spec.commandLine().getParseResult(), model, null, null, null, ds.numItems(), System.err);
        TrainConfig train = rc.train().resolved().withValidUsers(null); // model selection on every valid user
        Split split = Split.comirec(ds.numUsers(), train.seed());
        EvalSet valid = ds.evalSet(split.valid(), train.historyFraction());
        EvalSet test = ds.evalSet(split.test(), train.historyFraction());
        Recommender r = rc.family().create(rc.model(), train.seed());
        if (!(r instanceof MultiInterestEncoder enc)) throw new IllegalArgumentException(r.name() + " is not trained in steps");
        int t = threads.count();
        EvalOptions opts = new EvalOptions(50, train.excludeHistory(), t, 256);
        int recallAt50 = RankingMetrics.keys(opts.cutoffs()).indexOf("recall@50");

        List<Long> steps = new ArrayList<>();
        List<double[]> recall = new ArrayList<>(); // per evaluation: each valid user's recall@50
        long start = System.nanoTime();
        new Trainer(train, false, t).observing((step, m) -> {
            double[][] pu = Evaluator.perUser(m, valid, opts);
            double[] col = new double[pu.length];
            for (int u = 0; u < pu.length; u++) col[u] = pu[u][recallAt50];
            steps.add(step);
            recall.add(col);
        }).fit(enc, ds, split.train(), valid, test, null);
        double seconds = (System.nanoTime() - start) / 1e9;

        int users = valid.size(), evals = steps.size();
        double[] full = new double[evals];
        for (int e = 0; e < evals; e++) full[e] = mean(recall.get(e), null, users);
        int best = argmax(full);
        for (int n : sizes) {
            if (n < 1 || n >= users) continue;
            int differ = 0;
            double lossSum = 0, lossMax = 0;
            int[] idx = new int[users];
            Rng rng = new Rng(train.seed() + n);
            double[] sub = new double[evals];
            for (int s = 0; s < subsets; s++) {
                for (int i = 0; i < users; i++) idx[i] = i;
                rng.sample(idx, n);
                for (int e = 0; e < evals; e++) sub[e] = mean(recall.get(e), idx, n);
                int pick = argmax(sub);
                if (pick != best) {
                    differ++;
                    double loss = full[best] - full[pick];
                    lossSum += loss;
                    lossMax = Math.max(lossMax, loss);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("bench", "valid-subset");
            out.put("data", ds.name);
            out.put("model", rc.family().name());
            out.put("seed", train.seed());
            out.put("valid_users", users);
            out.put("subset", n);
            out.put("subsets", subsets);
            out.put("evaluations", evals);
            out.put("best_step", steps.get(best));
            out.put("best_valid_recall@50", round(full[best]));
            out.put("other_step_fraction", round((double) differ / subsets));
            out.put("mean_recall@50_given_up", round(lossSum / subsets));
            out.put("max_recall@50_given_up", round(lossMax));
            out.put("train_seconds", Math.round(seconds));
            System.out.println(BenchCommand.LINE.writeValueAsString(out));
        }
        return 0;
    }

    /** Mean of v over idx[0..n), or over all of v when idx is null. */
    private static double mean(double[] v, int[] idx, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += v[idx == null ? i : idx[i]];
        return s / n;
    }

    /** The first best, as the trainer's strict improvement keeps it. */
    private static int argmax(double[] v) {
        int b = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
        return b;
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
