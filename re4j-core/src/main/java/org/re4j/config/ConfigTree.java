package org.re4j.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Config records as JSON trees, so that one record can be built in layers: the family's defaults, then a preset,
 * then a config file, then command-line flags, each layer replacing only what it names. The record's own
 * constructor validates the result. Layers may only name what the defaults have: an unknown field is an error
 * that names the field and where it came from.
 */
public final class ConfigTree {

    /** The JSON mapper of every file re4j writes (indented) and of config records. */
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigTree() {}

    /** The record as an editable tree. */
    public static ObjectNode tree(Object record) {
        return JSON.valueToTree(record);
    }

    /** Sets the value at a dotted path that exists in {@code root}. */
    public static void set(ObjectNode root, String path, JsonNode value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode o)) throw new IllegalStateException("no object at " + path + " in " + root);
            node = o;
        }
        if (!node.has(parts[parts.length - 1])) throw new IllegalStateException("no field " + path + " in " + root);
        node.set(parts[parts.length - 1], value);
    }

    /** The value at a dotted path, or a missing node. */
    public static JsonNode get(JsonNode root, String path) {
        JsonNode node = root;
        for (String p : path.split("\\.")) node = node.path(p);
        return node;
    }

    /**
     * Overlays {@code layer} onto {@code base} in place: objects are merged field by field, anything else replaces.
     *
     * @param source names the layer in errors, e.g. "runs/x/config.json: model_config"
     */
    public static void merge(ObjectNode base, JsonNode layer, String source) {
        if (layer == null || layer.isMissingNode() || layer.isNull()) return;
        if (!layer.isObject()) throw new IllegalArgumentException(source + " must be an object, not " + layer.getNodeType().name().toLowerCase());
        for (Iterator<Map.Entry<String, JsonNode>> it = layer.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = base.get(e.getKey());
            if (current == null) {
                throw new IllegalArgumentException(source + ": unknown field '" + e.getKey() + "' (known: "
                        + iterable(base.fieldNames()) + ")");
            }
            if (current.isObject() && e.getValue().isObject()) merge((ObjectNode) current, e.getValue(), source + "." + e.getKey());
            else base.set(e.getKey(), e.getValue());
        }
    }

    /** The record the tree describes; a refusal by its constructor or a mistyped field becomes one line naming {@code source}. */
    public static <C> C toRecord(JsonNode tree, Class<C> type, String source) {
        try {
            return JSON.treeToValue(tree, type);
        } catch (ValueInstantiationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException(source + ": " + Setting.firstLine(cause.getMessage()));
        } catch (JsonMappingException e) {
            String at = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
            throw new IllegalArgumentException(source + (at.isEmpty() ? "" : ": " + at) + ": " + Setting.firstLine(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": " + Setting.firstLine(e.getOriginalMessage()));
        }
    }

    /** Reads a JSON or YAML file (YAML by its .yaml/.yml name), with the position of a syntax error in the message. */
    public static JsonNode read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase();
        ObjectMapper m = name.endsWith(".yaml") || name.endsWith(".yml") ? YAML : JSON;
        try {
            JsonNode n = m.readTree(Files.readString(file));
            if (n == null || !n.isObject()) throw new IOException(file + ": expected a JSON object at the top");
            return n;
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such file");
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null ? "" : ":" + l.getLineNr() + ":" + l.getColumnNr();
            throw new IOException(file + where + ": " + Setting.firstLine(e.getOriginalMessage()));
        }
    }

    private static String iterable(Iterator<String> it) {
        StringBuilder sb = new StringBuilder();
        it.forEachRemaining(s -> sb.append(sb.length() == 0 ? "" : ", ").append(s));
        return sb.toString();
    }
}
