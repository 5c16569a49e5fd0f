package org.re4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The real datasets in {@code ../shared/data} (read in place, never copied): exact sizes as published. Each test
 * skips when its file is absent, so the suite passes on a machine without them.
 */
class RealDataTest {

    static final Path DATA = Path.of("..", "shared", "data");

    static Path need(String relative) {
        Path p = DATA.resolve(relative);
        Assumptions.assumeTrue(Files.exists(p), "../shared/data/" + relative + " absent: skipping real-data test");
        return p;
    }

    static Dataset load(String name, Path... paths) {
        return Dataset.of(name, InteractionLog.read(List.of(paths), Format.detect(paths[0]), null), 0, 0);
    }

    static void assertSize(Dataset d, int users, int items, long interactions) {
        assertEquals(users, d.numUsers(), d + ": users");
        assertEquals(items, d.numItems(), d + ": items");
        assertEquals(interactions, d.numInteractions(), d + ": interactions");
    }

    @Test
    void gowallaTrainPlusTest() {
        Path train = need("gowalla/train.txt"), test = need("gowalla/test.txt");
        assertEquals(Format.LINES, Format.detect(train));
        assertSize(load("gowalla", train, test), 29_858, 40_981, 1_027_370);
    }

    @Test
    void movielens1mCut() throws IOException {
        Path p = need("ml-1m/ratings.dat.gz");
        assertEquals(Format.GROUPLENS, Format.detect(p));
        Dataset d = load("ml-1m", p);
        assertSize(d, 2_999, 3_615, 487_650);

        // Sequences are in timestamp order: read the (user, movie) → time map independently and check each user.
        // Key: user · 2^20 + movie (ML-1M ids are below 7,000 and 4,000).
        Map<Long, Long> time = new HashMap<>(1 << 20);
        try (BufferedReader r = Format.open(p)) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] f = line.split("::");
                time.put(key(f[0], f[1]), Long.parseLong(f[3]));
            }
        }
        assertEquals(487_650, time.size(), "no repeated (user, movie) pairs in ML-1M");
        for (int u = 0; u < d.numUsers(); u++) {
            long prev = Long.MIN_VALUE;
            for (int i : d.sequences[u]) {
                long t = time.get(key(d.userIds[u], d.itemIds[i]));
                assertTrue(t >= prev, "user " + d.userIds[u] + " out of order at movie " + d.itemIds[i]);
                prev = t;
            }
        }
        // Movies are numbered by popularity: the most rated movie of ML-1M's first 2,999 users comes first.
        for (int i = 2; i <= d.numItems(); i++) assertTrue(d.itemCounts[i - 1] >= d.itemCounts[i]);
    }

    static long key(String user, String movie) {
        return (Long.parseLong(user) << 20) + Long.parseLong(movie);
    }

    @Test
    void movielens100k() {
        Path p = need("ml-100k/u.data");
        assertEquals(Format.UDATA, Format.detect(p));
        assertSize(load("ml-100k", p), 943, 1_682, 100_000);
    }

    @Test
    void amazonBeauty() {
        Path p = need("amazon-beauty/Beauty.txt");
        assertEquals(Format.LINES, Format.detect(p));
        Dataset d = load("beauty", p);
        assertSize(d, 22_363, 12_101, 198_502);
        assertLinesOrderKept(p, d);
    }

    @Test
    void amazonSports() {
        Path p = need("amazon-sports/Sports_and_Outdoors.txt");
        assertEquals(Format.LINES, Format.detect(p));
        assertSize(load("sports", p), 35_598, 18_357, 296_337);
    }

    /** A LINES file's sequences are its lines, item for item. */
    static void assertLinesOrderKept(Path p, Dataset d) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Format.open(p)) {
            for (String line; (line = r.readLine()) != null && lines.size() < 500; ) if (!line.isBlank()) lines.add(line);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        for (int u = 0; u < lines.size(); u++) {
            String[] f = lines.get(u).trim().split("\\s+");
            assertEquals(f[0], d.userIds[u]);
            assertEquals(f.length - 1, d.sequences[u].length);
            for (int t = 1; t < f.length; t++) assertEquals(f[t], d.itemIds[d.sequences[u][t - 1]]);
        }
    }
}
