package org.re4j.spark.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import org.re4j.data.Format;
import org.re4j.data.InteractionLog;
import org.re4j.spark.Re4jModel;

/**
 * Batch-scoring throughput of {@link Re4jModel} in local[2]: every user of a data file, top-N and interests, each
 * block size timed after a warm-up pass. Prints one JSON line per block size. Run by scripts/bench-spark.sh.
 * Usage: ScoringBench MODEL_DIR DATA_FILE N BLOCK...
 */
public final class ScoringBench {
    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]), file = Path.of(args[1]);
        int n = Integer.parseInt(args[2]);
        org.re4j.data.Dataset data = org.re4j.data.Dataset.of("bench", InteractionLog.read(List.of(file), Format.detect(file), null), 0, 0);
        SparkSession spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", false)
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("ERROR");
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            List<String> h = new ArrayList<>();
            for (int i : data.sequences[u]) h.add(data.itemIds[i]);
            rows.add(RowFactory.create(data.userIds[u], h));
        }
        StructType schema = new StructType().add("user", DataTypes.StringType).add("history", DataTypes.createArrayType(DataTypes.StringType));
        Dataset<Row> histories = spark.createDataFrame(rows, schema).repartition(2).cache();
        histories.count();
        Re4jModel stage = Re4jModel.fromModelDir(model).setTopN(n);
        for (int a = 3; a < args.length; a++) {
            int block = Integer.parseInt(args[a]);
            stage.setUsersPerBlock(block);
            stage.transform(histories).write().format("noop").mode("overwrite").save(); // warm-up: JIT, model load
            long t0 = System.nanoTime();
            stage.transform(histories).write().format("noop").mode("overwrite").save();
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf("{\"bench\":\"spark-score\",\"master\":\"local[2]\",\"users\":%d,\"items\":%d,\"n\":%d,\"users_per_block\":%d,"
                    + "\"seconds\":%.2f,\"users_per_s\":%.0f}%n", data.numUsers(), data.numItems(), n, block, s, data.numUsers() / s);
        }
        spark.stop();
    }
}
