package org.re4j.config;

import java.util.function.IntFunction;
import java.util.function.UnaryOperator;

/**
 * A named way to train a model, defined once and used by {@code re4j train --preset}, the scripts and the tests:
 * the model's config on a catalogue and the training settings it changes. Flags given with the preset still win.
 *
 * @param name     e.g. {@code re4-authors}
 * @param summary  one line for {@code --help} and the README
 * @param model    the model config for a catalogue of N items
 * @param training what the preset changes in the training settings
 * @param <C>      the family's config type
 */
public record Preset<C>(String name, String summary, IntFunction<C> model, UnaryOperator<TrainConfig> training) {}
