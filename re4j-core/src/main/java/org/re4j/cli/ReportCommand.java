package org.re4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
 * Gathers results: the test metrics of run directories (written by {@code train}) as one table, result tables
 * ({@code .json} files in {@link ResultTable}'s schema, and the {@code summary.json} of experiment directories) as
 * titled tables, and the {@code summary.md} of other experiment and analysis directories (tables, figures) as
 * sections. Prints Markdown, writes it to a file with {@code --markdown}, or with {@code --html} writes one
 * self-contained page (figures embedded) that a browser opens offline. {@code --update FILE.md} regenerates in
 * place the tables of a Markdown file between {@code <!-- re4j report TABLE.json -->} and
 * {@code <!-- end re4j report -->}, each from the result table its opening marker names.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Gather run metrics, result tables and experiment/analysis summaries into Markdown (stdout, or a file"
                + " with --markdown), or one HTML page with --html.",
                "With --update FILE.md, regenerate every block of FILE.md between '<!-- re4j report TABLE.json -->' and"
                + " '<!-- end re4j report -->' from the result table it names (a path relative to FILE.md's folder);"
                + " everything outside the blocks is left as it is."})
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "Run directories ('re4j train'), result tables (.json), experiment directories (summary.json,"
                    + " else summary.md) and analysis directories (summary.md).")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--html", paramLabel = "FILE", description = "Write a self-contained HTML page instead of printing Markdown.")
    Path html;

    @Option(names = "--markdown", paramLabel = "FILE", description = "Write the Markdown to FILE instead of printing it.")
    Path markdown;

    @Option(names = "--update", paramLabel = "FILE.md",
            description = "Regenerate the report blocks of FILE.md in place (no PATH, --html or --markdown with it).")
    Path update;

    @Option(names = "--columns", paramLabel = "METRIC", split = ",",
            description = "Metric columns, e.g. recall@50,ndcg@50; a result table shows those it has (default: recall@20,"
                    + " recall@50, ndcg_comirec_orig@20, ndcg_comirec_orig@50, hitrate@20, hitrate@50; runs: all ten).")
    List<String> columns;

    @Option(names = "--extras", description = "Also show the extra numbers of result tables' rows (steps, best step, train seconds).")
    boolean extras;

    @Option(names = "--title", defaultValue = "re4j report", description = "Page title (default: ${DEFAULT-VALUE}).")
    String title;

    /** Test metrics in reports and experiment summaries: all three NDCGs, because all three are in circulation. */
    static final String[] COLUMNS = {"recall@20", "recall@50", "ndcg@20", "ndcg@50", "ndcg_comirec@20", "ndcg_comirec@50",
            "ndcg_comirec_orig@20", "ndcg_comirec_orig@50", "hitrate@20", "hitrate@50"};

    static final String END = "<!-- end re4j report -->";
    private static final String OPEN_PREFIX = "<!-- re4j report";
    private static final Pattern OPEN = Pattern.compile("<!-- re4j report (\\S+) -->");
    private static final Pattern IMAGE_LINE = Pattern.compile("\\s*!\\[[^\\]]*\\]\\([^)]*\\)\\s*");
    private static final Pattern IMAGE = Pattern.compile("(!\\[[^\\]]*\\]\\()([^)\\s]+)(\\))");

    /** A part of the report: Markdown whose relative image links are relative to {@code base}. */
    private record Section(String markdown, Path base) {
    }

    /** A result table read from {@code file}, with the figures of its directory's summary.md (its image lines), if any. */
    private record Table(ResultTable table, Path file, Path base, String figures) {
    }

    @Override
    public Integer call() throws Exception {
        if (update != null) {
            if (!paths.isEmpty() || html != null || markdown != null) {
                throw new IllegalArgumentException("--update regenerates " + update + " on its own: give no PATH, --html or --markdown with it");
            }
            update(update);
            return 0;
        }
        if (paths.isEmpty()) throw new IllegalArgumentException("nothing to report: give at least one PATH, or --update FILE.md");
        List<Path> runs = new ArrayList<>();
        List<Object> parts = new ArrayList<>(); // Table or Section, in the order given
        for (Path p : paths) {
            if (Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json")) {
                parts.add(new Table(readTable(p), p, parent(p), ""));
            } else if (Files.exists(p.resolve(TrainRun.METRICS))) {
                runs.add(p);
            } else if (Files.exists(p.resolve("summary.json"))) {
                parts.add(new Table(readTable(p.resolve("summary.json")), p.resolve("summary.json"), p, figures(p.resolve("summary.md"))));
            } else if (Files.exists(p.resolve("summary.md"))) {
                parts.add(new Section(Files.readString(p.resolve("summary.md")), p));
            } else if (!Files.exists(p)) {
                throw new IllegalArgumentException(p + ": no such file or directory");
            } else {
                throw new IllegalArgumentException(p + " is neither a result table (.json) nor a directory with " + TrainRun.METRICS
                        + " (a finished run), summary.json or summary.md (an experiment or analysis)");
            }
        }
        if (columns != null) {
            Set<String> known = new LinkedHashSet<>();
            for (Object o : parts) if (o instanceof Table t) known.addAll(metricKeys(t.table()));
            for (Path d : runs) ModelDir.JSON.readTree(d.resolve(TrainRun.METRICS).toFile()).path("test").fieldNames().forEachRemaining(known::add);
            checkColumns(known);
        }
        List<Section> sections = new ArrayList<>();
        if (!runs.isEmpty()) sections.add(new Section(runsTable(runs, columns != null ? columns : List.of(COLUMNS)), Path.of(".")));
        for (Object o : parts) {
            if (o instanceof Table t) {
                sections.add(new Section(tableSection(t.table(), t.file().toString()) + t.figures(), t.base()));
            } else {
                sections.add((Section) o);
            }
        }
        if (html == null && markdown == null) {
            for (Section s : sections) System.out.println(s.markdown());
            return 0;
        }
        if (markdown != null) {
            StringBuilder md = new StringBuilder();
            Path to = parent(markdown.toAbsolutePath());
            for (Section s : sections) md.append(relink(s.markdown(), s.base(), to)).append('\n');
            AtomicFiles.writeString(markdown, md.toString());
            System.err.println("re4j: wrote " + markdown);
        }
        if (html == null) return 0;
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

    /**
     * Regenerates every report block of {@code md} from the result table its opening marker names; the markers and
     * everything outside the blocks stay byte for byte. Markers inside fenced code are text, not blocks.
     */
    void update(Path md) throws IOException {
        String text;
        try {
            text = Files.readString(md);
        } catch (NoSuchFileException e) {
            throw new IOException(md + ": no such file");
        } catch (CharacterCodingException e) {
            throw new IOException(md + ": not UTF-8 text");
        }
        List<String> lines = lines(text);
        Path folder = parent(md);
        StringBuilder out = new StringBuilder(text.length());
        List<String> where = new ArrayList<>();
        List<ResultTable> tables = new ArrayList<>();
        List<int[]> spans = new ArrayList<>(); // [open line, end line], 0-based
        String fence = null;
        for (int i = 0; i < lines.size(); i++) {
            String body = lines.get(i).strip();
            if (fence != null) {
                if (body.startsWith(fence)) fence = null;
                continue;
            }
            if (body.startsWith("```") || body.startsWith("~~~")) {
                fence = body.substring(0, 3);
            } else if (body.startsWith(END.substring(0, END.length() - 4))) {
                throw new IllegalArgumentException(md + ":" + (i + 1) + ": " + END + " without an opening <!-- re4j report TABLE.json -->");
            } else if (body.startsWith(OPEN_PREFIX)) {
                Matcher m = OPEN.matcher(body);
                if (!m.matches()) {
                    throw new IllegalArgumentException(md + ":" + (i + 1) + ": malformed marker '" + body
                            + "': expected <!-- re4j report TABLE.json -->");
                }
                int end = -1;
                for (int j = i + 1; j < lines.size() && end < 0; j++) {
                    String b = lines.get(j).strip();
                    if (b.equals(END)) end = j;
                    else if (b.startsWith(OPEN_PREFIX)) {
                        throw new IllegalArgumentException(md + ":" + (i + 1) + ": block not closed by " + END
                                + " before the next block at line " + (j + 1));
                    }
                }
                if (end < 0) throw new IllegalArgumentException(md + ":" + (i + 1) + ": block not closed by " + END);
                try {
                    tables.add(readTable(folder.resolve(m.group(1))));
                } catch (IOException e) {
                    throw new IOException(md + ":" + (i + 1) + ": " + e.getMessage());
                }
                where.add(md + ":" + (i + 1) + ": " + m.group(1));
                spans.add(new int[] {i, end});
                i = end;
            }
        }
        if (columns != null) {
            Set<String> known = new LinkedHashSet<>();
            for (ResultTable t : tables) known.addAll(metricKeys(t));
            checkColumns(known);
        }
        int changed = 0, next = 0;
        for (int b = 0; b < spans.size(); b++) {
            int open = spans.get(b)[0], end = spans.get(b)[1];
            for (int i = next; i <= open; i++) out.append(lines.get(i));
            String nl = lines.get(open).endsWith("\r\n") ? "\r\n" : "\n";
            String generated = tables.get(b).markdown(tableColumns(tables.get(b), where.get(b)), extras).replace("\n", nl);
            StringBuilder old = new StringBuilder();
            for (int i = open + 1; i < end; i++) old.append(lines.get(i));
            if (!old.toString().equals(generated)) changed++;
            out.append(generated);
            next = end;
        }
        for (int i = next; i < lines.size(); i++) out.append(lines.get(i));
        if (!out.toString().equals(text)) AtomicFiles.writeString(md, out.toString());
        System.err.println("re4j: regenerated " + spans.size() + (spans.size() == 1 ? " block" : " blocks") + " of " + md
                + " (" + changed + " changed)");
    }

    /** The lines of {@code text}, each with its line terminator (the last one may have none). */
    private static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                lines.add(text.substring(from, i + 1));
                from = i + 1;
            }
        }
        if (from < text.length()) lines.add(text.substring(from));
        return lines;
    }

    /** A result table, refused in one line naming the file when it cannot be one. */
    static ResultTable readTable(Path file) throws IOException {
        ResultTable t = ResultTable.read(file);
        if (t.rows() == null || t.rows().isEmpty()) throw new IOException(file + ": a result table needs a non-empty 'rows' list");
        for (int i = 0; i < t.rows().size(); i++) {
            ResultTable.Row r = t.rows().get(i);
            if (r == null || r.label() == null) throw new IOException(file + ": rows[" + i + "] has no label");
        }
        return t;
    }

    /** A result table as Markdown: its title, command, users and seeds, notes, then the table. */
    private String tableSection(ResultTable t, String source) {
        StringBuilder sb = new StringBuilder("# ").append(t.title() != null ? t.title() : source).append("\n\n");
        if (t.command() != null) sb.append(code(t.command())).append("\n\n");
        List<String> about = new ArrayList<>();
        if (t.users() != null) about.add(t.users() + " users");
        if (t.seeds() != null && !t.seeds().isEmpty()) {
            about.add((t.seeds().size() == 1 ? "seed " : "seeds ") + t.seeds().stream().map(String::valueOf).collect(Collectors.joining(", ")));
        }
        if (!about.isEmpty()) sb.append(capitalised(String.join(", ", about))).append(".\n\n");
        if (t.notes() != null && !t.notes().isBlank()) sb.append(capitalised(t.notes().strip())).append("\n\n");
        return sb.append(t.markdown(tableColumns(t, source), extras)).append(t.pairedMarkdown()).toString();
    }

    /** The metric columns for {@code t}: --columns or the default; a table with none of them is refused. */
    private List<String> tableColumns(ResultTable t, String source) {
        List<String> cols = columns != null ? columns : ResultTable.DEFAULT_COLUMNS;
        Set<String> have = metricKeys(t);
        if (cols.stream().noneMatch(have::contains)) {
            throw new IllegalArgumentException(source + ": the table has none of the metrics " + String.join(",", cols)
                    + "; it has " + String.join(",", have));
        }
        return cols;
    }

    private static Set<String> metricKeys(ResultTable t) {
        Set<String> keys = new LinkedHashSet<>();
        for (ResultTable.Row r : t.rows()) if (r.metrics() != null) keys.addAll(r.metrics().keySet());
        return keys;
    }

    /** A misspelt --columns metric would otherwise be left out silently. */
    private void checkColumns(Set<String> known) {
        for (String c : columns) {
            if (!known.contains(c)) {
                throw new IllegalArgumentException("--columns: no table has a metric '" + c + "'; they have " + String.join(",", known));
            }
        }
    }

    /** The image lines of a summary.md (its figures), to show with the table read from the summary.json beside it. */
    private static String figures(Path summaryMd) throws IOException {
        if (!Files.isRegularFile(summaryMd)) return "";
        StringBuilder sb = new StringBuilder();
        for (String l : Files.readAllLines(summaryMd)) if (IMAGE_LINE.matcher(l).matches()) sb.append('\n').append(l.strip()).append('\n');
        return sb.toString();
    }

    /** Markdown whose relative image links, relative to {@code base}, are made relative to {@code to} instead. */
    private static String relink(String md, Path base, Path to) {
        Matcher m = IMAGE.matcher(md);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String src = m.group(2);
            if (!src.contains(":") && !src.startsWith("/") && !src.startsWith("#")) {
                Path abs = base.toAbsolutePath().resolve(src).normalize();
                src = to.toAbsolutePath().normalize().relativize(abs).toString().replace('\\', '/');
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + src + m.group(3)));
        }
        return m.appendTail(sb).toString();
    }

    private static String capitalised(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    /** Inline code, with a longer fence when the text itself holds a backtick. */
    private static String code(String s) {
        return s.contains("`") ? "`` " + s + " ``" : "`" + s + "`";
    }

    private static Path parent(Path p) {
        Path parent = p.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".");
    }

    static String runsTable(List<Path> runs, List<String> columns) throws IOException {
        StringBuilder sb = new StringBuilder("| run | dataset | model |");
        for (String c : columns) sb.append(' ').append(c).append(" |");
        sb.append(" steps | best step | train s | ms/step | Adam |\n|---|---|---|");
        sb.append("---:|".repeat(columns.size() + 4)).append("---|\n");
        for (Path d : runs) {
            JsonNode m = ModelDir.JSON.readTree(d.resolve(TrainRun.METRICS).toFile());
            JsonNode t = m.path("test"), tr = m.path("train");
            sb.append("| ").append(d.getFileName()).append(" | ").append(m.path("dataset").asText()).append(" | ").append(m.path("model").asText()).append(" |");
            for (String c : columns) sb.append(t.has(c) ? String.format(Locale.ROOT, " %.4f |", t.path(c).asDouble()) : " – |");
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
