package org.re4j.cli;

import picocli.CommandLine.Option;

import org.re4j.model.ComiRecSA;

/** The model and its shape. Defaults are ComiRec-SA's (ComiRec's code). */
public final class ModelOptions {

    @Option(names = "--model", defaultValue = "comirec-sa", description = "comirec-sa or pop (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dim", defaultValue = "64", description = "Embedding size d (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--hidden", defaultValue = "256", description = "Attention hidden size d_h (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--interests", defaultValue = "4", description = "Interests per user K (default: ${DEFAULT-VALUE}).")
    int interests;

    @Option(names = "--max-len", defaultValue = "20", description = "History length N_x read by the model (default: ${DEFAULT-VALUE}).")
    int maxLen;

    @Option(names = "--position-embedding", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Learned position embedding on the attention input, as ComiRec's code (default: on).")
    boolean positionEmbedding;

    @Option(names = "--projection", defaultValue = "identity",
            description = "Interest projection W2: identity (ComiRec's code) or learned (Re4 paper eq. 2).")
    String projection;

    @Option(names = "--attention-bias", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Biases in the attention MLP, as ComiRec's dense layers (default: on).")
    boolean attentionBias;

    ComiRecSA.Config selfAttentive(int numItems) {
        if (!projection.equals("identity") && !projection.equals("learned")) {
            throw new IllegalArgumentException("--projection must be identity or learned, not '" + projection + "'");
        }
        return new ComiRecSA.Config(numItems, dim, hidden, interests, maxLen, positionEmbedding,
                projection.equals("learned"), attentionBias);
    }
}
