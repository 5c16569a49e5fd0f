package org.re4j.model.re4;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * γ_c, the attention above which a history item is one of the items an interest represents (the positives P_k of
 * Re-contrast and Re-construct): a fixed number in (0, 1), or adaptive, 1/len_u (the user's own uniform attention).
 * Written as {@code "adaptive"} or the number in config files and on the command line.
 *
 * @param gamma the fixed threshold, or 0 for adaptive
 */
public record PositiveThreshold(double gamma) {

    public static final PositiveThreshold ADAPTIVE = new PositiveThreshold(0);

    public PositiveThreshold {
        if (gamma != 0 && !(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("--gamma-c must be in (0, 1) or 'adaptive', got " + gamma);
        }
    }

    public static PositiveThreshold fixed(double gamma) {
        return new PositiveThreshold(gamma);
    }

    /** Reads "adaptive" or a number (as a JSON number or as text). */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static PositiveThreshold of(JsonNode n) {
        if (n.isNumber()) return new PositiveThreshold(n.asDouble());
        String s = n.asText().trim();
        if (s.equals("adaptive")) return ADAPTIVE;
        try {
            return new PositiveThreshold(Double.parseDouble(s));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--gamma-c must be a number in (0, 1) or 'adaptive', not '" + s + "'");
        }
    }

    @JsonValue
    public Object json() {
        return adaptive() ? "adaptive" : (Object) gamma;
    }

    public boolean adaptive() {
        return gamma == 0;
    }

    /** The threshold for a history of {@code len} items. */
    public double forLength(int len) {
        return adaptive() ? 1.0 / len : gamma;
    }
}
