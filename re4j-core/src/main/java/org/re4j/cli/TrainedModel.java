package org.re4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.config.LayeredConfig;
import org.re4j.config.TrainConfig;
import org.re4j.data.Dataset;
import org.re4j.data.EvalSet;
import org.re4j.data.Split;
import org.re4j.io.ModelDir;
import org.re4j.model.Models;
import org.re4j.model.Recommender;

/**
 * A saved model together with the data it was trained on, rebuilt from its config.json (or from data options
 * given now), with the catalogue checked to be the same; and the user split of its run.
 */
record TrainedModel(JsonNode config, TrainConfig train, Dataset data, Recommender model) {

    static TrainedModel load(Path modelDir, DataOptions given) throws IOException {
        JsonNode config = ModelDir.readConfig(modelDir);
        // Checked as 'train --config' would read it: a wrong or mistyped field is refused, naming it.
        TrainConfig train = new LayeredConfig<>(TrainConfig.class, TrainConfig.comirec())
                .merge(config.path("train_config"), modelDir.resolve(ModelDir.CONFIG) + ": train_config").build();
        DataOptions recorded = DataOptions.from(config.path("data")), d = given != null && given.given() ? given : recorded;
        if (d.items == null) d.items = recorded.items; // the numbering the model was trained with, unless another is given
        if (!d.given()) throw new IllegalArgumentException("--data is required: " + noDataFiles(modelDir, config.path("data")));
        Dataset ds = d.load();
        int numItems = config.path("num_items").asInt();
        if (!Arrays.equals(ModelDir.readItems(modelDir, numItems), ds.itemIds)) {
            throw new IllegalArgumentException("the model's catalogue (" + numItems + " items) is not the catalogue of "
                    + d.paths + " (" + ds.numItems() + " items): use the data the model was trained on");
        }
        return new TrainedModel(config, train, ds, Models.load(modelDir, config, numItems));
    }

    /** Why a model's config.json cannot say which data to read, and what to pass. */
    private static String noDataFiles(Path modelDir, JsonNode data) {
        Path f = modelDir.resolve(ModelDir.CONFIG);
        if (data.isMissingNode() || data.isNull()) return f + " has no data section; pass --data with the file(s) the model was trained on";
        if (data.has("synthetic")) {
            return f + ": the model was trained on synthetic data (" + data.path("synthetic").asText()
                    + "), which no file holds; pass --data with a file of the same catalogue";
        }
        String what = data.path("name").asText("data") + (data.has("users")
                ? String.format(" (%,d users, %,d items, %,d interactions)", data.path("users").asLong(),
                        data.path("items").asLong(), data.path("interactions").asLong()) : "");
        return f + ": the model was trained on " + what + " but its config names no data files (the data was not read from files);"
                + " pass --data with the file(s) it was trained on";
    }

    /** The run's user split (same seed as training). */
    Split split() {
        return Split.comirec(data.numUsers(), train.seed());
    }

    /** Held-out users of the run, with its history fraction. */
    EvalSet evalSet(int[] users) {
        return data.evalSet(users, train.historyFraction());
    }
}
