package org.re4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.re4j.cli.Main;

/**
 * The server's limits over raw sockets: bodies over the limit (declared or chunked), bodies that arrive too slowly or
 * not at all, and slow clients beside a normal one; and what starting on an address that cannot be bound says.
 */
class ServerLimitsTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_BODY = 64 * 1024;
    /** Few threads, so that a thread held by each slow client would show. */
    static final Server.Limits LIMITS = Server.Limits.DEFAULTS.withMaxBodyBytes(MAX_BODY).withRequestTimeoutMillis(2000)
            .withIdleTimeoutMillis(2000).withThreads(8).withMaxConnections(500);
    static Server server;
    static String[] items;

    @BeforeAll
    static void serve() throws Exception {
        items = TestModel.items();
        server = new Server(new RecommendService(TestModel.dir()), LIMITS).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** An HTTP response read off a raw socket. */
    record Reply(int status, String headers, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    static Socket open() throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        s.setSoTimeout(15_000); // a liveness bound: every answer below comes in well under it
        return s;
    }

    static String headers(String... extra) {
        StringBuilder sb = new StringBuilder("POST /recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n");
        for (String h : extra) sb.append(h).append("\r\n");
        return sb.append("\r\n").toString();
    }

    /** Reads one response: status line, headers, then Content-Length bytes (or up to the end of the stream). */
    static Reply read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c, state = 0;
        while (state < 4 && (c = in.read()) >= 0) {
            head.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        if (h.isEmpty()) return new Reply(-1, "", ""); // closed without an answer
        int status = Integer.parseInt(h.split(" ")[1]);
        int len = -1;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) len = Integer.parseInt(line.substring(15).trim());
        }
        byte[] body = len >= 0 ? in.readNBytes(len) : in.readAllBytes();
        return new Reply(status, h, new String(body, StandardCharsets.UTF_8));
    }

    static HttpResponse<String> normalRequest() throws Exception {
        String body = "{\"history\": [\"" + items[1] + "\", \"" + items[2] + "\"], \"n\": 5}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/recommend"))
                .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413BeforeItIsSent() throws Exception {
        try (Socket s = open()) {
            s.getOutputStream().write(headers("Content-Length: 10000000").getBytes(StandardCharsets.US_ASCII));
            Reply r = read(s.getInputStream());
            assertEquals(413, r.status(), r.toString());
            assertEquals("body", r.json().path("field").asText(), r.body());
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIs413AndIsNotReadToItsEnd() throws Exception {
        long total = 64L << 20;
        AtomicLong sent = new AtomicLong();
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write(headers("Transfer-Encoding: chunked").getBytes(StandardCharsets.US_ASCII));
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[16 * 1024];
                java.util.Arrays.fill(chunk, (byte) ' ');
                byte[] size = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                try {
                    while (sent.get() < total) {
                        out.write(size);
                        out.write(chunk);
                        out.write('\r');
                        out.write('\n');
                        sent.addAndGet(chunk.length);
                    }
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closedByTheServer) {
                    // expected: the server stops reading at the limit and closes the connection
                }
            });
            writer.start();
            Reply r = read(s.getInputStream());
            assertEquals(413, r.status(), r.toString());
            assertEquals("body", r.json().path("field").asText(), r.body());
            writer.join(15_000);
            assertTrue(sent.get() < total / 2, "the server read on to " + sent.get() + " bytes");
        }
        assertEquals(200, normalRequest().statusCode());
    }

    @Test
    void aChunkedBodyWithinTheLimitIsServed() throws Exception {
        String json = "{\"history\": [\"" + items[1] + "\"], \"n\": 4}";
        try (Socket s = open()) {
            String chunks = Integer.toHexString(10) + "\r\n" + json.substring(0, 10) + "\r\n"
                    + Integer.toHexString(json.length() - 10) + "\r\n" + json.substring(10) + "\r\n0\r\n\r\n";
            s.getOutputStream().write((headers("Transfer-Encoding: chunked") + chunks).getBytes(StandardCharsets.UTF_8));
            Reply r = read(s.getInputStream());
            assertEquals(200, r.status(), r.toString());
            assertEquals(4, r.json().path("items").size());
        }
    }

    @Test
    void slowBodiesHoldNoThreadAndAreCutOff() throws Exception {
        int slow = 40; // five times the server's threads
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < slow; i++) {
                Socket s = open();
                s.getOutputStream().write((headers("Content-Length: 1000") + "{").getBytes(StandardCharsets.US_ASCII));
                sockets.add(s);
            }
            Thread.sleep(300); // every slow request is now waiting for the rest of its body
            HttpResponse<String> normal = normalRequest();
            assertEquals(200, normal.statusCode(), normal.body());
            for (int second = 0; second < 3; second++) { // one byte a second, far below the 1024 bytes/s minimum
                Thread.sleep(1000);
                for (Socket s : sockets) {
                    try {
                        s.getOutputStream().write(' ');
                    } catch (IOException alreadyCutOff) {
                        // the server has answered and closed this one
                    }
                }
            }
            for (Socket s : sockets) {
                Reply r = read(s.getInputStream());
                assertEquals(408, r.status(), r.toString());
                assertEquals("body", r.json().path("field").asText(), r.body());
            }
        } finally {
            for (Socket s : sockets) s.close();
        }
        assertEquals(200, normalRequest().statusCode());
    }

    @Test
    void aBodyNotInWithinTheRequestTimeoutIs408() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write((headers("Content-Length: 60000") + "{\"history\": [").getBytes(StandardCharsets.US_ASCII));
            byte[] piece = " ".repeat(200).getBytes(StandardCharsets.US_ASCII); // 2000 bytes/s: above the minimum rate
            for (int i = 0; i < 100 && s.getInputStream().available() == 0; i++) {
                try {
                    out.write(piece);
                } catch (IOException cutOff) {
                    break;
                }
                Thread.sleep(100);
            }
            Reply r = read(s.getInputStream());
            assertEquals(408, r.status(), r.toString());
            assertTrue(r.json().path("error").asText().contains("did not arrive within"), r.body());
        }
    }

    @Test
    void silentConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        try (Socket quiet = open(); Socket noBody = open()) {
            noBody.getOutputStream().write(headers("Content-Length: 100").getBytes(StandardCharsets.US_ASCII));
            assertEquals(-1, quiet.getInputStream().read(), "a connection that sends nothing is closed");
            Reply r = read(noBody.getInputStream());
            assertTrue(r.status() == -1 || r.status() == 408, r.toString());
        }
    }

    @Test
    void headersStillArrivingAfterTheRequestTimeoutCloseTheConnection() throws Exception {
        try (Socket s = open()) {
            OutputStream out = s.getOutputStream();
            out.write("POST /recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            for (int i = 0; i < 60 && !closed; i++) { // 12 s of one header byte every 200 ms, never finishing
                try {
                    out.write('a');
                    out.flush();
                    Thread.sleep(200);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "a connection trickling its headers is closed");
        }
        assertEquals(200, normalRequest().statusCode());
    }

    @Test
    void headersOverTheLimitAreAJson431() throws Exception {
        // Jetty answers once it has read past the limit and closes with the rest of the request unread, so the kernel
        // may reset the connection: the client's write can fail (broken pipe) and, rarely, the reset overtakes the
        // answer. What is asserted: every answer that arrives is the JSON 431, and at least one of a few tries gets it.
        byte[] request = (headers("X-Big: " + "a".repeat(20_000), "Content-Length: 2") + "{}").getBytes(StandardCharsets.US_ASCII);
        int answered = 0;
        for (int attempt = 0; attempt < 5 && answered == 0; attempt++) {
            try (Socket s = open()) {
                try {
                    s.getOutputStream().write(request);
                } catch (IOException resetWhileWriting) {
                    // the answer may already be in the receive buffer: read it below
                }
                Reply r;
                try {
                    r = read(s.getInputStream());
                } catch (SocketException reset) {
                    continue;
                }
                if (r.status() == -1) continue;
                assertEquals(431, r.status(), r.toString());
                assertEquals("headers", r.json().path("field").asText(), r.body());
                answered++;
            }
        }
        assertEquals(1, answered, "no try read the 431 before the connection was reset");
    }

    @Test
    void bindFailuresNameTheAddressAndTheCause() throws Exception {
        RecommendService service = new RecommendService(TestModel.dir());
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new Server(service).start("127.0.0.1", port));
            assertEquals("cannot listen on 127.0.0.1:" + port + ": port " + port + " is already in use", e.getCause().getMessage());
        }
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new Server(service).start("192.0.2.1", 0));
        assertTrue(e.getCause().getMessage().startsWith("cannot listen on 192.0.2.1:0: '192.0.2.1' is not an address of this machine"),
                e.getCause().getMessage());
        e = assertThrows(UncheckedIOException.class, () -> new Server(service).start("no-such-host.invalid", 0));
        assertEquals("cannot listen on no-such-host.invalid:0: cannot resolve the host 'no-such-host.invalid'", e.getCause().getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Server(service).start("127.0.0.1", 70000));
        assertThrows(IllegalArgumentException.class, () -> Server.Limits.DEFAULTS.withMaxBodyBytes(0));
    }

    @Test
    void serveReportsBindFailuresInOneLineAndExits2() throws Exception {
        String model = TestModel.dir().toString();
        try (ServerSocket busy = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = busy.getLocalPort();
            String[] r = serve("--model", model, "--port", String.valueOf(port));
            assertEquals("2", r[0], r[1]);
            assertEquals("re4j: error: cannot listen on 127.0.0.1:" + port + ": port " + port + " is already in use", r[1].strip());
        }
        String[] r = serve("--model", model, "--port", "70000");
        assertEquals("2", r[0], r[1]);
        assertEquals("re4j: error: --port must be in 1..65535 (or 0 for any free port), got 70000", r[1].strip());
        r = serve("--model", model, "--port", "0", "--max-body", "0");
        assertEquals("2", r[0], r[1]);
        assertTrue(r[1].strip().startsWith("re4j: error: --max-body must be in 1.."), r[1]);
    }

    /** {@code re4j serve ...} when it fails: the exit code and what it wrote to stderr. */
    static String[] serve(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            String[] all = new String[args.length + 1];
            all[0] = "serve";
            System.arraycopy(args, 0, all, 1, args.length);
            int code = Main.run(all);
            return new String[] {String.valueOf(code), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(oldErr);
        }
    }
}
