package org.re4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.re4j.config.TrainConfig;
import org.junit.jupiter.api.Test;

/** Renumbering, k-core filtering, the held-out split, training samples, statistics and the generators. */
class DatasetTest {

    static final String[] ABCDE = {"a", "b", "c", "d", "e"};

    static String[] users(int n) {
        String[] u = new String[n];
        for (int i = 0; i < n; i++) u[i] = "u" + i;
        return u;
    }

    /** The sequences as original item names. */
    static List<List<String>> named(Dataset d) {
        return Arrays.stream(d.sequences).map(s -> Arrays.stream(s).mapToObj(i -> d.itemIds[i]).toList()).toList();
    }

    // ---------------------------------------------------------------------------------------------- renumbering

    @Test
    void itemsRenumberedByDescendingCountTiesByFirstAppearance() {
        // counts: a 1, b 3, c 3, d 2, e 1 → b, c (tie: b first), d, a, e (tie: a first)
        int[][] raw = {{0, 1, 2}, {2, 1, 3}, {3, 2, 1, 4}};
        Dataset d = Dataset.build("t", users(3), ABCDE, raw, 0, 0);
        assertArrayEquals(new String[] {null, "b", "c", "d", "a", "e"}, d.itemIds);
        assertArrayEquals(new int[] {0, 3, 3, 2, 1, 1}, d.itemCounts);
        assertEquals(5, d.numItems());
        assertEquals(3, d.numUsers());
        assertEquals(10, d.numInteractions());
        assertEquals(List.of(List.of("a", "b", "c"), List.of("c", "b", "d"), List.of("d", "c", "b", "e")), named(d),
                "sequences keep their order through the renumbering");
        assertArrayEquals(new int[] {4, 1, 2}, d.sequences[0]);
    }

    @Test
    void itemsNeverSeenAreLeftOut() {
        Dataset d = Dataset.build("t", users(1), ABCDE, new int[][] {{4, 2, 4}}, 0, 0);
        assertArrayEquals(new String[] {null, "e", "c"}, d.itemIds);
        assertArrayEquals(new int[] {0, 2, 1}, d.itemCounts);
    }

    /** Counts y 2, x 2, z 1, w 1, in that order of first appearance; u1's x ties with its y at time 3. */
    static InteractionLog tieLog() {
        InteractionLog log = new InteractionLog();
        log.add("u1", "z", 7);
        log.add("u1", "y", 3);
        log.add("u2", "y", 0);
        log.add("u2", "x", 1);
        log.add("u3", "w", 5);
        log.add("u1", "x", 3); // ties with y at 3: after it
        return log;
    }

    @Test
    void ofSortsByTimeAndNumbersByFirstAppearanceInTheFile() {
        InteractionLog log = tieLog();
        Dataset d = Dataset.of("t", log, 0, 0);
        assertArrayEquals(new String[] {"u1", "u2", "u3"}, d.userIds);
        // counts y 2, x 2, z 1, w 1; ties by first appearance in the file: y before x, z before w
        assertArrayEquals(new String[] {null, "y", "x", "z", "w"}, d.itemIds);
        assertArrayEquals(new int[] {0, 2, 2, 1, 1}, d.itemCounts);
        assertEquals(List.of(List.of("y", "x", "z"), List.of("y", "x"), List.of("w")), named(d));
    }

    @Test
    void aGivenNumberingOrdersTheTiesAndIsCheckedAgainstTheData(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        InteractionLog log = tieLog();
        java.nio.file.Path f = dir.resolve("items.tsv");
        java.nio.file.Files.writeString(f, "item_index\titem_id\tcount\n1\tx\t2\n2\ty\t2\n3\tw\t1\n4\tz\t1\n");
        Dataset d = Dataset.of("t", log, 0, 0, ItemNumbering.read(f));
        // the ties in the file's order (by first appearance it would be y, x, z, w); the sequences follow
        assertArrayEquals(new String[] {null, "x", "y", "w", "z"}, d.itemIds);
        assertArrayEquals(new int[] {0, 2, 2, 1, 1}, d.itemCounts);
        assertEquals(List.of(List.of("y", "x", "z"), List.of("y", "x"), List.of("w")), named(d));

        // Without an index or count column only item_id is read; other columns are allowed; fields are read as the
        // delimited reader reads them (quotes, surrounding spaces, the header's case)
        java.nio.file.Files.writeString(f, "Item_ID\tname\n\"x\"\tX\n y\tY\nw \tW\nz\tZ\n");
        assertArrayEquals(new String[] {null, "x", "y", "w", "z"}, Dataset.of("t", log, 0, 0, ItemNumbering.read(f)).itemIds);

        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("id\nx\n", ":1: the header names no item_id column");
        bad.put("item_id\nx\ny\nw\n", ": the data's item z is not listed (3 items listed, 4 in the data)");
        bad.put("item_id\nx\ny\nw\nz\nv\n", ":6: item v is not in the data");
        bad.put("item_id\nx\nx\ny\nw\nz\n", ":3: item x is listed twice");
        bad.put("item_id\nw\nx\ny\nz\n", ":3: item x (2 interactions) after one with 1: items go by descending count");
        bad.put("item_id\tcount\nx\t2\ny\t3\nw\t1\nz\t1\n", ":3: item y has count 3 here but 2 in the data");
        bad.put("item_index\titem_id\n1\tx\n3\ty\n", ":3: item_index 3 where 2 comes next");
        bad.put("item_id\tcount\nx\n", ":2: 1 fields where the header has 2");
        for (Map.Entry<String, String> b : bad.entrySet()) {
            java.nio.file.Files.writeString(f, b.getKey());
            DataException e = assertThrows(DataException.class, () -> Dataset.of("t", log, 0, 0, ItemNumbering.read(f)), b.getKey());
            assertTrue(e.getMessage().startsWith(f + b.getValue()), e.getMessage());
        }
    }

    @Test
    void countsMatchSequences() {
        Dataset d = SyntheticData.plantedInterests(100, 60, 4, 11);
        int[] c = new int[d.numItems() + 1];
        for (int[] s : d.sequences) for (int i : s) c[i]++;
        assertArrayEquals(c, d.itemCounts);
        for (int i = 2; i <= d.numItems(); i++) assertTrue(d.itemCounts[i - 1] >= d.itemCounts[i], "descending at " + i);
        assertTrue(d.itemCounts[d.numItems()] > 0);
    }

    // ---------------------------------------------------------------------------------------------- k-core

    @Test
    void kCoreIteratesToAFixedPoint() {
        // a: u0 u1, b: u0 u1 u2, c: u2 u3, d: u3.  With min 2 on both sides:
        // d (1) goes → u3 = [c] goes → c falls to 1 and goes → u2 = [b] goes → b falls to 2 and stays.
        int[][] raw = {{0, 1}, {1, 0}, {1, 2}, {2, 3}};
        Dataset d = Dataset.build("t", users(4), ABCDE, raw, 2, 2);
        assertArrayEquals(new String[] {"u0", "u1"}, d.userIds);
        assertArrayEquals(new String[] {null, "a", "b"}, d.itemIds);
        assertArrayEquals(new int[] {0, 2, 2}, d.itemCounts);
        assertEquals(List.of(List.of("a", "b"), List.of("b", "a")), named(d));
        // Nothing filtered with the sides off.
        Dataset all = Dataset.build("t", users(4), ABCDE, raw, 0, 0);
        assertEquals(4, all.numUsers());
        assertEquals(4, all.numItems());
    }

    @Test
    void kCoreResultIsACore() {
        Dataset d = SyntheticData.plantedInterests(300, 200, 10, 5);
        String[] names = new String[d.numItems()];
        int[][] raw = new int[d.numUsers()][];
        for (int i = 1; i <= d.numItems(); i++) names[i - 1] = d.itemIds[i];
        for (int u = 0; u < raw.length; u++) raw[u] = Arrays.stream(d.sequences[u]).map(i -> i - 1).toArray();
        Dataset core = Dataset.build("core", d.userIds, names, raw, 15, 20);
        assertTrue(core.numItems() < d.numItems() && core.numUsers() < d.numUsers(), "the filter bites: " + core);
        for (int[] s : core.sequences) assertTrue(s.length >= 20);
        for (int i = 1; i <= core.numItems(); i++) assertTrue(core.itemCounts[i] >= 15);
        // A fixed point: filtering again changes nothing.
        String[] names2 = Arrays.copyOfRange(core.itemIds, 1, core.itemIds.length);
        int[][] raw2 = Arrays.stream(core.sequences).map(s -> Arrays.stream(s).map(i -> i - 1).toArray()).toArray(int[][]::new);
        Dataset again = Dataset.build("again", core.userIds, names2, raw2, 15, 20);
        assertArrayEquals(core.sequences, again.sequences);
        assertArrayEquals(core.itemIds, again.itemIds);
    }

    @Test
    void itemFilterAloneDropsUsersLeftEmpty() {
        // a 2, b 3, c 2, d 1; min item 3 keeps b only; u3 = [c, d] is left with nothing.
        int[][] raw = {{0, 1}, {1, 0}, {1, 2}, {2, 3}};
        Dataset d = Dataset.build("t", users(4), ABCDE, raw, 3, 0);
        assertArrayEquals(new String[] {"u0", "u1", "u2"}, d.userIds);
        assertArrayEquals(new String[] {null, "b"}, d.itemIds);
        assertArrayEquals(new int[] {0, 3}, d.itemCounts);
    }

    @Test
    void emptyAfterFilteringRefused() {
        int[][] raw = {{0, 1}, {1, 0}};
        DataException e = assertThrows(DataException.class, () -> Dataset.build("tiny", users(2), ABCDE, raw, 10, 0));
        assertTrue(e.getMessage().contains("tiny"), e.getMessage());
        assertThrows(DataException.class, () -> Dataset.build("tiny", users(2), ABCDE, raw, 0, 3));
        assertThrows(DataException.class, () -> Dataset.build("tiny", users(2), ABCDE, raw, -1, 0));
    }

    // ---------------------------------------------------------------------------------------------- evalSet

    @Test
    void evalSetCutsAtFloorOfEightyPercent() {
        int[] lengths = {1, 2, 4, 5, 10, 11, 3};
        int[][] raw = new int[lengths.length][];
        for (int u = 0; u < raw.length; u++) raw[u] = IntStream.range(0, lengths[u]).toArray();
        String[] items = IntStream.range(0, 11).mapToObj(Integer::toString).toArray(String[]::new);
        Dataset d = Dataset.build("t", users(raw.length), items, raw, 0, 0);
        EvalSet e = d.evalSet(new int[] {0, 1, 2, 3, 4, 5, 6}, 0.8);
        // length 1 → cut 0: skipped. 2 → 1, 4 → 3, 5 → 4, 10 → 8, 11 → 8, 3 → 2.
        assertArrayEquals(new int[] {1, 2, 3, 4, 5, 6}, e.users());
        int[] cuts = {1, 3, 4, 8, 8, 2};
        for (int r = 0; r < e.size(); r++) {
            int[] s = d.sequences[e.users()[r]];
            assertArrayEquals(Arrays.copyOfRange(s, 0, cuts[r]), e.histories()[r], "history of row " + r);
            assertArrayEquals(Arrays.copyOfRange(s, cuts[r], s.length), e.targets()[r], "targets of row " + r);
        }
        // Only the users asked for, in the order given.
        EvalSet some = d.evalSet(new int[] {5, 0, 2}, 0.8);
        assertArrayEquals(new int[] {5, 2}, some.users());
        // A small fraction leaves short users with no history.
        assertArrayEquals(new int[] {4, 5}, d.evalSet(new int[] {0, 1, 2, 3, 4, 5, 6}, 0.1).users());
        // Even a fraction just below 1 leaves every user of length ≥ 2 a target (cut == len never happens).
        EvalSet high = d.evalSet(new int[] {1, 3, 5}, 0.999);
        for (int r = 0; r < high.size(); r++) assertEquals(1, high.targets()[r].length);
        assertThrows(IllegalArgumentException.class, () -> d.evalSet(new int[] {0}, 1.0));
        assertThrows(IllegalArgumentException.class, () -> d.evalSet(new int[] {0}, 0.0));
        assertThrows(IllegalArgumentException.class, () -> d.evalSet(new int[] {0}, Double.NaN));
    }

    @Test
    void evalSetRecordValidates() {
        assertThrows(IllegalArgumentException.class, () -> new EvalSet(new int[1], new int[0][], new int[0][]));
        assertThrows(IllegalArgumentException.class, () -> new EvalSet(new int[1], new int[][] {{}}, new int[][] {{1}}));
        assertThrows(IllegalArgumentException.class, () -> new EvalSet(new int[1], new int[][] {{1}}, new int[][] {{}}));
        assertThrows(NullPointerException.class, () -> new EvalSet(null, new int[0][], new int[0][]));
    }

    // ---------------------------------------------------------------------------------------------- split

    @Test
    void comirecSplitSizesCoverAndDisjoint() {
        for (int n : new int[] {10, 103, 1000, 1}) {
            Split s = Split.comirec(n, 42);
            int nTrain = (int) Math.floor(n * 0.8), nValid = (int) Math.floor(n * 0.9) - nTrain;
            assertEquals(nTrain, s.train().length, "train of " + n);
            assertEquals(nValid, s.valid().length, "valid of " + n);
            assertEquals(n - nTrain - nValid, s.test().length, "test of " + n);
            Set<Integer> seen = new HashSet<>();
            for (int[] part : new int[][] {s.train(), s.valid(), s.test()}) {
                for (int i = 1; i < part.length; i++) assertTrue(part[i - 1] < part[i], "sorted");
                for (int u : part) assertTrue(seen.add(u), "user " + u + " in two parts");
            }
            assertEquals(n, seen.size());
            for (int u = 0; u < n; u++) assertTrue(seen.contains(u));
        }
        Split s = Split.comirec(10, 1);
        assertEquals(8, s.train().length);
        assertEquals(1, s.valid().length);
        assertEquals(1, s.test().length);
        Split s103 = Split.comirec(103, 1);
        assertEquals(82, s103.train().length);
        assertEquals(10, s103.valid().length);
        assertEquals(11, s103.test().length);
    }

    @Test
    void comirecSplitIsDeterministicPerSeed() {
        Split a = Split.comirec(500, 7), b = Split.comirec(500, 7), c = Split.comirec(500, 8);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.valid(), b.valid());
        assertArrayEquals(a.test(), b.test());
        assertFalse(Arrays.equals(a.test(), c.test()), "another seed, another split");
    }

    // ---------------------------------------------------------------------------------------------- sampler

    /** Users of lengths 3, 4, 5, 12, 30 over distinct items, so a target tells where the cut was. */
    static Dataset distinctItems() {
        int[] lengths = {3, 4, 5, 12, 30};
        int total = Arrays.stream(lengths).sum();
        int[][] raw = new int[lengths.length][];
        int next = 0;
        for (int u = 0; u < lengths.length; u++) {
            raw[u] = new int[lengths[u]];
            for (int t = 0; t < lengths[u]; t++) raw[u][t] = next++;
        }
        String[] items = IntStream.range(0, total).mapToObj(i -> "i" + i).toArray(String[]::new);
        return Dataset.build("distinct", users(lengths.length), items, raw, 0, 0);
    }

    @Test
    void trainSamplerCutsWithinBounds() {
        Dataset d = distinctItems();
        int maxLen = 8;
        TrainSampler s = new TrainSampler(d, new int[] {0, 1, 2, 3, 4}, TrainConfig.SampleMode.RANDOM_CUT, 3);
        assertEquals(3, s.numUsers(), "users with ≤ 4 items are never drawn");
        Map<Integer, int[]> where = new HashMap<>(); // item → (user, position)
        for (int u = 0; u < d.numUsers(); u++) for (int t = 0; t < d.sequences[u].length; t++) where.put(d.sequences[u][t], new int[] {u, t});
        Batch b = new Batch(64, maxLen);
        Set<String> cutsSeen = new HashSet<>();
        for (int step = 0; step < 50; step++) {
            // Stale values from an earlier batch must not survive.
            Arrays.fill(b.items, -1);
            s.next(b);
            for (int r = 0; r < b.size; r++) {
                int u = b.users[r];
                assertTrue(u >= 2, "user " + u + " has ≤ 4 items");
                int[] seq = d.sequences[u];
                int[] at = where.get(b.targets[r]);
                assertEquals(u, at[0], "target from the row's user");
                int k = at[1];
                assertTrue(k >= 4 && k < seq.length, "cut " + k);
                int len = Math.min(maxLen, k);
                assertEquals(len, b.lengths[r]);
                int[] row = Arrays.copyOfRange(b.items, r * maxLen, (r + 1) * maxLen);
                int[] expected = new int[maxLen];
                System.arraycopy(seq, k - len, expected, 0, len);
                assertArrayEquals(expected, row, "row " + r + ": the " + len + " items before the cut, then 0");
                cutsSeen.add(u + ":" + k);
            }
        }
        // Every possible cut of every drawable user turns up: 1 + 8 + 26.
        assertEquals(1 + 8 + 26, cutsSeen.size());
    }

    @Test
    void trainSamplerDrawsOnlyTrainingUsersAndIsDeterministic() {
        Dataset d = distinctItems();
        TrainSampler a = new TrainSampler(d, new int[] {2, 4}, TrainConfig.SampleMode.RANDOM_CUT, 9), b = new TrainSampler(d, new int[] {2, 4}, TrainConfig.SampleMode.RANDOM_CUT, 9),
                c = new TrainSampler(d, new int[] {2, 4}, TrainConfig.SampleMode.RANDOM_CUT, 10);
        Batch x = new Batch(16, 5), y = new Batch(16, 5), z = new Batch(16, 5);
        boolean differs = false;
        for (int step = 0; step < 10; step++) {
            a.next(x);
            b.next(y);
            c.next(z);
            assertArrayEquals(x.items, y.items);
            assertArrayEquals(x.targets, y.targets);
            assertArrayEquals(x.lengths, y.lengths);
            assertArrayEquals(x.users, y.users);
            for (int u : x.users) assertTrue(u == 2 || u == 4);
            differs |= !Arrays.equals(x.targets, z.targets);
        }
        assertTrue(differs, "another seed, other samples");
        assertThrows(DataException.class, () -> new TrainSampler(d, new int[] {0, 1}, TrainConfig.SampleMode.RANDOM_CUT, 1));
        assertThrows(IllegalArgumentException.class, () -> new Batch(0, 5));
    }

    // ---------------------------------------------------------------------------------------------- stats

    @Test
    void statsOfASmallDataset() throws Exception {
        int[][] raw = {{0}, {0, 1}, {0, 1, 2}, {0, 1, 2, 3}, {0, 1, 2, 3, 4}};
        Dataset d = Dataset.build("stairs", users(5), ABCDE, raw, 0, 0);
        DatasetStats s = DatasetStats.of(d);
        assertEquals("stairs", s.name());
        assertEquals(5, s.users());
        assertEquals(5, s.items());
        assertEquals(15, s.interactions());
        assertEquals(15 / 25.0, s.density(), 1e-12);
        assertEquals(3.0, s.meanLength(), 1e-12);
        assertEquals(1, s.minLength());
        assertEquals(3, s.medianLength());
        assertEquals(5, s.p90Length());
        assertEquals(5, s.maxLength());
        assertEquals(5, s.maxItemCount());
        assertEquals(3, s.medianItemCount());
        assertEquals(5 / 15.0, s.top1PercentShare(), 1e-12, "top 1% of 5 items is at least one item");
        assertEquals(5 / 15.0, s.top10PercentShare(), 1e-12);
        assertEquals(1, s.usersTrainable(), "only the user of length 5 has more than 4");

        JsonNode j = new ObjectMapper().readTree(s.toJson());
        assertEquals("stairs", j.get("name").asText());
        assertEquals(5, j.get("users").asInt());
        assertEquals(5, j.get("items").asInt());
        assertEquals(15, j.get("interactions").asLong());
        assertEquals(0.6, j.get("density").asDouble(), 1e-12);
        assertEquals(3, j.get("sequence_length").get("median").asInt());
        assertEquals(3.0, j.get("sequence_length").get("mean").asDouble(), 1e-12);
        assertEquals(5, j.get("item_count").get("max").asInt());
        assertEquals(1, j.get("users_with_more_than_4").asInt());
        assertTrue(s.toString().contains("stairs"));
    }

    // ---------------------------------------------------------------------------------------------- generators

    @Test
    void plantedInterestsDeterministicAndSized() {
        Dataset a = SyntheticData.plantedInterests(200, 100, 5, 7), b = SyntheticData.plantedInterests(200, 100, 5, 7),
                c = SyntheticData.plantedInterests(200, 100, 5, 8);
        assertArrayEquals(a.sequences, b.sequences);
        assertArrayEquals(a.itemIds, b.itemIds);
        assertArrayEquals(a.userIds, b.userIds);
        assertFalse(Arrays.deepEquals(a.sequences, c.sequences));
        assertEquals(200, a.numUsers());
        assertTrue(a.numItems() <= 100 && a.numItems() > 50, "items " + a.numItems());
        assertNull(a.itemIds[0]);
        for (int u = 0; u < a.numUsers(); u++) {
            assertEquals("u" + u, a.userIds[u]);
            int[] s = a.sequences[u];
            assertTrue(s.length >= 12 && s.length <= 60, "length " + s.length);
            Set<Integer> topics = new HashSet<>();
            for (int i : s) topics.add(Integer.parseInt(a.itemIds[i].substring(1)) % 5);
            assertTrue(topics.size() <= 4, "user " + u + " mixes at most 4 topics: " + topics);
        }
        assertThrows(IllegalArgumentException.class, () -> SyntheticData.plantedInterests(10, 3, 5, 1));
    }

    @Test
    void bookLikeHasBooksShape() {
        Dataset d = SyntheticData.bookLike(0.01, 1);
        assertEquals(Math.round(SyntheticData.BOOK_USERS * 0.01), d.numUsers());
        assertTrue(d.numItems() <= Math.round(SyntheticData.BOOK_ITEMS * 0.01));
        double bookMean = SyntheticData.BOOK_INTERACTIONS / (double) SyntheticData.BOOK_USERS; // ≈ 14.74
        double mean = d.numInteractions() / (double) d.numUsers();
        assertEquals(bookMean, mean, 0.15 * bookMean, "mean length");
        for (int[] s : d.sequences) assertTrue(s.length >= 5, "5-core-like");
        DatasetStats st = DatasetStats.of(d);
        assertTrue(st.top1PercentShare() > 0.05, "long tail: top 1% of items hold " + st.top1PercentShare());
        assertTrue(st.maxLength() > 4 * bookMean, "a long right tail of lengths: max " + st.maxLength());
        assertThrows(IllegalArgumentException.class, () -> SyntheticData.bookLike(0, 1));
        assertThrows(IllegalArgumentException.class, () -> SyntheticData.bookLike(1.5, 1));
    }

    @Test
    void allPrefixesVisitsEveryPrefixOncePerEpoch() {
        Dataset d = distinctItems();
        int[] users = new int[d.numUsers()];
        for (int u = 0; u < users.length; u++) users[u] = u;
        TrainSampler s = new TrainSampler(d, users, TrainConfig.SampleMode.PREFIXES, 5);
        int expected = 0;
        for (int[] seq : d.sequences) expected += seq.length - 1;
        assertEquals(expected, s.epochSize());
        Set<Integer> targets = new HashSet<>();
        Batch b = new Batch(1, 3);
        for (int i = 0; i < expected; i++) {
            s.next(b);
            assertTrue(targets.add(b.targets[0]), "each (user, k) once: items are distinct, so targets are too");
            int[] seq = d.sequences[b.users[0]];
            int k = java.util.stream.IntStream.range(0, seq.length).filter(t -> seq[t] == b.targets[0]).findFirst().getAsInt();
            assertTrue(k >= 1);
            assertEquals(Math.min(3, k), b.lengths[0]);
            assertEquals(seq[k - 1], b.items[b.lengths[0] - 1], "the history ends right before the target");
        }
        s.next(b);
        assertTrue(targets.contains(b.targets[0]), "the next epoch starts over");
    }
}
