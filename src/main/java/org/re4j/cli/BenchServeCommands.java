package org.re4j.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.serve.RecommendService;

/** Serving benchmarks on a trained model's own test users: ANN vs exact, and HTTP load from a second process. */
final class BenchServeCommands {

    private BenchServeCommands() {}

    /** The model's test users' histories (original ids, oldest first), rebuilt from its config as evaluate does. */
    static List<List<String>> testHistories(java.nio.file.Path modelDir, int limit) throws Exception {
        TrainedModel t = TrainedModel.load(modelDir, null);
        Dataset ds = t.data();
        EvalSet test = t.evalSet(t.split().test());
        List<List<String>> out = new ArrayList<>();
        for (int u = 0; u < Math.min(limit, test.size()); u++) {
            List<String> h = new ArrayList<>();
            for (int i : test.histories()[u]) h.add(ds.itemIds[i]);
            out.add(h);
        }
        return out;
    }

    static double percentile(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)] / 1e6;
    }

    @Command(name = "ann", mixinStandardHelpOptions = true,
            description = "HNSW vs exact top-50 on a model's test users: recall@50 of HNSW against exact, and per-query latency.")
    static final class Ann implements Callable<Integer> {
        @Mixin IndexOptions model;
        @Option(names = "--users", defaultValue = "1000") int users;
        @Option(names = "-n", defaultValue = "50") int n;

        @Override
        public Integer call() throws Exception {
            List<List<String>> hs = testHistories(model.modelDir, users);
            RecommendService exact = new RecommendService(model.modelDir, false, 0);
            long b0 = System.nanoTime();
            RecommendService ann = new RecommendService(model.modelDir, true, model.ef);
            double build = (System.nanoTime() - b0) / 1e9;
            for (int w = 0; w < Math.min(50, hs.size()); w++) { // warm-up
                exact.recommend(new RecommendService.Request(hs.get(w), n, false, false));
                ann.recommend(new RecommendService.Request(hs.get(w), n, false, false));
            }
            long[] te = new long[hs.size()], ta = new long[hs.size()];
            double recall = 0;
            for (int u = 0; u < hs.size(); u++) {
                long t0 = System.nanoTime();
                RecommendService.Response e = exact.recommend(new RecommendService.Request(hs.get(u), n, false, false));
                long t1 = System.nanoTime();
                RecommendService.Response a = ann.recommend(new RecommendService.Request(hs.get(u), n, false, false));
                long t2 = System.nanoTime();
                te[u] = t1 - t0;
                ta[u] = t2 - t1;
                Set<String> truth = new HashSet<>();
                for (RecommendService.Item it : e.items()) truth.add(it.item());
                int hit = 0;
                for (RecommendService.Item it : a.items()) if (truth.contains(it.item())) hit++;
                recall += hit / (double) e.items().size();
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bench", "ann");
            m.put("model", exact.model().name());
            m.put("items", exact.model().numItems());
            m.put("interests", exact.model().numInterests());
            m.put("queries", hs.size());
            m.put("ef", model.ef);
            m.put("hnsw_build_seconds", Math.round(build * 100) / 100.0);
            m.put("recall_at_" + n + "_vs_exact", Math.round(recall / hs.size() * 10000) / 10000.0);
            m.put("exact_ms_p50", percentile(te, 0.5));
            m.put("exact_ms_p99", percentile(te, 0.99));
            m.put("hnsw_ms_p50", percentile(ta, 0.5));
            m.put("hnsw_ms_p99", percentile(ta, 0.99));
            System.out.println(new ObjectMapper().writeValueAsString(m));
            return 0;
        }
    }

    @Command(name = "http", mixinStandardHelpOptions = true,
            description = "Load a running 're4j serve' with the model's test users' histories; latency percentiles and requests/s.")
    static final class Http implements Callable<Integer> {
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080") String url;
        @Option(names = "--model", required = true, description = "The served model's directory (for its test users).")
        java.nio.file.Path modelDir;
        @Option(names = "--requests", defaultValue = "2000") int requests;
        @Option(names = "--concurrency", defaultValue = "4") int concurrency;
        @Option(names = "-n", defaultValue = "50") int n;

        @Override
        public Integer call() throws Exception {
            if (requests < 1 || requests > 1_000_000 || concurrency < 1 || concurrency > 256) {
                throw new IllegalArgumentException("--requests must be in 1..1000000 and --concurrency in 1..256");
            }
            List<List<String>> hs = testHistories(modelDir, 5000);
            ObjectMapper json = new ObjectMapper();
            List<String> bodies = new ArrayList<>();
            for (List<String> h : hs) bodies.add(json.writeValueAsString(Map.of("history", h, "n", n)));
            HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(concurrency)).build();
            URI uri = URI.create(url + "/recommend");
            for (int w = 0; w < Math.min(100, requests); w++) send(client, uri, bodies.get(w % bodies.size())); // warm-up
            long[] lat = new long[requests];
            AtomicInteger next = new AtomicInteger(), failed = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            long start = System.nanoTime();
            List<Future<?>> fs = new ArrayList<>();
            for (int c = 0; c < concurrency; c++) {
                fs.add(pool.submit(() -> {
                    for (int i; (i = next.getAndIncrement()) < requests; ) {
                        long t0 = System.nanoTime();
                        if (send(client, uri, bodies.get(i % bodies.size())) != 200) failed.incrementAndGet();
                        lat[i] = System.nanoTime() - t0;
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
            double secs = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("bench", "http");
            m.put("url", url);
            m.put("requests", requests);
            m.put("concurrency", concurrency);
            m.put("failed", failed.get());
            m.put("requests_per_second", Math.round(requests / secs * 10) / 10.0);
            m.put("latency_ms_p50", percentile(lat, 0.5));
            m.put("latency_ms_p99", percentile(lat, 0.99));
            System.out.println(json.writeValueAsString(m));
            return failed.get() == 0 ? 0 : 1;
        }

        private static int send(HttpClient client, URI uri, String body) {
            try {
                return client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }
    }
}
