package org.re4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP server on a free loopback port, called with a real HTTP client, good and bad requests. */
class ServerTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static Server server;
    static HttpClient http = HttpClient.newHttpClient();
    static String[] items;

    @BeforeAll
    static void trainAndServe() throws Exception {
        items = TestModel.items();
        server = new Server(new RecommendService(TestModel.dir())).start("127.0.0.1", 0);
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

    /** Each body and the field its 400 must name: wrong types are refused, never coerced. */
    @Test
    void theSchemaIsStrictAndEveryRefusalNamesTheField() throws Exception {
        String h = "\"history\": [\"" + items[1] + "\"]";
        String[][] cases = {
                {"{" + h + ", \"n\": 2.5}", "n"},
                {"{" + h + ", \"n\": 2.0}", "n"},
                {"{" + h + ", \"n\": \"5\"}", "n"},
                {"{" + h + ", \"n\": null}", "n"},
                {"{" + h + ", \"n\": true}", "n"},
                {"{" + h + ", \"n\": 1e3}", "n"},
                {"{" + h + ", \"n\": 9999999999}", "n"},
                {"{" + h + ", \"n\": -1}", "n"},
                {"{" + h + ", \"exclude_history\": \"yes\"}", "exclude_history"},
                {"{" + h + ", \"exclude_history\": 1}", "exclude_history"},
                {"{" + h + ", \"exclude_history\": null}", "exclude_history"},
                {"{" + h + ", \"return_interests\": \"true\"}", "return_interests"},
                {"{\"history\": [true]}", "history"},
                {"{\"history\": [1.5]}", "history"},
                {"{\"history\": [null]}", "history"},
                {"{\"history\": [[\"a\"]]}", "history"},
                {"{\"history\": {\"a\": 1}}", "history"},
                {"{\"history\": null}", "history"},
                {"{\"n\": 5}", "history"},
                {"{" + h + ", \"top_k\": 5}", "top_k"},
                {"{" + h + ", \"History\": []}", "History"},
                {"{" + h + ", \"n\": 3, \"n\": 4}", "n"},
                {"{" + h + ", \"history\": []}", "history"},
                {"{" + h + "} x", "body"},
                {"{" + h + "}{" + h + "}", "body"},
                {"{" + h + "}]", "body"},
                {"{" + h + "} 1", "body"},
                {"{" + h + "", "body"},
                {"", "body"},
                {"   ", "body"},
                {"\"history\"", "body"},
                {"null", "body"},
        };
        for (String[] c : cases) {
            HttpResponse<String> r = post(c[0]);
            assertEquals(400, r.statusCode(), c[0] + " -> " + r.body());
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), r.headers().toString());
            JsonNode j = JSON.readTree(r.body());
            assertEquals(c[1], j.path("field").asText(), c[0] + " -> " + r.body());
            assertTrue(j.path("error").asText().contains(c[1].equals("body") ? "" : "'" + c[1] + "'"), r.body());
        }
        // What the schema allows: integer ids, whitespace after the object, every field at once.
        JsonNode ints = JSON.readTree(post("{\"history\": [17, \"" + items[2] + "\"], \"n\": 3}").body());
        assertEquals("17", ints.path("unknown_items").get(0).asText(), ints.toString());
        HttpResponse<String> r = post("{" + h + ", \"n\": 3, \"exclude_history\": false, \"return_interests\": false}\n \r\n");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(3, JSON.readTree(r.body()).path("items").size());
    }

    @Test
    void unknownPathsAreAJson404() throws Exception {
        HttpResponse<String> r = get("/nope");
        assertEquals(404, r.statusCode());
        assertEquals("path", JSON.readTree(r.body()).path("field").asText(), r.body());
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
