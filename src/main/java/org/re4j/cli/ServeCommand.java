package org.re4j.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.serve.RecommendService;
import org.re4j.serve.Server;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve a saved model over HTTP: POST /recommend, GET /health, GET /metrics.")
final class ServeCommand implements Callable<Integer> {

    @Mixin IndexOptions model;

    @Option(names = "--port", defaultValue = "8080", description = "Port (0 = any free port; default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Override
    public Integer call() throws Exception {
        Server server = new Server(model.service()).start(host, port);
        System.err.println("re4j: serving " + model.modelDir + " (" + model.index + ") on http://" + host + ":" + server.port());
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        new CountDownLatch(1).await(); // until the process is stopped
        return 0;
    }
}
