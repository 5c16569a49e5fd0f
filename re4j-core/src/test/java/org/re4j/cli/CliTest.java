package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;

/** The command line end to end on a small planted dataset written as a LightGCN-style file. */
public class CliTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] METRICS = {"recall@20", "recall@50", "hitrate@20", "hitrate@50", "ndcg@20", "ndcg@50",
            "ndcg_comirec@20", "ndcg_comirec@50", "ndcg_comirec_orig@20", "ndcg_comirec_orig@50"};

    @TempDir static Path dir;
    static Path data;

    @BeforeAll
    static void writeData() throws IOException {
        data = writePlanted(dir);
    }

    /** 600 users with planted interests over 300 items, as a LightGCN-style file in {@code dir}. */
    static Path writePlanted(Path dir) throws IOException {
        Dataset ds = SyntheticData.plantedInterests(600, 300, 8, 3);
        StringBuilder sb = new StringBuilder();
        for (int u = 0; u < ds.numUsers(); u++) {
            sb.append("u").append(u);
            for (int i : ds.sequences[u]) sb.append(' ').append(ds.itemIds[i]);
            sb.append('\n');
        }
        Path f = dir.resolve("planted.txt");
        Files.writeString(f, sb.toString());
        return f;
    }

    /** A command line's exit code and output. */
    public record Run(int code, String out, String err) {}

    /** Runs a command line in this JVM, capturing its output (other test packages use it too). */
    public static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void trainWritesModelAndMetricsAndEvaluateReproducesThem() throws IOException {
        Path out = dir.resolve("sa");
        Run r = run("train", "--data", data.toString(), "--format", "lines", "--model", "comirec-sa", "--steps", "300",
                "--eval-every", "100", "--seed", "5", "--out", out.toString(), "--no-progress", "--dim", "16", "--hidden", "32");
        assertEquals(0, r.code(), r.err());
        for (String f : List.of("model.safetensors", "config.json", "items.txt", "log.jsonl", "metrics.json")) {
            assertTrue(Files.exists(out.resolve(f)), f + " written");
        }
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("comirec-sa", m.path("model").asText());
        for (String k : METRICS) {
            assertTrue(m.path("test").has(k) && m.path("valid").has(k), "metrics.json has " + k);
        }
        assertEquals(300, m.path("train").path("steps").asInt());
        assertEquals("lazy", m.path("train").path("adam").asText());
        assertEquals(3, Files.readAllLines(out.resolve("log.jsonl")).size(), "one log line per evaluation");
        JsonNode cfg = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals(64, cfg.path("data").path("sha256").get(0).asText().length(), "data checksum recorded");
        assertTrue(cfg.path("command").size() > 5, "command line recorded");
        assertEquals(org.re4j.math.Parallel.threads(), cfg.path("train_config").path("workers").asInt(),
                "the step's workers (one per core by default) recorded: they set the order of float sums");

        Run e = run("evaluate", "--model", out.toString());
        assertEquals(0, e.code(), e.err());
        JsonNode em = JSON.readTree(e.out());
        for (String k : METRICS) {
            assertEquals(m.path("test").path(k).asDouble(), em.path("test").path(k).asDouble(), 1e-12, k);
        }
    }

    @Test
    void itemsFromAFileOrderTheTiesAndTheRunRecordsIt() throws IOException {
        Dataset ds = Dataset.of("p", org.re4j.data.InteractionLog.read(List.of(data), org.re4j.data.Format.LINES, null), 0, 0);
        // The numbering with every run of equal counts reversed
        List<String> order = new java.util.ArrayList<>();
        for (int i = 1; i <= ds.numItems(); ) {
            int j = i;
            while (j <= ds.numItems() && ds.itemCounts[j] == ds.itemCounts[i]) j++;
            for (int q = j - 1; q >= i; q--) order.add(ds.itemIds[q]);
            i = j;
        }
        assertNotEquals(java.util.Arrays.asList(ds.itemIds).subList(1, ds.numItems() + 1), order, "the planted data has ties");
        Path items = dir.resolve("numbering.tsv"), out = dir.resolve("numbered");
        Files.writeString(items, "item_id\n" + String.join("\n", order) + "\n");
        Run r = run("train", "--data", data.toString(), "--items", items.toString(), "--model", "pop", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertEquals(order, Files.readAllLines(out.resolve("items.txt")).subList(1, ds.numItems() + 1));
        JsonNode d = JSON.readTree(out.resolve("config.json").toFile()).path("data");
        assertEquals(items.toString(), d.path("items_file").asText());
        assertEquals(64, d.path("items_file_sha256").asText().length());
        Run e = run("evaluate", "--model", out.toString()); // reads the data again, numbered by the same file
        assertEquals(0, e.code(), e.err());
        Run given = run("evaluate", "--model", out.toString(), "--data", data.toString()); // the recorded --items too
        assertEquals(0, given.code(), given.err());

        Files.writeString(items, "item_id\n" + String.join("\n", order.subList(1, order.size())) + "\n");
        Run bad = run("train", "--data", data.toString(), "--items", items.toString(), "--model", "pop", "--out",
                dir.resolve("numbered-bad").toString(), "--no-progress");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains(items + ": the data's item " + order.get(0) + " is not listed"), bad.err());
    }

    @Test
    void sameSeedGivesIdenticalResults() throws IOException {
        String[] args = {"train", "--data", data.toString(), "--steps", "120", "--eval-every", "60", "--seed", "9",
                "--no-progress", "--dim", "16", "--hidden", "32", "--out"};
        Run a = run(concat(args, dir.resolve("det-a").toString()));
        Run b = run(concat(args, dir.resolve("det-b").toString()));
        assertEquals(0, a.code(), a.err());
        JsonNode ma = JSON.readTree(dir.resolve("det-a/metrics.json").toFile());
        JsonNode mb = JSON.readTree(dir.resolve("det-b/metrics.json").toFile());
        assertEquals(ma.path("test"), mb.path("test"));
        assertEquals(ma.path("valid"), mb.path("valid"));
        assertEquals(-1, Files.mismatch(dir.resolve("det-a/model.safetensors"), dir.resolve("det-b/model.safetensors")));
    }

    @Test
    void aRunsConfigFileReproducesTheRunAndFlagsOverrideIt() throws IOException {
        Path x = dir.resolve("cfg-x");
        Run r = run("train", "--data", data.toString(), "--model", "re4", "--steps", "60", "--eval-every", "30", "--seed", "4",
                "--out", x.toString(), "--no-progress", "--dim", "8", "--hidden", "16", "--db", "4", "--lambda-att", "0.5",
                "--gamma-c", "0.25", "--sampler", "uniform");
        assertEquals(0, r.code(), r.err());
        JsonNode mx = JSON.readTree(x.resolve("metrics.json").toFile());
        JsonNode prov = mx.path("provenance");
        for (String k : List.of("re4j_version", "git_commit", "jvm", "os", "blas", "threads")) assertTrue(prov.has(k), "provenance has " + k);
        assertFalse(prov.path("re4j_version").asText().isEmpty());

        // The same run again from its config.json alone: same metrics, same parameters.
        Path y = dir.resolve("cfg-y");
        Run again = run("train", "--config", x.resolve("config.json").toString(), "--out", y.toString(), "--no-progress");
        assertEquals(0, again.code(), again.err());
        JsonNode my = JSON.readTree(y.resolve("metrics.json").toFile());
        assertEquals(mx.path("test"), my.path("test"));
        assertEquals(mx.path("valid"), my.path("valid"));
        assertEquals(-1, Files.mismatch(x.resolve("model.safetensors"), y.resolve("model.safetensors")));

        // Flags override the file; everything else stays as the file says.
        Path z = dir.resolve("cfg-z");
        assertEquals(0, run("train", "--config", x.resolve("config.json").toString(), "--lambda-cl", "0", "--steps", "30",
                "--out", z.toString(), "--no-progress").code());
        JsonNode cz = JSON.readTree(z.resolve("config.json").toFile());
        assertEquals(0.0, cz.path("model_config").path("contrast").path("weight").asDouble());
        assertEquals(0.5, cz.path("model_config").path("attend").path("weight").asDouble());
        assertEquals(0.25, cz.path("model_config").path("positives").asDouble());
        assertEquals("uniform", cz.path("train_config").path("sampler").asText());
        assertEquals(30, cz.path("train_config").path("steps").asInt());

        // A hand-written YAML file names only what differs from the defaults.
        Path yaml = dir.resolve("small-re4.yaml");
        Files.writeString(yaml, "model: re4\nmodel_config:\n  encoder: {dim: 8, hidden: 16}\n  construct: {slotSize: 4}\n"
                + "train_config:\n  steps: 20\n  evalEvery: 20\n");
        Path w = dir.resolve("cfg-yaml");
        Run fromYaml = run("train", "--config", yaml.toString(), "--data", data.toString(), "--out", w.toString(), "--no-progress");
        assertEquals(0, fromYaml.code(), fromYaml.err());
        JsonNode cw = JSON.readTree(w.resolve("config.json").toFile());
        assertEquals(8, cw.path("model_config").path("encoder").path("dim").asInt());
        assertEquals(8, cw.path("model_config").path("encoder").path("interests").asInt(), "re4's default K");
        assertEquals(20, JSON.readTree(w.resolve("metrics.json").toFile()).path("train").path("steps").asInt());

        // Mistakes in a config file are named: an unknown field, a value out of range, broken syntax.
        Files.writeString(yaml, "model: re4\nmodel_config:\n  contrast: {weigth: 1}\n");
        Run unknown = run("train", "--config", yaml.toString(), "--data", data.toString(), "--out", dir.resolve("cfg-bad").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown field 'weigth'") && unknown.err().contains("small-re4.yaml"), unknown.err());
        Files.writeString(yaml, "model: re4\ntrain_config: {batchSize: 0}\n");
        Run range = run("train", "--config", yaml.toString(), "--data", data.toString(), "--out", dir.resolve("cfg-bad").toString());
        assertEquals(2, range.code());
        assertTrue(range.err().contains("batch size must be ≥ 1") && range.err().contains("train_config"), range.err());
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\n  \"model\": \"re4\",\n  \"train_config\": {\"steps\": }\n}\n");
        Run syntax = run("train", "--config", broken.toString(), "--data", data.toString(), "--out", dir.resolve("cfg-bad").toString());
        assertEquals(2, syntax.code());
        assertTrue(syntax.err().contains("broken.json:3:"), syntax.err());
        // A model flag of another model is refused, naming the models it applies to.
        Run wrong = run("train", "--data", data.toString(), "--model", "comirec-sa", "--db", "4", "--out", dir.resolve("cfg-bad").toString());
        assertEquals(2, wrong.code());
        assertTrue(wrong.err().contains("--db is not a setting of --model comirec-sa") && wrong.err().contains("re4"), wrong.err());
    }

    @Test
    void re4TrainsWithAllFlowsAndEvaluateReloadsIt() throws IOException {
        Path out = dir.resolve("re4");
        Run r = run("train", "--data", data.toString(), "--model", "re4", "--steps", "200", "--eval-every", "100",
                "--seed", "5", "--out", out.toString(), "--no-progress", "--dim", "16", "--hidden", "32", "--db", "8",
                "--lambda-cl", "0.1", "--lambda-att", "0.1", "--lambda-ct", "0.1");
        assertEquals(0, r.code(), r.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals("re4", m.path("model").asText());
        JsonNode c = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals(8, c.path("model_config").path("encoder").path("interests").asInt(), "re4 defaults to K = 8");
        assertEquals("identity", c.path("model_config").path("encoder").path("projection").asText(), "re4's forward flow is ComiRec-SA's");
        Run e = run("evaluate", "--model", out.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(m.path("test").path("recall@50").asDouble(), JSON.readTree(e.out()).path("test").path("recall@50").asDouble(), 1e-12);
        Run bad = run("train", "--data", data.toString(), "--model", "re4", "--gamma-c", "2", "--out", dir.resolve("z").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--gamma-c"), bad.err());
    }

    @Test
    void ablationExperimentRunsEveryVariantOverSeedsAndResumes() throws IOException {
        Path out = dir.resolve("exp");
        String[] args = {"experiment", "table4", "--data", data.toString(), "--seeds", "1,2", "--out", out.toString(),
                "--", "--steps", "40", "--eval-every", "40", "--dim", "8", "--hidden", "16", "--db", "4"};
        Run r = run(args);
        assertEquals(0, r.code(), r.err());
        String summary = Files.readString(out.resolve("summary.md"));
        for (String v : List.of("| base |", "| +re-attend |", "| +re-contrast |", "| +re-construct |", "| re4 |")) {
            assertTrue(summary.contains(v), summary);
        }
        assertTrue(summary.contains(" ± "), summary);
        long mtime = Files.getLastModifiedTime(out.resolve("base-seed1/metrics.json")).toMillis();
        assertEquals(0, run(args).code());
        assertEquals(mtime, Files.getLastModifiedTime(out.resolve("base-seed1/metrics.json")).toMillis(), "finished runs are kept");
        // The same experiment with other flags for its runs does not report the old runs as its own.
        String[] otherFlags = java.util.Arrays.copyOf(args, args.length + 2);
        otherFlags[args.length] = "--negatives";
        otherFlags[args.length + 1] = "7";
        Run other = run(otherFlags);
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("base-seed1 holds a run with another train_config (train_config.negatives"), other.err());

        // Variant by variant: --only runs one, and the summary still lists every finished variant and names the rest.
        Path partial = dir.resolve("exp-only");
        java.util.function.Function<String, String[]> only = variant -> new String[] {"experiment", "table4", "--data",
                data.toString(), "--seeds", "1", "--out", partial.toString(), "--only", variant,
                "--", "--steps", "40", "--eval-every", "40", "--dim", "8", "--hidden", "16", "--db", "4"};
        assertEquals(0, run(only.apply("base")).code());
        assertEquals(0, run(only.apply("+re-attend")).code());
        String s2 = Files.readString(partial.resolve("summary.md"));
        assertTrue(s2.contains("| base |") && s2.contains("| +re-attend |"), s2);
        assertTrue(s2.contains("Not run on any seed yet: +re-contrast, +re-construct, re4"), s2);
        assertFalse(s2.contains(" ± "), "one seed has no std to show: " + s2);
        assertFalse(Files.exists(partial.resolve("re4-seed1")), "variants outside --only are not trained");
        // A second seed for one variant: the other is summarised over the seed it has, and labelled so.
        String[] twoSeeds = only.apply("base");
        twoSeeds[5] = "1,2";
        assertEquals(0, run(twoSeeds).code());
        String s3 = Files.readString(partial.resolve("summary.md"));
        assertTrue(s3.contains("| base | ") && s3.contains(" ± "), s3);
        assertTrue(s3.contains("| +re-attend (1 of 2 seeds) |"), s3);
        assertFalse(Files.exists(partial.resolve("+re-attend-seed2")), "variants outside --only are not trained");
        // A misspelt variant is refused, naming the ones there are, instead of running nothing.
        Run typo = run(only.apply("+re-atend"));
        assertEquals(2, typo.code(), typo.err());
        assertTrue(typo.err().contains("no variant '+re-atend'") && typo.err().contains("+re-attend"), typo.err());
    }

    @Test
    void recommendReturnsOriginalIdsAndReportsUnknownItems() throws IOException {
        Path out = dir.resolve("rec");
        assertEquals(0, run("train", "--data", data.toString(), "--steps", "100", "--eval-every", "100", "--seed", "3",
                "--no-progress", "--dim", "16", "--hidden", "32", "--out", out.toString()).code());
        String[] items = Files.readAllLines(out.resolve("items.txt")).toArray(new String[0]); // line 0: padding
        Run r = run("recommend", "--model", out.toString(), "--history", items[1] + "," + items[2] + ",nope", "-n", "7",
                "--exclude-history");
        assertEquals(0, r.code(), r.err());
        JsonNode j = JSON.readTree(r.out());
        assertEquals(7, j.path("items").size());
        assertEquals("nope", j.path("unknown_items").get(0).asText());
        for (JsonNode it : j.path("items")) {
            String id = it.path("item").asText();
            assertTrue(!id.equals(items[1]) && !id.equals(items[2]) && !id.equals(items[0]), "history and padding excluded");
            assertTrue(List.of(items).contains(id));
        }
        Run none = run("recommend", "--model", out.toString(), "--history", "nope,nada");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("catalogue"), none.err());
    }

    @Test
    void authorsPresetSetsTheirSettingsButExplicitFlagsWin() throws IOException {
        Path out = dir.resolve("authors");
        Run r = run("train", "--data", data.toString(), "--preset", "re4-authors", "--batch-size", "64", "--steps", "60",
                "--eval-every", "30", "--seed", "2", "--dim", "16", "--hidden", "32", "--db", "8", "--out", out.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        JsonNode c = JSON.readTree(out.resolve("config.json").toFile());
        JsonNode t = c.path("train_config"), mc = c.path("model_config");
        assertEquals("re4", c.path("model").asText());
        assertEquals(64, t.path("batchSize").asInt(), "explicit flag wins");
        assertEquals(5000, t.path("negatives").asInt());
        assertEquals("uniform", t.path("sampler").asText());
        assertTrue(!t.path("logQ").asBoolean());
        assertEquals("prefixes", t.path("samples").asText());
        assertEquals(0.003, t.path("adam").path("lr").asDouble(), 1e-12);
        assertTrue(mc.path("interestHead").asBoolean() && mc.path("contrast").path("negativeSource").asText().equals("previous-user"));
        assertTrue(!mc.path("encoder").path("positionEmbedding").asBoolean());
        assertEquals(0.001, mc.path("attend").path("weight").asDouble(), 1e-12, "their script's Book weight");
        assertEquals("dense", t.path("adam").path("updates").asText(), "PyTorch's Adam moves every row");
        assertEquals("standard-normal", mc.path("encoder").path("init").asText());
        assertEquals("most-recent-first", mc.path("encoder").path("order").asText());
        assertEquals("all-history", mc.path("contrast").path("denominator").asText());
        assertEquals(64, mc.path("construct").path("hidden").asInt(), "their slot attention is 64 wide");
        assertEquals(8, mc.path("construct").path("slotSize").asInt(), "--db given explicitly wins over the preset's 64");
        Run e = run("evaluate", "--model", out.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(JSON.readTree(out.resolve("metrics.json").toFile()).path("test").path("recall@50").asDouble(),
                JSON.readTree(e.out()).path("test").path("recall@50").asDouble(), 1e-12);
    }

    @Test
    void aPresetWithAnotherModelAppliesItsTrainingRecipeOnly() throws IOException {
        Path out = dir.resolve("recipe-sa");
        Run r = run("train", "--data", data.toString(), "--model", "comirec-sa", "--interests", "8", "--preset", "re4-authors",
                "--batch-size", "64", "--steps", "20", "--eval-every", "20", "--dim", "8", "--hidden", "16", "--out", out.toString(),
                "--no-progress");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("its training settings only"), r.err());
        JsonNode c = JSON.readTree(out.resolve("config.json").toFile());
        assertEquals("comirec-sa", c.path("model").asText());
        assertEquals(8, c.path("model_config").path("interests").asInt());
        assertTrue(c.path("model_config").path("positionEmbedding").asBoolean(), "the preset's model settings are Re4's, not applied");
        assertEquals("prefixes", c.path("train_config").path("samples").asText());
        assertEquals(5000, c.path("train_config").path("negatives").asInt());
        Run bad = run("train", "--data", data.toString(), "--preset", "nope", "--out", dir.resolve("x").toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("re4-authors"), bad.err());
    }

    @Test
    void experimentFlagsThatAModelDoesNotHaveAreLeftOutForIt() throws IOException {
        Path out = dir.resolve("exp-compare");
        Run r = run("experiment", "compare", "--data", data.toString(), "--seeds", "1", "--out", out.toString(),
                "--", "--steps", "20", "--eval-every", "20", "--dim", "8", "--hidden", "16", "--db", "4", "--no-position-embedding");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("--db does not apply to pop") && r.err().contains("--db does not apply to comirec-sa"), r.err());
        JsonNode summary = JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals(List.of("pop", "comirec-sa", "comirec-sa-k8", "re4"),
                java.util.stream.StreamSupport.stream(summary.path("rows").spliterator(), false).map(n -> n.path("label").asText()).toList(),
                "every comparison with Re4 shows ComiRec-SA at Re4's K");
        assertTrue(summary.path("rows").get(3).path("metrics").path("recall@50").has("mean"));
        assertTrue(summary.path("command").asText().contains("experiment compare"));
        assertFalse(JSON.readTree(out.resolve("comirec-sa-seed1/config.json").toFile()).path("model_config").path("positionEmbedding").asBoolean());
        // Every pair of variants on the same test users: B − A and its interval, in summary.json and summary.md.
        JsonNode paired = summary.path("paired");
        assertEquals(6, paired.size(), summary.toString());
        assertEquals("pop", paired.get(0).path("baseline").asText());
        assertEquals("comirec-sa", paired.get(0).path("variant").asText());
        assertEquals("comirec-sa-k8", paired.get(5).path("baseline").asText(), "Re4 against ComiRec-SA at its K");
        assertEquals("re4", paired.get(5).path("variant").asText());
        JsonNode p = paired.get(2).path("metrics").path("recall@50");
        assertEquals(summary.path("rows").get(3).path("metrics").path("recall@50").path("mean").asDouble(), p.path("mean_b").asDouble(), 1e-12);
        assertTrue(p.path("lo").asDouble() <= p.path("diff").asDouble() && p.path("diff").asDouble() <= p.path("hi").asDouble(), p.toString());
        assertEquals(2000, p.path("resamples").asInt());
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("## Paired differences") && md.contains("| variant | seed | recall@50 | ndcg@50 |\n|---|---:|---:|---:|\n| comirec-sa | 1 | "), md);
        assertTrue(md.contains("### Against comirec-sa-k8\n\n| variant | seed | recall@50 | ndcg@50 |\n|---|---:|---:|---:|\n| re4 | 1 | "), md);
        Run report = run("report", out.toString());
        assertEquals(0, report.code(), report.err());
        assertTrue(report.out().contains("| re4 | 1 | "), "report reads the differences back: " + report.out());
    }

    @Test
    void figure3LogsTestCurvesAndPlotsThemAsPng() throws IOException {
        Path out = dir.resolve("fig3");
        Run r = run("experiment", "figure3", "--data", data.toString(), "--seeds", "4", "--out", out.toString(),
                "--", "--steps", "60", "--eval-every", "20", "--dim", "8", "--hidden", "16", "--db", "4");
        assertEquals(0, r.code(), r.err());
        List<String> log = Files.readAllLines(out.resolve("re4-seed4/log.jsonl"));
        assertEquals(3, log.size());
        assertTrue(JSON.readTree(log.get(0)).path("test").has("recall@20"), "test metrics logged at every evaluation");
        byte[] png = Files.readAllBytes(out.resolve("figure3.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG");
        Run bad = run("plot", "--metric", "test.recall@20", "--out", dir.resolve("x.png").toString(), dir.resolve("sa").toString());
        assertEquals(2, bad.code());
    }

    @Test
    void baselinesTrainSaveAndReload() throws IOException {
        for (String model : List.of("youtube-dnn", "gru4rec", "comirec-dr", "mind")) {
            Path out = dir.resolve(model);
            Run r = run("train", "--data", data.toString(), "--model", model, "--steps", "100", "--eval-every", "50",
                    "--seed", "5", "--out", out.toString(), "--no-progress", "--dim", "16");
            assertEquals(0, r.code(), r.err());
            JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
            assertEquals(model, m.path("model").asText());
            Run e = run("evaluate", "--model", out.toString());
            assertEquals(0, e.code(), e.err());
            assertEquals(m.path("test").path("recall@50").asDouble(), JSON.readTree(e.out()).path("test").path("recall@50").asDouble(), 1e-12, model);
        }
    }

    @Test
    void embedUsersWritesEveryUsersInterests() throws IOException {
        Path out = dir.resolve("emb");
        assertEquals(0, run("train", "--data", data.toString(), "--steps", "50", "--eval-every", "50", "--seed", "3",
                "--no-progress", "--dim", "16", "--hidden", "32", "--out", out.toString()).code());
        Path file = dir.resolve("users.safetensors");
        Run r = run("embed-users", "--model", out.toString(), "--out", file.toString());
        assertEquals(0, r.code(), r.err());
        var t = org.re4j.io.SafeTensors.read(file).get("user_interests");
        assertEquals(600, t.shape()[0]);
        assertEquals(4, t.shape()[1]);
        assertEquals(16, t.shape()[2]);
        assertEquals(600, Files.readAllLines(dir.resolve("users.safetensors.users.txt")).size());
    }

    @Test
    void popTrainsThroughTheSamePath() throws IOException {
        Path out = dir.resolve("pop");
        Run r = run("train", "--data", data.toString(), "--model", "pop", "--out", out.toString(), "--no-progress");
        assertEquals(0, r.code(), r.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        assertEquals(0, m.path("train").path("steps").asInt());
        Run e = run("evaluate", "--model", out.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(m.path("test").path("recall@50").asDouble(), JSON.readTree(e.out()).path("test").path("recall@50").asDouble(), 1e-12);
    }

    @Test
    void malformedInputNamesFileAndLine() throws IOException {
        Path bad = dir.resolve("bad.dat");
        Files.writeString(bad, "1::10::5::100\n1::11::5::101\n2::oops::5\n");
        Run r = run("stats", "--data", bad.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("bad.dat:3"), r.err());
    }

    @Test
    void unknownModelAndBadFlagsAreRefusedBeforeWork() {
        Run r = run("train", "--data", data.toString(), "--model", "nope", "--out", dir.resolve("x").toString(), "--no-progress");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("--model"), r.err());
        Run s = run("train", "--data", data.toString(), "--lr", "-1", "--out", dir.resolve("y").toString());
        assertEquals(2, s.code());
        assertTrue(s.err().contains("lr"), s.err());
    }

    @Test
    void absurdCatalogueSizeIsRefusedWithTheNumbers() {
        Run r = run("bench", "step", "--items", "2000000000", "--steps", "1", "--warmup", "0");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("does not fit"), r.err());
    }

    @Test
    void benchFlowsTimesTheForwardFlowAndEachBackwardFlowInOneRun() throws IOException {
        Run r = run("bench", "flows", "--items", "300", "--rounds", "1", "--steps", "1", "--warmup", "0");
        assertEquals(0, r.code(), r.err());
        var lines = r.out().strip().lines().map(l -> {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(l);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
        assertEquals(java.util.List.of("comirec-sa", "base", "re-contrast", "re-attend", "re-construct", "all"),
                lines.stream().map(n -> n.get("config").asText()).toList());
        for (var n : lines) {
            assertTrue(n.get("ms_per_step").asDouble() > 0, n.toString());
            assertEquals(8, n.get("interests").asInt());
        }
        assertTrue(lines.get(5).has("added_vs_base") && !lines.get(1).has("added_vs_base"));
        assertEquals(2, run("bench", "flows", "--rounds", "0").code());
        Run big = run("bench", "flows", "--items", "20000000");
        assertEquals(2, big.code());
        assertTrue(big.err().contains("the 6 models need"), big.err());
    }

    @Test
    void stepBenchmarksTakeTheTrainingProtocolsHistoryLengthsAndReConstructsSlotSize() throws IOException {
        Run r = run("bench", "step", "--model", "re4", "--items", "300", "--steps", "2", "--warmup", "0", "--histories", "protocol",
                "--db", "8");
        assertEquals(0, r.code(), r.err());
        var n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out().strip());
        assertEquals("protocol", n.get("histories").asText());
        assertEquals(8, n.path("model_config").path("construct").path("slotSize").asInt(), "the slot size d_b given");
        double mean = n.get("mean_history").asDouble();
        assertTrue(mean >= 4 && mean < 20, "a random cut after at least 4 items, at most 20: " + mean);
        Run full = run("bench", "step", "--items", "300", "--steps", "1", "--warmup", "0");
        assertEquals(20.0, new com.fasterxml.jackson.databind.ObjectMapper().readTree(full.out().strip()).get("mean_history").asDouble());
        Run bad = run("bench", "flows", "--histories", "short");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--histories must be full or protocol"), bad.err());
    }

    @Test
    void stepBenchmarkTimesWorkerCountsAgainstEachOtherInRounds() throws IOException {
        Run r = run("bench", "step", "--items", "300", "--steps", "2", "--warmup", "0", "--workers", "1,2", "--rounds", "2",
                "--batch-size", "16");
        assertEquals(0, r.code(), r.err());
        var lines = jsonLines(r.out());
        assertEquals(List.of(1, 2), lines.stream().map(n -> n.get("workers").asInt()).toList());
        for (var n : lines) assertEquals(2, n.get("rounds_ms").size(), n.toString());
        assertTrue(lines.get(1).get("speedup_vs_workers_1").asDouble() > 0 && !lines.get(0).has("speedup_vs_workers_1"));
        Run bad = run("bench", "step", "--items", "300", "--workers", "0");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--workers must be ≥ 1"), bad.err());
    }

    static List<com.fasterxml.jackson.databind.JsonNode> jsonLines(String out) {
        return out.strip().lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    @Test
    void scaleBenchmarkReportsEachPhaseAndValidSubsetHowOftenASubsetPicksAnotherStep() throws IOException {
        Run r = run("bench", "scale", "--scale", "0.002", "--models", "comirec-sa", "--steps", "40", "--eval-every", "20",
                "--valid-users", "30", "--dim", "8", "--hidden", "16", "--negatives", "50", "--out", dir.resolve("scale").toString());
        assertEquals(0, r.code(), r.err());
        var lines = jsonLines(r.out());
        assertEquals(List.of("load", "train", "evaluate", "write"), lines.stream().map(n -> n.get("phase").asText()).toList());
        assertEquals(30, lines.get(1).get("valid_users_while_training").asInt());
        assertTrue(lines.get(2).get("users").asInt() > 60 && lines.get(2).get("users_per_second").asDouble() > 0, lines.get(2).toString());
        assertTrue(Files.exists(dir.resolve("scale/comirec-sa/model.safetensors")));

        Run v = run("bench", "valid-subset", "--data", data.toString(), "--sizes", "5,10,100000", "--subsets", "50",
                "--steps", "60", "--eval-every", "20", "--dim", "8", "--hidden", "16", "--negatives", "50");
        assertEquals(0, v.code(), v.err());
        var subsets = jsonLines(v.out());
        assertEquals(List.of(5, 10), subsets.stream().map(n -> n.get("subset").asInt()).toList(), "sizes not below the valid users are skipped");
        for (var n : subsets) {
            assertEquals(3, n.get("evaluations").asInt());
            double f = n.get("other_step_fraction").asDouble();
            assertTrue(f >= 0 && f <= 1 && n.get("mean_recall@50_given_up").asDouble() >= 0, n.toString());
        }
    }

    @Test
    void truncatedModelFileIsRefused() throws IOException {
        Path out = dir.resolve("trunc");
        assertEquals(0, run("train", "--data", data.toString(), "--model", "pop", "--out", out.toString(), "--no-progress").code());
        Path f = out.resolve("model.safetensors");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length - 10));
        Run e = run("evaluate", "--model", out.toString());
        assertEquals(2, e.code());
        assertTrue(e.err().contains("truncated"), e.err());
    }

    @Test
    void statsPrintsCounts() {
        Run r = run("stats", "--data", data.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("600"), r.out());
    }

    static String[] concat(String[] a, String b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + 1);
        c[a.length] = b;
        return c;
    }
}
