package org.re4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.model.ComiRecSA;
import org.re4j.config.TrainConfig;
import org.re4j.train.TrainRun;

/** The HTTP server on a free loopback port, called with a real HTTP client, good and bad requests. */
class ServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir static Path dir;
    static Server server;
    static HttpClient http = HttpClient.newHttpClient();
    static String[] items;

    @BeforeAll
    static void trainAndServe() throws Exception {
        Dataset ds = SyntheticData.plantedInterests(400, 120, 6, 2);
        TrainConfig tc = TrainConfig.comirec().withBatchSize(64).withSteps(100).withNegatives(64).withEvalEvery(100)
                .withPatience(2).withSeed(1);
        Path model = dir.resolve("model");
        TrainRun.run(new TrainRun.Spec(ComiRecSA.Config.comirec(ds.numItems()).withDim(16).withHidden(32), tc), ds, model,
                new TrainRun.Options(false, 1, Map.of()));
        items = Files.readAllLines(model.resolve("items.txt")).toArray(new String[0]);
        server = new Server(new RecommendService(model)).start("127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/recommend"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void recommendsKnownHistoriesWithInterestsAndReportsUnknownItems() throws Exception {
        String body = JSON.writeValueAsString(Map.of("history", List.of(items[1], items[5], "nope"), "n", 10,
                "exclude_history", true, "return_interests", true));
        HttpResponse<String> r = post(body);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        assertEquals(10, j.path("items").size());
        assertEquals("nope", j.path("unknown_items").get(0).asText());
        assertEquals(4, j.path("interests").size());
        assertEquals(16, j.path("interests").get(0).size());
        for (JsonNode it : j.path("items")) {
            assertTrue(!it.path("item").asText().equals(items[1]) && !it.path("item").asText().equals(items[5]));
            assertTrue(it.path("interest").asInt() >= 0 && it.path("interest").asInt() < 4);
        }
    }

    @Test
    void emptyOrUnknownHistoryFallsBackToPopularItemsAndSaysSo() throws Exception {
        JsonNode j = JSON.readTree(post("{\"history\": [], \"n\": 3}").body());
        assertEquals("pop", j.path("fallback").asText());
        assertEquals(items[1], j.path("items").get(0).path("item").asText(), "the most popular item first");
        assertEquals("pop", JSON.readTree(post("{\"history\": [\"x\", \"y\"]}").body()).path("fallback").asText());
    }

    @Test
    void badRequestsAre400WithAReasonAndTheServerKeepsServing() throws Exception {
        for (String bad : List.of("{not json", "[1,2]", "{\"history\": \"i1\"}", "{\"history\": [\"" + items[1] + "\"], \"n\": 0}",
                "{\"history\": [\"" + items[1] + "\"], \"n\": 100000}", "{\"history\": [{\"a\": 1}]}", "{\"history\": [], \"n\": \"x\"}")) {
            HttpResponse<String> r = post(bad);
            assertEquals(400, r.statusCode(), bad + " -> " + r.body());
            assertTrue(JSON.readTree(r.body()).path("error").asText().length() > 5, r.body());
        }
        StringBuilder longHistory = new StringBuilder("{\"history\": [");
        for (int i = 0; i < RecommendService.MAX_HISTORY + 1; i++) longHistory.append(i == 0 ? "" : ",").append('"').append(items[1]).append('"');
        assertEquals(400, post(longHistory.append("]}").toString()).statusCode());
        assertEquals(200, get("/health").statusCode());
    }

    @Test
    void healthAndPrometheusMetrics() throws Exception {
        post("{\"history\": [\"" + items[2] + "\"]}");
        JsonNode h = JSON.readTree(get("/health").body());
        assertEquals("ok", h.path("status").asText());
        String m = get("/metrics").body();
        assertTrue(m.contains("re4j_requests_total{outcome=\"ok\"}"), m);
        assertTrue(m.contains("re4j_request_seconds_bucket{le=\"+Inf\"}"), m);
        assertTrue(m.contains("# TYPE re4j_request_seconds histogram"), m);
    }
}
