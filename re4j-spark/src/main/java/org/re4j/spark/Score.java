package org.re4j.spark;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spark-submit --class org.re4j.spark.Score re4j-spark.jar --model DIR --input histories --out recs}: every
 * user's interests and top-N with {@link Re4jModel}, written as Parquet. The input is any table with an
 * array&lt;string&gt; history column, such as the {@code histories} table {@link Preprocess} writes.
 */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = "Each user's K interest vectors and top-N items from a re4j model directory, on Spark.")
public final class Score implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A directory written by 're4j train' (on the driver).")
    Path model;
    @Option(names = "--input", required = true, paramLabel = "PATH", description = "User histories (Parquet by default).")
    String input;
    @Option(names = "--format", defaultValue = "parquet", description = "The input's format (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = "--history-col", defaultValue = "history", description = "Item ids, oldest first (default: ${DEFAULT-VALUE}).")
    String historyCol;
    @Option(names = "-n", defaultValue = "50", description = "Items per user (default: ${DEFAULT-VALUE}).")
    int n;
    @Option(names = "--exclude-history", description = "Do not recommend items of the history.")
    boolean excludeHistory;
    @Option(names = "--users-per-block", defaultValue = "1",
            description = "Users scored together: 1 gives recommend's numbers to the bit, more is faster (default: ${DEFAULT-VALUE}).")
    int usersPerBlock;
    @Option(names = "--no-interests", description = "Write only the recommendations.")
    boolean noInterests;
    @Option(names = "--out", required = true, paramLabel = "PATH", description = "Output Parquet.")
    String out;
    @Option(names = "--overwrite", description = "Replace --out.")
    boolean overwrite;

    @Override
    public Integer call() throws Exception {
        SparkSession spark = SparkSession.builder().appName("re4j score").getOrCreate();
        Re4jModel stage = Re4jModel.fromModelDir(model).setHistoryCol(historyCol).setTopN(n).setExcludeHistory(excludeHistory)
                .setUsersPerBlock(usersPerBlock).setInterestsCol(noInterests ? "" : "interests");
        Dataset<Row> histories = spark.read().format(format).load(input);
        stage.transform(histories).write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out);
        System.err.println("re4j: scored " + input + " with " + model + " into " + out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Score()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (!(e instanceof IllegalArgumentException) && !(e instanceof java.io.IOException)) throw e;
            cmd.getErr().println("re4j: " + e.getMessage());
            return 2;
        }).execute(args));
    }
}
