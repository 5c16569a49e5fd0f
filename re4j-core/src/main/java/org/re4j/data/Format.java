package org.re4j.data;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The interaction file formats re4j reads. Files are UTF-8 text (a byte-order mark is skipped); any of them may be
 * gzip-compressed, which is recognised by the content, not the name.
 */
public enum Format {
    /** ComiRec's preprocessed files: {@code user_id,item_id,position}, the third column an ordering key. */
    COMIREC,
    /** GroupLens {@code ratings.dat}: {@code UserID::MovieID::Rating::Timestamp}. */
    GROUPLENS,
    /** MovieLens-100k {@code u.data}: {@code user item rating timestamp}, separated by tabs or spaces. */
    UDATA,
    /** One user per line, {@code user item item ...} (LightGCN, S3-Rec); the file order is the behaviour order. */
    LINES,
    /** CSV or TSV with a header row; user, item and (optional) time columns chosen by name. */
    DELIMITED;

    /** Non-blank lines {@link #detect} reads before it decides. */
    static final int SAMPLE_LINES = 1000;
    /** ...or characters, whichever comes first. */
    static final int SAMPLE_CHARS = 1 << 20;

    /** Parses a {@code --format} value. */
    public static Format parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new DataException("unknown format '" + excerpt(name) + "': use comirec, grouplens, udata, lines or delimited");
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Guesses the format from the file name and its first non-blank lines (up to {@link #SAMPLE_LINES}); refuses
     * when the guess would be a coin toss or the file does not look like any format (the caller then names the
     * format with {@code --format}).
     */
    public static Format detect(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT).replaceFirst("\\.gz$", "");
        List<String> sample = new ArrayList<>();
        List<Long> numbers = new ArrayList<>();
        try (Lines r = Lines.open(file)) {
            long chars = 0;
            for (String line; sample.size() < SAMPLE_LINES && chars < SAMPLE_CHARS && (line = r.next()) != null; ) {
                if (line.isBlank()) continue;
                int c = firstControl(line);
                if (c >= 0) {
                    throw DataException.at(file, r.number(), "control character " + excerpt(line.substring(c, c + 1))
                            + " at column " + (c + 1) + ": not text in any known format (binary data?); "
                            + "choose a format with --format to read it anyway");
                }
                sample.add(line);
                numbers.add(r.number());
                chars += line.length();
            }
        }
        if (sample.isEmpty()) throw new DataException(file + " is empty");
        String first = sample.get(0);
        if (first.contains("::")) return GROUPLENS;
        if (name.equals("u.data")) return UDATA;
        char sep = first.indexOf('\t') >= 0 ? '\t' : first.indexOf(',') >= 0 ? ',' : 0;
        if (sep != 0) {
            String[] cells = fields(first, sep, file, numbers.get(0));
            boolean numeric = true;
            for (String c : cells) numeric &= isNumber(c.trim());
            Format f;
            if (!numeric) f = DELIMITED; // a header row
            else if (sep == ',' && cells.length == 3) f = COMIREC;
            else if (sep == '\t' && cells.length == 4) f = UDATA;
            else throw DataException.at(file, numbers.get(0), "cannot tell the format from the line '" + excerpt(first)
                    + "': choose one with --format (comirec, grouplens, udata, lines, delimited)");
            String what = sep == '\t' ? "tab-separated" : "comma-separated";
            for (int i = 1; i < sample.size(); i++) {
                int n = fields(sample.get(i), sep, file, numbers.get(i)).length;
                if (n != cells.length) {
                    throw DataException.at(file, numbers.get(i), n + " " + what + " fields where line " + numbers.get(0) + " has "
                            + cells.length + ": not a consistent " + f.cliName() + " file; choose a format with --format to read it anyway");
                }
            }
            return f;
        }
        // Whitespace-separated: LINES, unless every line looks like u.data's numeric columns.
        int width = -1;
        boolean sameWidth = true, allNumeric = true, ratings = true;
        for (int i = 0; i < sample.size(); i++) {
            String line = sample.get(i);
            if (line.indexOf('\t') >= 0 || line.indexOf(',') >= 0) {
                throw DataException.at(file, numbers.get(i), "a " + (line.indexOf('\t') >= 0 ? "tab" : "comma") + " where line "
                        + numbers.get(0) + " has none: cannot tell the format; choose one with --format");
            }
            String[] t = line.trim().split("\\s+");
            if (width < 0) width = t.length;
            sameWidth &= t.length == width;
            for (String x : t) allNumeric &= isNumber(x);
            if (t.length >= 3 && isNumber(t[2])) {
                double v = Double.parseDouble(t[2]);
                ratings &= v >= 0 && v <= 10;
            }
        }
        if (sameWidth && width == 1) {
            throw new DataException(file + ": every line is a single field, not 'user item item ...' or a known format: "
                    + "choose one with --format");
        }
        if (sameWidth && allNumeric && (width == 3 || width == 4)) {
            if (width == 4 && ratings) return UDATA; // user item rating timestamp, separated by spaces
            throw new DataException(file + ": every line is " + width + " whitespace-separated numbers, like columns "
                    + "(user item rating timestamp) rather than 'user item item ...': choose --format udata or --format lines");
        }
        return LINES;
    }

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    /** A plain decimal number (no hex, NaN, Infinity or type suffix). */
    static boolean isNumber(String s) {
        return NUMBER.matcher(s).matches();
    }

    /** Index of the first control character other than tab, or -1. */
    static int firstControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\t' && Character.getType(c) == Character.CONTROL) return i;
        }
        return -1;
    }

    /** {@code s} fit for a one-line message: control and invisible characters escaped, at most 60 characters. */
    public static String excerpt(String s) {
        return excerpt(s, 60);
    }

    static String excerpt(String s, int max) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() <= max; ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            int type = Character.getType(c);
            if (c == '\t') b.append("\\t");
            else if (type == Character.CONTROL) b.append(String.format("\\x%02x", c));
            else if (type == Character.FORMAT || type == Character.SURROGATE || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                b.append(String.format("\\u%04x", c));
            } else b.appendCodePoint(c);
        }
        if (b.length() > max) {
            int cut = max - 3;
            if (Character.isLowSurrogate(b.charAt(cut))) cut--;
            return b.substring(0, cut) + "...";
        }
        return b.toString();
    }

    /**
     * Splits a delimited line into fields. A field that starts with a double quote is quoted: it ends at the next
     * lone quote, {@code ""} inside it is a quote, and the separator may appear in it; quoted fields cannot span lines.
     */
    static String[] fields(String line, char sep, Path file, long number) {
        List<String> out = new ArrayList<>();
        int i = 0, n = line.length();
        while (true) {
            if (i < n && line.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                int j = i + 1;
                while (true) {
                    if (j >= n) throw DataException.at(file, number, "unterminated quote in field " + (out.size() + 1) + " (quoted fields cannot span lines)");
                    char c = line.charAt(j++);
                    if (c == '"') {
                        if (j < n && line.charAt(j) == '"') {
                            b.append('"');
                            j++;
                        } else break;
                    } else b.append(c);
                }
                if (j < n && line.charAt(j) != sep) {
                    throw DataException.at(file, number, "text after the closing quote of field " + (out.size() + 1) + ": '" + excerpt(line.substring(i)) + "'");
                }
                out.add(b.toString());
                i = j;
            } else {
                int j = line.indexOf(sep, i);
                if (j < 0) j = n;
                out.add(line.substring(i, j));
                i = j;
            }
            if (i >= n) break;
            i++; // the separator
            if (i == n) {
                out.add("");
                break;
            }
        }
        return out.toArray(new String[0]);
    }

    /** Opens a file as UTF-8 text (a byte-order mark skipped, bad bytes an IOException), inflating gzip content. */
    static BufferedReader open(Path file) throws IOException {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        return new BufferedReader(new InputStreamReader(openStream(file), utf8), 1 << 16);
    }

    /**
     * The file's bytes: inflated when they start with gzip's magic bytes, after a UTF-8 byte-order mark. Refuses,
     * naming the file, other compressions and UTF-16.
     */
    static InputStream openStream(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such file");
        if (Files.isDirectory(file)) throw new DataException(file + " is a directory, not a file");
        PushbackInputStream raw = new PushbackInputStream(Files.newInputStream(file), 16);
        InputStream in = raw;
        try {
            byte[] head = raw.readNBytes(10);
            raw.unread(head);
            if (starts(head, 0x1f, 0x8b)) {
                try {
                    in = new GZIPInputStream(raw, 1 << 16);
                } catch (ZipException | EOFException e) {
                    throw new DataException(file + ": starts like gzip but its gzip header is corrupt or cut short");
                }
            } else {
                String other = otherCompression(head);
                if (other != null) {
                    throw new DataException(file + " is " + other + "-compressed: re4j reads plain or gzip-compressed text; "
                            + "decompress it (or compress it with gzip) first");
                }
            }
            PushbackInputStream text = new PushbackInputStream(in, 4);
            byte[] bom = text.readNBytes(3);
            if (starts(bom, 0xef, 0xbb, 0xbf)) return text;
            if (starts(bom, 0xff, 0xfe) || starts(bom, 0xfe, 0xff)) {
                throw new DataException(file + " is UTF-16 text (by its byte-order mark): re4j reads UTF-8; convert it, "
                        + "e.g. iconv -f UTF-16 -t UTF-8");
            }
            text.unread(bom);
            return text;
        } catch (IOException | RuntimeException e) {
            in.close();
            raw.close();
            if (e instanceof ZipException || e instanceof EOFException) {
                throw new DataException(file + ": corrupt or truncated gzip data at the start");
            }
            throw e;
        }
    }

    private static boolean starts(byte[] b, int... magic) {
        if (b.length < magic.length) return false;
        for (int i = 0; i < magic.length; i++) if ((b[i] & 0xff) != magic[i]) return false;
        return true;
    }

    private static String otherCompression(byte[] h) {
        if (starts(h, 0x28, 0xb5, 0x2f, 0xfd)) return "zstd";
        if (starts(h, 0xfd, '7', 'z', 'X', 'Z', 0x00)) return "xz";
        if (starts(h, 'B', 'Z', 'h') && h.length >= 5 && h[3] >= '1' && h[3] <= '9' && (h[4] == 0x31 || h[4] == 0x17)) return "bzip2";
        if (starts(h, 'P', 'K', 0x03, 0x04)) return "zip";
        if (starts(h, '7', 'z', 0xbc, 0xaf, 0x27, 0x1c)) return "7z";
        if (starts(h, 0x04, 0x22, 0x4d, 0x18)) return "lz4";
        return null;
    }

    /**
     * A text file's lines as strict UTF-8, numbered as {@link BufferedReader#readLine()} numbers them (a line ends
     * at {@code \n}, {@code \r} or {@code \r\n}). Every problem is a {@link DataException} naming the file and the
     * line: bytes that are not UTF-8, a NUL byte, corrupt or truncated gzip data, a line longer than
     * {@link #MAX_LINE} bytes.
     */
    static final class Lines implements Closeable {

        static final int MAX_LINE = 64 << 20;

        private final Path file;
        private final InputStream in;
        private final byte[] buf = new byte[1 << 16];
        private int pos, lim;
        private byte[] line = new byte[256];
        private int len;
        private long number;
        private boolean skipLf, eof;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        private CharBuffer chars = CharBuffer.allocate(256);

        private Lines(Path file, InputStream in) {
            this.file = file;
            this.in = in;
        }

        static Lines open(Path file) {
            try {
                return new Lines(file, openStream(file));
            } catch (NoSuchFileException e) {
                throw new DataException("cannot read " + file + ": no such file");
            } catch (AccessDeniedException e) {
                throw new DataException("cannot read " + file + ": permission denied");
            } catch (IOException e) {
                throw new DataException("cannot read " + file + ": " + excerpt(String.valueOf(e.getMessage()), 120));
            }
        }

        /** The 1-based number of the line {@link #next()} returned last. */
        long number() {
            return number;
        }

        /** The next line without its terminator, or null at the end of the file. */
        String next() {
            len = 0;
            boolean any = false;
            while (true) {
                if (pos == lim && !fill()) {
                    if (!any) return null;
                    break;
                }
                if (skipLf) {
                    skipLf = false;
                    if (buf[pos] == '\n') {
                        pos++;
                        continue;
                    }
                }
                any = true;
                int start = pos;
                while (pos < lim && buf[pos] != '\n' && buf[pos] != '\r') pos++;
                append(start, pos - start);
                if (pos < lim) {
                    skipLf = buf[pos++] == '\r';
                    break;
                }
            }
            number++;
            return decode();
        }

        private boolean fill() {
            if (eof) return false;
            try {
                int n;
                do n = in.read(buf, 0, buf.length); while (n == 0);
                if (n < 0) {
                    eof = true;
                    return false;
                }
                pos = 0;
                lim = n;
                return true;
            } catch (ZipException | EOFException e) {
                String why = e.getMessage() == null ? "" : " (" + excerpt(e.getMessage()) + ")";
                throw DataException.at(file, number + 1, "corrupt or truncated gzip data" + why);
            } catch (IOException e) {
                throw DataException.at(file, number + 1, "cannot read: " + excerpt(String.valueOf(e.getMessage()), 120));
            }
        }

        private void append(int from, int n) {
            if (len + n > MAX_LINE) throw DataException.at(file, number + 1, "line longer than " + (MAX_LINE >> 20) + " MiB: not a text file in a known format");
            if (len + n > line.length) line = java.util.Arrays.copyOf(line, Math.max(len + n, Math.min(MAX_LINE, line.length * 2)));
            System.arraycopy(buf, from, line, len, n);
            len += n;
        }

        private String decode() {
            boolean ascii = true;
            for (int i = 0; i < len; i++) {
                byte b = line[i];
                if (b == 0) throw DataException.at(file, number, "NUL byte at column " + (i + 1) + ": binary data or UTF-16, not UTF-8 text");
                if (b < 0) ascii = false;
            }
            if (ascii) return new String(line, 0, len, StandardCharsets.ISO_8859_1);
            if (chars.capacity() < len) chars = CharBuffer.allocate(Math.max(len, chars.capacity() * 2));
            chars.clear();
            ByteBuffer bytes = ByteBuffer.wrap(line, 0, len);
            utf8.reset();
            CoderResult cr = utf8.decode(bytes, chars, true);
            if (!cr.isError()) cr = utf8.flush(chars);
            if (cr.isError()) {
                int at = bytes.position();
                StringBuilder hex = new StringBuilder();
                for (int i = at; i < Math.min(len, at + Math.max(1, cr.length())); i++) hex.append(String.format(" %02x", line[i] & 0xff));
                throw DataException.at(file, number, "not UTF-8: byte" + (hex.length() > 3 ? "s" : "") + hex + " at column " + (at + 1)
                        + " (binary data, or another encoding such as Latin-1: convert it, e.g. iconv -f latin1 -t utf-8)");
            }
            chars.flip();
            return chars.toString();
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing was written: closing a reader cannot lose data
            }
        }
    }
}
