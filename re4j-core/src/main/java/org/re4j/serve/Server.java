package org.re4j.serve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.javalin.Javalin;
import io.javalin.http.Context;

import org.eclipse.jetty.http.BadMessageException;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP face of a {@link RecommendService}: {@code POST /recommend}, {@code GET /health} and {@code GET /metrics}
 * (Prometheus text format). Every failure becomes a JSON error {@code {"error", "field"}} with a status code; nothing a
 * client sends can stop the server, and the {@link Limits} bound what clients can make it hold: the body is read
 * without holding a thread while it arrives, at most {@link Limits#maxBodyBytes()} of it, within
 * {@link Limits#requestTimeoutMillis()}, no slower than {@link Limits#minDataRate()}; connections and threads are
 * bounded. A body refused part way (413, 408) is not read on: the answer goes out with {@code Connection: close}
 * and the connection is closed a second later.
 */
public final class Server implements AutoCloseable {

    /**
     * What a client may send and hold.
     *
     * @param maxBodyBytes         largest request body, declared or chunked (larger: 413)
     * @param idleTimeoutMillis    a connection with no bytes in either direction for this long is closed
     * @param requestTimeoutMillis the whole body must arrive within this time of the headers (else 408), and a
     *                             connection still receiving request headers after it is closed
     * @param minDataRate          bytes/s: a body still arriving at a lower average rate one second after the headers
     *                             is cut off (408); 0 turns the check off
     * @param maxConnections       open connections at most; beyond it new connections wait to be accepted and idle
     *                             ones are closed after a second
     * @param threads              worker threads at most (request handling; no thread waits on a slow body)
     */
    public record Limits(long maxBodyBytes, long idleTimeoutMillis, long requestTimeoutMillis, long minDataRate,
                         int maxConnections, int threads) {

        public static final long MAX_BODY_BYTES = 256L << 20;
        public static final Limits DEFAULTS = new Limits(1_000_000, 30_000, 10_000, 1024, 1000, 32);

        public Limits {
            check("maxBodyBytes", maxBodyBytes, 1, MAX_BODY_BYTES);
            check("idleTimeoutMillis", idleTimeoutMillis, 100, 3_600_000);
            check("requestTimeoutMillis", requestTimeoutMillis, 100, 3_600_000);
            check("minDataRate", minDataRate, 0, 1L << 30);
            check("maxConnections", maxConnections, 1, 1_000_000);
            check("threads", threads, 8, 10_000);
        }

        private static void check(String field, long v, long lo, long hi) {
            if (v < lo || v > hi) throw new IllegalArgumentException(field + " must be in " + lo + ".." + hi + ", got " + v);
        }

        public Limits withMaxBodyBytes(long v) {
            return new Limits(v, idleTimeoutMillis, requestTimeoutMillis, minDataRate, maxConnections, threads);
        }

        public Limits withIdleTimeoutMillis(long v) {
            return new Limits(maxBodyBytes, v, requestTimeoutMillis, minDataRate, maxConnections, threads);
        }

        public Limits withRequestTimeoutMillis(long v) {
            return new Limits(maxBodyBytes, idleTimeoutMillis, v, minDataRate, maxConnections, threads);
        }

        public Limits withMinDataRate(long v) {
            return new Limits(maxBodyBytes, idleTimeoutMillis, requestTimeoutMillis, v, maxConnections, threads);
        }

        public Limits withMaxConnections(int v) {
            return new Limits(maxBodyBytes, idleTimeoutMillis, requestTimeoutMillis, minDataRate, v, threads);
        }

        public Limits withThreads(int v) {
            return new Limits(maxBodyBytes, idleTimeoutMillis, requestTimeoutMillis, minDataRate, maxConnections, v);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Latency histogram bucket bounds, seconds. */
    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    private final RecommendService service;
    private final Limits limits;
    private Javalin app;
    private final AtomicLong ok = new AtomicLong(), badRequests = new AtomicLong(), errors = new AtomicLong(),
            tooLarge = new AtomicLong(), timeouts = new AtomicLong(), headerTimeouts = new AtomicLong(), fallbacks = new AtomicLong();
    private final AtomicLongArray bucketCounts = new AtomicLongArray(BUCKETS.length + 1);
    private final AtomicLong latencyNanos = new AtomicLong();

    public Server(RecommendService service) {
        this(service, Limits.DEFAULTS);
    }

    public Server(RecommendService service, Limits limits) {
        this.service = service;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    /**
     * Starts listening; port 0 picks a free port (see {@link #port()}).
     *
     * @throws IllegalArgumentException the port is outside 0..65535
     * @throws UncheckedIOException     the address cannot be bound; the message names host, port and the cause
     *                                  (port in use, host not resolvable or not an address of this machine, ...)
     */
    public synchronized Server start(String host, int port) {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        if (app != null) throw new IllegalStateException("the server is already started");
        Javalin a = Javalin.create(c -> {
            c.showJavalinBanner = false;
            c.http.maxRequestSize = limits.maxBodyBytes();
            QueuedThreadPool pool = new QueuedThreadPool(limits.threads(), Math.min(4, limits.threads()), 60_000,
                    new BlockingArrayQueue<>(64, 64, Math.max(64, limits.maxConnections())));
            pool.setName("re4j-http");
            c.jetty.threadPool = pool;
            c.jetty.modifyServer(s -> s.setErrorHandler(new JsonErrors()));
            c.jetty.modifyHttpConfiguration(h -> {
                h.setSendServerVersion(false);
                h.setDelayDispatchUntilContent(false); // the request timeout runs from the headers, not the first body byte
            });
            // Our own connector, opened here so that a bind failure surfaces as one clear exception.
            c.jetty.addConnector((server, http) -> connector(server, http, host, port));
        });
        a.post("/recommend", this::recommend);
        a.get("/health", ctx -> ctx.json(Map.of("status", "ok", "model", service.model().name(),
                "items", service.model().numItems(), "interests", service.model().numInterests())));
        a.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics()));
        a.error(404, ctx -> error(ctx, 404, "path", "no endpoint " + ctx.method() + " " + ctx.path()
                + "; the endpoints are POST /recommend, GET /health and GET /metrics"));
        a.exception(Exception.class, (e, ctx) -> {
            errors.incrementAndGet();
            error(ctx, 500, null, "internal error: " + e);
        });
        try {
            a.start();
        } catch (RuntimeException e) {
            try {
                a.stop();
            } catch (RuntimeException ignored) {
                // the start's failure is the one to report
            }
            throw e;
        }
        app = a;
        return this;
    }

    private Connector connector(org.eclipse.jetty.server.Server server, HttpConfiguration http, String host, int port) {
        int selectors = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors() / 2));
        ServerConnector c = new ServerConnector(server, 1, selectors, new HttpConnectionFactory(http));
        c.setHost(host);
        c.setPort(port);
        c.setIdleTimeout(limits.idleTimeoutMillis());
        // A backlog for bursts of connections (many clients reconnecting at once): with the JDK's 50, the kernel
        // drops connections beyond it and their clients stall for seconds in retransmission.
        c.setAcceptQueueSize(Math.min(limits.maxConnections(), 4096));
        c.addBean(new HeaderDeadline(c));
        ConnectionLimit limit = new ConnectionLimit(limits.maxConnections(), c);
        limit.setIdleTimeout(Math.min(1000, limits.idleTimeoutMillis())); // while at the limit, idle connections go first
        server.addBean(limit);
        try {
            c.open();
        } catch (IOException e) {
            throw new UncheckedIOException(bindError(host, port, e));
        }
        return c;
    }

    /**
     * Closes a connection whose request headers are still arriving after {@link Limits#requestTimeoutMillis()}
     * (checked every that long, so between one and two of it): a client trickling its headers holds no thread, but
     * would hold its connection for ever, as neither the idle timeout nor the body's limits see it.
     */
    private final class HeaderDeadline implements Connection.Listener {
        private final ServerConnector connector;

        HeaderDeadline(ServerConnector connector) {
            this.connector = connector;
        }

        @Override
        public void onOpened(Connection connection) {
            if (connection instanceof HttpConnection h) check(h, -1);
        }

        @Override
        public void onClosed(Connection connection) {
            // its check finds it closed
        }

        /** @param request the request whose headers were arriving at the last check, -1 if none was */
        private void check(HttpConnection h, long request) {
            connector.getScheduler().schedule(() -> {
                if (!h.getEndPoint().isOpen()) return;
                HttpParser p = h.getParser();
                long now = h.getMessagesIn();
                boolean inHeaders = !p.isStart() && p.inHeaderState();
                if (inHeaders && now == request) {
                    headerTimeouts.incrementAndGet();
                    h.getEndPoint().close();
                } else {
                    check(h, inHeaders ? now : -1);
                }
            }, limits.requestTimeoutMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** One line naming the address and why it cannot be bound. */
    static IOException bindError(String host, int port, Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String m = String.valueOf(root.getMessage());
        String why;
        if (root instanceof UnresolvedAddressException) why = "cannot resolve the host '" + host + "'";
        else if (root instanceof BindException && m.contains("in use")) why = "port " + port + " is already in use";
        else if (root instanceof BindException && m.contains("assign")) {
            why = "'" + host + "' is not an address of this machine (" + m + ")";
        } else if (root instanceof BindException && m.contains("ermission")) {
            why = "permission denied (ports below 1024 need privileges)";
        } else why = m;
        String where = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
        return new IOException("cannot listen on " + where + ": " + why, e);
    }

    public int port() {
        if (app == null) throw new IllegalStateException("the server is not started");
        return app.port();
    }

    @Override
    public synchronized void close() {
        if (app != null) app.stop();
    }

    /** How long a refused connection is left open for its answer to reach the client before it is closed. */
    static final long REFUSAL_GRACE_MILLIS = 1000;
    /** A body is only held to the minimum rate after this long. */
    static final long RATE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The body did not fit in {@link Limits#maxBodyBytes()}. */
    private static final class TooLarge extends RuntimeException {
        TooLarge() {
            super(null, null, false, false);
        }
    }

    /** The body arrived slower than {@link Limits#minDataRate()}. */
    private static final class TooSlow extends RuntimeException {
        TooSlow() {
            super(null, null, false, false);
        }
    }

    /** Reading the body failed (the connection's cause attached). */
    private static final class BodyFailed extends RuntimeException {
        BodyFailed(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private void recommend(Context ctx) {
        long t0 = System.nanoTime();
        long declared = ctx.req().getContentLengthLong();
        ctx.future(() -> (declared > limits.maxBodyBytes() // refused before a byte of it is read
                ? CompletableFuture.<byte[]>failedFuture(new TooLarge())
                : readBody(ctx.req(), declared, t0).orTimeout(limits.requestTimeoutMillis(), TimeUnit.MILLISECONDS))
                .handle((body, err) -> respond(ctx, body, err, t0))
                .thenCompose(answered -> answered));
    }

    /**
     * The body, read as it arrives with the servlet container's non-blocking input (no thread waits for a slow
     * client) and counted as it is read: past {@link Limits#maxBodyBytes()} reading stops with {@link TooLarge};
     * a body still short of the minimum rate one second after the headers stops with {@link TooSlow}.
     */
    private CompletableFuture<byte[]> readBody(HttpServletRequest req, long declared, long t0) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        long max = limits.maxBodyBytes(), rate = limits.minDataRate();
        ByteArrayOutputStream buf = new ByteArrayOutputStream((int) Math.min(Math.max(declared, 512), Math.min(max, 1 << 16)));
        byte[] chunk = new byte[8192];
        try {
            ServletInputStream in = req.getInputStream();
            in.setReadListener(new ReadListener() {
                @Override
                public void onDataAvailable() {
                    try {
                        while (!f.isDone() && in.isReady()) {
                            int r = in.read(chunk);
                            if (r < 0) return; // onAllDataRead follows
                            if (buf.size() + (long) r > max) {
                                f.completeExceptionally(new TooLarge());
                                return;
                            }
                            buf.write(chunk, 0, r);
                        }
                        // Waiting on the client: is it keeping up? (Checked here, not per read, so that a server
                        // slow to read never blames the client.)
                        long waited = System.nanoTime() - t0 - RATE_GRACE_NANOS;
                        if (rate > 0 && waited > 0 && !f.isDone() && buf.size() < rate * (waited / 1e9)) {
                            f.completeExceptionally(new TooSlow());
                        }
                    } catch (Throwable t) {
                        f.completeExceptionally(new BodyFailed(t));
                    }
                }

                @Override
                public void onAllDataRead() {
                    f.complete(buf.toByteArray());
                }

                @Override
                public void onError(Throwable t) {
                    f.completeExceptionally(new BodyFailed(t));
                }
            });
        } catch (Throwable t) {
            f.completeExceptionally(new BodyFailed(t));
        }
        return f;
    }

    /** Answers the request; the future completes when the exchange is over (later for a refused body). */
    private CompletableFuture<Void> respond(Context ctx, byte[] body, Throwable err, long t0) {
        try {
            Throwable e = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (e instanceof TooLarge) {
                tooLarge.incrementAndGet();
                return refuse(ctx, 413, "the body is larger than " + limits.maxBodyBytes() + " bytes");
            } else if (e instanceof TimeoutException) {
                timeouts.incrementAndGet();
                return refuse(ctx, 408, "the body did not arrive within " + limits.requestTimeoutMillis() / 1000.0 + " s");
            } else if (e instanceof TooSlow) {
                timeouts.incrementAndGet();
                return refuse(ctx, 408, "the body arrived slower than " + limits.minDataRate() + " bytes/s");
            } else if (e instanceof BodyFailed) {
                Throwable c = e.getCause();
                if (c instanceof BadMessageException bm && bm.getCode() >= 400 && bm.getCode() < 500) {
                    badRequests.incrementAndGet();
                    return refuse(ctx, bm.getCode(), "the body could not be read: " + bm.getReason());
                }
                timeouts.incrementAndGet();
                return refuse(ctx, 408, "the body could not be read: " + c);
            } else if (e != null) {
                errors.incrementAndGet();
                error(ctx, 500, null, "internal error: " + e);
            } else {
                RecommendService.Response r = service.recommend(RecommendService.parseRequest(body));
                if (r.fallback() != null) fallbacks.incrementAndGet();
                ok.incrementAndGet();
                ctx.status(200).contentType("application/json").result(RecommendService.JSON.writeValueAsString(r));
            }
        } catch (RecommendService.BadRequest e) {
            badRequests.incrementAndGet();
            error(ctx, 400, e.field(), e.getMessage());
        } catch (Exception e) {
            errors.incrementAndGet();
            error(ctx, 500, null, "internal error: " + e);
        } finally {
            observe(System.nanoTime() - t0);
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Answers a request whose body was not read to its end, then stops: the answer is sent at once with
     * {@code Connection: close}, nothing more is read, and the connection is closed {@link #REFUSAL_GRACE_MILLIS}
     * later (rather than left to read and discard the rest, however long it is or however slowly it comes).
     */
    private CompletableFuture<Void> refuse(Context ctx, int status, String message) {
        CompletableFuture<Void> over = new CompletableFuture<>();
        Request base = Request.getBaseRequest(ctx.req());
        try {
            HttpServletResponse res = ctx.res();
            byte[] json = errorJson("body", message).getBytes(StandardCharsets.UTF_8);
            res.setStatus(status);
            res.setHeader("Connection", "close");
            res.setContentType("application/json");
            res.setContentLength(json.length);
            res.getOutputStream().write(json);
            res.flushBuffer();
        } catch (IOException | RuntimeException clientGone) {
            // the connection is closed below either way
        }
        Runnable close = () -> { // closed first: completing with a read pending would make Jetty warn, then close it
            if (base != null) base.getHttpChannel().getEndPoint().close();
            over.complete(null);
        };
        if (base == null) close.run();
        else base.getHttpChannel().getConnector().getScheduler().schedule(close, REFUSAL_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        return over;
    }

    private static void error(Context ctx, int status, String field, String message) {
        ctx.status(status).contentType("application/json").result(errorJson(field, message));
    }

    static String errorJson(String field, String message) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("error", message);
        if (field != null) m.put("field", field);
        try {
            return JSON.writeValueAsString(m);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Errors Jetty answers itself (malformed HTTP, headers too large, ...) as the same JSON as ours. */
    private static final class JsonErrors extends ErrorHandler {
        @Override
        public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
            fields.put(HttpHeader.CONTENT_TYPE, "application/json");
            String field = status == 431 ? "headers" : status == 414 ? "path" : "request";
            return ByteBuffer.wrap(errorJson(field, message(status, reason)).getBytes(StandardCharsets.UTF_8));
        }

        @Override
        protected void generateAcceptableResponse(Request baseRequest, HttpServletRequest request,
                                                  HttpServletResponse response, int code, String message) throws IOException {
            baseRequest.setHandled(true);
            response.setContentType("application/json");
            response.getOutputStream().write(errorJson("request", message(code, message)).getBytes(StandardCharsets.UTF_8));
        }

        private static String message(int status, String reason) {
            String std = HttpStatus.getMessage(status);
            return reason == null || reason.isBlank() || reason.equals(std) ? status + " " + std : status + " " + std + ": " + reason;
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
        sb.append("re4j_requests_total{outcome=\"too_large\"} ").append(tooLarge.get()).append('\n');
        sb.append("re4j_requests_total{outcome=\"timeout\"} ").append(timeouts.get()).append('\n');
        sb.append("re4j_requests_total{outcome=\"error\"} ").append(errors.get()).append('\n');
        sb.append("# HELP re4j_header_timeouts_total Connections closed because their request headers were still arriving after the request timeout.\n");
        sb.append("# TYPE re4j_header_timeouts_total counter\nre4j_header_timeouts_total ").append(headerTimeouts.get()).append('\n');
        sb.append("# HELP re4j_pop_fallbacks_total Requests answered with popular items (no known history item).\n");
        sb.append("# TYPE re4j_pop_fallbacks_total counter\nre4j_pop_fallbacks_total ").append(fallbacks.get()).append('\n');
        sb.append("# HELP re4j_request_seconds Recommend latency, from the headers to the answer.\n# TYPE re4j_request_seconds histogram\n");
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
