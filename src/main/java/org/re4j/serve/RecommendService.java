package org.re4j.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.eval.Evaluator;
import org.re4j.io.ModelDir;
import org.re4j.model.Models;
import org.re4j.model.Pop;
import org.re4j.model.Recommender;

/**
 * Recommendations from a saved model, in original item ids: what the HTTP server and {@code re4j recommend} need,
 * without any transport. Thread-safe: a request holds no shared mutable state.
 */
public final class RecommendService {

    /** JSON of responses: snake_case fields, like the request's. */
    public static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper()
            .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);

    /** Most items one request may ask for, and the longest history it may send (only the last maxLen are read). */
    public static final int MAX_N = 1000, MAX_HISTORY = 10_000;

    /** A request: history oldest first, in original ids. */
    public record Request(List<String> history, int n, boolean excludeHistory, boolean returnInterests) {}

    /** One recommended item; score and interest are null for popularity fallbacks. */
    public record Item(String item, Float score, Integer interest) {}

    /**
     * @param fallback     "pop" when no history item is known and the most popular items are returned, else null
     * @param interests    the user's K interest vectors when asked for, else null
     */
    public record Response(String model, List<Item> items, List<String> unknownItems, String fallback, int historyUsed,
                           float[][] interests) {}

    /** A request that cannot be served as sent (HTTP 400). */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message);
        }
    }

    private final Recommender model;
    private final String[] items;
    private final Map<String, Integer> index = new HashMap<>();

    private final HnswIndex ann;
    private final int ef;

    /** Exact retrieval (BLAS scores over the whole catalogue). */
    public RecommendService(Path modelDir) throws IOException {
        this(modelDir, false, 0);
    }

    /**
     * @param hnsw build an HNSW graph over the items at load and retrieve approximately from it
     * @param ef   search beam per interest (≥ n; larger is slower and closer to exact)
     */
    public RecommendService(Path modelDir, boolean hnsw, int ef) throws IOException {
        JsonNode config = ModelDir.readConfig(modelDir);
        int numItems = config.path("num_items").asInt();
        this.items = ModelDir.readItems(modelDir, numItems);
        this.model = Models.load(modelDir, config, numItems);
        for (int i = 1; i < items.length; i++) index.put(items[i], i);
        this.ef = ef;
        this.ann = hnsw ? new HnswIndex(model.itemVectors(), model.numItems(), model.dim(), 16, 100) : null;
    }

    /** "exact" or "hnsw". */
    public String index() {
        return ann == null ? "exact" : "hnsw";
    }

    public Recommender model() {
        return model;
    }

    public Response recommend(Request r) {
        if (r.history() == null) throw new BadRequest("'history' is required (a list of item ids, oldest first)");
        if (r.n() < 1 || r.n() > MAX_N) throw new BadRequest("'n' must be in 1.." + MAX_N + ", got " + r.n());
        if (r.history().size() > MAX_HISTORY) {
            throw new BadRequest("'history' has " + r.history().size() + " items; at most " + MAX_HISTORY + " are accepted");
        }
        List<String> unknown = new ArrayList<>();
        int[] ids = new int[r.history().size()];
        int known = 0;
        for (String s : r.history()) {
            Integer id = s == null ? null : index.get(s);
            if (id == null) unknown.add(s);
            else ids[known++] = id;
        }
        ids = java.util.Arrays.copyOf(ids, known);
        List<Item> out = new ArrayList<>();
        if (known == 0) {
            // Items are numbered by descending popularity, so the first n ids are the most popular ones.
            for (int i = 1; i <= Math.min(r.n(), model.numItems()); i++) out.add(new Item(items[i], null, null));
            return new Response(model.name(), out, unknown, Pop.NAME, 0, null);
        }
        int k = model.numInterests(), d = model.dim();
        float[] z = null;
        if (ann != null || r.returnInterests()) {
            int len = Math.min(ids.length, model.maxLen());
            int[] hist = new int[model.maxLen()];
            System.arraycopy(ids, ids.length - len, hist, 0, len);
            z = new float[k * d];
            model.interests(hist, new int[] {len}, 1, z);
        }
        List<Evaluator.Recommendation> recs = ann != null
                ? ann.search(z, k, r.n(), Math.max(ef, r.n()), r.excludeHistory() ? ids : null)
                : Evaluator.recommend(model, ids, r.n(), r.excludeHistory());
        for (Evaluator.Recommendation rec : recs) out.add(new Item(items[rec.item()], rec.score(), rec.interest()));
        float[][] interests = null;
        if (r.returnInterests()) {
            interests = new float[k][];
            for (int q = 0; q < k; q++) interests[q] = java.util.Arrays.copyOfRange(z, q * d, (q + 1) * d);
        }
        return new Response(model.name(), out, unknown, null, Math.min(ids.length, model.maxLen()), interests);
    }
}
