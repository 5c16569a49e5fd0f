package org.re4j.spark;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import org.re4j.eval.ItemTiles;
import org.re4j.eval.TopN;
import org.re4j.io.ModelDir;
import org.re4j.model.Models;
import org.re4j.model.Recommender;

/**
 * A trained re4j model as a Spark ML {@link Transformer}: a DataFrame of user histories (item ids, oldest first, as
 * {@code re4j recommend --history} takes them) in, each user's K interest vectors and exact top-N items out, the same
 * numbers as {@code re4j embed-users} and {@code re4j recommend} give for the same histories.
 *
 * <p>The model directory's files are broadcast once; each executor loads them once (through the core's model
 * loading, which checks them) and scores its partitions in blocks of users with the core's {@link TopN}. History
 * items outside the catalogue are skipped; a history with none inside gets the most popular items, with null score
 * and interest and null interests, as {@code recommend} answers it.
 *
 * <p>Saved ({@link #write}) as Spark's small metadata file (the column names, N) beside a copy of the re4j model
 * directory, so a saved stage is a model directory any re4j command reads; it loads with {@link #load} or inside a
 * {@code PipelineModel}.
 */
public final class Re4jModel extends Transformer implements MLWritable {

    /** A recommended item; score and interest are null for the popularity fallback. */
    public static final StructType RECOMMENDATION = new StructType()
            .add("item", DataTypes.StringType, false)
            .add("score", DataTypes.FloatType, true)
            .add("interest", DataTypes.IntegerType, true);

    /** Where a saved stage keeps its re4j model directory. */
    public static final String MODEL = "model";

    private final String uid;
    private final ModelFiles files;
    private final int numInterests, dim;
    private transient Broadcast<ModelFiles> broadcast;

    private final Param<String> historyCol, interestsCol, recommendationsCol;
    private final IntParam topN, usersPerBlock;
    private final BooleanParam excludeHistory;

    private Re4jModel(String uid, ModelFiles files, int numInterests, int dim) {
        this.uid = uid;
        this.files = files;
        this.numInterests = numInterests;
        this.dim = dim;
        historyCol = new Param<>(this, "historyCol", "input: item ids, oldest first (array<string>)");
        interestsCol = new Param<>(this, "interestsCol", "output: the K interest vectors (array<array<float>>); empty: none");
        recommendationsCol = new Param<>(this, "recommendationsCol",
                "output: the top-N items, best first (array<struct<item, score, interest>>); empty: none");
        topN = new IntParam(this, "topN", "items per user (≥ 1)", ParamValidators.gtEq(1));
        usersPerBlock = new IntParam(this, "usersPerBlock", "users scored together in one BLAS call (≥ 1)", ParamValidators.gtEq(1));
        excludeHistory = new BooleanParam(this, "excludeHistory", "never recommend an item of the history");
        setDefault(historyCol, "history");
        setDefault(interestsCol, "interests");
        setDefault(recommendationsCol, "recommendations");
        setDefault(topN, 50);
        setDefault(usersPerBlock, 1);
        setDefault(excludeHistory, false);
    }

    /** Loads a directory written by {@code re4j train} (on the driver's file system), checked as every re4j command checks it. */
    public static Re4jModel fromModelDir(Path dir) throws IOException {
        return fromModelDir(dir, Identifiable.randomUID("re4j"));
    }

    private static Re4jModel fromModelDir(Path dir, String uid) throws IOException {
        ModelFiles f = ModelFiles.read(dir);
        Scorer s = f.scorer(); // loads it here too: a bad directory fails now, not on an executor
        return new Re4jModel(uid, f, s.model.numInterests(), s.model.dim());
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> historyCol() { return historyCol; }
    public Param<String> interestsCol() { return interestsCol; }
    public Param<String> recommendationsCol() { return recommendationsCol; }
    public IntParam topN() { return topN; }
    public IntParam usersPerBlock() { return usersPerBlock; }
    public BooleanParam excludeHistory() { return excludeHistory; }

    public Re4jModel setHistoryCol(String v) { set(historyCol, v); return this; }
    public Re4jModel setInterestsCol(String v) { set(interestsCol, v); return this; }
    public Re4jModel setRecommendationsCol(String v) { set(recommendationsCol, v); return this; }
    public Re4jModel setTopN(int v) { set(topN, v); return this; }
    public Re4jModel setUsersPerBlock(int v) { set(usersPerBlock, v); return this; }
    public Re4jModel setExcludeHistory(boolean v) { set(excludeHistory, v); return this; }

    /** K, interest vectors per user. */
    public int numInterests() { return numInterests; }

    /** d, the length of each interest vector. */
    public int dim() { return dim; }

    /** The model id (config.json's model_id), or null for a model saved before ids. */
    public String modelId() { return files.modelId(); }

    @Override
    public StructType transformSchema(StructType schema) {
        String h = $(historyCol);
        if (!List.of(schema.fieldNames()).contains(h)) {
            throw new IllegalArgumentException("no history column '" + h + "' in [" + String.join(", ", schema.fieldNames()) + "]: set it with setHistoryCol");
        }
        if (!schema.apply(h).dataType().equals(DataTypes.createArrayType(DataTypes.StringType))
                && !schema.apply(h).dataType().equals(DataTypes.createArrayType(DataTypes.StringType, false))) {
            throw new IllegalArgumentException("history column '" + h + "' is " + schema.apply(h).dataType().simpleString()
                    + ", expected array<string> (item ids, oldest first)");
        }
        StructType out = schema;
        if (!$(interestsCol).isEmpty()) out = add(out, $(interestsCol), DataTypes.createArrayType(DataTypes.createArrayType(DataTypes.FloatType, false), false));
        if (!$(recommendationsCol).isEmpty()) out = add(out, $(recommendationsCol), DataTypes.createArrayType(RECOMMENDATION, false));
        if (out == schema) throw new IllegalArgumentException("interestsCol and recommendationsCol are both empty: nothing to compute");
        return out;
    }

    private static StructType add(StructType schema, String name, ArrayType type) {
        if (List.of(schema.fieldNames()).contains(name)) throw new IllegalArgumentException("output column '" + name + "' already exists");
        return schema.add(new StructField(name, type, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType in = dataset.schema(), out = transformSchema(in);
        if (broadcast == null) broadcast = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(files);
        Scoring how = new Scoring(in.fieldIndex($(historyCol)), in.size(), (Integer) $(topN), (Boolean) $(excludeHistory),
                (Integer) $(usersPerBlock), !$(interestsCol).isEmpty(), !$(recommendationsCol).isEmpty());
        return dataset.toDF().mapPartitions(score(broadcast, how), Encoders.row(out));
    }

    /** What a partition needs to know, apart from the model: no reference to this stage, which holds the weights. */
    private record Scoring(int historyIndex, int inputColumns, int n, boolean excludeHistory, int block,
                           boolean interests, boolean recommendations) implements Serializable {}

    private static MapPartitionsFunction<Row, Row> score(Broadcast<ModelFiles> model, Scoring how) {
        return rows -> new ScoredRows(model.value().scorer(), how, rows);
    }

    /** Scores a partition block by block, rows in their input order. */
    private static final class ScoredRows implements Iterator<Row> {
        private final Scorer scorer;
        private final Scoring how;
        private final Iterator<Row> rows;
        private final TopN top;
        private final int k, d, maxLen;
        private final int[] hist, len, filled, slot;
        private final int[][] items, interests, exclude;
        private final float[][] scores;
        private final List<Row> block = new ArrayList<>(), ready = new ArrayList<>();
        private int next;

        ScoredRows(Scorer scorer, Scoring how, Iterator<Row> rows) {
            this.scorer = scorer;
            this.how = how;
            this.rows = rows;
            Recommender m = scorer.model;
            this.top = new TopN(m, scorer.tiles(), how.block(), how.n());
            this.k = m.numInterests();
            this.d = m.dim();
            this.maxLen = m.maxLen();
            this.hist = new int[how.block() * maxLen];
            this.len = new int[how.block()];
            this.filled = new int[how.block()];
            this.slot = new int[how.block()];
            this.items = new int[how.block()][top.depth()];
            this.interests = new int[how.block()][top.depth()];
            this.scores = new float[how.block()][top.depth()];
            this.exclude = how.excludeHistory() ? new int[how.block()][] : null;
        }

        @Override
        public boolean hasNext() {
            if (next < ready.size()) return true;
            if (!rows.hasNext()) return false;
            block.clear();
            while (block.size() < how.block() && rows.hasNext()) block.add(rows.next());
            scoreBlock();
            return true;
        }

        @Override
        public Row next() {
            if (!hasNext()) throw new NoSuchElementException();
            return ready.get(next++);
        }

        private void scoreBlock() {
            ready.clear();
            next = 0;
            java.util.Arrays.fill(hist, 0);
            int users = 0;
            for (int r = 0; r < block.size(); r++) {
                int[] ids = scorer.known(block.get(r), how.historyIndex());
                if (ids.length == 0) {
                    slot[r] = -1; // nothing to encode: the popularity fallback
                    continue;
                }
                int l = Math.min(maxLen, ids.length);
                System.arraycopy(ids, ids.length - l, hist, users * maxLen, l);
                len[users] = l;
                if (exclude != null) exclude[users] = ids;
                slot[r] = users++;
            }
            if (users > 0) top.search(hist, len, users, exclude, items, scores, interests, filled);
            float[] z = top.interests();
            for (int r = 0; r < block.size(); r++) {
                Row in = block.get(r);
                Object[] v = new Object[how.inputColumns() + (how.interests() ? 1 : 0) + (how.recommendations() ? 1 : 0)];
                for (int c = 0; c < how.inputColumns(); c++) v[c] = in.get(c);
                int at = how.inputColumns(), u = slot[r];
                if (how.interests()) {
                    List<float[]> vectors = null;
                    if (u >= 0) {
                        vectors = new ArrayList<>(k);
                        for (int q = 0; q < k; q++) vectors.add(java.util.Arrays.copyOfRange(z, (u * k + q) * d, (u * k + q + 1) * d));
                    }
                    v[at++] = vectors == null ? null : seq(vectors);
                }
                if (how.recommendations()) v[at] = seq(u >= 0 ? recommended(u) : scorer.popular(how.n()));
                ready.add(RowFactory.create(v));
            }
        }

        /** Rows hold arrays as Scala sequences. */
        private static scala.collection.immutable.Seq<?> seq(List<?> l) {
            return scala.jdk.javaapi.CollectionConverters.asScala(l).toSeq();
        }

        private List<Row> recommended(int u) {
            List<Row> out = new ArrayList<>(filled[u]);
            for (int j = 0; j < filled[u]; j++) out.add(RowFactory.create(scorer.items[items[u][j]], scores[u][j], interests[u][j]));
            return out;
        }
    }

    /** A loaded model on one JVM: the recommender and its catalogue. Thread-safe (encoding is). */
    private static final class Scorer {
        final Recommender model;
        final String[] items;
        final Map<String, Integer> index = new HashMap<>();
        private ItemTiles tiles; // built on the first scoring, then shared by the executor's tasks

        Scorer(Recommender model, String[] items) {
            this.model = model;
            this.items = items;
            for (int i = 1; i < items.length; i++) index.put(items[i], i);
        }

        synchronized ItemTiles tiles() {
            if (tiles == null) tiles = ItemTiles.of(model);
            return tiles;
        }

        /** The history's items in the catalogue, oldest first; the others are skipped, as {@code recommend} skips them. */
        int[] known(Row row, int column) {
            if (row.isNullAt(column)) return new int[0];
            List<String> h = row.getList(column);
            int[] ids = new int[h.size()];
            int n = 0;
            for (String s : h) {
                Integer id = s == null ? null : index.get(s.trim());
                if (id != null) ids[n++] = id;
            }
            return java.util.Arrays.copyOf(ids, n);
        }

        /** Items are numbered by descending popularity: the first n are the most popular. */
        List<Row> popular(int n) {
            List<Row> out = new ArrayList<>();
            for (int i = 1; i <= Math.min(n, model.numItems()); i++) out.add(RowFactory.create(items[i], null, null));
            return out;
        }
    }

    /**
     * The files of a model directory as bytes: what is broadcast, and what {@link #write} writes back. An executor
     * writes them to a temporary directory once and loads that as the core loads any model directory.
     */
    record ModelFiles(String modelId, String key, byte[] config, byte[] items, byte[] params) implements Serializable {

        static final String[] NAMES = {ModelDir.CONFIG, ModelDir.ITEMS, ModelDir.PARAMS};
        /** Models loaded on this JVM, by {@link #key}: one load per executor, whatever the number of tasks. */
        private static final Map<String, Scorer> LOADED = new ConcurrentHashMap<>();

        static ModelFiles read(Path dir) throws IOException {
            JsonNode config = ModelDir.readConfig(dir); // refuses a directory whose files disagree
            byte[] params = Files.readAllBytes(dir.resolve(ModelDir.PARAMS));
            String id = config.hasNonNull(ModelDir.MODEL_ID) ? config.get(ModelDir.MODEL_ID).asText() : null;
            return new ModelFiles(id, id != null ? id : sha256(params), Files.readAllBytes(dir.resolve(ModelDir.CONFIG)),
                    Files.readAllBytes(dir.resolve(ModelDir.ITEMS)), params);
        }

        byte[] file(String name) {
            return name.equals(ModelDir.CONFIG) ? config : name.equals(ModelDir.ITEMS) ? items : params;
        }

        void writeTo(Path dir) throws IOException {
            Files.createDirectories(dir);
            for (String name : NAMES) Files.write(dir.resolve(name), file(name));
        }

        Scorer scorer() {
            return LOADED.computeIfAbsent(key, k -> {
                try {
                    Path tmp = Files.createTempDirectory("re4j-model-");
                    try {
                        writeTo(tmp);
                        JsonNode c = ModelDir.readConfig(tmp);
                        int numItems = c.path("num_items").asInt();
                        return new Scorer(Models.load(tmp, c, numItems), ModelDir.readItems(tmp, numItems));
                    } finally {
                        for (String name : NAMES) Files.deleteIfExists(tmp.resolve(name));
                        Files.deleteIfExists(tmp);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }

        private static String sha256(byte[] b) {
            try {
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
            } catch (NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public Re4jModel copy(ParamMap extra) {
        Re4jModel m = new Re4jModel(uid, files, numInterests, dim);
        m.broadcast = broadcast;
        return copyValues(m, extra);
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    public static MLReader<Re4jModel> read() {
        return new Reader();
    }

    /** Reads a stage saved by {@link #write} (any Hadoop path). */
    public static Re4jModel load(String path) {
        return read().load(path);
    }

    /** Spark's metadata (class, uid, params) in PATH/metadata; the re4j model directory in PATH/model. */
    private static final class Writer extends MLWriter {
        private final Re4jModel stage;

        Writer(Re4jModel stage) {
            this.stage = stage;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(stage, path, sparkSession());
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path, MODEL);
            try {
                FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                fs.mkdirs(dir);
                for (String name : ModelFiles.NAMES) {
                    try (var out = fs.create(new org.apache.hadoop.fs.Path(dir, name), true)) {
                        out.write(stage.files.file(name));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    private static final class Reader extends MLReader<Re4jModel> {
        @Override
        public Re4jModel load(String path) {
            DefaultParamsReader.Metadata meta = DefaultParamsReader.loadMetadata(path, sparkSession(), Re4jModel.class.getName());
            org.apache.hadoop.fs.Path dir = new org.apache.hadoop.fs.Path(path, MODEL);
            try {
                Path local = Files.createTempDirectory("re4j-stage-");
                try {
                    FileSystem fs = dir.getFileSystem(sc().hadoopConfiguration());
                    for (String name : ModelFiles.NAMES) {
                        try (var in = fs.open(new org.apache.hadoop.fs.Path(dir, name))) {
                            Files.copy(in, local.resolve(name));
                        }
                    }
                    Re4jModel m = fromModelDir(local, meta.uid());
                    meta.getAndSetParams(m, scala.Option.empty());
                    return m;
                } finally {
                    for (String name : ModelFiles.NAMES) Files.deleteIfExists(local.resolve(name));
                    Files.deleteIfExists(local);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(path + ": " + e.getMessage(), e);
            }
        }
    }
}
