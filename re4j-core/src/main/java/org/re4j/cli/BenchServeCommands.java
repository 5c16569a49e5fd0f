package org.re4j.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.serve.RecommendService;

/**
 * Serving benchmarks on a trained model's own test users: ANN vs exact, HTTP load from a second process, and HTTP
 * load beside abusive clients against a child server.
 */
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
            description = {"Load a running 're4j serve' with the model's test users' histories; latency percentiles and requests/s.",
                    "With --abuse: start 're4j serve' on a free loopback port as a child process, warm it up for 5 s, and run "
                            + "normal clients beside --slow-clients sending their bodies at 1 byte/s and --oversized-clients "
                            + "streaming chunked bodies of 96 MB, then alone for 5 s; report the normal clients' requests, latency "
                            + "and errors, what the abusers got back, and the server's peak resident memory and thread count."})
    static final class Http implements Callable<Integer> {
        @Spec CommandSpec spec;
        @Option(names = "--url", defaultValue = "http://127.0.0.1:8080") String url;
        @Option(names = "--model", required = true, description = "The served model's directory (for its test users).")
        java.nio.file.Path modelDir;
        @Option(names = "--requests", defaultValue = "2000") int requests;
        @Option(names = "--concurrency", defaultValue = "4", description = "Normal clients (default: ${DEFAULT-VALUE}).") int concurrency;
        @Option(names = "-n", defaultValue = "50") int n;
        @Option(names = "--abuse", description = "Start a server and measure it under slow and oversized clients (loopback only).")
        boolean abuse;
        @Option(names = "--seconds", defaultValue = "20", description = "--abuse: seconds under abuse, 1..120 (default: ${DEFAULT-VALUE}).")
        int seconds;
        @Option(names = "--slow-clients", defaultValue = "300", description = "--abuse: clients sending 1 byte/s, 0..2000 (default: ${DEFAULT-VALUE}).")
        int slowClients;
        @Option(names = "--oversized-clients", defaultValue = "4",
                description = "--abuse: clients streaming 96 MB chunked bodies, 0..32 (default: ${DEFAULT-VALUE}).")
        int oversizedClients;
        @Option(names = "--serve-arg", paramLabel = "ARG", description = "--abuse: an argument for the child 're4j serve' (repeatable), e.g. --serve-arg=--threads=16.")
        List<String> serveArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (concurrency < 1 || concurrency > 256) throw new IllegalArgumentException("--concurrency must be in 1..256, got " + concurrency);
            if (abuse) return abuse();
            if (requests < 1 || requests > 1_000_000) throw new IllegalArgumentException("--requests must be in 1..1000000, got " + requests);
            List<String> bodies = bodies(modelDir, n);
            ObjectMapper json = new ObjectMapper();
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

        static List<String> bodies(java.nio.file.Path modelDir, int n) throws Exception {
            ObjectMapper json = new ObjectMapper();
            List<String> bodies = new ArrayList<>();
            for (List<String> h : testHistories(modelDir, 5000)) bodies.add(json.writeValueAsString(Map.of("history", h, "n", n)));
            if (bodies.isEmpty()) throw new IllegalStateException("the model at " + modelDir + " has no test users to send");
            return bodies;
        }

        private static int send(HttpClient client, URI uri, String body) {
            try {
                return client.send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.ofString(body))
                        .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json").build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (Exception e) {
                return -1;
            }
        }

        private int abuse() throws Exception {
            if (spec.commandLine().getParseResult().hasMatchedOption("--url")) {
                throw new IllegalArgumentException("--abuse starts its own server on a loopback port; leave out --url");
            }
            if (seconds < 1 || seconds > 120) throw new IllegalArgumentException("--seconds must be in 1..120, got " + seconds);
            if (slowClients < 0 || slowClients > 2000) throw new IllegalArgumentException("--slow-clients must be in 0..2000, got " + slowClients);
            if (oversizedClients < 0 || oversizedClients > 32) {
                throw new IllegalArgumentException("--oversized-clients must be in 0..32, got " + oversizedClients);
            }
            List<String> bodies = bodies(modelDir, n);
            try (ChildServer server = ChildServer.start(modelDir, serveArgs)) {
                URI uri = URI.create("http://127.0.0.1:" + server.port + "/recommend");
                HttpClient client = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(concurrency)).build();
                normalLoad(client, uri, bodies, 5); // warm-up, not reported: the server's JIT compiles the hot path
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bench", "http-abuse");
                m.put("model", modelDir.toString());
                m.put("normal_clients", concurrency);
                m.put("slow_clients", slowClients);
                m.put("oversized_clients", oversizedClients);
                m.put("seconds", seconds);
                Map<String, Object> start = server.sample();
                SlowClients slow = new SlowClients(server.port, slowClients);
                Oversized big = new Oversized(server.port, oversizedClients);
                try {
                    Thread.sleep(2000); // the slow clients connect and start their bodies
                    m.put("under_abuse", normalLoad(client, uri, bodies, seconds));
                } finally {
                    slow.close();
                    big.close();
                }
                m.put("slow", slow.report());
                m.put("oversized", big.report());
                Thread.sleep(1500); // refused connections are closed a second after their answer
                m.put("alone_after", normalLoad(client, uri, bodies, 5)); // the reference, and the server's recovery
                Map<String, Object> end = server.sample();
                Map<String, Object> srv = new LinkedHashMap<>();
                srv.put("pid", server.process.pid());
                srv.put("rss_mb_start", start.get("rss_mb"));
                srv.put("rss_mb_peak", server.peakRssMb());
                srv.put("rss_mb_end", end.get("rss_mb"));
                srv.put("vm_hwm_mb", end.get("hwm_mb"));
                srv.put("threads_start", start.get("threads"));
                srv.put("threads_peak", server.peakThreads());
                srv.put("threads_end", end.get("threads"));
                m.put("server", srv);
                System.out.println(new ObjectMapper().writeValueAsString(m));
                @SuppressWarnings("unchecked") Map<String, Object> under = (Map<String, Object>) m.get("under_abuse");
                return ((Number) under.get("errors")).intValue() == 0 ? 0 : 1;
            }
        }

        /** {@code concurrency} clients sending requests back to back for {@code secs} seconds. */
        private Map<String, Object> normalLoad(HttpClient client, URI uri, List<String> bodies, int secs) throws Exception {
            long end = System.nanoTime() + secs * 1_000_000_000L;
            List<long[]> lat = new ArrayList<>();
            AtomicInteger errors = new AtomicInteger(), served = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(concurrency);
            List<Future<long[]>> fs = new ArrayList<>();
            long t0 = System.nanoTime();
            for (int c = 0; c < concurrency; c++) {
                int first = c;
                fs.add(pool.submit(() -> {
                    long[] mine = new long[1 << 16];
                    int k = 0;
                    for (int i = first; System.nanoTime() < end; i += concurrency) {
                        long a = System.nanoTime();
                        if (send(client, uri, bodies.get(i % bodies.size())) == 200) served.incrementAndGet();
                        else errors.incrementAndGet();
                        if (k == mine.length) mine = Arrays.copyOf(mine, k * 2);
                        mine[k++] = System.nanoTime() - a;
                    }
                    return Arrays.copyOf(mine, k);
                }));
            }
            for (Future<long[]> f : fs) lat.add(f.get());
            double took = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            long[] all = lat.stream().flatMapToLong(Arrays::stream).toArray();
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("seconds", secs);
            r.put("served", served.get());
            r.put("errors", errors.get());
            r.put("requests_per_second", Math.round(served.get() / took * 10) / 10.0);
            r.put("latency_ms_p50", all.length == 0 ? null : percentile(all, 0.5));
            r.put("latency_ms_p99", all.length == 0 ? null : percentile(all, 0.99));
            r.put("latency_ms_max", all.length == 0 ? null : percentile(all, 1.0));
            return r;
        }
    }

    /** 're4j serve' in a child JVM on a free loopback port, with its /proc status sampled. */
    static final class ChildServer implements AutoCloseable {
        final Process process;
        final int port;
        private final java.util.concurrent.ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "re4j-bench-sampler");
            t.setDaemon(true);
            return t;
        });
        private volatile long peakRssKb = -1, peakThreads = -1;

        private ChildServer(Process process, int port) {
            this.process = process;
            this.port = port;
            sampler.scheduleAtFixedRate(() -> {
                Map<String, Long> s = status(process.pid());
                if (s.containsKey("VmRSS")) peakRssKb = Math.max(peakRssKb, s.get("VmRSS"));
                if (s.containsKey("Threads")) peakThreads = Math.max(peakThreads, s.get("Threads"));
            }, 0, 200, TimeUnit.MILLISECONDS);
        }

        static ChildServer start(java.nio.file.Path modelDir, List<String> serveArgs) throws Exception {
            String javaBin = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
            List<String> cmd = new ArrayList<>(List.of(javaBin));
            for (String a : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (a.startsWith("-X") || a.startsWith("--add-modules") || a.startsWith("-D")) cmd.add(a);
            }
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve",
                    "--model", modelDir.toString(), "--host", "127.0.0.1", "--port", "0"));
            cmd.addAll(serveArgs);
            Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            java.util.concurrent.CompletableFuture<Integer> port = new java.util.concurrent.CompletableFuture<>();
            java.util.Deque<String> last = new java.util.ArrayDeque<>();
            Thread reader = new Thread(() -> {
                try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                    java.util.regex.Pattern serving = java.util.regex.Pattern.compile("^re4j: serving .* on http://127\\.0\\.0\\.1:(\\d+)");
                    for (String line; (line = r.readLine()) != null; ) {
                        java.util.regex.Matcher mt = serving.matcher(line);
                        if (mt.find()) port.complete(Integer.parseInt(mt.group(1)));
                        synchronized (last) {
                            last.addLast(line);
                            if (last.size() > 5) last.removeFirst();
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the child is gone
                }
                synchronized (last) {
                    port.completeExceptionally(new IllegalStateException("'re4j serve' exited before serving: " + String.join(" | ", last)));
                }
            }, "re4j-bench-serve-stderr");
            reader.setDaemon(true);
            reader.start();
            try {
                return new ChildServer(p, port.get(180, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
                throw (Exception) e.getCause();
            } catch (java.util.concurrent.TimeoutException e) {
                p.destroyForcibly();
                throw new IllegalStateException("'re4j serve' did not start serving within 180 s");
            }
        }

        /** VmRSS, VmHWM (kB) and Threads from /proc/PID/status; empty where there is no /proc. */
        static Map<String, Long> status(long pid) {
            Map<String, Long> m = new LinkedHashMap<>();
            try {
                for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                    for (String k : List.of("VmRSS", "VmHWM", "Threads")) {
                        if (line.startsWith(k + ":")) m.put(k, Long.parseLong(line.substring(k.length() + 1).trim().split("\\s+")[0]));
                    }
                }
            } catch (java.io.IOException | RuntimeException e) {
                // not Linux, or the process has exited
            }
            return m;
        }

        Map<String, Object> sample() {
            Map<String, Long> s = status(process.pid());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("rss_mb", s.containsKey("VmRSS") ? Math.round(s.get("VmRSS") / 102.4) / 10.0 : null);
            m.put("hwm_mb", s.containsKey("VmHWM") ? Math.round(s.get("VmHWM") / 102.4) / 10.0 : null);
            m.put("threads", s.get("Threads"));
            return m;
        }

        Double peakRssMb() {
            return peakRssKb < 0 ? null : Math.round(peakRssKb / 102.4) / 10.0;
        }

        Long peakThreads() {
            return peakThreads < 0 ? null : peakThreads;
        }

        @Override
        public void close() throws InterruptedException {
            sampler.shutdownNow();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * Clients that send complete headers for a 100,000-byte body, then one byte of it per second, from one thread over
     * non-blocking sockets; when the server answers or closes, the client reconnects and starts again.
     */
    static final class SlowClients implements AutoCloseable {
        private final int port;
        private final SocketChannel[] chans;
        private final boolean[] started;
        private final Thread thread;
        private volatile boolean stop;
        private final AtomicLong opened = new AtomicLong(), closedWithoutAnswer = new AtomicLong(), connectFailed = new AtomicLong();
        private final Map<Integer, AtomicLong> answers = new java.util.concurrent.ConcurrentSkipListMap<>();

        SlowClients(int port, int count) {
            this.port = port;
            this.chans = new SocketChannel[count];
            this.started = new boolean[count];
            this.thread = new Thread(this::run, "re4j-bench-slow");
            thread.setDaemon(true);
            if (count > 0) thread.start();
        }

        private void run() {
            byte[] head = ("POST /recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer in = ByteBuffer.allocate(4096);
            InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
            while (!stop) {
                long tick = System.nanoTime();
                for (int i = 0; i < chans.length && !stop; i++) {
                    try {
                        SocketChannel c = chans[i];
                        if (c == null) {
                            c = SocketChannel.open();
                            c.configureBlocking(false);
                            c.connect(addr);
                            chans[i] = c;
                            started[i] = false;
                            opened.incrementAndGet();
                            continue;
                        }
                        if (c.isConnectionPending() && !c.finishConnect()) continue;
                        in.clear();
                        int r = c.read(in);
                        if (r > 0) {
                            String first = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
                            int status = first.startsWith("HTTP/1.1 ") && first.length() >= 12 ? Integer.parseInt(first.substring(9, 12)) : -1;
                            answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
                            drop(i);
                        } else if (r < 0) {
                            closedWithoutAnswer.incrementAndGet();
                            drop(i);
                        } else {
                            c.write(ByteBuffer.wrap(started[i] ? new byte[] {' '} : head));
                            started[i] = true;
                        }
                    } catch (java.io.IOException e) {
                        if (started[i]) closedWithoutAnswer.incrementAndGet();
                        else connectFailed.incrementAndGet();
                        drop(i);
                    }
                }
                long sleep = 1000 - (System.nanoTime() - tick) / 1_000_000;
                if (sleep > 0) {
                    try {
                        Thread.sleep(sleep);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }

        private void drop(int i) {
            try {
                if (chans[i] != null) chans[i].close();
            } catch (java.io.IOException ignored) {
                // closing anyway
            }
            chans[i] = null;
        }

        Map<String, Object> report() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connections", opened.get());
            Map<String, Long> a = new LinkedHashMap<>();
            answers.forEach((k, v) -> a.put(String.valueOf(k), v.get()));
            m.put("answers", a);
            m.put("closed_without_answer", closedWithoutAnswer.get());
            m.put("connect_failed", connectFailed.get());
            return m;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(5000);
            for (int i = 0; i < chans.length; i++) drop(i);
        }
    }

    /** Clients streaming chunked bodies of up to 96 MB as fast as they can, without stopping at the server's answer. */
    static final class Oversized implements AutoCloseable {
        static final long UPLOAD_BYTES = 96L << 20;
        private final int port;
        private final ExecutorService writers, readers;
        private volatile boolean stop;
        private volatile Socket[] current;
        private final AtomicLong uploads = new AtomicLong(), maxSent = new AtomicLong(), totalSent = new AtomicLong(),
                noAnswer = new AtomicLong(), interrupted = new AtomicLong();
        private final Map<Integer, AtomicLong> answers = new java.util.concurrent.ConcurrentSkipListMap<>();

        Oversized(int port, int count) {
            this.port = port;
            this.current = new Socket[count];
            this.writers = Executors.newFixedThreadPool(Math.max(1, count));
            this.readers = Executors.newFixedThreadPool(Math.max(1, count));
            for (int c = 0; c < count; c++) {
                int slot = c;
                writers.submit(() -> {
                    while (!stop) upload(slot);
                    return null;
                });
            }
        }

        private void upload(int slot) {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            long sent = 0;
            Future<Integer> answer = null;
            try (Socket s = new Socket()) {
                current[slot] = s;
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                s.setSoTimeout(15_000);
                uploads.incrementAndGet();
                InputStream in = s.getInputStream();
                answer = readers.submit(() -> {
                    byte[] b = new byte[12];
                    int k = 0;
                    for (int r; k < 12 && (r = in.read(b, k, 12 - k)) > 0; ) k += r;
                    return k == 12 ? Integer.parseInt(new String(b, 9, 3, StandardCharsets.US_ASCII)) : -1;
                });
                OutputStream out = s.getOutputStream();
                out.write(("POST /recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                while (!stop && sent < UPLOAD_BYTES) {
                    out.write(size);
                    out.write(chunk);
                    out.write('\r');
                    out.write('\n');
                    sent += chunk.length;
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (java.io.IOException cutOff) {
                // the server stopped reading and closed the connection
            } finally {
                totalSent.addAndGet(sent);
                maxSent.accumulateAndGet(sent, Math::max);
                int status = -1;
                try {
                    if (answer != null) status = answer.get(5, TimeUnit.SECONDS);
                } catch (Exception e) {
                    status = -1;
                }
                if (status < 0 && stop) interrupted.incrementAndGet(); // cut by the benchmark's end, not by the server
                else if (status < 0) noAnswer.incrementAndGet();
                else answers.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
            }
        }

        Map<String, Object> report() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("uploads", uploads.get());
            Map<String, Long> a = new LinkedHashMap<>();
            answers.forEach((k, v) -> a.put(String.valueOf(k), v.get()));
            m.put("answers", a);
            m.put("no_answer", noAnswer.get());
            m.put("cut_at_the_end", interrupted.get());
            m.put("mb_sent_max", Math.round(maxSent.get() / 1e5) / 10.0);
            m.put("mb_sent_mean", uploads.get() == 0 ? 0 : Math.round(totalSent.get() / 1e5 / uploads.get()) / 10.0);
            return m;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            for (Socket s : current) {
                try {
                    if (s != null) s.close();
                } catch (java.io.IOException ignored) {
                    // closing anyway
                }
            }
            writers.shutdown();
            writers.awaitTermination(20, TimeUnit.SECONDS);
            readers.shutdownNow();
        }
    }
}
