package org.re4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PairedTest {

    /** n users with values drawn from a seed, plus {@code shift}. */
    static Map<String, Double> values(int n, long seed, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        Map<String, Double> m = new LinkedHashMap<>();
        for (int u = 0; u < n; u++) m.put("u" + u, r.nextDouble() + shift);
        return m;
    }

    @Test
    void identicalRunsDifferByNothing() {
        Map<String, Double> a = values(200, 1, 0);
        Paired.Result p = Paired.compare(a, new LinkedHashMap<>(a));
        assertEquals(0, p.diff());
        assertEquals(0, p.lo());
        assertEquals(0, p.hi());
        assertFalse(p.significant());
        assertEquals(200, p.users());
        assertEquals(Paired.RESAMPLES, p.resamples());
        assertEquals(Paired.SEED, p.seed());
    }

    @Test
    void aConstantShiftIsTheWholeInterval() {
        Map<String, Double> a = values(150, 2, 0), b = new LinkedHashMap<>();
        a.forEach((u, v) -> b.put(u, v + 0.125)); // a power of two: every user's difference is exactly the shift
        Paired.Result p = Paired.compare(a, b, 500, 7);
        assertEquals(0.125, p.diff(), 1e-12);
        assertEquals(0.125, p.lo(), 1e-12);
        assertEquals(0.125, p.hi(), 1e-12);
        assertTrue(p.significant());
        Paired.Result down = Paired.compare(b, a, 500, 7);
        assertEquals(-0.125, down.hi(), 1e-12);
        assertTrue(down.significant(), "an interval below 0 excludes it too");
    }

    @Test
    void theIntervalHoldsTheDifferenceAndIsDeterministicForASeed() {
        Map<String, Double> a = values(300, 3, 0), b = values(300, 4, 0);
        Paired.Result p = Paired.compare(a, b, 1000, 5), q = Paired.compare(a, b, 1000, 5);
        assertEquals(p, q);
        assertTrue(p.lo() < p.diff() && p.diff() < p.hi(), p.toString());
        assertFalse(p.significant(), "two draws of the same distribution: " + p);
        Map<String, Double> reversed = new LinkedHashMap<>();
        List<String> users = new java.util.ArrayList<>(a.keySet());
        java.util.Collections.reverse(users);
        for (String u : users) reversed.put(u, a.get(u));
        assertEquals(p, Paired.compare(reversed, b, 1000, 5), "the users' order does not change the draws");
        assertNotEquals(p.lo(), Paired.compare(a, b, 1000, 6).lo(), "another seed, other resamples");
    }

    @Test
    void refusesOtherUsersAndNoUsers() {
        Map<String, Double> a = values(10, 1, 0), b = values(12, 1, 0);
        b.remove("u0");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Paired.compare(a, b));
        assertEquals("the runs were evaluated on different users: 1 of A's 10 users are not B's, 2 of B's 11 are not A's"
                + " (compare runs on the same data and seed)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Paired.compare(Map.of(), Map.of()));
        assertEquals("no users to compare (A has none)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Paired.compare(a, a, 0, 1));
    }

    @Test
    void userRowsRoundTrip(@TempDir Path dir) throws Exception {
        UserRows r = new UserRows(List.of("recall@20", "ndcg@20"), List.of("x", "7"), new double[][] {{0.5, 1.0 / 3}, {0, 0.25}});
        Path f = dir.resolve("rows.jsonl");
        r.write(f);
        assertEquals("{\"user\":\"x\",\"recall@20\":0.5,\"ndcg@20\":0.3333333333333333}\n{\"user\":\"7\",\"recall@20\":0.0,\"ndcg@20\":0.25}\n",
                java.nio.file.Files.readString(f));
        UserRows back = UserRows.read(f);
        assertEquals(r.keys(), back.keys());
        assertEquals(r.users(), back.users());
        assertEquals(1.0 / 3, back.metric("ndcg@20").get("x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> back.metric("recall@50"));
        assertEquals("no metric recall@50 (there are recall@20, ndcg@20)", e.getMessage());
        java.nio.file.Files.writeString(f, "{\"user\":\"x\",\"recall@20\":1}\n{\"user\":\"x\",\"recall@20\":0}\n");
        Exception dup = assertThrows(java.io.IOException.class, () -> UserRows.read(f));
        assertEquals(f + ":2: user x appears twice", dup.getMessage());
    }
}
