package org.re4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.cli.Main;
import org.re4j.config.TrainConfig;
import org.re4j.data.Format;
import org.re4j.data.InteractionLog;
import org.re4j.io.SafeTensors;
import org.re4j.model.ComiRecSA;
import org.re4j.serve.RecommendService;
import org.re4j.train.TrainRun;

/** Batch scoring on Spark against the core's recommend and embed-users, on a model trained here in a few steps. */
class Re4jModelTest {

    static final StructType HISTORIES = new StructType().add("user", DataTypes.StringType)
            .add("history", DataTypes.createArrayType(DataTypes.StringType));

    @TempDir static Path tmp;
    static Path modelDir;
    static org.re4j.data.Dataset data;

    @BeforeAll
    static void train() throws Exception {
        SplittableRandom rng = new SplittableRandom(3);
        StringBuilder tsv = new StringBuilder("user_id\titem_id\ttimestamp\n");
        for (int u = 0; u < 400; u++) {
            int n = 5 + rng.nextInt(40), base = rng.nextInt(300);
            for (int j = 0; j < n; j++) tsv.append("u").append(u).append("\ti").append((base + rng.nextInt(60)) % 300).append('\t').append(j).append('\n');
        }
        Path file = tmp.resolve("log.tsv");
        Files.writeString(file, tsv);
        data = org.re4j.data.Dataset.of("synthetic", InteractionLog.read(List.of(file), Format.DELIMITED, null), 0, 0);
        modelDir = tmp.resolve("model");
        TrainRun.run(new TrainRun.Spec(ComiRecSA.Config.comirec(data.numItems()), TrainConfig.comirec().withSteps(40).withEvalEvery(40)),
                data, modelDir);
    }

    /** Every user's history as the dataset has it, plus one with unknown items and one with only unknown ones. */
    static Dataset<Row> histories() {
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) rows.add(RowFactory.create(data.userIds[u], history(u)));
        rows.add(RowFactory.create("mixed", Arrays.asList("no-such-item", data.itemIds[3], data.itemIds[9])));
        rows.add(RowFactory.create("unknown", List.of("no-such-item")));
        return LocalSpark.get().createDataFrame(rows, HISTORIES).repartition(3);
    }

    /** The dataset's users in order, in one partition: embed-users' blocks of 512 users. */
    static Dataset<Row> usersInOrder() {
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) rows.add(RowFactory.create(data.userIds[u], history(u)));
        return LocalSpark.get().createDataFrame(rows, HISTORIES).coalesce(1);
    }

    static List<String> history(int u) {
        List<String> h = new ArrayList<>();
        for (int i : data.sequences[u]) h.add(data.itemIds[i]);
        return h;
    }

    /** One user per block, as recommend encodes one history: the same items, scores and interests, to the bit. */
    @Test
    void sameAsRecommend() throws Exception {
        for (boolean exclude : new boolean[] {false, true}) assertSameAsRecommend(modelDir, histories(), 20, exclude, data.numUsers() + 2);
    }

    /**
     * On the shared ML-1M and Gowalla files: a ComiRec-SA model trained a few steps on each, its first 500 users'
     * histories scored in Spark, equal to recommend's answers to the bit (top-50 over the whole catalogue).
     */
    @Test
    void realDataSameAsRecommend() throws Exception {
        record Shared(String name, Format format, String... files) {}
        for (Shared sd : List.of(new Shared("ml-1m", Format.GROUPLENS, "ml-1m/ratings.dat.gz"),
                new Shared("gowalla", Format.LINES, "gowalla/train.txt", "gowalla/test.txt"))) {
            List<Path> files = new ArrayList<>();
            for (String f : sd.files()) files.add(LocalSpark.data(f));
            org.re4j.data.Dataset real = org.re4j.data.Dataset.of(sd.name(), InteractionLog.read(files, sd.format(), null), 0, 0);
            Path dir = tmp.resolve("real-" + sd.name());
            TrainRun.run(new TrainRun.Spec(ComiRecSA.Config.comirec(real.numItems()), TrainConfig.comirec().withSteps(20).withEvalEvery(20)
                    .withValidUsers(50)), real, dir, TrainRun.Options.quiet().withEvaluateTest(false));
            List<Row> rows = new ArrayList<>();
            for (int u = 0; u < 500; u++) {
                List<String> h = new ArrayList<>();
                for (int i : real.sequences[u]) h.add(real.itemIds[i]);
                rows.add(RowFactory.create(real.userIds[u], h));
            }
            assertSameAsRecommend(dir, LocalSpark.get().createDataFrame(rows, HISTORIES).repartition(2), 50, false, 500);
        }
    }

    /** Every row of {@code stage.transform(histories)} against RecommendService's answer for the same history. */
    static void assertSameAsRecommend(Path modelDir, Dataset<Row> histories, int n, boolean exclude, int rows) throws Exception {
        RecommendService service = new RecommendService(modelDir);
        Re4jModel stage = Re4jModel.fromModelDir(modelDir).setTopN(n).setExcludeHistory(exclude);
        List<Row> out = stage.transform(histories).collectAsList();
        assertEquals(rows, out.size());
        for (Row r : out) {
            RecommendService.Response want = service.recommend(new RecommendService.Request(r.getList(1), n, exclude, true));
            List<Row> got = r.getList(3);
            assertEquals(want.items().size(), got.size(), r.getString(0));
            for (int j = 0; j < got.size(); j++) {
                RecommendService.Item w = want.items().get(j);
                Row g = got.get(j);
                String what = r.getString(0) + " #" + j;
                assertEquals(w.item(), g.getString(0), what);
                assertEquals(w.score(), g.isNullAt(1) ? null : g.getFloat(1), what);
                assertEquals(w.interest(), g.isNullAt(2) ? null : g.getInt(2), what);
            }
            if (want.interests() == null) assertNull(r.get(2), r.getString(0));
            else for (int q = 0; q < want.interests().length; q++) assertArrayEquals(want.interests()[q], floats(r.getList(2).get(q)), r.getString(0));
        }
    }

    /**
     * Blocks of 512 users, as embed-users encodes them: the same vectors, to the bit. (BLAS rounding depends on the
     * block's shape, so other block sizes agree to float rounding only, as recommend and embed-users do.)
     */
    @Test
    void sameAsEmbedUsers() throws Exception {
        Path out = tmp.resolve("users.safetensors");
        assertEquals(0, Main.run("embed-users", "--model", modelDir.toString(), "--out", out.toString()));
        float[] all = SafeTensors.read(out).get("user_interests").data();
        Re4jModel stage = Re4jModel.fromModelDir(modelDir).setRecommendationsCol("").setUsersPerBlock(512);
        Map<String, Row> byUser = new java.util.HashMap<>();
        for (Row r : stage.transform(usersInOrder()).collectAsList()) byUser.put(r.getString(0), r);
        int k = stage.numInterests(), d = stage.dim();
        for (int u = 0; u < data.numUsers(); u++) {
            List<Object> z = byUser.get(data.userIds[u]).getList(2);
            for (int q = 0; q < k; q++) {
                assertArrayEquals(Arrays.copyOfRange(all, (u * k + q) * d, (u * k + q + 1) * d), floats(z.get(q)), "user " + data.userIds[u]);
            }
        }
    }

    /** Saved as re4j's model directory (not Spark's JSON of the weights), alone and inside a pipeline. */
    @Test
    void savesAsAModelDirectory() throws Exception {
        Re4jModel stage = Re4jModel.fromModelDir(modelDir).setTopN(7);
        Path saved = tmp.resolve("stage");
        stage.write().save(saved.toString());
        assertTrue(Files.exists(saved.resolve("model/model.safetensors")));
        assertArrayEquals(Files.readAllBytes(modelDir.resolve("model.safetensors")), Files.readAllBytes(saved.resolve("model/model.safetensors")));
        new RecommendService(saved.resolve("model")); // what every re4j command reads
        Re4jModel back = Re4jModel.load(saved.toString());
        assertEquals(stage.uid(), back.uid());
        assertEquals(7, (int) back.getOrDefault(back.topN()));
        assertEquals(stage.transform(histories()).orderBy("user").collectAsList(), back.transform(histories()).orderBy("user").collectAsList());

        PipelineModel p = new Pipeline().setStages(new PipelineStage[] {stage}).fit(histories());
        p.write().save(tmp.resolve("pipeline").toString());
        assertEquals(stage.transform(histories()).orderBy("user").collectAsList(),
                PipelineModel.load(tmp.resolve("pipeline").toString()).transform(histories()).orderBy("user").collectAsList());
    }

    @Test
    void refusesAWrongHistoryColumn() throws Exception {
        Re4jModel stage = Re4jModel.fromModelDir(modelDir);
        Dataset<Row> df = histories().withColumnRenamed("history", "items");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> stage.transform(df));
        assertEquals("no history column 'history' in [user, items]: set it with setHistoryCol", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> stage.setHistoryCol("user").transform(df));
        assertEquals("history column 'user' is string, expected array<string> (item ids, oldest first)", e.getMessage());
    }

    private static float[] floats(Object o) {
        if (o instanceof float[] f) return f;
        List<?> l = o instanceof List<?> x ? x : scala.jdk.javaapi.CollectionConverters.asJava((scala.collection.Seq<?>) o);
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) f[i] = (Float) l.get(i);
        return f;
    }
}
