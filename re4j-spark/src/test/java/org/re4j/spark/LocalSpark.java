package org.re4j.spark;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;

/** One local[2] Spark session for all of the module's tests (starting one takes seconds). */
final class LocalSpark {

    /** The shared data sets, read in place from the repository root's sibling folder. */
    static final Path DATA = Path.of("..", "shared", "data");

    private static SparkSession spark;

    private LocalSpark() {}

    static synchronized SparkSession get() {
        if (spark == null) {
            spark = SparkSession.builder().master("local[2]").appName("re4j-spark tests")
                    .config("spark.ui.enabled", false)
                    .config("spark.sql.shuffle.partitions", 4)
                    .config("spark.default.parallelism", 2)
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("ERROR");
        }
        return spark;
    }

    /** A shared data file, or the test is skipped. */
    static Path data(String relative) {
        Path p = DATA.resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "../shared/data/" + relative + " absent: skipping real-data test");
        return p;
    }
}
