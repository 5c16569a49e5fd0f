package org.re4j.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.re4j.config.ConfigTree;

import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/**
 * A saved model is a directory:
 * <ul>
 *   <li>{@code model.safetensors}: the parameters (opens in PyTorch);</li>
 *   <li>{@code config.json}: format version, model config, training config, data spec and provenance;</li>
 *   <li>{@code items.txt}: original item ids, line i = internal item i (line 0 is the padding marker).</li>
 * </ul>
 * Every file is written atomically; loading checks the format version, every tensor's name and shape, and the
 * item list's length against the config.
 */
public final class ModelDir {

    /** 2: typed model and training configs (enums, grouped flows, history fraction inside train_config). */
    public static final int FORMAT_VERSION = 2;
    public static final String PARAMS = "model.safetensors", CONFIG = "config.json", ITEMS = "items.txt";
    private static final String PADDING = "<pad>";

    public static final ObjectMapper JSON = ConfigTree.JSON;

    private ModelDir() {}

    /** Writes the parameters, the item ids and {@code config} (a JSON object; "format_version" is added). */
    public static void save(Path dir, ParamSet params, String[] itemIds, Map<String, Object> config) throws IOException {
        Files.createDirectories(dir);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Param p : params.all()) tensors.put(p.name, new SafeTensors.Tensor(new long[] {p.rows, p.cols}, p.value));
        SafeTensors.write(dir.resolve(PARAMS), tensors, metadata());
        AtomicFiles.write(dir.resolve(ITEMS), out -> {
            out.write((PADDING + "\n").getBytes(StandardCharsets.UTF_8));
            for (int i = 1; i < itemIds.length; i++) out.write((itemIds[i] + "\n").getBytes(StandardCharsets.UTF_8));
        });
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format_version", FORMAT_VERSION);
        c.putAll(config);
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(c));
    }

    /** The file's metadata in a fixed order, so that the same model always gives the same bytes. */
    private static Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("re4j_format_version", "" + FORMAT_VERSION);
        return m;
    }

    public static JsonNode readConfig(Path dir) throws IOException {
        Path f = dir.resolve(CONFIG);
        JsonNode c;
        try {
            c = JSON.readTree(f.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IOException(dir + " is not a re4j model directory: " + CONFIG + " is missing");
        }
        int v = c.path("format_version").asInt(-1);
        if (v != FORMAT_VERSION) {
            throw new IOException(f + ": model format version " + v + ", this re4j reads version " + FORMAT_VERSION
                    + (v >= 0 && v < FORMAT_VERSION ? " (written by an earlier re4j: train the model again)" : ""));
        }
        return c;
    }

    /** Item ids (index = internal id; index 0 = null), checked against the expected catalogue size. */
    public static String[] readItems(Path dir, int numItems) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(ITEMS), StandardCharsets.UTF_8);
        if (lines.size() != numItems + 1 || !PADDING.equals(lines.get(0))) {
            throw new IOException(dir.resolve(ITEMS) + ": expected " + (numItems + 1) + " lines starting with " + PADDING
                    + ", found " + lines.size() + ": truncated or from another model");
        }
        String[] ids = lines.toArray(new String[0]);
        ids[0] = null;
        return ids;
    }

    /** Copies saved tensors into {@code params}, refusing any missing, extra or misshapen tensor. */
    public static void loadParams(Path dir, ParamSet params) throws IOException {
        Path f = dir.resolve(PARAMS);
        Map<String, SafeTensors.Tensor> t = SafeTensors.read(f);
        for (Param p : params.all()) {
            SafeTensors.Tensor x = t.remove(p.name);
            if (x == null) throw new IOException(f + ": tensor " + p.name + " is missing");
            long[] want = {p.rows, p.cols};
            if (!Arrays.equals(want, x.shape())) {
                throw new IOException(f + ": tensor " + p.name + " has shape " + Arrays.toString(x.shape())
                        + ", the config says " + Arrays.toString(want));
            }
            System.arraycopy(x.data(), 0, p.value, 0, p.size());
        }
        if (!t.isEmpty()) throw new IOException(f + ": unexpected tensors " + t.keySet() + " for this model");
    }
}
