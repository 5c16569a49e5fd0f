package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.io.ModelDir;
import org.re4j.model.ComiRecSA;
import org.re4j.serve.RecommendService;
import org.re4j.train.TrainRun;

/** What {@code train --out} writes and replaces, and how a directory that cannot be used is refused: one line, its cause. */
class ModelDirCliTest {

    @TempDir static Path dir;
    static Path data, a, b;

    static String[] train(Path out, long seed, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--steps", "30", "--eval-every", "15",
                "--seed", Long.toString(seed), "--no-progress", "--dim", "8", "--hidden", "16", "--out", out.toString()));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    /** Exit code 2 and one line "re4j: error: ..." containing {@code expected}. */
    static void refused(CliTest.Run r, String expected) {
        assertEquals(2, r.code(), r.err());
        String err = r.err().strip();
        List<String> lines = err.lines().filter(l -> !l.startsWith("re4j: ") || l.startsWith("re4j: error: ")).toList();
        String line = err.lines().filter(l -> l.startsWith("re4j: error: ")).findFirst().orElse("");
        assertEquals(1, lines.size(), "one line: " + err);
        assertTrue(line.contains(expected), "'" + expected + "' in: " + line);
    }

    static Path copyOf(Path model, String name) throws IOException {
        Path to = dir.resolve(name);
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(model)) {
            for (Path f : s.toList()) Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
        return to;
    }

    @BeforeAll
    static void trainTwo() throws IOException {
        data = CliTest.writePlanted(dir);
        a = dir.resolve("a");
        b = dir.resolve("b");
        assertEquals(0, CliTest.run(train(a, 1)).code());
        assertEquals(0, CliTest.run(train(b, 2)).code());
    }

    @Test
    void everyFileCarriesTheModelIdAndNothingIsLeftBeside() throws IOException {
        JsonNode c = CliTest.JSON.readTree(a.resolve("config.json").toFile()), m = CliTest.JSON.readTree(a.resolve("metrics.json").toFile());
        String id = c.path("model_id").asText();
        assertEquals(32, id.length());
        assertEquals(id, m.path("model_id").asText());
        assertEquals(id, org.re4j.io.SafeTensors.metadata(a.resolve("model.safetensors")).get("re4j_model_id"));
        assertEquals(64, c.path("items_sha256").asText().length());
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".a.")), "no hidden sibling after a run");
        }
    }

    @Test
    void retrainingIsRefusedWithoutOverwriteAndReplacesTheWholeDirectoryWithIt() throws IOException {
        Path x = copyOf(a, "retrain");
        refused(CliTest.run(train(x, 2)), x + " already holds a re4j model: pass --overwrite to replace it");
        assertEquals(-1, Files.mismatch(a.resolve("model.safetensors"), x.resolve("model.safetensors")), "untouched");
        Files.writeString(x.resolve("log.jsonl"), "{\"step\": 1}\n{\"step\": 2}\n{\"step\": 3}\n{\"step\": 4}\n");
        CliTest.Run r = CliTest.run(train(x, 2, "--overwrite"));
        assertEquals(0, r.code(), r.err());
        assertEquals(-1, Files.mismatch(b.resolve("model.safetensors"), x.resolve("model.safetensors")));
        assertEquals(-1, Files.mismatch(b.resolve("items.txt"), x.resolve("items.txt")));
        assertEquals(2, Files.readAllLines(x.resolve("log.jsonl")).size(), "the new run's log only");
        assertEquals(CliTest.JSON.readTree(b.resolve("metrics.json").toFile()).path("test"),
                CliTest.JSON.readTree(x.resolve("metrics.json").toFile()).path("test"));

        // Files re4j does not write are not deleted with the model.
        Files.writeString(x.resolve("notes.txt"), "mine");
        refused(CliTest.run(train(x, 1, "--overwrite")), "it also holds files that re4j does not write (notes.txt): move them out first");
        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(0, CliTest.run(train(empty, 1)).code(), "an empty directory needs no --overwrite");
    }

    @Test
    void outputThatCannotBeWrittenIsRefusedWithItsCause() throws IOException {
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        refused(CliTest.run(train(file, 1)), "cannot write a model into " + file + ": it exists and is not a directory");
        refused(CliTest.run(train(file.resolve("sub"), 1)), "cannot write " + file.resolve("sub") + ": " + file + " exists and is not a directory");
        Path other = dir.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("thesis.tex"), "x");
        refused(CliTest.run(train(other, 1, "--overwrite")), "is a directory that is not empty and holds no re4j model (thesis.tex)");
        refused(CliTest.run("evaluate", "--model", a.toString(), "--out", a.toString()), "cannot write " + a + ": it is a directory");

        Path ro = dir.resolve("read-only");
        Files.createDirectories(ro);
        Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Assumptions.assumeFalse(Files.isWritable(ro), "permissions do not bind this user (root)");
            refused(CliTest.run(train(ro.resolve("m"), 1)), "cannot write " + ro.resolve("m") + ": permission denied on " + ro);
            refused(CliTest.run("evaluate", "--model", a.toString(), "--out", ro.resolve("e.json").toString()),
                    "cannot write " + ro.resolve("e.json") + ": permission denied on " + ro);
        } finally {
            Files.setPosixFilePermissions(ro, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aDirectoryThatIsNotAWholeModelIsRefusedNamingWhatIsWrong() throws IOException {
        refused(CliTest.run("evaluate", "--model", dir.resolve("nope").toString()), dir.resolve("nope") + ": no such model directory");
        refused(CliTest.run("evaluate", "--model", a.resolve("config.json").toString()), "is not a model directory: it is a file");
        Path noItems = copyOf(a, "no-items");
        Files.delete(noItems.resolve("items.txt"));
        refused(CliTest.run("evaluate", "--model", noItems.toString()), noItems + " is an incomplete re4j model directory: items.txt is missing");
        refused(CliTest.run("recommend", "--model", noItems.toString(), "--history", "i1"), "items.txt is missing");

        Path badJson = copyOf(a, "bad-json");
        String cfg = Files.readString(badJson.resolve("config.json"));
        Files.writeString(badJson.resolve("config.json"), cfg.replaceFirst("\"model\" : \"comirec-sa\",", "\"model\" : \"comirec-sa\""));
        CliTest.Run r = CliTest.run("evaluate", "--model", badJson.toString());
        refused(r, badJson.resolve("config.json") + ": invalid JSON at ");
        assertTrue(r.err().matches("(?s).*invalid JSON at \\d+:\\d+: .*"), r.err());
        assertFalse(r.err().contains("items.txt"), r.err());

        Path noCount = copyOf(a, "no-count");
        Files.writeString(noCount.resolve("config.json"), cfg.replaceFirst("\"num_items\" : \\d+,", ""));
        refused(CliTest.run("evaluate", "--model", noCount.toString()), "config.json: num_items must be a whole number ≥ 1, it is missing");

        Path range = copyOf(a, "range");
        Files.writeString(range.resolve("config.json"), cfg.replace("\"historyFraction\" : 0.8", "\"historyFraction\" : 1.5"));
        refused(CliTest.run("evaluate", "--model", range.toString()), "config.json: train_config: history-fraction must be in (0, 1), got 1.5");
        Files.writeString(range.resolve("config.json"), cfg.replace("\"seed\" : 1", "\"seed\" : \"one\""));
        refused(CliTest.run("evaluate", "--model", range.toString()), "config.json: train_config: seed: ");
    }

    @Test
    void filesOfDifferentModelsAreRefusedByEveryReader() throws IOException {
        for (String f : List.of("metrics.json", "config.json", "model.safetensors", "items.txt")) {
            Path mixed = copyOf(a, "mixed-" + f);
            if (f.equals("items.txt")) { // both models have the same catalogue: another order of it
                List<String> items = new ArrayList<>(Files.readAllLines(a.resolve(f)));
                java.util.Collections.swap(items, 1, 2);
                Files.write(mixed.resolve(f), items);
            } else {
                Files.copy(b.resolve(f), mixed.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
            String why = f.equals("items.txt") ? "items.txt does not belong to config.json" : mixed + ": its files belong to different models";
            refused(CliTest.run("evaluate", "--model", mixed.toString()), why);
            refused(CliTest.run("embed-users", "--model", mixed.toString(), "--out", dir.resolve("u.safetensors").toString()), why);
            refused(CliTest.run("recommend", "--model", mixed.toString(), "--history", "i1"), why);
            try {
                new RecommendService(mixed);
                throw new AssertionError("serving loads a mixed directory");
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(why), e.getMessage());
            }
        }
    }

    @Test
    void popWritesItsFitAsTheLogAndSaysItUsesNoOptimiser() throws IOException {
        Path pop = dir.resolve("pop");
        CliTest.Run r = CliTest.run("train", "--data", data.toString(), "--model", "pop", "--out", pop.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        List<String> log = Files.readAllLines(pop.resolve("log.jsonl"));
        assertEquals(1, log.size());
        JsonNode fit = CliTest.JSON.readTree(log.get(0));
        assertEquals(0, fit.path("step").asInt());
        assertTrue(fit.path("valid").has("recall@50"), log.get(0));
        JsonNode training = CliTest.JSON.readTree(pop.resolve("config.json").toFile()).path("training");
        assertEquals("none", training.path("optimiser").asText());
        assertTrue(training.path("adam").isNull() && training.path("loss").isNull(), training.toString());
        JsonNode train = CliTest.JSON.readTree(pop.resolve("metrics.json").toFile()).path("train");
        assertTrue(train.has("adam") && train.path("adam").isNull(), train.toString());
    }

    @Test
    void configRecordsTheLossActuallyUsed() throws IOException {
        // 300 items: 1,280 negatives reach half the catalogue, so the loss is the full softmax.
        JsonNode full = CliTest.JSON.readTree(a.resolve("config.json").toFile());
        assertEquals("full-softmax", full.path("training").path("loss").asText());
        assertEquals(full.path("num_items").asInt() - 1, full.path("training").path("negatives").asInt());
        assertFalse(full.path("training").path("logq").asBoolean());
        assertEquals(1280, full.path("train_config").path("negatives").asInt(), "train_config keeps what was asked");
        Path sampled = dir.resolve("sampled");
        CliTest.Run r = CliTest.run(train(sampled, 1, "--negatives", "64"));
        assertEquals(0, r.code(), r.err());
        JsonNode s = CliTest.JSON.readTree(sampled.resolve("config.json").toFile()).path("training");
        assertEquals("sampled-softmax", s.path("loss").asText());
        assertEquals(64, s.path("negatives").asInt());
        assertEquals("log-uniform", s.path("sampler").asText());
        assertTrue(s.path("logq").asBoolean());
        assertFalse(r.err().contains("full softmax"), r.err());
        CliTest.Run f = CliTest.run(train(dir.resolve("full"), 1));
        assertEquals(1, f.err().lines().filter(l -> l.contains("the loss is the full softmax")).count(), f.err());
    }

    @Test
    void aModelTrainedThroughTheJavaApiSaysWhatDataToPass() throws IOException {
        Dataset ds = SyntheticData.plantedInterests(300, 80, 4, 5);
        TrainConfig tc = TrainConfig.comirec().withSteps(20).withEvalEvery(20).withBatchSize(32).withSeed(3);
        Path out = dir.resolve("java-api");
        TrainRun.Spec spec = new TrainRun.Spec(ComiRecSA.Config.comirec(ds.numItems()).withDim(8).withHidden(16), tc);
        TrainRun.run(spec, ds, out, new TrainRun.Options(false, 1, Map.of()));
        refused(CliTest.run("evaluate", "--model", out.toString()),
                "the model was trained on planted-300x80 (300 users, 80 items, 10,495 interactions) but its config names no data"
                        + " files (the data was not read from files); pass --data with the file(s) it was trained on");
        try {
            TrainRun.run(spec, ds, out, new TrainRun.Options(false, 1, Map.of()));
            throw new AssertionError("replaced without overwrite");
        } catch (IOException e) {
            assertEquals(out + " already holds a re4j model: set TrainRun.Options.withOverwrite(true) to replace it", e.getMessage());
        }
        TrainRun.run(spec, ds, out, new TrainRun.Options(false, 1, Map.of()).withOverwrite(true));
        assertTrue(new RecommendService(out).index().equals("exact"));
        assertEquals(ModelDir.FILES.size(), Files.list(out).count());
    }
}
