package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.cli.CliTest.Run;
import org.re4j.eval.UserRows;

/** Per-user test rows of a run ({@code test_users.jsonl}) and {@code re4j compare} over two runs. */
class CompareTest {

    @TempDir static Path dir;
    static Path data, a, b;

    static Run train(Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "comirec-sa", "--steps", "60",
                "--eval-every", "30", "--patience", "100", "--out", out.toString(), "--no-progress"));
        args.addAll(TuneTest.SMALL);
        args.addAll(List.of(more));
        return CliTest.run(args.toArray(new String[0]));
    }

    @BeforeAll
    static void twoRuns() throws IOException {
        data = CliTest.writePlanted(dir);
        a = dir.resolve("a");
        b = dir.resolve("b");
        assertEquals(0, train(a, "--seed", "3").code());
        assertEquals(0, train(b, "--seed", "3", "--lr", "0.01").code());
    }

    @Test
    void theRowsAverageToTheTestMetrics() throws IOException {
        JsonNode test = CliTest.JSON.readTree(a.resolve("metrics.json").toFile()).path("test");
        UserRows rows = UserRows.read(a.resolve("test_users.jsonl"));
        List<String> keys = new ArrayList<>();
        test.fieldNames().forEachRemaining(keys::add);
        assertEquals(keys, rows.keys());
        assertEquals(60, rows.users().size(), "a tenth of the 600 users");
        assertTrue(rows.users().get(0).startsWith("u"), "the data's own user ids: " + rows.users().get(0));
        for (String k : keys) {
            double sum = 0;
            for (double v : rows.metric(k).values()) sum += v;
            assertEquals(test.path(k).asDouble(), sum / rows.users().size(), 1e-12, k);
        }
        Path perUser = dir.resolve("evaluated.jsonl");
        Run e = CliTest.run("evaluate", "--model", a.toString(), "--per-user", perUser.toString());
        assertEquals(0, e.code(), e.err());
        assertEquals(Files.readString(a.resolve("test_users.jsonl")), Files.readString(perUser), "evaluate writes the same rows");
    }

    @Test
    void comparesTwoRunsAndWritesTheTable() throws IOException {
        Path md = dir.resolve("cmp.md");
        Run c = CliTest.run("compare", a.toString(), b.toString(), "--out", md.toString());
        assertEquals(0, c.code(), c.err());
        String[] lines = c.out().split("\n");
        assertEquals("A = " + a + ", B = " + b, lines[0]);
        assertEquals("| metric | A | B | B − A | 95% CI | significant |", lines[2]);
        assertTrue(lines[4].startsWith("| recall@50 | "), c.out());
        assertTrue(lines[5].startsWith("| ndcg@50 | "), c.out());
        assertTrue(lines[4].endsWith(" yes |") || lines[4].endsWith(" n.s. |"), lines[4]);
        assertTrue(c.out().contains("Paired bootstrap over 60 test users: 2,000 resamples, seed 1."), c.out());
        assertEquals(c.out(), Files.readString(md));

        Run self = CliTest.run("compare", a.toString(), a.toString(), "--metric", "hitrate@20", "--resamples", "100");
        assertEquals(0, self.code(), self.err());
        assertTrue(self.out().contains("| +0.0000 | [+0.0000, +0.0000] | n.s. |"), self.out());
        assertEquals(CliTest.run("compare", a.toString(), b.toString()).out(), CliTest.run("compare", a.toString(), b.toString()).out(),
                "the same seed, the same interval");

        // A run kept with its rows gzipped (as beside a report) compares the same.
        Path kept = dir.resolve("kept");
        Files.createDirectories(kept);
        Files.copy(b.resolve("metrics.json"), kept.resolve("metrics.json"));
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(kept.resolve("test_users.jsonl.gz")))) {
            gz.write(Files.readAllBytes(b.resolve("test_users.jsonl")));
        }
        assertEquals(c.out().replace(b.toString(), kept.toString()), CliTest.run("compare", a.toString(), kept.toString()).out());
    }

    @Test
    void refusesRunsWithoutRowsOrWithOtherUsers() throws IOException {
        Path skipped = dir.resolve("skipped"), other = dir.resolve("other-seed");
        assertEquals(0, train(skipped, "--seed", "3", "--skip-test").code());
        assertFalse(Files.exists(skipped.resolve("test_users.jsonl")), "no test users, no rows");
        Run c = CliTest.run("compare", a.toString(), skipped.toString());
        assertEquals(2, c.code());
        assertEquals("re4j: error: " + skipped.resolve("test_users.jsonl") + " is missing: the run was trained without test users"
                + " (--skip-test) or before per-user rows existed ('re4j evaluate --model " + skipped + " --per-user FILE' writes them)",
                c.err().strip());

        assertEquals(0, train(other, "--seed", "4").code());
        c = CliTest.run("compare", a.toString(), other.toString());
        assertEquals(2, c.code());
        String err = c.err().strip();
        assertTrue(err.startsWith("re4j: error: " + a.resolve("test_users.jsonl") + " and " + other.resolve("test_users.jsonl")
                + ": the runs were evaluated on different users: "), err);
        assertEquals(1, err.lines().count(), err);

        c = CliTest.run("compare", a.toString(), b.toString(), "--metric", "recall@7");
        assertEquals(2, c.code());
        assertTrue(c.err().contains(a.resolve("test_users.jsonl") + ": no metric recall@7 (there are recall@20, recall@50,"), c.err());
    }
}
