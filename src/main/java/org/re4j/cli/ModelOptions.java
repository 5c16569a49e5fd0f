package org.re4j.cli;

import picocli.CommandLine.Option;

import org.re4j.model.ComiRecDR;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Gru4Rec;
import org.re4j.model.Mind;
import org.re4j.model.YouTubeDnn;
import org.re4j.model.re4.Re4;

/** The model and its shape. Defaults are ComiRec-SA's (ComiRec's code). */
public final class ModelOptions {

    @Option(names = "--model", defaultValue = "comirec-sa", description = "comirec-sa, comirec-dr, mind, re4, youtube-dnn, gru4rec or pop (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--dim", defaultValue = "64", description = "Embedding size d (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--hidden", defaultValue = "256", description = "Attention hidden size d_h (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--interests", description = "Interests per user K (default: 4 for comirec-sa, 8 for re4).")
    Integer interests;

    @Option(names = "--max-len", defaultValue = "20", description = "History length N_x read by the model (default: ${DEFAULT-VALUE}).")
    int maxLen;

    @Option(names = "--position-embedding", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Learned position embedding on the attention input, as ComiRec's code (default: on).")
    boolean positionEmbedding;

    @Option(names = "--projection",
            description = "Interest projection W2: identity (comirec-sa default, ComiRec's code) or learned (re4 default, paper eq. 2).")
    String projection;

    @Option(names = "--attention-bias", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Biases in the attention MLP, as ComiRec's dense layers (default: on).")
    boolean attentionBias;

    @Option(names = "--lambda-cl", defaultValue = "0.1", description = "re4: Re-contrast weight λ_CL (0 = off; default: ${DEFAULT-VALUE}).")
    double lambdaContrast;

    @Option(names = "--lambda-att", defaultValue = "0.1", description = "re4: Re-attend weight λ_Att (0 = off; default: ${DEFAULT-VALUE}).")
    double lambdaAttend;

    @Option(names = "--lambda-ct", defaultValue = "0.1", description = "re4: Re-construct weight λ_CT (0 = off; default: ${DEFAULT-VALUE}).")
    double lambdaConstruct;

    @Option(names = "--tau", defaultValue = "0.02", description = "re4: Re-contrast temperature τ (default: ${DEFAULT-VALUE}).")
    double tau;

    @Option(names = "--gamma-c", defaultValue = "adaptive",
            description = "re4: attention threshold of the positives, a number in (0, 1) or 'adaptive' = 1/len (default: ${DEFAULT-VALUE}).")
    String gamma;

    @Option(names = "--contrast-negatives", defaultValue = "128",
            description = "re4: items sampled outside the sequence as Re-contrast negatives, shared by the batch (default: ${DEFAULT-VALUE}).")
    int contrastNegatives;

    @Option(names = "--re-attend-detach", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "re4: no gradient through Re-attend's target ã (default: on; the authors' code lets it through).")
    boolean detachAttend;

    @Option(names = "--db", defaultValue = "32", description = "re4: Re-construct slot size d_b (default: ${DEFAULT-VALUE}).")
    int db;

    @Option(names = "--construct-hidden", defaultValue = "32", description = "re4: Re-construct attention hidden size (default: ${DEFAULT-VALUE}).")
    int constructHidden;

    @Option(names = "--readout-power", defaultValue = "2",
            description = "mind: label-aware attention power p at training (0 = argmax interest; default: ${DEFAULT-VALUE}).")
    int readoutPower;

    @Option(names = "--dynamic-interests", description = "mind: K' = max(1, min(K, log2 n)) interests for a user with n items.")
    boolean dynamicInterests;

    /** Set by --preset re4-authors: the authors' interest head and flow details. */
    boolean authors;

    /** The model's configuration for a catalogue: a ComiRecSA.Config, a Re4.Config, or null for pop. */
    Record config(int numItems) {
        switch (model) {
            case "pop": return null;
            case "comirec-sa": return selfAttentive(numItems, 4, "identity");
            case "youtube-dnn": return new YouTubeDnn.Config(numItems, dim, maxLen);
            case "gru4rec": return new Gru4Rec.Config(numItems, dim, maxLen);
            case "comirec-dr": return new ComiRecDR.Config(numItems, dim, interests != null ? interests : 4, maxLen, 3);
            case "mind": return new Mind.Config(numItems, dim, interests != null ? interests : 4, maxLen, 3, dynamicInterests, 1, readoutPower);
            case "re4": {
                double g;
                if (gamma.equals("adaptive")) g = 0;
                else {
                    try {
                        g = Double.parseDouble(gamma);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("--gamma-c must be a number in (0, 1) or 'adaptive', not '" + gamma + "'");
                    }
                    if (!(g > 0 && g < 1)) throw new IllegalArgumentException("--gamma-c must be in (0, 1), got " + g);
                }
                return new Re4.Config(selfAttentive(numItems, 8, "learned"), lambdaContrast, lambdaAttend, lambdaConstruct,
                        tau, g, contrastNegatives, detachAttend, db, constructHidden, authors, authors);
            }
            default:
                throw new IllegalArgumentException("--model must be comirec-sa, comirec-dr, mind, re4, youtube-dnn, gru4rec or pop, not '" + model + "'");
        }
    }

    ComiRecSA.Config selfAttentive(int numItems, int defaultInterests, String defaultProjection) {
        String proj = projection != null ? projection : defaultProjection;
        if (!proj.equals("identity") && !proj.equals("learned")) {
            throw new IllegalArgumentException("--projection must be identity or learned, not '" + proj + "'");
        }
        return new ComiRecSA.Config(numItems, dim, hidden, interests != null ? interests : defaultInterests, maxLen,
                positionEmbedding, proj.equals("learned"), attentionBias);
    }
}
