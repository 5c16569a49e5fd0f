package org.re4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;

import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

import org.re4j.config.ConfigTree;
import org.re4j.config.LayeredConfig;
import org.re4j.config.Setting;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;

/**
 * Command-line options made from the settings that the model families and {@link TrainConfig} declare, so that a
 * flag, its help text and its default are defined once, beside the config field they set. Commands that take them
 * name one of the transformers below in their {@code @Command(modelTransformer = ...)}.
 */
final class SettingOptions {

    private SettingOptions() {}

    /** Model settings and training settings (train). */
    static final class Train implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            describeModelOptions(spec);
            addModelOptions(spec);
            addTrainOptions(spec, flag -> true);
            return spec;
        }
    }

    /** Model settings and the training settings that shape one step (bench step). */
    static final class Step implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            describeModelOptions(spec);
            addModelOptions(spec);
            addTrainOptions(spec, TrainConfig.STEP_FLAGS::contains);
            return spec;
        }
    }

    /** Model settings only (bench flows, bench eval). */
    static final class Model implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            addModelOptions(spec);
            return spec;
        }
    }

    /**
     * Writes the registry's models and presets into the help of {@code --model} and {@code --preset} (where the
     * command has them), so that no command lists them by hand.
     */
    static void describeModelOptions(CommandSpec spec) {
        OptionSpec m = spec.findOption("--model");
        if (m != null) {
            List<String> lines = new ArrayList<>(List.of("The model (default: " + ComiRecSA.NAME + "):"));
            for (ModelFamily<?> f : Models.all()) lines.add("  " + f.name() + ": " + f.summary());
            replace(spec, m, lines.toArray(new String[0]));
        }
        OptionSpec p = spec.findOption("--preset");
        if (p != null) {
            List<String> lines = new ArrayList<>(List.of(p.description()));
            for (ModelFamily<?> f : Models.all()) {
                for (var preset : f.presets()) lines.add("  " + preset.name() + " (" + f.name() + "): " + preset.summary());
            }
            replace(spec, p, lines.toArray(new String[0]));
        }
    }

    private static void replace(CommandSpec spec, OptionSpec o, String[] description) {
        spec.remove(o);
        spec.addOption(o.toBuilder().description(description).build());
    }

    /** Every model setting flag, with the families that have it (in registry order). */
    static Map<String, List<ModelFamily<?>>> modelFlags() {
        Map<String, List<ModelFamily<?>>> flags = new LinkedHashMap<>();
        for (ModelFamily<?> f : Models.all()) {
            for (Setting s : f.settings()) flags.computeIfAbsent(s.flag(), k -> new ArrayList<>()).add(f);
        }
        return flags;
    }

    private static void addModelOptions(CommandSpec spec) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().exclusive(false).validate(false).multiplicity("0..1")
                .heading("%nModel settings (each applies to the models named; defaults per model):%n");
        for (Map.Entry<String, List<ModelFamily<?>>> e : modelFlags().entrySet()) {
            List<ModelFamily<?>> families = e.getValue();
            Setting first = families.get(0).setting(e.getKey()).orElseThrow();
            // Defaults per model, grouped by value: "comirec-sa, mind: 4; re4: 8".
            Map<String, List<String>> byValue = new LinkedHashMap<>();
            for (ModelFamily<?> f : families) {
                Setting s = f.setting(e.getKey()).orElseThrow();
                byValue.computeIfAbsent(defaultText(s, f.defaults(1)), k -> new ArrayList<>()).add(f.name());
            }
            List<String> parts = new ArrayList<>();
            byValue.forEach((v, names) -> parts.add(String.join(", ", names) + ": " + v));
            group.addArg(option(first, first.description() + " (" + String.join("; ", parts) + ")"));
        }
        spec.addArgGroup(group.build());
    }

    private static void addTrainOptions(CommandSpec spec, Predicate<String> include) {
        ArgGroupSpec.Builder group = ArgGroupSpec.builder().exclusive(false).validate(false).multiplicity("0..1")
                .heading("%nTraining settings (defaults are ComiRec's):%n");
        TrainConfig defaults = TrainConfig.comirec();
        for (Setting s : TrainConfig.SETTINGS) {
            if (include.test(s.flag())) group.addArg(option(s, s.description() + " (default: " + defaultText(s, defaults) + ")"));
        }
        spec.addArgGroup(group.build());
    }

    private static String defaultText(Setting s, Object defaults) {
        if (s.defaultText() != null) return s.defaultText();
        JsonNode v = ConfigTree.get(ConfigTree.tree(defaults), s.path());
        if (s.isSwitch()) return v.asBoolean() ? "on" : "off";
        return v.isTextual() ? v.asText() : v.toString();
    }

    private static OptionSpec option(Setting s, String description) {
        OptionSpec.Builder b = OptionSpec.builder(s.flag()).description(description);
        if (s.isSwitch()) return b.negatable(true).type(boolean.class).arity("0").build();
        return b.type(String.class).arity("1").paramLabel(s.paramLabel()).build();
    }

    /** The flags of {@code flags} given on the command line as settings (a command's own option of that name is not one). */
    static List<String> given(ParseResult pr, Iterable<String> flags) {
        List<String> out = new ArrayList<>();
        for (String f : flags) if (isSetting(pr, f)) out.add(f);
        return out;
    }

    private static boolean isSetting(ParseResult pr, String flag) {
        return pr.hasMatchedOption(flag) && pr.matchedOption(flag).group() != null; // settings live in the groups above
    }

    /**
     * Applies the model flags given on the command line to a config of {@code family}; a flag the family does not
     * have is refused, naming the models that take it.
     */
    static void applyModelFlags(ParseResult pr, ModelFamily<?> family, LayeredConfig<?> cfg) {
        Map<String, List<ModelFamily<?>>> all = modelFlags();
        for (String flag : given(pr, all.keySet())) {
            Setting s = family.setting(flag).orElseThrow(() -> new IllegalArgumentException(flag + " is not a setting of --model "
                    + family.name() + " (it applies to " + String.join(", ", all.get(flag).stream().map(ModelFamily::name).toList()) + ")"));
            cfg.set(s, value(pr, s));
        }
    }

    /** Applies the training flags given on the command line. */
    static void applyTrainFlags(ParseResult pr, LayeredConfig<TrainConfig> cfg) {
        for (Setting s : TrainConfig.SETTINGS) if (isSetting(pr, s.flag())) cfg.set(s, value(pr, s));
    }

    private static JsonNode value(ParseResult pr, Setting s) {
        Object v = pr.matchedOption(s.flag()).getValue();
        if (s.isSwitch()) return BooleanNode.valueOf(Boolean.TRUE.equals(v));
        return s.parse((String) v);
    }
}
