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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** A small result table: two rows, one with a metric the other lacks, and extra numbers. */
    static ResultTable sampleTable() {
        Map<String, ResultTable.Stat> a = new LinkedHashMap<>();
        a.put("recall@20", new ResultTable.Stat(0.1, 0.01));
        a.put("recall@50", new ResultTable.Stat(0.2, 0.02));
        a.put("ndcg@50", new ResultTable.Stat(0.05, 0.005));
        Map<String, ResultTable.Stat> b = new LinkedHashMap<>();
        b.put("recall@20", new ResultTable.Stat(0.15, null));
        b.put("recall@50", new ResultTable.Stat(0.25, null));
        return new ResultTable("Table 9 on planted", "planted", "test", "./re4j experiment table9 --data planted.txt",
                List.of(1L, 2L), "a note", List.of(
                        new ResultTable.Row("base", List.of("--model", "re4"), null, a, Map.of("train_seconds", 12.0)),
                        new ResultTable.Row("re4", List.of("--model", "re4"), List.of(1L), b, Map.of("train_seconds", 34.0))));
    }

    @Test
    void reportRendersResultTables() throws IOException {
        Path json = dir.resolve("tables").resolve("table9.json");
        Files.createDirectories(json.getParent());
        sampleTable().write(json);
        CliTest.Run r = run("report", json.toString());
        assertEquals(0, r.code(), r.err());
        String md = r.out();
        assertTrue(md.contains("# Table 9 on planted\n\n`./re4j experiment table9 --data planted.txt`\n"), md);
        assertTrue(md.contains("Test users, seeds 1, 2."), md);
        assertTrue(md.contains(sampleTable().markdown(ResultTable.DEFAULT_COLUMNS, false)), md);
        assertTrue(md.contains("| variant | recall@20 | recall@50 |\n"), "default columns, those the table has: " + md);
        assertTrue(md.contains("| re4 (1 of 2 seeds) | 0.1500 | 0.2500 |"), md);
        assertTrue(!md.contains("train seconds") && !md.contains("ndcg@50"), "no extras, ndcg@50 not a default column: " + md);

        CliTest.Run cols = run("report", "--columns", "recall@50,ndcg@50", "--extras", json.toString());
        assertEquals(0, cols.code(), cols.err());
        assertTrue(cols.out().contains("| variant | recall@50 | ndcg@50 | train seconds |\n"), cols.out());
        assertTrue(cols.out().contains("| re4 (1 of 2 seeds) | 0.2500 | – | 34 |"), cols.out());
        CliTest.Run typo = run("report", "--columns", "recal@50", json.toString());
        assertEquals(2, typo.code());
        assertTrue(typo.err().contains("--columns") && typo.err().contains("recal@50"), typo.err());

        // An experiment directory with a summary.json is read from it; --markdown writes what stdout would show.
        Path exp = dir.resolve("exp9");
        Files.createDirectories(exp);
        sampleTable().write(exp.resolve("summary.json"));
        Files.writeString(exp.resolve("summary.md"), "# not this\n");
        Path out = dir.resolve("md-out").resolve("report.md");
        CliTest.Run m = run("report", "--markdown", out.toString(), exp.toString());
        assertEquals(0, m.code(), m.err());
        assertEquals("", m.out());
        String written = Files.readString(out);
        assertTrue(written.contains("# Table 9 on planted") && !written.contains("not this"), written);
        assertEquals(run("report", exp.toString()).out(), written);
    }

    @Test
    void updateRegeneratesBlocksInPlaceAndLeavesTheRestAlone() throws IOException {
        Path docs = dir.resolve("docs-update");
        Files.createDirectories(docs.resolve("results"));
        sampleTable().write(docs.resolve("results").resolve("t9.json"));
        String before = "# Results\r\n\nSome text, with trailing spaces   \n\n<!-- re4j report results/t9.json -->\n"
                + "| stale | table |\n|---|---|\n<!-- end re4j report -->\n\nBetween the blocks.\n\n"
                + "```\n<!-- re4j report results/nothing-here.json -->\n```\n"
                + "<!-- re4j report results/t9.json -->\n<!-- end re4j report -->\nThe end, no newline";
        Path md = docs.resolve("results.md");
        Files.writeString(md, before);
        CliTest.Run r = run("report", "--update", md.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("regenerated 2 blocks") && r.err().contains("2 changed"), r.err());
        String table = sampleTable().markdown(ResultTable.DEFAULT_COLUMNS, false);
        String expected = before.replace("| stale | table |\n|---|---|\n", table)
                .replace("results/t9.json -->\n<!-- end", "results/t9.json -->\n" + table + "<!-- end");
        assertEquals(expected, Files.readString(md), "only the blocks changed; a marker inside fenced code is text");

        CliTest.Run again = run("report", "--update", md.toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("regenerated 2 blocks") && again.err().contains("0 changed"), again.err());
        assertEquals(expected, Files.readString(md), "a second run changes nothing");

        CliTest.Run mixed = run("report", "--update", md.toString(), docs.toString());
        assertEquals(2, mixed.code());
        assertTrue(mixed.err().contains("--update"), mixed.err());
    }

    @Test
    void updateRefusesMissingTablesAndUnclosedBlocks() throws IOException {
        Path docs = dir.resolve("docs-errors");
        Files.createDirectories(docs);
        sampleTable().write(docs.resolve("t9.json"));
        Files.writeString(docs.resolve("broken.json"), "{\"title\": \"x\", \"rows\": [");

        Path missing = docs.resolve("missing.md");
        String m = "text\n\n<!-- re4j report t9.json -->\n<!-- end re4j report -->\n<!-- re4j report nope.json -->\n<!-- end re4j report -->\n";
        Files.writeString(missing, m);
        CliTest.Run r = run("report", "--update", missing.toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("re4j: error: " + missing + ":5: ") && r.err().contains("nope.json"), r.err());
        assertEquals(m, Files.readString(missing), "nothing written on an error");

        Path broken = docs.resolve("broken.md");
        Files.writeString(broken, "<!-- re4j report broken.json -->\n<!-- end re4j report -->\n");
        CliTest.Run b = run("report", "--update", broken.toString());
        assertEquals(2, b.code());
        assertTrue(b.err().contains(broken + ":1: ") && b.err().contains("broken.json"), b.err());

        Path unclosed = docs.resolve("unclosed.md");
        String u = "# Title\n\n<!-- re4j report t9.json -->\n| old |\n\nmore text\n";
        Files.writeString(unclosed, u);
        CliTest.Run c = run("report", "--update", unclosed.toString());
        assertEquals(2, c.code());
        assertTrue(c.err().contains(unclosed + ":3: ") && c.err().contains("not closed"), c.err());
        assertEquals(u, Files.readString(unclosed));

        Path nested = docs.resolve("nested.md");
        Files.writeString(nested, "<!-- re4j report t9.json -->\n<!-- re4j report t9.json -->\n<!-- end re4j report -->\n");
        CliTest.Run n = run("report", "--update", nested.toString());
        assertEquals(2, n.code());
        assertTrue(n.err().contains(nested + ":1: ") && n.err().contains("line 2"), n.err());

        CliTest.Run json = run("report", docs.resolve("nope.json").toString());
        assertEquals(2, json.code());
        assertTrue(json.err().contains("nope.json"), json.err());
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
