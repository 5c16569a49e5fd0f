package org.re4j.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.slice;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.trim;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.data.DataException;
import org.re4j.data.Format;
import org.re4j.data.InteractionLog;
import org.re4j.data.Split;

/** The Spark job against the single-machine pipeline: same numbering, sequences and split, on made-up and real logs. */
class PreprocessTest {

    static final StructType LOG = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
            .add("time", DataTypes.LongType);

    /** Ties everywhere: equal times, equal counts, duplicates, and a k-core that takes two rounds. */
    @Test
    void smallLogEqualsTheCore(@TempDir Path tmp) throws Exception {
        SplittableRandom rng = new SplittableRandom(7);
        List<Row> rows = new ArrayList<>();
        InteractionLog log = new InteractionLog();
        for (int r = 0; r < 3000; r++) {
            String u = "u" + rng.nextInt(120), i = "i" + (int) Math.floor(Math.pow(rng.nextDouble(), 2) * 300);
            long t = rng.nextInt(50); // many equal times: ties keep the row order
            rows.add(RowFactory.create(u, i, t));
            log.add(u, i, t);
        }
        SparkSession spark = LocalSpark.get();
        Dataset<Row> df = spark.createDataFrame(rows, LOG).repartition(1); // one partition: the list order is the row order
        int swapped = 0;
        for (int[] k : new int[][] {{0, 0}, {3, 5}, {6, 15}}) {
            Preprocess.Options o = new Preprocess.Options(k[0], k[1], 1230);
            org.re4j.data.Dataset core = org.re4j.data.Dataset.of("small", log, k[0], k[1]);
            Preprocess.Result r = Preprocess.run(Preprocess.log(df, "user", "item", "time"), o);
            assertEqualsCore(core, r, o);
            // What train reads from the written files, with --items: the core's dataset exactly, ties in count included
            if (k[0] > 3) continue; // (two settings suffice: writing is the slow part)
            Path written = tmp.resolve("small-" + k[0] + "-" + k[1]);
            Preprocess.write(r, written.toString(), false);
            assertSameAsCore(core, readBack(written, true));
            swapped += core.numItems() - sameItems(core, readBack(written, false));
        }
        assertTrue(swapped > 0, "without --items some items of equal count swap numbers: the log has the ties that matter");
    }

    /** The dataset {@code re4j train --data DIR/interactions.tsv [--items DIR/items.tsv]} trains on. */
    static org.re4j.data.Dataset readBack(Path dir, boolean withItems) {
        Path tsv = dir.resolve(Preprocess.INTERACTIONS_TSV);
        return org.re4j.data.Dataset.of("back", InteractionLog.read(List.of(tsv), Format.detect(tsv), null), 0, 0,
                withItems ? org.re4j.data.ItemNumbering.read(dir.resolve(Preprocess.ITEMS_TSV)) : null);
    }

    static void assertSameAsCore(org.re4j.data.Dataset core, org.re4j.data.Dataset back) {
        assertArrayEquals(core.userIds, back.userIds, "the same users in the same order: the same split");
        assertArrayEquals(core.itemIds, back.itemIds, "the same item numbering");
        assertArrayEquals(core.itemCounts, back.itemCounts);
        for (int u = 0; u < core.numUsers(); u++) assertArrayEquals(core.sequences[u], back.sequences[u], "user " + core.userIds[u]);
    }

    @Test
    void refusesEmptyIdsAndMissingColumns() {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("a", "x", 1L), RowFactory.create("b", " ", 2L)), LOG);
        DataException e = assertThrows(DataException.class, () -> Preprocess.run(Preprocess.log(df, "user", "item", "time"), Preprocess.Options.defaults()));
        assertEquals("row 2 of the input (user 'b', item '') has an empty item id", e.getMessage());
        e = assertThrows(DataException.class, () -> Preprocess.log(df, "user_id", "item", "time"));
        assertEquals("no column 'user_id' in the input; its columns are user, item, time", e.getMessage());
    }

    /** ISO-8601 dates and date-times in a string column (offsets, a space for the T) read as the core reads them. */
    @Test
    void isoDatesAsTheCoreReadsThem() {
        String[] times = {"2026-12-03", "2026-12-03T10:15:30", " 2026-12-03 10:15:30", "2026-12-03T10:15:30+02:00",
                "2026-12-02T23:59:59Z", "2026-12-03T10:15:30.75", "2026-12-03T10:15:30[Europe/Paris]"};
        SparkSession spark = LocalSpark.get();
        StructType text = new StructType().add("user", DataTypes.StringType).add("item", DataTypes.StringType)
                .add("time", DataTypes.StringType);
        List<Row> rows = new ArrayList<>();
        for (String t : times) rows.add(RowFactory.create("u", "i", t));
        List<Row> read = Preprocess.log(spark.createDataFrame(rows, text).repartition(1), "user", "item", "time")
                .orderBy(Preprocess.SEQ).select(Preprocess.TIME).collectAsList();
        for (int r = 0; r < times.length; r++) {
            assertEquals(InteractionLog.isoEpochSeconds(times[r].trim()), read.get(r).get(0), times[r]);
        }
        assertEquals(1796292930L, read.get(1).get(0), "UTC where no offset is given");

        List<Row> mixed = List.of(RowFactory.create("a", "x", "2026-12-03"), RowFactory.create("b", "y", "1764720000"));
        DataException e = assertThrows(DataException.class,
                () -> Preprocess.log(spark.createDataFrame(mixed, text).repartition(1), "user", "item", "time"));
        assertEquals("time column 'time' holds numbers (row 2) and dates (row 1): a time column cannot mix them", e.getMessage());
    }

    /** ML-1M as Spark reads it (GroupLens '::' text, gzip), with a k-core; and the written files read back by the core. */
    @Test
    void movieLensEqualsTheCore(@TempDir Path tmp) throws Exception {
        Path file = LocalSpark.data("ml-1m/ratings.dat.gz");
        SparkSession spark = LocalSpark.get();
        Dataset<Row> df = spark.read().option("sep", "::").csv(file.toString()); // _c0 user, _c1 movie, _c2 rating, _c3 time
        Preprocess.Options o = new Preprocess.Options(10, 20, 1230);
        Preprocess.Result r = Preprocess.run(Preprocess.log(df, "_c0", "_c1", "_c3"), o);
        org.re4j.data.Dataset core = org.re4j.data.Dataset.of("ml-1m", InteractionLog.read(List.of(file), Format.GROUPLENS, null), 10, 20);
        assertEqualsCore(core, r, o);

        Preprocess.write(r, tmp.toString(), false);
        assertSameAsCore(core, readBack(tmp, true));
        org.re4j.data.Dataset back = readBack(tmp, false);
        assertArrayEquals(core.userIds, back.userIds, "train reads the users in the same order: the same split");
        assertArrayEquals(core.itemCounts, back.itemCounts, "the same popularity ranks");
        for (int u = 0; u < core.numUsers(); u++) {
            assertArrayEquals(ids(core, core.sequences[u]), ids(back, back.sequences[u]), "user " + core.userIds[u]);
        }
        assertEquals(r.numInteractions(), spark.read().parquet(tmp.resolve("interactions").toString()).count());
        System.err.printf("preprocess ml-1m: %s; train on interactions.tsv numbers %d of %d items as here (the rest: ties in count)%n",
                r, sameItems(core, back), core.numItems());
    }

    /** Gowalla's LightGCN lines ('user item item ...', two files in order) exploded in Spark, no time: the file order. */
    @Test
    void gowallaEqualsTheCore() {
        Path train = LocalSpark.data("gowalla/train.txt"), test = LocalSpark.data("gowalla/test.txt");
        SparkSession spark = LocalSpark.get();
        Dataset<Row> lines = spark.read().text(train.toString()).union(spark.read().text(test.toString()))
                .select(split(trim(col("value")), "\\s+").as("p")).filter(size(col("p")).gt(1));
        Dataset<Row> df = lines.select(col("p").getItem(0).as("user"), explode(slice(col("p"), 2, Integer.MAX_VALUE)).as("item"));
        Preprocess.Options o = Preprocess.Options.defaults();
        Preprocess.Result r = Preprocess.run(Preprocess.log(df, "user", "item", null), o);
        assertEqualsCore(org.re4j.data.Dataset.of("gowalla", InteractionLog.read(List.of(train, test), Format.LINES, null), 0, 0), r, o);
        System.err.println("preprocess gowalla: " + r);
    }

    static void assertEqualsCore(org.re4j.data.Dataset core, Preprocess.Result r, Preprocess.Options o) {
        assertEquals(core.numItems(), r.numItems(), "items");
        assertEquals(core.numUsers(), r.numUsers(), "users");
        assertEquals(core.numInteractions(), r.numInteractions(), "interactions");
        List<Row> items = r.items().orderBy("item_index").collectAsList();
        for (int i = 1; i <= core.numItems(); i++) {
            Row x = items.get(i - 1);
            assertEquals(i, x.getLong(0));
            assertEquals(core.itemIds[i], x.getString(1), "item " + i);
            assertEquals(core.itemCounts[i], x.getLong(2), "count of item " + i);
        }
        Split split = Split.comirec(core.numUsers(), o.seed());
        String[] part = new String[core.numUsers()];
        for (int u : split.train()) part[u] = Preprocess.TRAIN;
        for (int u : split.valid()) part[u] = Preprocess.VALID;
        for (int u : split.test()) part[u] = Preprocess.TEST;
        List<Row> users = r.histories().orderBy("user_index").collectAsList();
        assertEquals(core.numUsers(), users.size());
        for (int u = 0; u < core.numUsers(); u++) {
            Row x = users.get(u);
            assertEquals(u, x.getLong(0));
            assertEquals(core.userIds[u], x.getString(1), "user " + u);
            assertEquals(part[u], x.getString(2), "split of user " + u);
            assertArrayEquals(ids(core, core.sequences[u]), x.getList(3).toArray(new String[0]), "sequence of user " + core.userIds[u]);
        }
    }

    private static String[] ids(org.re4j.data.Dataset d, int[] seq) {
        String[] s = new String[seq.length];
        for (int j = 0; j < seq.length; j++) s[j] = d.itemIds[seq[j]];
        return s;
    }

    private static int sameItems(org.re4j.data.Dataset a, org.re4j.data.Dataset b) {
        int n = 0;
        for (int i = 1; i <= a.numItems(); i++) if (a.itemIds[i].equals(b.itemIds[i])) n++;
        assertTrue(n > 0);
        return n;
    }
}
