package org.re4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.re4j.eval.Evaluator;
import org.re4j.io.ModelDir;
import org.re4j.model.Models;
import org.re4j.model.Recommender;

/** Top-N for one history given as original item ids, from a saved model. */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Recommend the top-N items for a history of original item ids, with scores and the interest that retrieved each.")
final class RecommendCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A directory written by 're4j train'.")
    Path modelDir;

    @Option(names = "--history", required = true, split = ",", paramLabel = "ITEM",
            description = "Original item ids, oldest first, comma-separated.")
    List<String> history;

    @Option(names = "-n", defaultValue = "50", description = "How many items (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--exclude-history", description = "Do not recommend items of the history.")
    boolean excludeHistory;

    @Override
    public Integer call() throws Exception {
        if (n < 1 || n > 10_000) throw new IllegalArgumentException("-n must be in 1..10000, got " + n);
        JsonNode config = ModelDir.readConfig(modelDir);
        int numItems = config.path("num_items").asInt();
        String[] items = ModelDir.readItems(modelDir, numItems);
        Recommender model = Models.load(modelDir, config, numItems);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 1; i < items.length; i++) index.put(items[i], i);
        List<String> unknown = new ArrayList<>();
        int[] ids = history.stream().map(String::trim).filter(s -> {
            boolean known = index.containsKey(s);
            if (!known) unknown.add(s);
            return known;
        }).mapToInt(index::get).toArray();
        if (ids.length == 0) {
            throw new IllegalArgumentException("none of the history's items is in the model's catalogue: " + unknown);
        }
        List<Map<String, Object>> recs = new ArrayList<>();
        for (Evaluator.Recommendation r : Evaluator.recommend(model, ids, n, excludeHistory)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("item", items[r.item()]);
            m.put("score", r.score());
            m.put("interest", r.interest());
            recs.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.name());
        out.put("history_used", Math.min(ids.length, model.maxLen()));
        out.put("unknown_items", unknown);
        out.put("items", recs);
        System.out.println(ModelDir.JSON.writeValueAsString(out));
        return 0;
    }
}
