package org.re4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import com.fasterxml.jackson.databind.JsonNode;

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
record TrainedModel(JsonNode config, Dataset data, Recommender model) {

    static TrainedModel load(Path modelDir, DataOptions given) throws IOException {
        JsonNode config = ModelDir.readConfig(modelDir);
        DataOptions d = given != null && given.given() ? given : DataOptions.from(config.path("data"));
        Dataset ds = d.load();
        int numItems = config.path("num_items").asInt();
        if (!Arrays.equals(ModelDir.readItems(modelDir, numItems), ds.itemIds)) {
            throw new IllegalArgumentException("the model's catalogue (" + numItems + " items) is not the catalogue of "
                    + d.paths + " (" + ds.numItems() + " items): use the data the model was trained on");
        }
        return new TrainedModel(config, ds, Models.load(modelDir, config, numItems));
    }

    /** The run's user split (same seed as training). */
    Split split() {
        return Split.comirec(data.numUsers(), config.path("train_config").path("seed").asLong());
    }

    /** Held-out users of the run, with its history fraction. */
    EvalSet evalSet(int[] users) {
        return data.evalSet(users, config.path("train_config").path("historyFraction").asDouble());
    }
}
