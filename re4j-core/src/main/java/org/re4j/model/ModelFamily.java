package org.re4j.model;

import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.config.ConfigTree;
import org.re4j.config.Preset;
import org.re4j.config.Setting;

/**
 * Everything re4j knows about one kind of model, defined once in the model's own class: its name, its config type
 * with its defaults on a catalogue, the flags that set that config, its named presets, and how to build a fresh
 * model from a config. {@link Models} lists the families; the command line, training runs, saved-model loading,
 * benchmarks and experiments all ask it instead of naming models themselves.
 *
 * @param name       the name on the command line and in config.json, e.g. {@code comirec-sa}
 * @param summary    one line for {@code --help}
 * @param configType the family's config record
 * @param defaults   the default config for a catalogue of N items
 * @param factory    a fresh model (initialised from the seed) for a config
 * @param settings   the flags that set fields of the config
 * @param presets    named presets (model config + training settings)
 * @param <C>        the config type
 */
public record ModelFamily<C extends Record & ModelConfig>(String name, String summary, Class<C> configType, IntFunction<C> defaults,
                                            Factory<C> factory, List<Setting> settings, List<Preset<C>> presets) {

    /** Builds a freshly initialised model. */
    @FunctionalInterface
    public interface Factory<C> {
        Recommender create(C config, long seed);
    }

    public ModelFamily {
        settings = List.copyOf(settings);
        presets = List.copyOf(presets);
    }

    public C defaults(int numItems) {
        return defaults.apply(numItems);
    }

    /** A fresh model for {@code config}, which must be this family's config type. */
    public Recommender create(Record config, long seed) {
        if (!configType.isInstance(config)) {
            throw new IllegalArgumentException(name + " takes a " + configType.getSimpleName() + ", not a "
                    + (config == null ? "null" : config.getClass().getSimpleName()));
        }
        return factory.create(configType.cast(config), seed);
    }

    /** The config a config.json section describes (every field given). */
    public C config(JsonNode json, String source) {
        return ConfigTree.toRecord(json, configType, source);
    }

    public Optional<Setting> setting(String flag) {
        return settings.stream().filter(s -> s.flag().equals(flag)).findFirst();
    }

    public Optional<Preset<C>> preset(String presetName) {
        return presets.stream().filter(p -> p.name().equals(presetName)).findFirst();
    }
}
