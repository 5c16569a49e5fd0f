package org.re4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Option;

import org.re4j.data.Columns;
import org.re4j.data.DataException;
import org.re4j.data.Dataset;
import org.re4j.data.Format;
import org.re4j.data.InteractionLog;
import org.re4j.data.ItemNumbering;

/** Where the interactions come from and how they are read and filtered; shared by every command that reads data. */
public final class DataOptions {

    @Option(names = "--data", split = ",", paramLabel = "PATH",
            description = "Interaction file(s); several files (e.g. LightGCN train.txt,test.txt) are merged in order.")
    List<Path> paths = new ArrayList<>();

    @Option(names = "--format", paramLabel = "FMT", defaultValue = "auto",
            description = "auto, comirec, grouplens, udata, lines or delimited (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--user-col", description = "delimited: user column name (default: a common name such as user_id).")
    String userCol;
    @Option(names = "--item-col", description = "delimited: item column name (default: a common name such as item_id).")
    String itemCol;
    @Option(names = "--time-col", description = "delimited: time column name (default: a common name such as timestamp, "
            + "else the file order; '-': the file order).")
    String timeCol;

    @Option(names = "--min-item-count", defaultValue = "0",
            description = "k-core: drop items with fewer interactions (iterated with --min-user-count; 0 = off).")
    int minItemCount;

    @Option(names = "--min-user-count", defaultValue = "0", description = "k-core: drop users with fewer interactions.")
    int minUserCount;

    @Option(names = "--items", paramLabel = "FILE", description = "Number the items of equal count in this file's order "
            + "(tab-separated, header with item_id, e.g. the Spark job's items.tsv); default: first appearance.")
    Path items;

    @Option(names = "--name", description = "Dataset name in reports (default: the first file's folder name).")
    String name;

    boolean given() {
        return !paths.isEmpty();
    }

    Dataset load() {
        if (paths.isEmpty()) throw new IllegalArgumentException("--data is required");
        Format f = "auto".equals(format) ? detect() : Format.parse(format);
        InteractionLog log = InteractionLog.read(paths, f, columns());
        return Dataset.of(datasetName(), log, minItemCount, minUserCount, items == null ? null : ItemNumbering.read(items));
    }

    /** The column options: null where none is given (all recognised), else the given ones, the others recognised. */
    public Columns columns() {
        return userCol == null && itemCol == null && timeCol == null ? null : new Columns(userCol, itemCol, timeCol);
    }

    /** The first file's format; a later file that clearly looks like another format is refused. */
    private Format detect() {
        Format f = Format.detect(paths.get(0));
        for (Path p : paths.subList(1, paths.size())) {
            Format g;
            try {
                g = Format.detect(p);
            } catch (DataException e) {
                continue; // no clear guess: read it as the first file, and any bad line is reported then
            }
            if (g != f) {
                throw new DataException(p + " looks like " + g.cliName() + " but " + paths.get(0) + " like " + f.cliName()
                        + ": files read together share one format; choose it with --format");
            }
        }
        return f;
    }

    String datasetName() {
        if (name != null) return name;
        Path first = paths.get(0).toAbsolutePath().normalize();
        Path parent = first.getParent();
        return parent != null && parent.getFileName() != null ? parent.getFileName().toString() : first.getFileName().toString();
    }

    /** Restores options saved by {@link org.re4j.data.DataSource#describe()}. */
    static DataOptions from(JsonNode m) {
        DataOptions o = new DataOptions();
        m.path("paths").forEach(x -> o.paths.add(Path.of(x.asText())));
        o.format = m.path("format").asText("auto");
        o.userCol = m.path("user_col").isNull() ? null : m.path("user_col").asText(null);
        o.itemCol = m.path("item_col").isNull() ? null : m.path("item_col").asText(null);
        o.timeCol = m.path("time_col").isNull() ? null : m.path("time_col").asText(null);
        o.minItemCount = m.path("min_item_count").asInt(0);
        o.minUserCount = m.path("min_user_count").asInt(0);
        o.name = m.path("name").asText(null);
        o.items = m.hasNonNull("items_file") ? Path.of(m.path("items_file").asText()) : null;
        return o;
    }
}
