package org.re4j.model;

import java.io.IOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;

import org.re4j.io.ModelDir;
import org.re4j.model.re4.Re4;

/** Rebuilds a saved model from its directory: the config names the model, the safetensors file fills it. */
public final class Models {

    private Models() {}

    /** A freshly initialised trainable model: comirec-sa with a {@link ComiRecSA.Config}, re4 with a {@link Re4.Config}. */
    public static MultiInterestEncoder create(String name, Record config, long seed) {
        if (name.equals("comirec-sa") && config instanceof ComiRecSA.Config c) return new ComiRecSA(c, seed);
        if (name.equals("re4") && config instanceof Re4.Config c) return new Re4(c, seed);
        if (name.equals("youtube-dnn") && config instanceof YouTubeDnn.Config c) return new YouTubeDnn(c, seed);
        if (name.equals("gru4rec") && config instanceof Gru4Rec.Config c) return new Gru4Rec(c, seed);
        if (name.equals("comirec-dr") && config instanceof ComiRecDR.Config c) return new ComiRecDR(c, seed);
        if (name.equals("mind") && config instanceof Mind.Config c) return new Mind(c, seed);
        throw new IllegalArgumentException("no trainable model '" + name + "' with a " + config.getClass().getSimpleName());
    }

    public static Recommender load(Path dir, JsonNode config, int numItems) throws IOException {
        String name = config.path("model").asText();
        switch (name) {
            case "pop": {
                ParamSet ps = new ParamSet();
                Param counts = ps.add(Param.dense("item_popularity", numItems + 1, 1));
                ModelDir.loadParams(dir, ps);
                return Pop.fromCounts(counts.value);
            }
            case "comirec-sa":
            case "re4":
            case "youtube-dnn":
            case "gru4rec":
            case "comirec-dr":
            case "mind": {
                Class<? extends Record> type = name.equals("re4") ? Re4.Config.class
                        : name.equals("youtube-dnn") ? YouTubeDnn.Config.class
                        : name.equals("gru4rec") ? Gru4Rec.Config.class
                        : name.equals("comirec-dr") ? ComiRecDR.Config.class
                        : name.equals("mind") ? Mind.Config.class : ComiRecSA.Config.class;
                MultiInterestEncoder m = create(name, ModelDir.JSON.treeToValue(config.path("model_config"), type), 0);
                if (m.numItems() != numItems) throw new IOException(dir + ": model_config disagrees with num_items");
                ModelDir.loadParams(dir, m.params());
                return m;
            }
            default:
                throw new IOException(dir + ": unknown model '" + name + "'");
        }
    }
}
