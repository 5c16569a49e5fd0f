package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.re4j.cli.CliTest.Run;

/** The README's first command, small: Re4, the ComiRec-SA it is built on, and POP, each a model directory. */
class DemoTest {

    @Test
    void trainsRe4BesideItsComiRecSAAndPop(@TempDir Path dir) throws Exception {
        Run r = CliTest.run("demo", "--users", "300", "--items", "200", "--clusters", "5", "--steps", "40", "--out", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("POP") && r.out().contains("ComiRec-SA") && r.out().contains("Re4"), r.out());
        assertTrue(r.out().contains("| recall@50 |") && r.out().contains("95% CI"), "the paired interval: " + r.out());
        for (String m : new String[] {"pop", "comirec-sa", "re4"}) assertTrue(Files.exists(dir.resolve(m).resolve("metrics.json")), m);
        // Re4 is ComiRec-SA at K 8 plus the flows: the same encoder settings
        var sa = CliTest.JSON.readTree(dir.resolve("comirec-sa/config.json").toFile()).path("model_config");
        assertEquals(8, sa.path("interests").asInt());
        assertEquals(sa, CliTest.JSON.readTree(dir.resolve("re4/config.json").toFile()).path("model_config").path("encoder"));
    }
}
