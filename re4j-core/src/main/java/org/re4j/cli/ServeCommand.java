package org.re4j.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.serve.Server;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a saved model over HTTP: POST /recommend, GET /health, GET /metrics.")
final class ServeCommand implements Callable<Integer> {

    @Mixin IndexOptions model;

    @Option(names = "--port", defaultValue = "8080", description = "Port, 1..65535 (0 = any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--max-body", defaultValue = "1000000", paramLabel = "BYTES",
            description = "Largest request body, with Content-Length or chunked; larger is refused with 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--request-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "The body must arrive within this time of the headers, else 408; a connection still sending its headers after it is closed (default: ${DEFAULT-VALUE}).")
    int requestTimeout;

    @Option(names = "--min-data-rate", defaultValue = "1024", paramLabel = "BYTES_PER_S",
            description = "A body still arriving slower than this a second after the headers is cut off with 408; 0 = no check (default: ${DEFAULT-VALUE}).")
    long minDataRate;

    @Option(names = "--idle-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "A connection silent for this long is closed (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @Option(names = "--max-connections", defaultValue = "1000",
            description = "Open connections at most; more wait to be accepted (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(names = "--threads", defaultValue = "32",
            description = "Worker threads at most, 8 or more; no thread waits on a slow client (default: ${DEFAULT-VALUE}).")
    int threads;

    /** The limits from the options, each checked with the option's name. */
    Server.Limits limits() {
        range("--max-body", maxBody, 1, Server.Limits.MAX_BODY_BYTES);
        range("--request-timeout", requestTimeout, 1, 3600);
        range("--min-data-rate", minDataRate, 0, 1L << 30);
        range("--idle-timeout", idleTimeout, 1, 3600);
        range("--max-connections", maxConnections, 1, 1_000_000);
        range("--threads", threads, 8, 10_000);
        return new Server.Limits(maxBody, idleTimeout * 1000L, requestTimeout * 1000L, minDataRate, maxConnections, threads);
    }

    private static void range(String option, long v, long lo, long hi) {
        if (v < lo || v > hi) throw new IllegalArgumentException(option + " must be in " + lo + ".." + hi + ", got " + v);
    }

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be in 1..65535 (or 0 for any free port), got " + port);
        if (host == null || host.isBlank()) throw new IllegalArgumentException("--host must be a host name or address");
        Server.Limits limits = limits();
        Server server = new Server(model.service(), limits).start(host, port); // a bind failure: one line, exit 2
        System.err.println("re4j: serving " + model.modelDir + " (" + model.index + ") on http://"
                + (host.contains(":") ? "[" + host + "]" : host) + ":" + server.port()
                + " (body <= " + limits.maxBodyBytes() + " bytes, " + limits.maxConnections() + " connections, "
                + limits.threads() + " threads)");
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // until the process is stopped
        return 0;
    }
}
