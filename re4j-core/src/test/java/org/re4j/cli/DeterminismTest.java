package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.math.Kernels;

/**
 * The same seed gives the same model in two separate JVMs, byte for byte, with the SIMD kernels on: what a JIT
 * compiles when must not change a bit (it did, through the Vector API's own exp and lane reductions).
 */
class DeterminismTest {

    @TempDir Path dir;

    @Test
    void twoJvmsTrainTheSameModelFromOneSeed() throws Exception {
        Path data = CliTest.writePlanted(dir);
        for (String name : List.of("a", "b")) {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--add-modules=jdk.incubator.vector", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                    "org.re4j.cli.Main", "train", "--data", data.toString(), "--model", "re4", "--steps", "150",
                    "--eval-every", "75", "--seed", "3", "--dim", "16", "--hidden", "32", "--db", "8", "--no-progress",
                    "--out", dir.resolve(name).toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("training did not finish in 2 minutes");
            }
            assertEquals(0, p.exitValue(), () -> log(dir.resolve(name + ".log")));
        }
        assertEquals(-1, Files.mismatch(dir.resolve("a/model.safetensors"), dir.resolve("b/model.safetensors")),
                "model files differ (SIMD kernels " + (Kernels.VECTOR ? "on" : "off") + ")");
        var ma = CliTest.JSON.readTree(dir.resolve("a/metrics.json").toFile());
        var mb = CliTest.JSON.readTree(dir.resolve("b/metrics.json").toFile());
        assertEquals(ma.path("test"), mb.path("test"));
        assertEquals(ma.path("valid"), mb.path("valid"));
        assertEquals(ma.path("train").path("best_step"), mb.path("train").path("best_step"));
    }

    private static String log(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
