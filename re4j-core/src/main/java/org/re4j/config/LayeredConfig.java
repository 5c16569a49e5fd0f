package org.re4j.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A config record built in layers over a base (see {@link ConfigTree}): each layer is checked by building the record
 * right after it is applied, so a refusal names the layer that caused it (a file, a preset, a flag).
 *
 * @param <C> the record type
 */
public final class LayeredConfig<C> {

    private final Class<C> type;
    private final ObjectNode tree;
    private C current;

    public LayeredConfig(Class<C> type, C base) {
        this.type = type;
        this.tree = ConfigTree.tree(base);
        this.current = base;
    }

    /** Overlays a JSON object (a config file's section, a preset's record). */
    public LayeredConfig<C> merge(JsonNode layer, String source) {
        ConfigTree.merge(tree, layer, source);
        current = ConfigTree.toRecord(tree, type, source);
        return this;
    }

    /** Overlays a whole record, as a layer. */
    public LayeredConfig<C> mergeRecord(C layer, String source) {
        return merge(ConfigTree.tree(layer), source);
    }

    /** Sets one setting (its value already read by {@link Setting#parse}); a refusal names the flag. */
    public LayeredConfig<C> set(Setting s, JsonNode value) {
        ConfigTree.set(tree, s.path(), value);
        current = ConfigTree.toRecord(tree, type, s.flag());
        return this;
    }

    public C build() {
        return current;
    }

    public ObjectNode tree() {
        return tree.deepCopy();
    }
}
