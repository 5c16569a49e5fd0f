package org.re4j.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * The HTTP face of a {@link RecommendService}: {@code POST /recommend}, {@code GET /health} and {@code GET /metrics}
 * (Prometheus text format). Every failure becomes a JSON error with a status code; nothing a client sends can stop
 * the server.
 */
public final class Server implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Latency histogram bucket bounds, seconds. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final RecommendService service;
    private final Javalin app;
    private final AtomicLong ok = new AtomicLong(), badRequests = new AtomicLong(), errors = new AtomicLong(),
            fallbacks = new AtomicLong();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();

    public Server(RecommendService service) {
        this.service = service;
        this.app = Javalin.create(c -> c.showJavalinBanner = false);
        app.post("/recommend", this::recommend);
        app.get("/health", ctx -> ctx.json(Map.of("status", "ok", "model", service.model().name(),
                "items", service.model().numItems(), "interests", service.model().numInterests())));
        app.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics()));
        app.exception(Exception.class, (e, ctx) -> {
            errors.incrementAndGet();
            ctx.status(500).json(Map.of("error", String.valueOf(e.getMessage())));
        });
    }

    /** Starts listening; port 0 picks a free port (see {@link #port()}). */
    public Server start(String host, int port) {
        app.start(host, port);
        return this;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }

    private void recommend(Context ctx) throws Exception {
        long t0 = System.nanoTime();
        try {
            JsonNode body;
            try {
                body = JSON.readTree(ctx.body());
            } catch (Exception e) {
                throw new RecommendService.BadRequest("the body is not valid JSON: " + e.getMessage().split("\n")[0]);
            }
            if (body == null || !body.isObject()) throw new RecommendService.BadRequest("the body must be a JSON object");
            JsonNode h = body.path("history");
            if (!h.isArray()) throw new RecommendService.BadRequest("'history' must be a list of item ids");
            List<String> history = new ArrayList<>();
            for (JsonNode x : h) {
                if (!x.isTextual() && !x.isNumber()) throw new RecommendService.BadRequest("item ids must be strings or numbers");
                history.add(x.asText());
            }
            JsonNode n = body.path("n");
            if (!n.isMissingNode() && !n.canConvertToInt()) throw new RecommendService.BadRequest("'n' must be an integer");
            RecommendService.Response r = service.recommend(new RecommendService.Request(history, n.asInt(50),
                    body.path("exclude_history").asBoolean(false), body.path("return_interests").asBoolean(false)));
            if (r.fallback() != null) fallbacks.incrementAndGet();
            ok.incrementAndGet();
            ctx.contentType("application/json").result(RecommendService.JSON.writeValueAsString(r));
        } catch (RecommendService.BadRequest e) {
            badRequests.incrementAndGet();
            ctx.status(400).json(Map.of("error", e.getMessage()));
        } finally {
            observe(System.nanoTime() - t0);
        }
    }

    private void observe(long nanos) {
        latencyNanos.addAndGet(nanos);
        double s = nanos / 1e9;
        int b = 0;
        while (b < BUCKETS.length && s > BUCKETS[b]) b++;
        bucketCounts.incrementAndGet(b);
    }

    private String metrics() {
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP re4j_requests_total Recommend requests by outcome.\n# TYPE re4j_requests_total counter\n");
        sb.append("re4j_requests_total{outcome=\"ok\"} ").append(ok.get()).append('\n');
        sb.append("re4j_requests_total{outcome=\"bad_request\"} ").append(badRequests.get()).append('\n');
        sb.append("re4j_requests_total{outcome=\"error\"} ").append(errors.get()).append('\n');
        sb.append("# HELP re4j_pop_fallbacks_total Requests answered with popular items (no known history item).\n");
        sb.append("# TYPE re4j_pop_fallbacks_total counter\nre4j_pop_fallbacks_total ").append(fallbacks.get()).append('\n');
        sb.append("# HELP re4j_request_seconds Recommend latency.\n# TYPE re4j_request_seconds histogram\n");
        long cum = 0;
        for (int b = 0; b < BUCKETS.length; b++) {
            cum += bucketCounts.get(b);
            sb.append("re4j_request_seconds_bucket{le=\"").append(BUCKETS[b]).append("\"} ").append(cum).append('\n');
        }
        cum += bucketCounts.get(BUCKETS.length);
        sb.append("re4j_request_seconds_bucket{le=\"+Inf\"} ").append(cum).append('\n');
        sb.append("re4j_request_seconds_sum ").append(latencyNanos.get() / 1e9).append('\n');
        sb.append("re4j_request_seconds_count ").append(cum).append('\n');
        return sb.toString();
    }
}
