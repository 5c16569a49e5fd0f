package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.io.ModelDir;
import org.re4j.io.SafeTensors;

/**
 * A run killed right after a checkpoint (a child JVM halted as by kill -9), then {@code train --resume}: it ends with
 * the parameters, log and metrics of the same run not interrupted. Re4 with all three flows on two workers, so that
 * the sampler's, the negatives' and Re-contrast's random streams and Adam's moments all have to come back.
 */
class ResumeTest {

    @TempDir static Path dir;
    static Path data;
    static final List<String> RUN = List.of("--model", "re4", "--steps", "120", "--eval-every", "20", "--patience", "100",
            "--seed", "5", "--dim", "8", "--hidden", "16", "--db", "4", "--negatives", "40", "--workers", "2", "--threads", "1", "--no-progress");

    @BeforeAll
    static void data() throws Exception {
        data = CliTest.writePlanted(dir);
    }

    static List<String> train(Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("train", "--data", data.toString(), "--out", out.toString()));
        a.addAll(RUN);
        a.addAll(List.of(more));
        return a;
    }

    @Test
    void aKilledRunResumedEndsAsTheRunNotKilled() throws Exception {
        Path ref = dir.resolve("ref"), out = dir.resolve("killed");
        CliTest.Run whole = CliTest.run(train(ref).toArray(String[]::new));
        assertEquals(0, whole.code(), whole.err());

        Process p = CrashHarness.childJvm(train(out, "--checkpoint-every", "20"), "checkpoint-40", dir.resolve("child.log"));
        assertEquals(86, p.waitFor(), Files.readString(dir.resolve("child.log")));
        assertFalse(Files.exists(out), "a killed run leaves no model directory");

        CliTest.Run again = CliTest.run(train(out).toArray(String[]::new));
        assertEquals(2, again.code());
        assertTrue(again.err().contains("can be resumed") && again.err().contains("--resume"), again.err());
        CliTest.Run withFlags = CliTest.run("train", "--resume", out.toString(), "--steps", "10");
        assertEquals(2, withFlags.code());
        assertTrue(withFlags.err().contains("drop --steps"), withFlags.err());

        CliTest.Run resumed = CliTest.run("train", "--resume", out.toString(), "--threads", "1", "--no-progress");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.err().contains("resuming at step 40"), resumed.err());

        Map<String, SafeTensors.Tensor> a = SafeTensors.read(ref.resolve(ModelDir.PARAMS)), b = SafeTensors.read(out.resolve(ModelDir.PARAMS));
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), k);
        JsonNode ma = ModelDir.JSON.readTree(ref.resolve(ModelDir.METRICS).toFile()), mb = ModelDir.JSON.readTree(out.resolve(ModelDir.METRICS).toFile());
        assertEquals(ma.path("test"), mb.path("test"));
        assertEquals(ma.path("valid"), mb.path("valid"));
        assertEquals(ma.path("train").path("best_step"), mb.path("train").path("best_step"));
        assertTrue(mb.path("train").path("best_step").asLong() > 40, "the model compared was trained after the resume");
        assertEquals(untimed(ref), untimed(out), "the log holds each evaluation once, as the uninterrupted run's");
        JsonNode config = ModelDir.JSON.readTree(out.resolve(ModelDir.CONFIG).toFile());
        assertEquals("[40]", config.path("resumed_at_steps").toString());
        assertTrue(config.path("command").toString().contains("--checkpoint-every"), "config.json keeps the command the run was started with");
        try (Stream<Path> s = Files.list(out)) {
            assertTrue(s.noneMatch(f -> f.getFileName().toString().startsWith("checkpoint") || f.getFileName().toString().equals(ModelDir.RESUME)),
                    "the checkpoint is not part of the model directory");
        }
        CliTest.Run nothing = CliTest.run("train", "--resume", out.toString());
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("no stopped run into"), nothing.err());
    }

    @Test
    void anExperimentContinuesItsKilledRunFromTheCheckpoint() throws Exception {
        Path exp = dir.resolve("exp"), trial = exp.resolve("comirec-sa-seed5");
        List<String> flags = List.of("--steps", "60", "--eval-every", "20", "--dim", "8", "--hidden", "16", "--negatives", "40",
                "--workers", "1", "--threads", "1", "--checkpoint-every", "20");
        List<String> killed = new ArrayList<>(List.of("train", "--data", data.toString(), "--seed", "5", "--out", trial.toString(),
                "--no-progress", "--model", "comirec-sa"));
        killed.addAll(flags);
        assertEquals(86, CrashHarness.childJvm(killed, "checkpoint-20", dir.resolve("child2.log")).waitFor());
        List<String> e = new ArrayList<>(List.of("experiment", "compare", "--data", data.toString(), "--only", "comirec-sa",
                "--seeds", "5", "--out", exp.toString(), "--"));
        e.addAll(flags);
        CliTest.Run r = CliTest.run(e.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("train --resume " + trial) && r.err().contains("resuming at step 20"), r.err());
        assertTrue(Files.exists(trial.resolve(ModelDir.METRICS)));
    }

    /** log.jsonl without its timings. */
    private static List<String> untimed(Path model) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : Files.readAllLines(model.resolve(ModelDir.LOG))) {
            ObjectNode n = (ObjectNode) ModelDir.JSON.readTree(line);
            n.remove(List.of("train_seconds", "ms_per_step", "eval_seconds"));
            out.add(n.toString());
        }
        return out;
    }

}
