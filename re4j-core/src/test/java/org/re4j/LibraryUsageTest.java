package org.re4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.data.Dataset;
import org.re4j.data.Format;
import org.re4j.data.InteractionLog;
import org.re4j.cli.Main;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.serve.RecommendService;
import org.re4j.train.TrainRun;

/** The README's "From Java" example, kept compiling and working here. */
class LibraryUsageTest {

    @TempDir
    Path dir;

    @Test
    void readmeExampleTrainsSavesAndRecommends() throws IOException {
        Path file = dir.resolve("ratings.csv");
        List<String> lines = new ArrayList<>(List.of("user_id,item_id,timestamp"));
        SplittableRandom rnd = new SplittableRandom(7);
        for (int u = 0; u < 300; u++) {
            int topic = u % 5;
            for (int t = 0; t < 15; t++) lines.add("u" + u + ",i" + (topic * 40 + rnd.nextInt(40)) + "," + t);
        }
        Files.write(file, lines);
        Path modelDir = dir.resolve("model");

        // --- README "From Java" begins
        InteractionLog log = InteractionLog.read(List.of(file), Format.detect(file), null);
        Dataset data = Dataset.of("my-data", log, 0, 0);
        TrainRun.Outcome trained = TrainRun.run(
                new TrainRun.Spec(ComiRecSA.Config.comirec(data.numItems()), TrainConfig.comirec().withSteps(300)),
                data, modelDir);                                                              // writes what `train` writes
        System.out.println(trained.metrics().get("test"));   // recall@20, ndcg@50, ...

        RecommendService service = new RecommendService(modelDir);
        RecommendService.Response top = service.recommend(
                new RecommendService.Request(List.of("i3", "i17", "i25"), 20, true, false));
        top.items().forEach(it -> System.out.println(it.item() + " " + it.score() + " interest " + it.interest()));
        // --- README "From Java" ends

        assertEquals(20, top.items().size());
        assertTrue(top.items().stream().noneMatch(it -> List.of("i3", "i17", "i25").contains(it.item())), "history excluded");
        assertTrue(Files.exists(modelDir.resolve("metrics.json")));

        // The run recorded where its data came from, so the command line can evaluate it without --data.
        JsonNode config = new ObjectMapper().readTree(modelDir.resolve("config.json").toFile());
        assertEquals(file.toString(), config.path("data").path("paths").path(0).asText(), config.path("data").toString());
        assertEquals("delimited", config.path("data").path("format").asText());
        assertEquals(0, Main.run(new String[] {"evaluate", "--model", modelDir.toString(), "--out", dir.resolve("eval.json").toString()}));
    }
}
