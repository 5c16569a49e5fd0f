package org.re4j.data;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader on seeded random input: random bytes, and small valid files of every format mutated (truncated,
 * delimiters swapped, huge numbers, empty fields, byte-order marks, bytes that are not UTF-8, control characters,
 * other line endings, quotes), plain or gzipped. Each input must load, or fail with a {@link DataException} whose
 * one-line message names the file and, for a problem in a line, the line: never another exception, never a hang.
 */
class ReaderFuzzTest {

    static final long SEED = 0x5eed_2024L;
    static final int FILES = 800;
    static final String[] NAMES = {"u.data", "ratings.dat", "ratings.tsv", "events.csv", "train.txt", "data.gz", "x", "r.csv.gz"};

    @TempDir Path dir;

    int inputs, refused, loaded, wholeFile;

    @Test
    void everyInputLoadsOrIsRefusedWithFileAndLine() {
        // A guard against a reader that never returns, not a performance bound: the run takes a few seconds.
        assertTimeoutPreemptively(Duration.ofMinutes(3), this::fuzz, "a reader hung");
        System.out.printf("fuzz: %d inputs, %d refused (%d of them whole-file), %d loaded%n", inputs, refused, wholeFile, loaded);
        assertTrue(loaded > inputs / 20, "the mutations leave enough files valid to exercise loading: " + loaded);
        assertTrue(refused > inputs / 4, "and break enough of them: " + refused);
    }

    void fuzz() throws IOException {
        Random r = new Random(SEED);
        for (int k = 0; k < FILES; k++) {
            byte[] content = input(r);
            Path p = dir.resolve(NAMES[r.nextInt(NAMES.length)]); // names matter: u.data, .gz (which must not)
            Files.write(p, content);
            String what = "input " + k + " (" + p.getFileName() + ", " + content.length + " bytes: "
                    + HexFormat.of().formatHex(Arrays.copyOf(content, Math.min(48, content.length))) + "...)";
            attempt(p, null, null, what);
            for (Format f : Format.values()) attempt(p, f, null, what);
            Columns[] cols = {new Columns(null, null, "timestamp"), new Columns("uid", null, null), new Columns(null, "item", Columns.FILE_ORDER)};
            attempt(p, Format.DELIMITED, cols[r.nextInt(cols.length)], what);
        }
    }

    /** Reads {@code p} as {@code format} (null: auto) and checks the outcome. */
    void attempt(Path p, Format format, Columns columns, String what) {
        inputs++;
        try {
            Format f = format == null ? Format.detect(p) : format;
            Dataset d = Dataset.of("fuzz", InteractionLog.read(List.of(p), f, columns), 0, 0);
            assertTrue(d.numInteractions() > 0, what);
            loaded++;
        } catch (DataException e) {
            refused++;
            check(e.getMessage(), p, what + " as " + format);
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + " as " + format + ": " + e, e);
        }
    }

    void check(String m, Path p, String what) {
        String file = p.toString();
        assertTrue(m.contains(file), what + ": the message names the file: " + m);
        assertTrue(m.length() < 2 * file.length() + 400, what + ": a short message: " + m);
        int c = Format.firstControl(m.replace("\t", "\u0001"));
        if (c >= 0) throw new AssertionError(what + ": raw control character " + (int) m.charAt(c) + " in " + Format.excerpt(m, 300));
        // A problem in a line: "file:line: message"; anything else is about the whole file ("file: ...", "file is ...").
        if (m.startsWith(file + ":") && m.length() > file.length() + 1 && Character.isDigit(m.charAt(file.length() + 1))) {
            assertTrue(Pattern.compile(Pattern.quote(file) + ":[1-9][0-9]*: .+").matcher(m).matches(), what + ": file:line: message: " + m);
        } else wholeFile++;
    }

    // --- Inputs ---

    byte[] input(Random r) throws IOException {
        int kind = r.nextInt(100);
        byte[] b;
        if (kind < 8) {
            b = new byte[r.nextInt(3000)];
            r.nextBytes(b);
            if (kind < 2 && b.length > 2) { // random bytes behind gzip's magic
                b[0] = 0x1f;
                b[1] = (byte) 0x8b;
            }
            return b;
        }
        b = valid(r).getBytes(StandardCharsets.UTF_8);
        int mutations = r.nextInt(4); // 0: the valid file as it is
        for (int m = 0; m < mutations; m++) b = mutate(r, b);
        int z = r.nextInt(10);
        if (z < 3) b = gzip(b);
        if (z == 3) b = gzip(gzip(b));
        if (z == 4) {
            b = gzip(b);
            b = Arrays.copyOf(b, r.nextInt(b.length + 1));
        }
        return b;
    }

    static final String[] IDS = {"0", "1", "7", "42", "123456", "u1", "i_9", "café", "日本", "naïve", "x-y", "A1B2", "😀"};

    static String id(Random r) {
        return IDS[r.nextInt(IDS.length)];
    }

    static String time(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.toString(r.nextInt(100));
            case 1 -> Long.toString(880_000_000L + r.nextInt(10_000_000));
            case 2 -> (r.nextInt(1000) / 4.0) + "";
            default -> Integer.toString(r.nextInt(5000));
        };
    }

    /** A small valid file of a random format. */
    static String valid(Random r) {
        StringBuilder sb = new StringBuilder();
        int lines = 1 + r.nextInt(30);
        switch (r.nextInt(7)) {
            case 0 -> { // comirec
                for (int i = 0; i < lines; i++) sb.append(r.nextInt(9)).append(',').append(r.nextInt(50)).append(',').append(r.nextInt(20)).append('\n');
            }
            case 1 -> { // grouplens
                for (int i = 0; i < lines; i++) sb.append(id(r)).append("::").append(id(r)).append("::").append(1 + r.nextInt(5)).append("::").append(time(r)).append('\n');
            }
            case 2, 3 -> { // udata, tabs or spaces
                String sep = r.nextBoolean() ? "\t" : " ";
                for (int i = 0; i < lines; i++) sb.append(r.nextInt(9)).append(sep).append(r.nextInt(50)).append(sep).append(1 + r.nextInt(5)).append(sep).append(time(r)).append('\n');
            }
            case 4 -> { // lines
                for (int i = 0; i < lines; i++) {
                    sb.append(id(r));
                    for (int j = r.nextInt(8); j > 0; j--) sb.append(' ').append(id(r));
                    sb.append('\n');
                }
            }
            default -> { // delimited, CSV or TSV
                String sep = r.nextBoolean() ? "," : "\t";
                String[][] headers = {{"user_id", "item_id", "timestamp"}, {"uid", "iid", "ts", "extra"}, {"item", "user"},
                        {"\"user\"", "\"item\"", "\"time\""}, {"customer_id", "asin", "datetime"}};
                String[] h = headers[r.nextInt(headers.length)];
                sb.append(String.join(sep, h)).append('\n');
                for (int i = 0; i < lines; i++) {
                    List<String> row = new ArrayList<>();
                    for (String c : h) {
                        String n = c.replace("\"", "");
                        if (n.equals("timestamp") || n.equals("ts") || n.equals("time")) row.add(time(r));
                        else if (n.equals("datetime")) row.add(String.format("2021-%02d-%02d %02d:00:00", 1 + r.nextInt(12), 1 + r.nextInt(28), r.nextInt(24)));
                        else if (r.nextInt(5) == 0) row.add("\"" + id(r) + sep + "q\"\"" + "\"");
                        else row.add(id(r));
                    }
                    sb.append(String.join(sep, row)).append('\n');
                }
            }
        }
        return sb.toString();
    }

    static final String[] HUGE = {"99999999999999999999999", "1e400", "-9223372036854775809", "9223372036854775807", "NaN",
            "Infinity", "0x1F", "1e-400", "-0", "12f", ".5", "5.", "+3"};
    static final byte[][] BAD_UTF8 = {{(byte) 0xff}, {(byte) 0xc3}, {(byte) 0x80}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xe9}};
    static final String[] DELIMITERS = {"\t", ",", " ", "::", ";", "\n", ""};

    static byte[] mutate(Random r, byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        int at = b.length == 0 ? 0 : r.nextInt(b.length + 1);
        return switch (r.nextInt(14)) {
            case 0 -> Arrays.copyOf(b, at); // truncated, maybe inside a UTF-8 sequence
            case 1 -> bytes(s.replace(DELIMITERS[r.nextInt(4)], DELIMITERS[r.nextInt(DELIMITERS.length)]));
            case 2 -> bytes(replaceToken(r, s, HUGE[r.nextInt(HUGE.length)]));
            case 3 -> bytes(replaceToken(r, s, "")); // an empty field
            case 4 -> concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, b);
            case 5 -> concat(r.nextBoolean() ? new byte[] {(byte) 0xff, (byte) 0xfe} : new byte[] {(byte) 0xfe, (byte) 0xff}, b);
            case 6 -> insert(b, at, BAD_UTF8[r.nextInt(BAD_UTF8.length)]);
            case 7 -> insert(b, at, new byte[] {(byte) r.nextInt(32)}); // a control byte, NUL and CR included
            case 8 -> {
                byte[] c = b.clone();
                if (c.length > 0) c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
                yield c;
            }
            case 9 -> bytes(r.nextBoolean() ? s.replace("\n", "\r\n") : s.replace("\n", "\r"));
            case 10 -> insert(b, at, new byte[] {'"'});
            case 11 -> { // lines duplicated, dropped or shuffled
                List<String> lines = new ArrayList<>(List.of(s.split("\n", -1)));
                if (lines.size() > 1) {
                    int i = r.nextInt(lines.size());
                    switch (r.nextInt(3)) {
                        case 0 -> lines.add(i, lines.get(r.nextInt(lines.size())));
                        case 1 -> lines.remove(i);
                        default -> java.util.Collections.shuffle(lines, r);
                    }
                }
                yield bytes(String.join("\n", lines));
            }
            case 12 -> concat(b, bytes("\n" + "9 ".repeat(r.nextInt(5000)) + "\n")); // a long line
            default -> insert(b, at, bytes(id(r) + DELIMITERS[r.nextInt(DELIMITERS.length)]));
        };
    }

    static String replaceToken(Random r, String s, String with) {
        String[] tokens = s.split("(?<=[\\t, :\\n])|(?=[\\t, :\\n])");
        List<Integer> words = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) if (!tokens[i].isEmpty() && "\t, :\n".indexOf(tokens[i].charAt(0)) < 0) words.add(i);
        if (words.isEmpty()) return s;
        tokens[words.get(r.nextInt(words.size()))] = with;
        return String.join("", tokens);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] insert(byte[] b, int at, byte[] what) {
        return concat(Arrays.copyOf(b, at), what, Arrays.copyOfRange(b, at, b.length));
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }
}
