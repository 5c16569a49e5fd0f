package org.re4j.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a dataset came from: the files, the format they were read in, the column names, and the k-core filter.
 * A {@link Dataset} read from files carries one, however it was read (command line or Java API), and a run records
 * it in config.json, so that {@code evaluate}, {@code recommend} and {@code train --config} can read the same data
 * again.
 *
 * @param columns null where every column was recognised in the header
 * @param items   the file that ordered the items of equal count ({@link ItemNumbering}), or null: first appearance
 */
public record DataSource(List<Path> paths, Format format, Columns columns, int minItemCount, int minUserCount, String name,
                         Path items) {

    public DataSource {
        paths = List.copyOf(paths);
    }

    /** What config.json's {@code data} section holds: enough to read the data again, and each file's SHA-256. */
    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> p = new ArrayList<>(), sums = new ArrayList<>();
        for (Path x : paths) {
            p.add(x.toString());
            sums.add(sha256(x));
        }
        m.put("paths", p);
        m.put("sha256", sums); // provenance: which bytes the model was trained on
        m.put("format", format.cliName());
        m.put("user_col", columns == null ? null : columns.user());
        m.put("item_col", columns == null ? null : columns.item());
        m.put("time_col", columns == null ? null : columns.time());
        m.put("min_item_count", minItemCount);
        m.put("min_user_count", minUserCount);
        m.put("name", name);
        if (items != null) { // absent otherwise, as in the configs of runs made before the option
            m.put("items_file", items.toString());
            m.put("items_file_sha256", sha256(items));
        }
        return m;
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
    }
}
