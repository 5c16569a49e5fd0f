package org.re4j.serve;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.re4j.eval.Evaluator;
import org.re4j.eval.ItemTiles;
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

    /** A request that cannot be served as sent (HTTP 400); {@link #field()} names the offending field. */
    public static final class BadRequest extends RuntimeException {
        private final String field;

        public BadRequest(String message) {
            this("body", message);
        }

        /** @param field the request field at fault ("body" when it is the body as a whole) */
        public BadRequest(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The fields of a {@code POST /recommend} body; any other field is refused. */
    public static final List<String> REQUEST_FIELDS = List.of("history", "n", "exclude_history", "return_interests");

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    /**
     * Reads a {@code POST /recommend} body strictly: one JSON object and nothing after it, no duplicate or unknown
     * fields, {@code history} a list of strings or integers, {@code n} an integer in 1..{@value #MAX_N} (default 50),
     * {@code exclude_history} and {@code return_interests} booleans (default false). Nothing is coerced: {@code 2.5},
     * {@code "5"} or {@code "yes"} where an integer or a boolean belongs are refused.
     *
     * @throws BadRequest naming the field at fault
     */
    public static Request parseRequest(byte[] body) {
        JsonNode root;
        try (JsonParser p = STRICT.createParser(body)) {
            root = STRICT.readTree(p);
            if (root == null || root.isMissingNode()) {
                throw new BadRequest("the body is empty; send a JSON object such as {\"history\": [\"item id\", ...]}");
            }
            try {
                if (p.nextToken() != null) {
                    throw new BadRequest("unexpected data after the JSON value at byte " + p.currentTokenLocation().getByteOffset());
                }
            } catch (StreamReadException e) {
                throw new BadRequest("unexpected data after the JSON value at byte " + offset(e));
            }
        } catch (StreamReadException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field '")) {
                String name = m.substring("Duplicate field '".length(), m.lastIndexOf('\''));
                throw new BadRequest(name, "duplicate field '" + name + "'");
            }
            throw new BadRequest("the body is not valid JSON: " + firstLine(m) + " (at byte " + offset(e) + ")");
        } catch (IOException e) {
            throw new BadRequest("the body is not valid JSON: " + firstLine(e.getMessage()));
        }
        if (!root.isObject()) throw new BadRequest("the body must be a JSON object, got " + kind(root));
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!REQUEST_FIELDS.contains(f)) {
                throw new BadRequest(f, "unknown field '" + f + "'; the fields are " + String.join(", ", REQUEST_FIELDS));
            }
        }
        JsonNode h = root.get("history");
        if (h == null) throw new BadRequest("history", "'history' is required (a list of item ids, oldest first)");
        if (!h.isArray()) throw new BadRequest("history", "'history' must be a list of item ids, got " + kind(h));
        if (h.size() > MAX_HISTORY) {
            throw new BadRequest("history", "'history' has " + h.size() + " items; at most " + MAX_HISTORY + " are accepted");
        }
        List<String> history = new ArrayList<>(h.size());
        for (int i = 0; i < h.size(); i++) {
            JsonNode x = h.get(i);
            if (!x.isTextual() && !x.isIntegralNumber()) {
                throw new BadRequest("history", "'history' item " + i + " must be an item id (a string or an integer), got " + kind(x));
            }
            history.add(x.asText());
        }
        int n = 50;
        JsonNode nn = root.get("n");
        if (nn != null) {
            if (!nn.isIntegralNumber()) throw new BadRequest("n", "'n' must be an integer in 1.." + MAX_N + ", got " + kind(nn));
            if (!nn.canConvertToInt() || nn.intValue() < 1 || nn.intValue() > MAX_N) {
                throw new BadRequest("n", "'n' must be in 1.." + MAX_N + ", got " + nn.asText());
            }
            n = nn.intValue();
        }
        return new Request(history, n, flag(root, "exclude_history"), flag(root, "return_interests"));
    }

    private static boolean flag(JsonNode root, String field) {
        JsonNode b = root.get(field);
        if (b == null) return false;
        if (!b.isBoolean()) throw new BadRequest(field, "'" + field + "' must be true or false, got " + kind(b));
        return b.booleanValue();
    }

    /** How a value is described in errors: its JSON type, and the value when it is short. */
    private static String kind(JsonNode x) {
        String type = switch (x.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case NUMBER -> x.isIntegralNumber() ? "an integer" : "a fractional number";
            default -> x.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
        if (x.isValueNode() && !x.isNull()) {
            String v = x.toString();
            return type + " (" + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + ")";
        }
        return type;
    }

    private static long offset(StreamReadException e) {
        return e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
    }

    private static String firstLine(String m) {
        if (m == null) return "unreadable";
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private final Recommender model;
    private final String[] items;
    private final Map<String, Integer> index = new HashMap<>();

    private final HnswIndex ann;
    private final ItemTiles tiles; // exact retrieval's layout of the items, built once at load
    private final int ef;

    /** Exact retrieval (max over interests of every item's score, over the whole catalogue). */
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
        this.tiles = hnsw ? null : ItemTiles.of(model);
    }

    /** "exact" or "hnsw". */
    public String index() {
        return ann == null ? "exact" : "hnsw";
    }

    public Recommender model() {
        return model;
    }

    public Response recommend(Request r) {
        if (r.history() == null) throw new BadRequest("history", "'history' is required (a list of item ids, oldest first)");
        if (r.n() < 1 || r.n() > MAX_N) throw new BadRequest("n", "'n' must be in 1.." + MAX_N + ", got " + r.n());
        if (r.history().size() > MAX_HISTORY) {
            throw new BadRequest("history", "'history' has " + r.history().size() + " items; at most " + MAX_HISTORY + " are accepted");
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
                : Evaluator.recommend(model, tiles, ids, r.n(), r.excludeHistory());
        for (Evaluator.Recommendation rec : recs) out.add(new Item(items[rec.item()], rec.score(), rec.interest()));
        float[][] interests = null;
        if (r.returnInterests()) {
            interests = new float[k][];
            for (int q = 0; q < k; q++) interests[q] = java.util.Arrays.copyOfRange(z, q * d, (q + 1) * d);
        }
        return new Response(model.name(), out, unknown, null, Math.min(ids.length, model.maxLen()), interests);
    }
}
