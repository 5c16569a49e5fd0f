package org.re4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.re4j.cli.CliTest.run;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.re4j.io.ModelDir;

/** {@code re4j analyze} (Table 7, Figure 4) and {@code re4j report --html}, checked in a headless browser when one is installed. */
class AnalyzeReportTest {

    @TempDir static Path dir;
    static Path base, re4, analysis;

    @BeforeAll
    static void trainTwoInterestModelsAndAnalyse() throws IOException {
        Path data = CliTest.writePlanted(dir);
        base = dir.resolve("base");
        re4 = dir.resolve("re4");
        String[] common = {"train", "--data", data.toString(), "--model", "re4", "--interests", "2", "--steps", "150",
                "--eval-every", "150", "--seed", "3", "--dim", "16", "--hidden", "32", "--db", "8", "--no-progress"};
        CliTest.Run b = run(concat(common, "--out", base.toString(), "--lambda-cl", "0", "--lambda-att", "0", "--lambda-ct", "0"));
        assertEquals(0, b.code(), b.err());
        CliTest.Run r = run(concat(common, "--out", re4.toString()));
        assertEquals(0, r.code(), r.err());
        analysis = dir.resolve("analysis");
        CliTest.Run a = run("analyze", "--model", "Base=" + base, "--model", "Re4=" + re4, "--users", "20",
                "--figure-users", "2", "--out", analysis.toString());
        assertEquals(0, a.code(), a.err());
    }

    @Test
    void analyzeWritesTable7AndFigure4() throws Exception {
        String md = Files.readString(analysis.resolve("summary.md"));
        for (String m : new String[] {"K-means", "Fuzzy C-means", "X-means"}) {
            for (String s : new String[] {"INTER", "INTRA"}) assertTrue(md.contains("| " + m + " | " + s + " |"), md);
        }
        assertTrue(md.contains("K-means++: Base") && md.contains("interests as seeds: Re4"), md);
        JsonNode j = ModelDir.JSON.readTree(analysis.resolve("table7.json").toFile());
        assertEquals(20, j.path("users").asInt());
        for (String model : new String[] {"Base", "Re4"}) {
            JsonNode rows = j.path("models").path(model);
            assertEquals(6, rows.size(), model);
            for (JsonNode row : rows) {
                for (String s : new String[] {"inter", "intra"}) {
                    double v = row.path(s).asDouble(-1);
                    assertTrue(v >= 0 && v <= 1, model + " " + row);
                }
                assertTrue(row.path("intra").asDouble() >= 0.5, "2 interests: at least one of two distinct " + row);
            }
        }
        BufferedImage png = ImageIO.read(analysis.resolve("figure4.png").toFile());
        assertTrue(png.getWidth() > 300 && png.getHeight() > 300);
        assertTrue(distinctColours(png) > 5, "the figure is not blank");
        var svg = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(analysis.resolve("figure4.svg").toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        assertEquals(2 * 2 * 2, svg.getElementsByTagName("polygon").getLength(), "a star per interest: 2 users × 2 models × 2 interests");
    }

    @Test
    void cosineDistanceIsAnOptionAndRecorded() throws IOException {
        Path out = dir.resolve("analysis-cosine");
        CliTest.Run a = run("analyze", "--cosine", "--model", re4.toString(), "--users", "10", "--figure-users", "0", "--out", out.toString());
        assertEquals(0, a.code(), a.err());
        assertTrue(Files.readString(out.resolve("summary.md")).contains("cosine distance"));
        assertEquals("cosine", ModelDir.JSON.readTree(out.resolve("table7.json").toFile()).path("distance").asText());
        assertTrue(!Files.exists(out.resolve("figure4.png")), "no figure asked for");
    }

    @Test
    void analyzeRefusesBadRequests() {
        CliTest.Run r = run("analyze", "--model", "a=" + base, "--model", "a=" + re4, "--out", dir.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("two models labelled 'a'"), r.err());
        CliTest.Run n = run("analyze", "--model", dir.resolve("nope").toString(), "--out", dir.resolve("y").toString());
        assertEquals(2, n.code());
        CliTest.Run u = run("analyze", "--model", base.toString(), "--users", "0", "--out", dir.resolve("z").toString());
        assertEquals(2, u.code());
        assertTrue(u.err().contains("--users"), u.err());
    }

    @Test
    void reportGathersRunsAndSummariesIntoOneSelfContainedPage() throws IOException {
        Path page = dir.resolve("report.html");
        CliTest.Run r = run("report", "--html", page.toString(), "--title", "planted", base.toString(), re4.toString(), analysis.toString());
        assertEquals(0, r.code(), r.err());
        String html = Files.readString(page);
        assertTrue(html.contains("<table>") && html.contains("interests as seeds: Re4"), "tables rendered");
        assertTrue(html.contains("src=\"data:image/png;base64,"), "figures embedded");
        assertTrue(html.contains(">recall@50</th>"), "runs table");
        CliTest.Run md = run("report", base.toString(), analysis.toString());
        assertTrue(md.out().contains("| base |") && md.out().contains("| X-means | INTRA |"), md.out());
        CliTest.Run bad = run("report", dir.toString());
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("summary.md"), bad.err());
    }

    /** Opens the report in headless Chromium: every figure must decode, and the screenshot must show a page. */
    @Test
    void reportRendersInHeadlessChromium() throws Exception {
        String chromium = findOnPath("chromium", "chromium-browser", "google-chrome");
        Assumptions.assumeTrue(chromium != null, "no chromium on PATH (Debian: apt-get install chromium); browser check skipped");
        Path page = dir.resolve("report-browser.html");
        assertEquals(0, run("report", "--html", page.toString(), base.toString(), analysis.toString()).code());
        List<String> flags = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--virtual-time-budget=5000", "--user-data-dir=" + dir.resolve("chrome-profile"));
        String dom = browser(chromium, flags, "--dump-dom", page.toUri().toString());
        assertTrue(dom.contains("data-images=\"ok\""), "every embedded figure decoded in the browser");
        assertTrue(dom.contains("X-means"), "Table 7 is on the page");
        Path shot = dir.resolve("report.png");
        browser(chromium, flags, "--screenshot=" + shot, "--window-size=1280,2000", page.toUri().toString());
        BufferedImage img = ImageIO.read(shot.toFile());
        assertEquals(1280, img.getWidth());
        assertTrue(distinctColours(img) > 20, "the screenshot shows a rendered page, not a blank one");
    }

    private static String browser(String chromium, List<String> flags, String... more) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(chromium);
        cmd.addAll(flags);
        cmd.addAll(List.of(more));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium finished");
        assertEquals(0, p.exitValue(), "chromium exit code");
        return new String(out, StandardCharsets.UTF_8);
    }

    private static String findOnPath(String... names) {
        for (String dirName : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String n : names) {
                File f = new File(dirName, n);
                if (f.canExecute()) return f.getPath();
            }
        }
        return null;
    }

    static int distinctColours(BufferedImage img) {
        Set<Integer> c = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 3) for (int x = 0; x < img.getWidth(); x += 3) c.add(img.getRGB(x, y));
        return c.size();
    }

    private static String[] concat(String[] a, String... b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
