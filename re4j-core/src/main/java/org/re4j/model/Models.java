package org.re4j.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.config.Preset;
import org.re4j.io.ModelDir;
import org.re4j.model.re4.Re4;

/**
 * The model families by name (as Lucene looks codecs up by name): adding a model is its class, with its
 * {@link ModelFamily} inside, and one line in {@link #FAMILIES}.
 */
public final class Models {

    /** Every model re4j trains, in the order help texts list them. */
    private static final List<ModelFamily<?>> FAMILIES = List.of(
            ComiRecSA.FAMILY,
            Re4.FAMILY,
            ComiRecDR.FAMILY,
            Mind.FAMILY,
            YouTubeDnn.FAMILY,
            Gru4Rec.FAMILY,
            Pop.FAMILY);

    /** A preset and the family it belongs to. */
    public record FoundPreset(ModelFamily<?> family, Preset<?> preset) {}

    private Models() {}

    public static List<ModelFamily<?>> all() {
        return FAMILIES;
    }

    /** The names, for messages: "comirec-sa, re4, ...". */
    public static String names() {
        return FAMILIES.stream().map(ModelFamily::name).collect(Collectors.joining(", "));
    }

    public static ModelFamily<?> forName(String name) {
        for (ModelFamily<?> f : FAMILIES) if (f.name().equals(name)) return f;
        throw new IllegalArgumentException("--model must be one of " + names() + ", not '" + name + "'");
    }

    /** The family whose config type {@code config} is. */
    public static ModelFamily<?> familyOf(Record config) {
        for (ModelFamily<?> f : FAMILIES) if (f.configType().isInstance(config)) return f;
        throw new IllegalArgumentException("no model family takes a " + config.getClass().getSimpleName());
    }

    /** A freshly initialised model for a config of any family. */
    public static Recommender create(Record config, long seed) {
        return familyOf(config).create(config, seed);
    }

    public static FoundPreset preset(String name) {
        List<String> known = new ArrayList<>();
        for (ModelFamily<?> f : FAMILIES) {
            for (Preset<?> p : f.presets()) {
                if (p.name().equals(name)) return new FoundPreset(f, p);
                known.add(p.name() + " (" + f.name() + ")");
            }
        }
        throw new IllegalArgumentException("--preset must be one of " + String.join(", ", known) + ", not '" + name + "'");
    }

    /** Rebuilds a saved model from its directory: config.json names the family and its config, the safetensors file fills it. */
    public static Recommender load(Path dir, JsonNode config, int numItems) throws IOException {
        String name = config.path("model").asText();
        ModelFamily<?> family;
        try {
            family = forName(name);
        } catch (IllegalArgumentException e) {
            throw new IOException(dir.resolve(ModelDir.CONFIG) + ": unknown model '" + name + "' (known: " + names() + ")");
        }
        Record cfg;
        try {
            cfg = family.config(config.path("model_config"), dir.resolve(ModelDir.CONFIG) + ": model_config");
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
        Recommender m = family.create(cfg, 0);
        if (m.numItems() != numItems) throw new IOException(dir.resolve(ModelDir.CONFIG) + ": model_config disagrees with num_items");
        ModelDir.loadParams(dir, m.params());
        return m;
    }
}
