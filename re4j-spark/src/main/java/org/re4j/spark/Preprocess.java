package org.re4j.spark;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;

import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import org.re4j.config.TrainConfig;
import org.re4j.data.DataException;
import org.re4j.data.InteractionLog;
import org.re4j.data.Split;

/**
 * re4j's preprocessing as a Spark job, for logs too large for one machine: the same k-core filter, behaviour order,
 * popularity numbering and ComiRec 8:1:1 user split as {@code org.re4j.data.Dataset.of} and {@link Split#comirec}
 * compute on one machine, with the same result on the same data and seed.
 *
 * <p>The single-machine rules it follows, where "first appearance" is the row order of the input log:
 * <ul>
 *   <li>k-core: items with fewer than {@code minItemCount} and users with fewer than {@code minUserCount}
 *       interactions are dropped, repeatedly, until none is; duplicates count (nothing is deduplicated);</li>
 *   <li>each user's behaviours are ordered by time, ties (and a log without time) by row order;</li>
 *   <li>items are numbered 1..N by descending count, ties by first appearance in the whole log;</li>
 *   <li>users are numbered 0..U-1 by first appearance, and split by {@link Split#comirec}(U, seed), here on the
 *       driver: the split is the core's own code, and U ints are small beside the log.</li>
 * </ul>
 *
 * <p>{@link #write} puts {@code interactions.tsv} and {@code items.tsv} (what {@code re4j train --data ... --items ...}
 * reads) and Parquet tables beside them; {@link #main} does everything from files, for {@code spark-submit}.
 */
public final class Preprocess {

    /** The columns of a log as {@link #run} takes it; {@link #log} makes one from any DataFrame. */
    public static final String USER = "user", ITEM = "item", TIME = "time", SEQ = "seq";

    /** The split names in the output, by {@link Split} part. */
    public static final String TRAIN = "train", VALID = "valid", TEST = "test";

    /**
     * @param minItemCount k-core: drop items with fewer interactions (0 or 1 = off), as {@code --min-item-count}
     * @param minUserCount k-core: drop users with fewer interactions (0 or 1 = off), as {@code --min-user-count}
     * @param seed         the user split's seed: the training run's seed, so the split is the one it uses
     */
    public record Options(int minItemCount, int minUserCount, long seed) {
        public Options {
            if (minItemCount < 0 || minUserCount < 0) throw new DataException("minimum counts must be ≥ 0");
        }

        /** No k-core filter, and the seed {@code re4j train} uses by default. */
        public static Options defaults() {
            return new Options(0, 0, TrainConfig.comirec().seed());
        }
    }

    /**
     * The preprocessed data, as lazy DataFrames over the filtered log.
     *
     * @param items        item_index (1..N), item_id, count
     * @param interactions user_index, user_id, item_index, item_id, position (0 = the oldest), split
     * @param histories    user_index, user_id, split, history (item ids, oldest first: the input of {@link Re4jModel})
     */
    public record Result(Dataset<Row> items, Dataset<Row> interactions, Dataset<Row> histories,
                         long numUsers, long numItems, long numInteractions) {
        @Override
        public String toString() {
            return String.format("%,d users, %,d items, %,d interactions", numUsers, numItems, numInteractions);
        }
    }

    private Preprocess() {}

    /**
     * A log in {@link #run}'s columns from any DataFrame: ids trimmed to strings, the time as a long (numbers floored,
     * timestamps and dates as epoch seconds), and {@link #SEQ} the DataFrame's row order (for files Spark reads, the
     * file order: read several files one at a time and union them in order, as {@link #main} does).
     *
     * @param timeCol null: no time, the row order is the behaviour order
     */
    public static Dataset<Row> log(Dataset<Row> df, String userCol, String itemCol, String timeCol) {
        StructType schema = df.schema();
        for (String c : timeCol == null ? new String[] {userCol, itemCol} : new String[] {userCol, itemCol, timeCol}) {
            if (!Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new DataException("no column '" + c + "' in the input; its columns are " + String.join(", ", schema.fieldNames()));
            }
        }
        Dataset<Row> withSeq = df.withColumn(SEQ, monotonically_increasing_id()); // before anything can reorder rows
        Column time = timeCol == null ? col(SEQ) : time(col(timeCol), schema.apply(timeCol).dataType(), timeCol);
        if (timeCol != null && schema.apply(timeCol).dataType().equals(DataTypes.StringType)) refuseMixedTimes(withSeq, timeCol);
        return withSeq.select(trim(col(userCol).cast("string")).as(USER), trim(col(itemCol).cast("string")).as(ITEM),
                time.as(TIME), col(SEQ));
    }

    /** A time column as the core reads one: whole numbers, decimals floored, dates and timestamps in epoch seconds. */
    private static Column time(Column c, DataType type, String name) {
        if (type.equals(DataTypes.StringType)) return coalesce(numberTime(c), isoTime(c)); // ISO-8601 strings as the core reads them
        if (type instanceof DateType) return unix_date(c).cast("long").multiply(86_400L);
        if (type.equals(DataTypes.TimestampType) || type.equals(DataTypes.TimestampNTZType)) return floor(c.cast("double")).cast("long");
        if (type.equals(DataTypes.FloatType) || type.equals(DataTypes.DoubleType) || type instanceof DecimalType) return floor(c).cast("long");
        if (type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType) || type.equals(DataTypes.ShortType)
                || type.equals(DataTypes.ByteType)) {
            return c.cast("long");
        }
        throw new DataException("time column '" + name + "' is " + type.simpleString() + ": expected numbers, dates or timestamps");
    }

    /** A string time as a number: whole, or a decimal floored; null when it is not a number. */
    private static Column numberTime(Column c) {
        Column s = trim(c);
        return coalesce(s.try_cast("long"), floor(s.try_cast("double")).cast("long"));
    }

    /** A string time as an ISO-8601 date or date-time in epoch seconds ({@link InteractionLog#isoEpochSeconds}), or null. */
    private static Column isoTime(Column c) {
        return udf((UDF1<String, Long>) t -> t == null ? null : InteractionLog.isoEpochSeconds(t.trim()), DataTypes.LongType)
                .apply(c);
    }

    /** As the core, one time column holds numbers or dates, not both (a mix is a column read wrongly). */
    private static void refuseMixedTimes(Dataset<Row> withSeq, String timeCol) {
        Column n = numberTime(col(timeCol));
        Row r = withSeq.agg(min(when(n.isNotNull(), col(SEQ))), min(when(n.isNull().and(isoTime(col(timeCol)).isNotNull()), col(SEQ))))
                .first();
        if (!r.isNullAt(0) && !r.isNullAt(1)) {
            throw new DataException("time column '" + timeCol + "' holds numbers (row " + (r.getLong(0) + 1) + ") and dates (row "
                    + (r.getLong(1) + 1) + "): a time column cannot mix them");
        }
    }

    /** Runs the pipeline on a log with {@link #log}'s columns. */
    public static Result run(Dataset<Row> log, Options o) {
        SparkSession spark = log.sparkSession();
        Dataset<Row> all = log.select(USER, ITEM, TIME, SEQ).persist(StorageLevel.MEMORY_AND_DISK());
        refuseEmptyValues(all);

        // First appearances over the whole log: the core numbers names as it reads them, before any filtering.
        Dataset<Row> itemFirst = all.groupBy(ITEM).agg(min(SEQ).as("first")).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> userFirst = all.groupBy(USER).agg(min(SEQ).as("first")).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> kept = kCore(all, o.minItemCount(), o.minUserCount());
        long numInteractions = kept.count();
        if (numInteractions == 0) {
            throw new DataException("the log is empty after filtering (min item count " + o.minItemCount()
                    + ", min user count " + o.minUserCount() + ")");
        }

        Dataset<Row> counted = kept.groupBy(ITEM).agg(count(lit(1)).as("count")).join(itemFirst, ITEM);
        Dataset<Row> items = numbered(counted.orderBy(col("count").desc(), col("first").asc()), "item_index", 1)
                .select(col("item_index"), col(ITEM).as("item_id"), col("count")).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> users = numbered(kept.select(USER).distinct().join(userFirst, USER).orderBy("first"), "user_index", 0)
                .select(col("user_index"), col(USER).as("user_id")).persist(StorageLevel.MEMORY_AND_DISK());
        long numUsers = users.count(), numItems = items.count();
        if (numUsers > Integer.MAX_VALUE - 8) throw new DataException(numUsers + " users: more than one split can number");

        UserDefinedFunction part = splitOf(spark, Split.comirec((int) numUsers, o.seed()), (int) numUsers);
        users = users.withColumn("split", part.apply(col("user_index")));
        Dataset<Row> interactions = kept.join(items, kept.col(ITEM).equalTo(items.col("item_id")))
                .join(users, kept.col(USER).equalTo(users.col("user_id")))
                .withColumn("position", row_number().over(Window.partitionBy("user_index").orderBy(TIME, SEQ)).minus(1))
                .select("user_index", "user_id", "item_index", "item_id", "position", "split")
                .persist(StorageLevel.MEMORY_AND_DISK()); // written three ways
        Dataset<Row> histories = interactions.groupBy("user_index", "user_id", "split")
                .agg(sort_array(collect_list(struct(col("position"), col("item_id")))).as("h"))
                .select(col("user_index"), col("user_id"), col("split"), col("h.item_id").as("history"));
        return new Result(items, interactions, histories, numUsers, numItems, numInteractions);
    }

    /** The core refuses an empty id, or a time that is not a number, naming the line; here the column and the row. */
    private static void refuseEmptyValues(Dataset<Row> log) {
        List<Row> bad = log.filter(col(USER).isNull().or(col(USER).equalTo("")).or(col(ITEM).isNull())
                .or(col(ITEM).equalTo("")).or(col(TIME).isNull())).limit(1).collectAsList();
        if (bad.isEmpty()) return;
        Row r = bad.get(0);
        String what = r.isNullAt(0) || r.getString(0).isEmpty() ? "an empty user id"
                : r.isNullAt(1) || r.getString(1).isEmpty() ? "an empty item id"
                : "a time that is empty, or neither a number nor an ISO-8601 date or date-time";
        throw new DataException("row " + (r.getLong(3) + 1) + " of the input (user '" + r.get(0) + "', item '" + r.get(1)
                + "') has " + what);
    }

    /**
     * The k-core: the largest part of the log where every item has ≥ minItemCount and every user ≥ minUserCount
     * interactions. Dropping rounds reach it in any order; each round is checkpointed, so the plan stays short.
     */
    static Dataset<Row> kCore(Dataset<Row> log, int minItemCount, int minUserCount) {
        if (minItemCount <= 1 && minUserCount <= 1) return log; // every item and user of a log has one interaction
        Dataset<Row> cur = log;
        long n = cur.count();
        while (true) {
            Dataset<Row> next = cur;
            if (minItemCount > 1) next = keepFrequent(next, ITEM, minItemCount);
            if (minUserCount > 1) next = keepFrequent(next, USER, minUserCount);
            next = next.localCheckpoint();
            long m = next.count();
            if (m == n) return next;
            n = m;
            cur = next;
        }
    }

    private static Dataset<Row> keepFrequent(Dataset<Row> log, String key, int min) {
        Dataset<Row> frequent = log.groupBy(key).agg(count(lit(1)).as("n")).filter(col("n").geq(min)).select(key);
        return log.join(frequent, scala.jdk.javaapi.CollectionConverters.asScala(List.of(key)).toSeq(), "left_semi");
    }

    /** Appends {@code name} = first + the row's rank in the DataFrame's order (an exact, distributed numbering). */
    private static Dataset<Row> numbered(Dataset<Row> sorted, String name, long first) {
        StructType schema = sorted.schema().add(name, DataTypes.LongType, false);
        // Cached: zipWithIndex counts each partition first, and the sort would otherwise run twice.
        var rows = sorted.persist(StorageLevel.MEMORY_AND_DISK()).javaRDD().zipWithIndex().map(t -> {
            Object[] v = new Object[t._1().size() + 1];
            for (int i = 0; i < t._1().size(); i++) v[i] = t._1().get(i);
            v[v.length - 1] = t._2() + first;
            return RowFactory.create(v);
        });
        return sorted.sparkSession().createDataFrame(rows, schema);
    }

    /** user_index → "train", "valid" or "test", from the driver's split, broadcast once. */
    private static UserDefinedFunction splitOf(SparkSession spark, Split split, int numUsers) {
        byte[] part = new byte[numUsers]; // 0 train
        for (int u : split.valid()) part[u] = 1;
        for (int u : split.test()) part[u] = 2;
        Broadcast<byte[]> b = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(part);
        String[] names = {TRAIN, VALID, TEST};
        return udf((UDF1<Long, String>) u -> names[b.value()[(int) (long) u]], DataTypes.StringType);
    }

    /** The interactions file's name in {@link #write}'s output directory. */
    public static final String INTERACTIONS_TSV = "interactions.tsv";
    /** The item numbering's file name in {@link #write}'s output directory ({@code re4j train --items}). */
    public static final String ITEMS_TSV = "items.tsv";

    /**
     * Writes {@code out/interactions.tsv} ({@code user_id}, {@code item_id}, {@code position}; users in their order, so
     * that {@code re4j train --data out/interactions.tsv} numbers them, and splits them, as here), {@code out/items.tsv}
     * ({@code item_index}, {@code item_id}, {@code count}: with {@code --items out/items.tsv}, train numbers the items
     * as here too, ties included) and the Parquet tables {@code out/items}, {@code out/interactions} and
     * {@code out/histories}.
     */
    public static void write(Result r, String out, boolean overwrite) throws IOException {
        SaveMode mode = overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists;
        r.items().write().mode(mode).parquet(out + "/items");
        r.interactions().write().mode(mode).parquet(out + "/interactions");
        r.histories().write().mode(mode).parquet(out + "/histories");
        // One file each, as train reads them: one task writes the rows in order. Within a user, rows go by item
        // number (the position column keeps the behaviour order), which keeps the reader's tie order as close to
        // the numbering here as one file can; items.tsv settles the rest.
        oneTsv(r.interactions().select("user_index", "item_index", "user_id", "item_id", "position").repartition(1)
                .sortWithinPartitions("user_index", "item_index").select("user_id", "item_id", "position"), out, INTERACTIONS_TSV, overwrite);
        oneTsv(r.items().repartition(1).sortWithinPartitions("item_index").select("item_index", "item_id", "count"), out, ITEMS_TSV, overwrite);
    }

    /** Writes one partition's rows as {@code out/name}, tab-separated with a header. */
    private static void oneTsv(Dataset<Row> rows, String out, String name, boolean overwrite) throws IOException {
        String tmp = out + "/." + name + ".parts";
        rows.write().mode(SaveMode.Overwrite).option("sep", "\t").option("header", true).option("escape", "\"").csv(tmp);
        Path dir = new Path(tmp), target = new Path(out, name);
        FileSystem fs = dir.getFileSystem(rows.sparkSession().sparkContext().hadoopConfiguration());
        FileStatus[] parts = fs.globStatus(new Path(dir, "part-*"));
        if (parts == null || parts.length != 1) throw new IOException(tmp + ": expected one part file, found " + (parts == null ? 0 : parts.length));
        if (fs.exists(target)) {
            if (!overwrite) throw new IOException(target + " exists: pass --overwrite to replace it");
            fs.delete(target, false);
        }
        if (!fs.rename(parts[0].getPath(), target)) throw new IOException("cannot move " + parts[0].getPath() + " to " + target);
        fs.delete(dir, true);
    }

    /** {@code spark-submit --class org.re4j.spark.Preprocess re4j-spark.jar --input ... --out DIR}. */
    @Command(name = "preprocess", mixinStandardHelpOptions = true,
            description = "re4j's k-core filter, popularity numbering and 8:1:1 user split on Spark; writes interactions.tsv "
                    + "and items.tsv for 're4j train --data ... --items ...', and Parquet tables.")
    static final class Cli implements Callable<Integer> {
        @Option(names = "--input", required = true, split = ",", paramLabel = "PATH",
                description = "Interaction file(s) or folders, read in this order.")
        List<String> input = new ArrayList<>();
        @Option(names = "--format", defaultValue = "parquet", description = "Any format Spark reads: parquet, csv, json, orc, ... (default: ${DEFAULT-VALUE}).")
        String format;
        @Option(names = "--option", paramLabel = "KEY=VALUE", description = "A reader option, e.g. header=true or sep=::.")
        java.util.Map<String, String> options = new java.util.LinkedHashMap<>();
        @Option(names = "--user-col", defaultValue = "user_id", description = "User column (default: ${DEFAULT-VALUE}).")
        String userCol;
        @Option(names = "--item-col", defaultValue = "item_id", description = "Item column (default: ${DEFAULT-VALUE}).")
        String itemCol;
        @Option(names = "--time-col", description = "Time column (numbers, ISO-8601 dates or date-times, dates or timestamps); none: the file order.")
        String timeCol;
        @Option(names = "--min-item-count", defaultValue = "0", description = "k-core: drop items with fewer interactions.")
        int minItemCount;
        @Option(names = "--min-user-count", defaultValue = "0", description = "k-core: drop users with fewer interactions.")
        int minUserCount;
        @Option(names = "--seed", description = "The user split's seed (default: re4j train's, 1230).")
        Long seed;
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
        String out;
        @Option(names = "--overwrite", description = "Replace what is in --out.")
        boolean overwrite;

        @Override
        public Integer call() throws IOException {
            SparkSession spark = SparkSession.builder().appName("re4j preprocess").getOrCreate();
            Dataset<Row> df = null;
            for (String p : input) { // one at a time: a reader given several files orders them by size, not as given
                DataFrameReader reader = spark.read().format(format).options(options);
                Dataset<Row> one = reader.load(p);
                df = df == null ? one : df.unionByName(one);
            }
            Options o = new Options(minItemCount, minUserCount, seed != null ? seed : TrainConfig.comirec().seed());
            Result r = run(log(df, userCol, itemCol, timeCol), o);
            write(r, out, overwrite);
            System.err.println("re4j: " + r + " written to " + out + " (" + INTERACTIONS_TSV + ", " + ITEMS_TSV + " and Parquet)");
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (!(e instanceof DataException) && !(e instanceof IOException)) throw e;
            cmd.getErr().println("re4j: " + e.getMessage());
            return 2;
        }).execute(args));
    }
}
