package org.re4j.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.serve.RecommendService;

/** Top-N for one history given as original item ids, from a saved model (the server's logic, on the command line). */
@Command(name = "recommend", mixinStandardHelpOptions = true,
        description = "Recommend the top-N items for a history of original item ids, with scores and the interest that retrieved each.")
final class RecommendCommand implements Callable<Integer> {

    @Mixin IndexOptions model;

    @Option(names = "--history", required = true, split = ",", paramLabel = "ITEM",
            description = "Original item ids, oldest first, comma-separated.")
    List<String> history;

    @Option(names = "-n", defaultValue = "50", description = "How many items (default: ${DEFAULT-VALUE}).")
    int n;

    @Option(names = "--exclude-history", description = "Do not recommend items of the history.")
    boolean excludeHistory;

    @Option(names = "--interests", description = "Also print the user's K interest vectors.")
    boolean interests;

    @Override
    public Integer call() throws Exception {
        RecommendService service = model.service();
        RecommendService.Response r;
        try {
            r = service.recommend(new RecommendService.Request(history.stream().map(String::trim).toList(), n,
                    excludeHistory, interests));
        } catch (RecommendService.BadRequest e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        if (r.fallback() != null) {
            throw new IllegalArgumentException("none of the history's items is in the model's catalogue: " + r.unknownItems());
        }
        System.out.println(RecommendService.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        return 0;
    }
}
