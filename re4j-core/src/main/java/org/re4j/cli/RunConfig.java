package org.re4j.cli;

import java.io.PrintStream;
import java.util.Iterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import picocli.CommandLine.ParseResult;

import org.re4j.config.LayeredConfig;
import org.re4j.config.Preset;
import org.re4j.config.TrainConfig;
import org.re4j.model.ComiRecSA;
import org.re4j.model.ModelConfig;
import org.re4j.model.ModelFamily;
import org.re4j.model.Models;

/**
 * The model and training configs of a run, built in layers: the model family's defaults and ComiRec's training
 * settings, then a preset, then a config file ({@code --config}, e.g. another run's config.json), then the flags
 * given. The model is {@code --model}, else the preset's, else the file's, else ComiRec-SA.
 *
 * @param family the model family
 * @param model  its config, for the data's catalogue
 * @param train  the training settings
 */
record RunConfig(ModelFamily<?> family, Record model, TrainConfig train) {

    /**
     * @param modelName  --model, or null
     * @param presetName --preset, or null
     * @param file       the config file's content, or null
     * @param fileName   the file's name, for messages
     * @param notes      where to say which layers did not apply
     */
    static RunConfig resolve(ParseResult flags, String modelName, String presetName, JsonNode file, String fileName,
                             int numItems, PrintStream notes) {
        Models.FoundPreset preset = presetName != null ? Models.preset(presetName) : null;
        ModelFamily<?> family = modelName != null ? Models.forName(modelName)
                : preset != null ? preset.family()
                : file != null && file.hasNonNull("model") ? Models.forName(file.path("model").asText())
                : Models.forName(ComiRecSA.NAME);
        if (preset != null && preset.family() != family) {
            notes.println("re4j: --preset " + presetName + ": its training settings only (its model settings are for "
                    + preset.family().name() + ", not " + family.name() + ")");
        }
        JsonNode fileModel = null;
        if (file != null) {
            if (family.name().equals(file.path("model").asText(family.name()))) fileModel = file.path("model_config");
            else notes.println("re4j: " + fileName + ": its training settings only (its model_config is for "
                    + file.path("model").asText() + ", not " + family.name() + ")");
        }
        Record model = model(family, preset, fileModel, fileName, flags, numItems);

        LayeredConfig<TrainConfig> train = new LayeredConfig<>(TrainConfig.class, TrainConfig.comirec());
        if (preset != null) train.mergeRecord(preset.preset().training().apply(train.build()), "--preset " + presetName);
        if (file != null) train.merge(file.path("train_config"), fileName + ": train_config");
        SettingOptions.applyTrainFlags(flags, train);
        return new RunConfig(family, model, train.build());
    }

    @SuppressWarnings("unchecked")
    private static <C extends Record & ModelConfig> Record model(ModelFamily<C> family, Models.FoundPreset preset, JsonNode fileModel,
                                                   String fileName, ParseResult flags, int numItems) {
        LayeredConfig<C> cfg = new LayeredConfig<>(family.configType(), family.defaults(numItems));
        if (preset != null && preset.family() == family) {
            cfg.mergeRecord(((Preset<C>) preset.preset()).model().apply(numItems), "--preset " + preset.preset().name());
        }
        if (fileModel != null && !fileModel.isMissingNode()) {
            JsonNode m = fileModel.deepCopy();
            dropNumItems(m); // the catalogue is the data's, not the file's
            cfg.merge(m, fileName + ": model_config");
        }
        SettingOptions.applyModelFlags(flags, family, cfg);
        return cfg.build();
    }

    private static void dropNumItems(JsonNode n) {
        if (!(n instanceof ObjectNode o)) return;
        o.remove("numItems");
        for (Iterator<JsonNode> it = o.elements(); it.hasNext(); ) dropNumItems(it.next());
    }
}
