package org.re4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/** The interaction file formats re4j reads. Any of them may be gzip-compressed ({@code .gz}). */
public enum Format {
    /** ComiRec's preprocessed files: {@code user_id,item_id,position}, the third column an ordering key. */
    COMIREC,
    /** GroupLens {@code ratings.dat}: {@code UserID::MovieID::Rating::Timestamp}. */
    GROUPLENS,
    /** MovieLens-100k {@code u.data}: tab-separated {@code user item rating timestamp}. */
    UDATA,
    /** One user per line, {@code user item item ...} (LightGCN, S3-Rec); the file order is the behaviour order. */
    LINES,
    /** CSV or TSV with a header row; user, item and (optional) time columns chosen by name. */
    DELIMITED;

    /** Parses a {@code --format} value. */
    public static Format parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DataException("unknown format '" + name + "': use comirec, grouplens, udata, lines or delimited");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Guesses the format from the file name and its first non-empty line; refuses when the guess would be a coin toss
     * (the caller then names the format with {@code --format}).
     */
    public static Format detect(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        String first;
        try (BufferedReader r = open(file)) {
            do {
                first = r.readLine();
            } while (first != null && first.isBlank());
        } catch (IOException e) {
            throw new DataException("cannot read " + file + ": " + e.getMessage());
        }
        if (first == null) throw new DataException(file + " is empty");
        if (first.contains("::")) return GROUPLENS;
        if (name.equals("u.data")) return UDATA;
        String[] tabs = first.split("\t", -1), commas = first.split(",", -1);
        if (tabs.length > 1 || commas.length > 1) {
            String[] cells = tabs.length > 1 ? tabs : commas;
            boolean numeric = true;
            for (String c : cells) numeric &= isNumber(c.trim());
            if (!numeric) return DELIMITED; // a header row
            if (commas.length == 3 && tabs.length == 1) return COMIREC;
            if (tabs.length == 4) return UDATA;
            throw new DataException("cannot tell the format of " + file + " from its first line '" + abbreviate(first)
                    + "': choose one with --format (comirec, grouplens, udata, lines, delimited)");
        }
        return LINES;
    }

    static boolean isNumber(String s) {
        if (s.isEmpty()) return false;
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    /** Opens a text file as UTF-8 (ISO-8859-1 bytes pass through as ids), inflating {@code .gz}. */
    static BufferedReader open(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        InputStream in = Files.newInputStream(file);
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        // ISO-8859-1 never fails on bytes, and ids are compared as strings only.
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1), 1 << 16);
    }
}
