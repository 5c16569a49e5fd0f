package org.re4j.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A given order for the items of equal count: item n is the file's n-th. re4j numbers items 1..N by descending count
 * and breaks ties by first appearance in the file it reads; a log prepared elsewhere (the Spark job's
 * {@code interactions.tsv}) cannot always order its rows so that every first appearance matches the original log's,
 * so it comes with its numbering ({@code items.tsv}) and {@code --items} settles the ties from it.
 *
 * <p>The file is tab-separated with a header naming an {@code item_id} column, and optionally {@code item_index}
 * (then 1, 2, 3, … in order) and {@code count} (then each item's count in the data, checked). It must list exactly the
 * data's items after the k-core filter, by descending count: it orders ties, it does not renumber by other rules
 * (the log-uniform sampler relies on popularity order).
 */
public final class ItemNumbering {

    private final Path file;
    private final List<String> ids;
    private final List<Long> lines;
    private final int[] counts; // null when the file has no count column

    private ItemNumbering(Path file, List<String> ids, List<Long> lines, int[] counts) {
        this.file = file;
        this.ids = ids;
        this.lines = lines;
        this.counts = counts;
    }

    /** The file read. */
    public Path file() {
        return file;
    }

    /** How many items it lists. */
    public int size() {
        return ids.size();
    }

    /** Reads the file; every malformed line is refused naming it. */
    public static ItemNumbering read(Path file) {
        List<String> ids = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        try (Format.Lines r = Format.Lines.open(file)) {
            String header = r.next();
            if (header == null) throw DataException.at(file, 1, "empty: an item numbering starts with a header naming item_id");
            // Read as the delimited reader reads a TSV: quoted fields unquoted, names and ids trimmed, names in any case.
            List<String> names = new ArrayList<>();
            for (String n : Format.fields(header, '\t', file, r.number())) names.add(n.trim().toLowerCase(java.util.Locale.ROOT));
            int id = names.indexOf("item_id"), index = names.indexOf("item_index"), count = names.indexOf("count");
            if (id < 0) throw DataException.at(file, r.number(), "the header names no item_id column (tab-separated): " + Format.excerpt(header));
            String line;
            while ((line = r.next()) != null) {
                long no = r.number();
                if (line.isEmpty()) continue;
                String[] f = Format.fields(line, '\t', file, no);
                for (int c = 0; c < f.length; c++) f[c] = f[c].trim();
                if (f.length != names.size()) {
                    throw DataException.at(file, no, f.length + " fields where the header has " + names.size());
                }
                if (f[id].isEmpty()) throw DataException.at(file, no, "an empty item_id");
                if (index >= 0 && !f[index].equals(Integer.toString(ids.size() + 1))) {
                    throw DataException.at(file, no, "item_index " + Format.excerpt(f[index]) + " where " + (ids.size() + 1)
                            + " comes next: the rows go by index, 1, 2, 3, ...");
                }
                if (count >= 0) {
                    try {
                        counts.add(Integer.parseInt(f[count]));
                    } catch (NumberFormatException e) {
                        throw DataException.at(file, no, "count " + Format.excerpt(f[count]) + " is not a whole number");
                    }
                }
                ids.add(f[id]);
                lines.add(no);
            }
        }
        if (ids.isEmpty()) throw new DataException(file + ": no items after the header");
        return new ItemNumbering(file, List.copyOf(ids), List.copyOf(lines),
                count(counts, ids.size()));
    }

    private static int[] count(List<Integer> counts, int n) {
        if (counts.size() != n) return null;
        int[] c = new int[n];
        for (int i = 0; i < n; i++) c[i] = counts.get(i);
        return c;
    }

    /**
     * Each kept raw item's rank (0-based) in the file, checked against the data: every item listed once, exactly the
     * kept items, counts as listed and never increasing.
     *
     * @param names  raw item names
     * @param kept   the raw items the k-core kept
     * @param count  each raw item's count after the filter
     */
    int[] ranks(String[] names, List<Integer> kept, int[] count) {
        Map<String, Integer> raw = new HashMap<>();
        for (int i : kept) raw.put(names[i], i);
        int[] rank = new int[names.length];
        java.util.Arrays.fill(rank, -1);
        for (int n = 0; n < ids.size(); n++) {
            Integer i = raw.get(ids.get(n));
            long no = lines.get(n);
            if (i == null) {
                throw DataException.at(file, no, "item " + Format.excerpt(ids.get(n)) + " is not in the data"
                        + (names.length > kept.size() ? " (after the k-core filter)" : ""));
            }
            if (rank[i] >= 0) throw DataException.at(file, no, "item " + Format.excerpt(ids.get(n)) + " is listed twice");
            rank[i] = n;
            if (counts != null && counts[n] != count[i]) {
                throw DataException.at(file, no, "item " + Format.excerpt(ids.get(n)) + " has count " + counts[n]
                        + " here but " + count[i] + " in the data: the numbering belongs to other data");
            }
            if (n > 0 && count[i] > count[raw.get(ids.get(n - 1))]) {
                throw DataException.at(file, no, "item " + Format.excerpt(ids.get(n)) + " (" + count[i] + " interactions) after one with "
                        + count[raw.get(ids.get(n - 1))] + ": items go by descending count, the file orders only ties");
            }
        }
        for (int i : kept) {
            if (rank[i] < 0) {
                throw new DataException(file + ": the data's item " + Format.excerpt(names[i]) + " is not listed ("
                        + ids.size() + " items listed, " + kept.size() + " in the data)");
            }
        }
        return rank;
    }
}
