package org.re4j.model;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.io.ModelDir;

/** Rebuilds a saved model from its directory: the config names the model, the safetensors file fills it. */
public final class Models {

    private Models() {}

    public static Recommender load(Path dir, JsonNode config, int numItems) throws IOException {
        String name = config.path("model").asText();
        switch (name) {
            case "pop": {
                ParamSet ps = new ParamSet();
                Param counts = ps.add(Param.dense("item_popularity", numItems + 1, 1));
                ModelDir.loadParams(dir, ps);
                return Pop.fromCounts(counts.value);
            }
            case "comirec-sa": {
                ComiRecSA.Config c = ModelDir.JSON.treeToValue(config.path("model_config"), ComiRecSA.Config.class);
                if (c.numItems() != numItems) throw new IOException(dir + ": model_config.numItems disagrees with num_items");
                ComiRecSA m = new ComiRecSA(c, 0);
                ModelDir.loadParams(dir, m.params());
                return m;
            }
            default:
                throw new IOException(dir + ": unknown model '" + name + "'");
        }
    }
}
