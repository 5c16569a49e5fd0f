package org.re4j.config;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One user-facing setting of a config record: the command-line flag that sets it, where it lives in the record's
 * JSON (a dotted path of record components), the type its text is read as, and what it means. Model families and
 * {@link org.re4j.train.TrainConfig} declare theirs once; command-line flags, {@code --config} files and presets all
 * reach a config through them (see {@link ConfigTree}).
 *
 * @param flag        e.g. {@code --lambda-cl}; a {@link Boolean} setting also has {@code --no-...}
 * @param path        e.g. {@code contrast.weight}
 * @param type        Integer, Long, Double, Boolean, or a type Jackson reads from a string (an enum with a
 *                    {@code @JsonValue} name, {@code PositiveThreshold})
 * @param description one sentence for {@code --help}; the default is appended from the config's defaults
 * @param defaultText shown instead of the default value when the default is derived (e.g. "10 × batch size"), or null
 */
public record Setting(String flag, String path, Class<?> type, String description, String defaultText) {

    public Setting {
        if (!flag.startsWith("--") || flag.startsWith("--no-")) throw new IllegalArgumentException("bad flag " + flag);
        if (path.isEmpty()) throw new IllegalArgumentException(flag + ": empty path");
    }

    public static Setting of(String flag, String path, Class<?> type, String description) {
        return new Setting(flag, path, type, description, null);
    }

    /** The same setting inside a nested record, e.g. ComiRec-SA's {@code interests} as Re4's {@code encoder.interests}. */
    public Setting under(String prefix) {
        return new Setting(flag, prefix + "." + path, type, description, defaultText);
    }

    public boolean isSwitch() {
        return type == Boolean.class;
    }

    /** The negated flag of a switch, {@code --no-...}. */
    public String negatedFlag() {
        return "--no-" + flag.substring(2);
    }

    /** What {@code --help} shows as the value's name: the choices of an enum, else the type. */
    public String paramLabel() {
        if (type.isEnum()) return String.join("|", choices());
        if (type == Integer.class || type == Long.class) return "N";
        if (type == Double.class) return "X";
        return "VALUE";
    }

    /** The accepted names of an enum setting, as config files and flags spell them. */
    public List<String> choices() {
        List<String> out = new ArrayList<>();
        if (type.isEnum()) for (Object c : type.getEnumConstants()) out.add(ConfigTree.JSON.valueToTree(c).asText());
        return out;
    }

    /** Reads a flag's text as this setting's JSON value; refuses it with the flag named. */
    public JsonNode parse(String text) {
        Object value;
        try {
            if (type == Integer.class) value = Integer.parseInt(text.trim());
            else if (type == Long.class) value = Long.parseLong(text.trim());
            else if (type == Double.class) value = Double.parseDouble(text.trim());
            else if (type == Boolean.class) value = parseBoolean(text);
            else if (type.isEnum()) value = enumValue(text);
            else value = ConfigTree.JSON.convertValue(text, type);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " must be " + (type == Double.class ? "a number" : "an integer")
                    + ", not '" + text + "'");
        } catch (IllegalArgumentException e) {
            String why = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            if (why != null && why.startsWith(flag)) throw new IllegalArgumentException(firstLine(why));
            throw new IllegalArgumentException(flag + ": " + firstLine(why));
        }
        return ConfigTree.JSON.valueToTree(value);
    }

    private Object enumValue(String text) {
        for (Object c : type.getEnumConstants()) if (ConfigTree.JSON.valueToTree(c).asText().equals(text.trim())) return c;
        throw new IllegalArgumentException(flag + " must be " + String.join(" or ", choices()) + ", not '" + text + "'");
    }

    private Boolean parseBoolean(String text) {
        if (text.equalsIgnoreCase("true")) return true;
        if (text.equalsIgnoreCase("false")) return false;
        throw new IllegalArgumentException(flag + " must be true or false, not '" + text + "'");
    }

    static String firstLine(String s) {
        if (s == null) return "invalid value";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
