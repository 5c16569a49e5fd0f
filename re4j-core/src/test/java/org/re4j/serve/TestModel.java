package org.re4j.serve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.SyntheticData;
import org.re4j.model.ComiRecSA;
import org.re4j.train.TrainRun;

/** A small trained model shared by the server tests (trained once per test JVM, deleted at exit). */
final class TestModel {

    private static Path dir;

    private TestModel() {}

    /** The model directory: ComiRec-SA, K 4, d 16, on planted-interest data (400 users, 120 items). */
    static synchronized Path dir() throws Exception {
        if (dir == null) {
            Path root = Files.createTempDirectory("re4j-serve-test");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            Dataset ds = SyntheticData.plantedInterests(400, 120, 6, 2);
            TrainConfig tc = TrainConfig.comirec().withBatchSize(64).withSteps(100).withNegatives(64).withEvalEvery(100)
                    .withPatience(2).withSeed(1);
            Path model = root.resolve("model");
            TrainRun.run(new TrainRun.Spec(ComiRecSA.Config.comirec(ds.numItems()).withDim(16).withHidden(32), tc), ds, model,
                    new TrainRun.Options(false, 1, Map.of()));
            dir = model;
        }
        return dir;
    }

    /** Original item ids, line i = item i (line 0 is padding). */
    static String[] items() throws Exception {
        return Files.readAllLines(dir().resolve("items.txt")).toArray(new String[0]);
    }

    private static void delete(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
