package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few kills of {@code re4j train --overwrite} in a child JVM, at each point of the commit and at random times; every
 * directory left must be the whole previous model, the whole new one, nothing (with the previous model set aside and
 * put back by the next run) or refused in one line. scripts/crash-test.sh runs a hundred.
 */
class ModelDirCrashTest {

    @TempDir Path dir;

    @Test
    void killedRetrainingLeavesTheWholePreviousOrTheWholeNewModel() throws Exception {
        Path data = CliTest.writePlanted(dir);
        CrashHarness h = new CrashHarness(dir, data, List.of("--steps", "30", "--eval-every", "15", "--dim", "8",
                "--hidden", "16", "--threads", "1"));
        h.setUp(false);
        CrashHarness.Tally t = new CrashHarness.Tally();

        // Halted with everything written, before the old model moves: the old model stays.
        assertEquals("previous", h.kill(0, "commit", t));
        // Halted between the two renames: no model directory, the old one set aside ...
        assertEquals("nothing (previous set aside)", h.kill(0, "aside", t));
        CliTest.Run missing = CliTest.run("evaluate", "--model", dir.resolve("model").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("left the previous model in"), missing.err());
        // ... which the next run puts back, then refuses to replace without --overwrite.
        CliTest.Run again = CliTest.run("train", "--data", data.toString(), "--out", dir.resolve("model").toString(),
                "--steps", "20", "--no-progress", "--dim", "8", "--hidden", "16");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("put back the model") && again.err().contains("already holds a re4j model: pass --overwrite"),
                again.err());
        assertEquals("previous", h.classify(new CrashHarness.Tally()));
        // Halted after the new model is in place, before the old one is deleted: the new model.
        assertEquals("new", h.kill(0, "renamed", t));

        SplittableRandom rnd = new SplittableRandom(7);
        assertTrue(h.runMillis > 0);
        for (int i = 0; i < 3; i++) {
            String v = h.kill((long) (rnd.nextDouble() * 1.1 * h.runMillis), null, t);
            assertTrue(!v.startsWith("INCONSISTENT"), v);
        }
        assertEquals(0, t.inconsistent, t.inconsistencies.toString());
        assertEquals(t.kills, t.nothing + t.previous + t.newer + t.refused, t.line());
        assertNull(h.finish(), "an uninterrupted run replaces the model and clears what the killed ones left");
        assertTrue(h.hidden().isEmpty());
        assertTrue(Files.exists(dir.resolve("model/log.jsonl")));
    }
}
