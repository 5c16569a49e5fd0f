package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.cli.CliTest.Run;

/** Pausing a run and continuing it, and the search built on it ({@code re4j tune}). */
class TuneTest {

    @TempDir static Path dir;
    static Path data;
    static final List<String> SMALL = List.of("--dim", "8", "--hidden", "16", "--threads", "1");

    @BeforeAll
    static void data() throws IOException {
        data = CliTest.writePlanted(dir);
    }

    static Run train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--model", "comirec-sa", "--steps", "120",
                "--eval-every", "20", "--patience", "100", "--seed", "3", "--out", out.toString(), "--no-progress"));
        a.addAll(SMALL);
        a.addAll(List.of(more));
        return CliTest.run(a.toArray(new String[0]));
    }

    @Test
    void aPausedRunContinuedTwiceEndsAsTheRunNotPaused() throws IOException {
        Path whole = dir.resolve("whole"), paused = dir.resolve("paused");
        assertEquals(0, train(whole).code());
        Run p = train(paused, "--pause-at", "40");
        assertEquals(0, p.code(), p.err());
        assertEquals(40, CliTest.JSON.readTree(p.out()).path("paused_at").asLong(), p.out());
        assertFalse(Files.exists(paused.resolve("metrics.json")), "a paused run is unfinished");
        Run early = CliTest.run("train", "--resume", paused.toString(), "--pause-at", "40", "--no-progress");
        assertEquals(2, early.code());
        assertTrue(early.err().contains("--pause-at 40 is not after step 40"), early.err());
        Run mid = CliTest.run("train", "--resume", paused.toString(), "--pause-at", "100", "--no-progress");
        assertEquals(0, mid.code(), mid.err());
        Run end = CliTest.run("train", "--resume", paused.toString(), "--no-progress");
        assertEquals(0, end.code(), end.err());
        JsonNode a = CliTest.JSON.readTree(whole.resolve("metrics.json").toFile()), b = CliTest.JSON.readTree(paused.resolve("metrics.json").toFile());
        assertEquals(a.path("test"), b.path("test"));
        assertEquals(a.path("valid"), b.path("valid"));
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")), Files.readAllBytes(paused.resolve("model.safetensors")));
        assertEquals(Files.readAllLines(whole.resolve("log.jsonl")).size(), Files.readAllLines(paused.resolve("log.jsonl")).size());
    }

    @Test
    void skipTestLeavesTheTestUsersUnevaluatedAlsoWhenPausedAndResumed() throws IOException {
        Path out = dir.resolve("skip");
        assertEquals(0, train(out, "--skip-test", "--pause-at", "60").code());
        assertEquals(0, CliTest.run("train", "--resume", out.toString(), "--no-progress").code());
        JsonNode m = CliTest.JSON.readTree(out.resolve("metrics.json").toFile());
        assertTrue(m.path("test").isNull(), m.toString());
        assertTrue(m.path("valid").has("recall@50"));
    }

    static String[] tune(Path out, String space, String... more) {
        List<String> a = new ArrayList<>(List.of("tune", "--data", data.toString(), "--model", "comirec-sa", "--space", space,
                "--eta", "3", "--min-steps", "20", "--seeds", "1,2", "--out", out.toString(), "--no-progress"));
        a.addAll(List.of(more));
        a.addAll(List.of("--", "--steps", "60", "--eval-every", "20", "--patience", "100"));
        a.addAll(SMALL);
        return a.toArray(new String[0]);
    }

    @Test
    void successiveHalvingContinuesTheBestThirdSelectsOnValidUsersAndResumes() throws IOException {
        Path out = dir.resolve("tune");
        Run r = CliTest.run(tune(out, "interests=1,2,4;lr=0.0005,0.005"));
        assertEquals(0, r.code(), r.err());
        JsonNode s = CliTest.JSON.readTree(out.resolve("summary.json").toFile());
        assertEquals("[20,60]", s.path("rungs").toString());
        List<JsonNode> trials = StreamSupport.stream(s.path("trials").spliterator(), false).toList();
        assertEquals(6, trials.size());
        List<JsonNode> finished = trials.stream().filter(t -> t.path("finished").asBoolean()).toList();
        assertEquals(2, finished.size(), "⌈6/3⌉ continue past the first rung");
        assertTrue(trials.stream().filter(t -> !t.path("finished").asBoolean()).allMatch(t -> t.path("steps").asLong() == 20));
        assertEquals(6 * 20 + 2 * 40, s.path("steps_trained").asLong());
        // the two that continued were the best two at step 20 ...
        double worstKept = finished.stream().mapToDouble(t -> firstValid(out, t.path("trial").asText(), 20)).min().orElseThrow();
        for (JsonNode t : trials) {
            if (!t.path("finished").asBoolean()) assertTrue(t.path("valid_recall@50").asDouble() <= worstKept, t.toString());
        }
        // ... the selected one is the better of them on every valid user, and only it met the test users
        JsonNode selected = finished.stream().filter(t -> t.path("selected").asBoolean()).findFirst().orElseThrow();
        assertEquals(finished.stream().mapToDouble(t -> t.path("valid_recall@50").asDouble()).max().orElseThrow(),
                selected.path("valid_recall@50").asDouble());
        for (JsonNode t : finished) {
            assertTrue(CliTest.JSON.readTree(out.resolve("trials").resolve(t.path("trial").asText()).resolve("metrics.json").toFile())
                    .path("test").isNull(), "a trial does not evaluate the test users");
        }
        for (String seed : List.of("1", "2")) {
            JsonNode f = CliTest.JSON.readTree(out.resolve("final/seed" + seed + "/metrics.json").toFile());
            assertTrue(f.path("test").has("recall@50"));
            assertEquals(Long.parseLong(seed), f.path("train").path("seed").asLong());
        }
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("**selected**"));
        // The model at its defaults on the same seeds, paired with the selected configuration over the same test users
        for (String seed : List.of("1", "2")) {
            JsonNode b = CliTest.JSON.readTree(out.resolve("baseline/seed" + seed + "/metrics.json").toFile());
            assertTrue(b.path("test").has("recall@50"));
            assertEquals(4, CliTest.JSON.readTree(out.resolve("baseline/seed" + seed + "/config.json").toFile())
                    .path("model_config").path("interests").asInt(), "comirec-sa's default K");
        }
        assertTrue(md.contains("## Paired differences") && md.contains("| selected | mean ± std over 2 seeds |"), md);
        assertEquals(2, s.path("final").path("paired").size(), s.path("final").toString());
        assertEquals("defaults", s.path("final").path("paired").get(0).path("baseline").asText());

        // A finished search run again trains nothing; with its final runs gone, it trains only those.
        Run again = CliTest.run(tune(out, "interests=1,2,4;lr=0.0005,0.005"));
        assertEquals(0, again.code(), again.err());
        assertFalse(again.err().contains("re4j tune: train"), again.err());
        try (var w = Files.walk(out.resolve("final"))) {
            for (Path p : w.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
        Run finals = CliTest.run(tune(out, "interests=1,2,4;lr=0.0005,0.005"));
        assertEquals(0, finals.code(), finals.err());
        assertEquals(2, finals.err().lines().filter(l -> l.startsWith("re4j tune: train")).count(), finals.err());
        assertEquals(s.path("trials"), CliTest.JSON.readTree(out.resolve("summary.json").toFile()).path("trials"));

        Run other = CliTest.run(tune(out, "interests=1,2"));
        assertEquals(2, other.code());
        assertTrue(other.err().contains("holds another search"), other.err());
    }

    private static double firstValid(Path out, String trial, long step) {
        try {
            for (String line : Files.readAllLines(out.resolve("trials").resolve(trial).resolve("log.jsonl"))) {
                JsonNode n = CliTest.JSON.readTree(line);
                if (n.path("step").asLong() == step) return n.path("valid").path("recall@50").asDouble();
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no evaluation at step " + step);
    }

    @Test
    void aBadSpaceIsRefusedBeforeAnyTraining() {
        Path out = dir.resolve("bad");
        String[][] cases = {
                {"interests", "FLAG=VALUE"},
                {"no-such-flag=1,2", "train does not have"},
                {"interests=2,2", "repeats a value"},
                {"seed=1,2", "set by the search itself"},
                {"interests=2,x", "configuration 001"},
        };
        for (String[] c : cases) {
            Run r = CliTest.run(tune(out, c[0]));
            assertEquals(2, r.code(), c[0] + ": " + r.err());
            assertTrue(r.err().contains(c[1]), c[0] + ": " + r.err());
            assertFalse(r.err().contains("re4j tune: train"), "nothing trained");
        }
        Run random = CliTest.run(tune(out, "interests=2,4", "--sample", "random"));
        assertEquals(2, random.code());
        assertTrue(random.err().contains("needs --budget"), random.err());
        Run big = CliTest.run(tune(out, "interests=1,2,4", "--budget", "2"));
        assertEquals(2, big.code());
        assertTrue(big.err().contains("more than --budget 2"), big.err());
    }

    @Test
    void aSelectionThatIsTheDefaultsIsItsOwnBaseline() throws IOException {
        Path out = dir.resolve("defaults");
        Run r = CliTest.run(tune(out, "interests=4"));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("baseline")), "the defaults are not trained twice");
        String md = Files.readString(out.resolve("summary.md"));
        assertTrue(md.contains("the defaults row is the same runs") && md.contains("| selected | 1 | +0.0000"), md);
    }

    @Test
    void aSearchRepeatedWithOtherTrainFlagsIsRefusedNotMixedWithTheOldRuns() throws IOException {
        Path out = dir.resolve("other-flags");
        assertEquals(0, CliTest.run(tune(out, "interests=4")).code());
        String[] args = tune(out, "interests=4");
        List<String> changed = new ArrayList<>(List.of(args));
        changed.addAll(List.of("--lr", "0.003")); // after '--': every run's flags
        Run again = CliTest.run(changed.toArray(new String[0]));
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("holds a run with another train_config (train_config.adam.lr: 0.001 then, 0.003 now"),
                again.err());
        assertEquals(0, CliTest.run(args).code(), "the same command still continues");
    }

    @Test
    void randomSamplingDrawsDistinctConfigurationsFromTheSeed() throws IOException {
        Path out = dir.resolve("random");
        Run r = CliTest.run(tune(out, "interests=1,2;lr=0.001,0.002,0.005", "--sample", "random", "--budget", "2", "--baseline", "none"));
        assertEquals(0, r.code(), r.err());
        assertFalse(Files.exists(out.resolve("baseline")), "--baseline none trains no baseline");
        assertFalse(Files.readString(out.resolve("summary.md")).contains("Paired differences"));
        JsonNode t = CliTest.JSON.readTree(out.resolve("tune.json").toFile()).path("trials");
        assertEquals(2, t.size());
        assertFalse(t.get(0).equals(t.get(1)));
    }
}
