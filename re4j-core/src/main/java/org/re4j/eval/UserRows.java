package org.re4j.eval;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.re4j.data.EvalSet;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;

/**
 * One evaluation's metrics per user, as {@code test_users.jsonl} holds them: a line per user, {@code {"user": ID,
 * "recall@20": ..., ...}} with the original user id and metrics.json's keys. Their mean is what metrics.json reports;
 * two runs over the same users compare user by user ({@link Paired}).
 *
 * @param keys   metric keys, in metrics.json's order
 * @param users  original user ids, distinct
 * @param values values[u][k]: user u's metric keys[k]
 */
public record UserRows(List<String> keys, List<String> users, double[][] values) {

    private static final ObjectMapper LINE = new ObjectMapper(); // one object a line: not indented

    public UserRows {
        keys = List.copyOf(keys);
        users = List.copyOf(users);
        if (values.length != users.size()) throw new IllegalArgumentException(users.size() + " users but " + values.length + " rows");
    }

    /** The rows of an evaluation of {@code set}, named by the data's user ids (internal id → original id). */
    public static UserRows of(EvalSet set, EvalResult r, String[] userIds) {
        List<String> users = new ArrayList<>(set.size());
        for (int u : set.users()) users.add(userIds[u]);
        return new UserRows(new ArrayList<>(r.metrics().keySet()), users, r.perUser());
    }

    /** Writes the rows to {@code file}, whole or not at all. */
    public void write(Path file) throws IOException {
        AtomicFiles.write(file, out -> {
            try (JsonGenerator g = LINE.getFactory().createGenerator(out)) {
                g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
                g.setRootValueSeparator(null); // lines end in '\n', not in the default separator, a space
                for (int u = 0; u < values.length; u++) {
                    g.writeStartObject();
                    g.writeStringField("user", users.get(u));
                    for (int k = 0; k < keys.size(); k++) g.writeNumberField(keys.get(k), values[u][k]);
                    g.writeEndObject();
                    g.writeRaw('\n');
                }
            }
        });
    }

    /**
     * A run directory's rows: its {@code test_users.jsonl}, or that file gzipped ({@code test_users.jsonl.gz}, as runs
     * kept beside a report are stored); null when it has neither.
     */
    public static Path inRun(Path runDir) {
        Path plain = runDir.resolve(ModelDir.TEST_USERS), gz = runDir.resolve(ModelDir.TEST_USERS + ".gz");
        return Files.isRegularFile(plain) ? plain : Files.isRegularFile(gz) ? gz : null;
    }

    /** Reads a file {@link #write} wrote, gzipped when its name ends in .gz; a malformed line is one message naming the file and line. */
    public static UserRows read(Path file) throws IOException {
        List<String> keys = null, users = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        try (BufferedReader in = file.getFileName().toString().endsWith(".gz")
                ? new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))
                : Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int no = 0;
            for (String line; (line = in.readLine()) != null; ) {
                no++;
                if (line.isBlank()) continue;
                String at = file + ":" + no + ": ";
                JsonNode n;
                try {
                    n = LINE.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IOException(ModelDir.jsonError(file + " line " + no, e), e);
                }
                if (n == null || !n.isObject() || !n.path("user").isTextual()) throw new IOException(at + "expected an object with a \"user\" id");
                List<String> k = new ArrayList<>();
                n.fieldNames().forEachRemaining(k::add);
                k.remove("user");
                if (keys == null) keys = k;
                else if (!keys.equals(k)) throw new IOException(at + "metrics " + k + ", the first line has " + keys);
                String user = n.get("user").asText();
                if (!seen.add(user)) throw new IOException(at + "user " + user + " appears twice");
                double[] v = new double[keys.size()];
                for (int i = 0; i < v.length; i++) {
                    JsonNode x = n.get(keys.get(i));
                    if (!x.isNumber()) throw new IOException(at + keys.get(i) + " is not a number: " + x);
                    v[i] = x.asDouble();
                }
                users.add(user);
                rows.add(v);
            }
        } catch (FileSystemException e) {
            throw new IOException("cannot read " + file + ": " + AtomicFiles.reason(e), e);
        }
        if (keys == null) throw new IOException(file + ": no users in it");
        return new UserRows(keys, users, rows.toArray(new double[0][]));
    }

    /** One metric by user id, in the rows' order; a key the rows lack is refused, listing those they have. */
    public Map<String, Double> metric(String key) {
        int k = keys.indexOf(key);
        if (k < 0) throw new IllegalArgumentException("no metric " + key + " (there are " + String.join(", ", keys) + ")");
        Map<String, Double> m = new LinkedHashMap<>();
        for (int u = 0; u < values.length; u++) m.put(users.get(u), values[u][k]);
        return m;
    }
}
