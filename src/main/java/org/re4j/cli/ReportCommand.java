package org.re4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.node.Image;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

/**
 * Gathers results: the test metrics of run directories (written by {@code train}) as one table, and the
 * {@code summary.md} of experiment and analysis directories (tables, figures) as sections. Prints Markdown, or
 * with {@code --html} writes one self-contained page (figures embedded) that a browser opens offline.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Gather run metrics and experiment/analysis summaries into Markdown, or one HTML page with --html.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "1..*",
            description = "Run directories ('re4j train') and experiment or analysis directories (with a summary.md).")
    List<Path> dirs;

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML page instead of printing Markdown.")
    Path html;

    @Option(names = "--title", defaultValue = "re4j report", description = "Page title (default: ${DEFAULT-VALUE}).")
    String title;

    /** Test metrics in reports and experiment summaries: all three NDCGs, because all three are in circulation. */
    static final String[] COLUMNS = {"recall@20", "recall@50", "ndcg@20", "ndcg@50", "ndcg_comirec@20", "ndcg_comirec@50",
            "ndcg_comirec_orig@20", "ndcg_comirec_orig@50", "hitrate@20", "hitrate@50"};

    /** A part of the report: Markdown whose relative image links are relative to {@code base}. */
    private record Section(String markdown, Path base) {
    }

    @Override
    public Integer call() throws Exception {
        List<Path> runs = new ArrayList<>();
        List<Section> sections = new ArrayList<>();
        for (Path d : dirs) {
            if (Files.exists(d.resolve(TrainRun.METRICS))) runs.add(d);
            else if (Files.exists(d.resolve("summary.md"))) sections.add(new Section(Files.readString(d.resolve("summary.md")), d));
            else throw new IllegalArgumentException(d + " has neither " + TrainRun.METRICS + " (a finished run) nor summary.md (an experiment or analysis)");
        }
        if (!runs.isEmpty()) sections.add(0, new Section(runsTable(runs), Path.of(".")));
        if (html == null) {
            for (Section s : sections) System.out.println(s.markdown());
            return 0;
        }
        StringBuilder page = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(escape(title)).append("</title>\n<style>").append(STYLE).append("</style></head>\n")
                .append("<body data-images=\"pending\">\n<h1>").append(escape(title)).append("</h1>\n");
        Parser parser = Parser.builder().extensions(List.of(TablesExtension.create())).build();
        for (Section s : sections) {
            HtmlRenderer renderer = HtmlRenderer.builder().extensions(List.of(TablesExtension.create()))
                    .attributeProviderFactory(ctx -> (node, tag, attrs) -> {
                        if (node instanceof Image && attrs.containsKey("src")) attrs.put("src", embed(s.base(), attrs.get("src")));
                    }).build();
            page.append("<section>\n").append(renderer.render(parser.parse(s.markdown()))).append("</section>\n");
        }
        // Marks the page once every figure has decoded, so a headless browser can check the page really renders.
        page.append("<script>window.addEventListener('load', () => { const imgs = [...document.images];")
                .append(" document.body.dataset.images = imgs.every(i => i.complete && i.naturalWidth > 0) ? 'ok' : 'broken'; });")
                .append("</script>\n</body></html>\n");
        AtomicFiles.writeString(html, page.toString());
        System.err.println("re4j: wrote " + html);
        return 0;
    }

    static String runsTable(List<Path> runs) throws IOException {
        StringBuilder sb = new StringBuilder("| run | dataset | model |");
        for (String c : COLUMNS) sb.append(' ').append(c).append(" |");
        sb.append(" steps | best step | train s | ms/step | Adam |\n|---|---|---|");
        sb.append("---:|".repeat(COLUMNS.length + 4)).append("---|\n");
        for (Path d : runs) {
            JsonNode m = ModelDir.JSON.readTree(d.resolve(TrainRun.METRICS).toFile());
            JsonNode t = m.path("test"), tr = m.path("train");
            sb.append("| ").append(d.getFileName()).append(" | ").append(m.path("dataset").asText()).append(" | ").append(m.path("model").asText()).append(" |");
            for (String c : COLUMNS) sb.append(String.format(Locale.ROOT, " %.4f |", t.path(c).asDouble()));
            sb.append(String.format(Locale.ROOT, " %d | %s | %.0f | %.2f | %s |%n", tr.path("steps").asLong(),
                    tr.has("best_step") ? tr.path("best_step").asText() : "–", tr.path("seconds").asDouble(),
                    tr.path("ms_per_step").asDouble(), tr.path("adam").asText("–")));
        }
        return sb.toString();
    }

    /** A local image as a data: URI, so the page stands alone; remote or missing images are an error. */
    private static String embed(Path base, String src) {
        Path f = base.resolve(src);
        String type = src.endsWith(".png") ? "image/png" : src.endsWith(".svg") ? "image/svg+xml" : null;
        if (type == null || src.contains(":") || !Files.isRegularFile(f)) {
            throw new IllegalArgumentException("cannot embed image '" + src + "' of " + base.resolve("summary.md") + ": only local .png or .svg files");
        }
        try {
            return "data:" + type + ";base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:1400px}"
            + "table{border-collapse:collapse;margin:1em 0;font-size:13px}th,td{border:1px solid #ccc;padding:3px 7px}"
            + "th{background:#f0f0f0}td{text-align:right}td:first-child{text-align:left}img{max-width:100%}"
            + "section{border-top:1px solid #ddd;margin-top:2em}";
}
