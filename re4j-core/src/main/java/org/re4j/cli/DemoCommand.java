package org.re4j.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.data.SyntheticData;
import org.re4j.eval.Evaluator;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Pop;
import org.re4j.model.Recommender;
import org.re4j.model.re4.Re4;
import org.re4j.train.TrainRun;

/**
 * The built-in default job: a synthetic dataset with planted multi-interest users, Re4 and the ComiRec-SA it is built
 * on trained on it next to POP, the metrics of all three, and a few users' histories beside what Re4 retrieves.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train Re4, ComiRec-SA and POP on synthetic multi-interest users and show metrics and recommendations.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--users", defaultValue = "3000") int users;
    @Option(names = "--items", defaultValue = "1000") int items;
    @Option(names = "--clusters", defaultValue = "20") int clusters;
    @Option(names = "--steps", defaultValue = "3000") long steps;
    @Option(names = "--seed", defaultValue = "1230") long seed;
    @Option(names = "--out", defaultValue = "runs/demo", description = "Where the models go (default: ${DEFAULT-VALUE}).") Path out;

    @Override
    public Integer call() throws Exception {
        Dataset ds = SyntheticData.plantedInterests(users, items, clusters, seed);
        System.out.printf("Synthetic data: %,d users, %,d items in %d topics, %,d interactions; each user mixes 2-4 topics.%n",
                ds.numUsers(), ds.numItems(), clusters, ds.numInteractions());
        int threads = Runtime.getRuntime().availableProcessors();
        TrainConfig tc = TrainConfig.comirec().withSteps(steps).withEvalEvery(500).withPatience(5).withSeed(seed);
        Map<String, Object> synthetic = new java.util.LinkedHashMap<>();
        synthetic.put("synthetic", "planted-interests");
        synthetic.put("users", users);
        synthetic.put("items", items);
        synthetic.put("clusters", clusters);
        synthetic.put("seed", seed);
        Map<String, Object> extra = Map.of("data", synthetic);
        // Re4 is ComiRec-SA (K 8) plus its three backward flows: the two are trained alike, from the same seed.
        Re4.Config re4 = Re4.Config.paper(ds.numItems());
        System.out.println("Training ComiRec-SA (K = 8) and Re4 (ComiRec-SA + Re-contrast, Re-attend, Re-construct, each λ 0.1)"
                + " for up to " + steps + " steps each...");
        TrainRun.Options options = new TrainRun.Options(System.console() != null, threads, extra, true); // demo's own directories: replaced each time
        TrainRun.Outcome sa = TrainRun.run(new TrainRun.Spec(re4.encoder(), tc), ds, out.resolve(ComiRecSA.NAME), options);
        TrainRun.Outcome r4 = TrainRun.run(new TrainRun.Spec(re4, tc), ds, out.resolve(Re4.NAME), options);
        TrainRun.Outcome pop = TrainRun.run(new TrainRun.Spec(new Pop.Config(ds.numItems()), tc), ds, out.resolve(Pop.NAME),
                new TrainRun.Options(false, threads, extra, true));

        System.out.println();
        System.out.printf("%-22s %12s %12s %12s%n", "test metric", "POP", "ComiRec-SA", "Re4");
        Map<?, ?> a = (Map<?, ?>) pop.metrics().get("test"), b = (Map<?, ?>) sa.metrics().get("test"), c = (Map<?, ?>) r4.metrics().get("test");
        for (Object k : b.keySet()) {
            if (a.get(k) instanceof Double) {
                System.out.printf("%-22s %12.4f %12.4f %12.4f%n", k, (Double) a.get(k), (Double) b.get(k), (Double) c.get(k));
            }
        }
        // Is the difference real? Paired over the same test users, as `re4j compare` does.
        org.re4j.eval.UserRows ua = org.re4j.eval.UserRows.read(out.resolve(ComiRecSA.NAME).resolve(org.re4j.io.ModelDir.TEST_USERS)),
                ub = org.re4j.eval.UserRows.read(out.resolve(Re4.NAME).resolve(org.re4j.io.ModelDir.TEST_USERS));
        List<CompareCommand.Row> rows = new java.util.ArrayList<>();
        for (String m : List.of("recall@50", "ndcg@50")) rows.add(new CompareCommand.Row(m, org.re4j.eval.Paired.compare(ua.metric(m), ub.metric(m))));
        System.out.println();
        System.out.println("Re4 (B) against ComiRec-SA (A):");
        System.out.print(CompareCommand.table(rows));
        System.out.println();
        showUsers(ds, r4.model(), tc.seed(), clusters);
        System.out.println("Models, configs, logs and metrics: " + out.toAbsolutePath());
        return 0;
    }

    /** A few test users: their history and the top-10 the model retrieves, with each item's original id. */
    private static void showUsers(Dataset ds, Recommender model, long seed, int clusters) {
        // Planted item "i<n>" belongs to topic n mod clusters: shown as i<n>/t<topic>.
        java.util.function.IntFunction<String> name = i -> ds.itemIds[i] + "/t" + Integer.parseInt(ds.itemIds[i].substring(1)) % clusters;
        EvalSet test = ds.evalSet(Split.comirec(ds.numUsers(), seed).test(), 0.8);
        for (int u = 0; u < Math.min(2, test.size()); u++) {
            int[] h = test.histories()[u];
            int[] last = Arrays.copyOfRange(h, Math.max(0, h.length - model.maxLen()), h.length);
            List<Evaluator.Recommendation> recs = Evaluator.recommend(model, last, 10, false);
            StringBuilder sb = new StringBuilder();
            for (int i = Math.max(0, h.length - 12); i < h.length; i++) sb.append(name.apply(h[i])).append(' ');
            System.out.println("user " + ds.userIds[test.users()[u]] + " recent history: " + sb.toString().trim());
            sb.setLength(0);
            for (Evaluator.Recommendation r : recs) sb.append(name.apply(r.item())).append("(k").append(r.interest()).append(") ");
            System.out.println("  top-10, with the interest k that retrieved each: " + sb.toString().trim());
            System.out.println("  targets: " + Arrays.stream(test.targets()[u]).limit(10).mapToObj(name).reduce((x, y) -> x + " " + y).orElse(""));
        }
    }
}
