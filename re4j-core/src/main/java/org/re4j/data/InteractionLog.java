package org.re4j.data;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Raw interactions as read, before any filtering or renumbering: columnar (user, item, order) with the user and item
 * names interned to dense ints in order of first appearance. {@code order} is the time or position where the file
 * has one; interactions with equal order keep their file order.
 */
public final class InteractionLog {

    private final Map<String, Integer> userIndex = new HashMap<>(), itemIndex = new HashMap<>();
    final List<String> userNames = new ArrayList<>(), itemNames = new ArrayList<>();
    int[] user = new int[1024], item = new int[1024];
    long[] order = new long[1024];
    int size;
    /** The files, format and columns it was read with; null for a log built with {@link #add}. */
    DataSource source;

    /** Appends one interaction. */
    public void add(String userName, String itemName, long orderKey) {
        if (size == user.length) {
            int n = size * 2;
            user = Arrays.copyOf(user, n);
            item = Arrays.copyOf(item, n);
            order = Arrays.copyOf(order, n);
        }
        user[size] = intern(userName, userIndex, userNames);
        item[size] = intern(itemName, itemIndex, itemNames);
        order[size] = orderKey;
        size++;
    }

    /** Declares a user that may have no interaction (a LINES row with only an id); such users are dropped later. */
    void touchUser(String userName) {
        intern(userName, userIndex, userNames);
    }

    private static int intern(String name, Map<String, Integer> index, List<String> names) {
        Integer id = index.get(name);
        if (id == null) {
            id = names.size();
            index.put(name, id);
            names.add(name);
        }
        return id;
    }

    public int size() {
        return size;
    }

    /**
     * Reads and concatenates {@code files} (e.g. a LightGCN train.txt then test.txt) in the given format.
     *
     * @param columns delimited files only: the column names (any of them null: recognised in the header), or null
     *     to recognise all of them
     */
    public static InteractionLog read(List<Path> files, Format format, Columns columns) {
        if (columns != null && format != Format.DELIMITED && !files.isEmpty()) {
            throw new DataException("column names (--user-col, --item-col, --time-col) apply to delimited files with a header, but "
                    + files.get(0) + " is read as " + format.cliName());
        }
        InteractionLog log = new InteractionLog();
        long seq = 0; // file order across all files: the order of LINES, and of files without a time column
        for (Path f : files) {
            try (Format.Lines r = Format.Lines.open(f)) {
                seq = readOne(log, f, r, format, columns, seq);
            }
        }
        log.source = new DataSource(files, format, columns, 0, 0, null, null);
        if (log.size == 0) {
            List<String> names = new ArrayList<>();
            for (Path f : files) names.add(f.toString());
            throw new DataException("no interactions in " + String.join(", ", names));
        }
        return log;
    }

    private static long readOne(InteractionLog log, Path f, Format.Lines r, Format format, Columns columns, long seq) {
        String line;
        int[] cols = null; // DELIMITED: user, item, time (-1) column indexes
        char sep = 0;
        TimeColumn time = null;
        while ((line = r.next()) != null) {
            long no = r.number();
            if (line.isBlank()) continue;
            switch (format) {
                case GROUPLENS: {
                    String[] p = line.split("::", -1);
                    if (p.length != 4) throw DataException.at(f, no, "expected UserID::MovieID::Rating::Timestamp, got '" + Format.excerpt(line) + "'");
                    log.add(id(p[0], f, no, "user"), id(p[1], f, no, "item"), number(p[3], f, no, "timestamp"));
                    break;
                }
                case UDATA: {
                    String[] p = line.trim().split("\\s+");
                    if (p.length != 4) {
                        throw DataException.at(f, no, "expected user, item, rating, timestamp (separated by tabs or spaces), got '"
                                + Format.excerpt(line) + "'");
                    }
                    log.add(id(p[0], f, no, "user"), id(p[1], f, no, "item"), number(p[3], f, no, "timestamp"));
                    break;
                }
                case COMIREC: {
                    String[] p = line.split(",", -1);
                    if (p.length != 3) throw DataException.at(f, no, "expected user_id,item_id,position, got '" + Format.excerpt(line) + "'");
                    log.add(id(p[0], f, no, "user"), id(p[1], f, no, "item"), number(p[2], f, no, "position"));
                    break;
                }
                case LINES: {
                    String[] p = line.trim().split("\\s+");
                    log.touchUser(p[0]);
                    for (int i = 1; i < p.length; i++) log.add(p[0], p[i], seq++);
                    break;
                }
                case DELIMITED: {
                    if (cols == null) {
                        sep = line.indexOf('\t') >= 0 ? '\t' : ',';
                        String[] names = Format.fields(line, sep, f, no);
                        cols = header(names, columns, f, no);
                        if (cols[2] >= 0) time = new TimeColumn(names[cols[2]].trim());
                        continue;
                    }
                    String[] p = Format.fields(line, sep, f, no);
                    int need = Math.max(cols[0], Math.max(cols[1], cols[2]));
                    if (p.length <= need) throw DataException.at(f, no, "expected at least " + (need + 1) + " columns, got " + p.length);
                    long key = time == null ? seq : time.parse(p[cols[2]], f, no);
                    log.add(id(p[cols[0]], f, no, "user"), id(p[cols[1]], f, no, "item"), key);
                    break;
                }
                default:
                    throw new AssertionError(format);
            }
            seq++;
        }
        return seq;
    }

    private static int[] header(String[] names, Columns columns, Path f, long line) {
        int u = find(names, columns == null ? null : columns.user(), Columns.USER_NAMES, "user", f, line, -1, -1);
        int i = find(names, columns == null ? null : columns.item(), Columns.ITEM_NAMES, "item", f, line, u, -1);
        if (u == i) throw DataException.at(f, line, "the user and the item column are the same column '" + Format.excerpt(names[u].trim()) + "'");
        String given = columns == null ? null : columns.time();
        int t;
        if (Columns.FILE_ORDER.equals(given)) t = -1;
        else if (given != null) t = find(names, given, null, "time", f, line, -1, -1);
        else t = indexOf(names, Columns.TIME_NAMES, u, i); // none: the file order
        if (t >= 0 && (t == u || t == i)) {
            throw DataException.at(f, line, "the time column '" + Format.excerpt(names[t].trim()) + "' is also the "
                    + (t == u ? "user" : "item") + " column");
        }
        return new int[] {u, i, t};
    }

    private static int find(String[] names, String given, String[] defaults, String what, Path f, long line, int skip1, int skip2) {
        int c = given != null ? indexOf(names, new String[] {given}, -1, -1) : indexOf(names, defaults, skip1, skip2);
        if (c < 0) {
            String header = Format.excerpt(String.join(", ", names), 120);
            throw DataException.at(f, line, given != null
                    ? "no column named '" + Format.excerpt(given) + "' in the header [" + header + "]"
                    : "cannot find the " + what + " column in the header [" + header + "]: name it with --" + what + "-col");
        }
        return c;
    }

    private static int indexOf(String[] names, String[] wanted, int skip1, int skip2) {
        for (String w : wanted) {
            for (int c = 0; c < names.length; c++) {
                if (c == skip1 || c == skip2) continue;
                String n = names[c].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (n.equals(w.trim().toLowerCase(Locale.ROOT))) return c;
            }
        }
        return -1;
    }

    private static String id(String s, Path f, long line, String what) {
        String t = s.trim();
        if (t.isEmpty()) throw DataException.at(f, line, "empty " + what + " id");
        return t;
    }

    /** A whole number, or a decimal one floored (a fractional time: ties within a second keep file order). */
    static long number(String s, Path f, long line, String what) {
        String t = s.trim();
        if (t.isEmpty()) throw DataException.at(f, line, "empty " + what);
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            if (!Format.isNumber(t)) throw DataException.at(f, line, what + " is not a number: '" + Format.excerpt(t) + "'");
            double v = Double.parseDouble(t);
            if (!(v > -9.2e18 && v < 9.2e18)) throw DataException.at(f, line, what + " is out of range: '" + Format.excerpt(t) + "'");
            return (long) Math.floor(v);
        }
    }

    /**
     * A delimited file's time column: numbers (as {@link #number}), or ISO-8601 dates and date-times as epoch
     * seconds (UTC where no offset is given); one file's column is all one or all the other.
     */
    private static final class TimeColumn {
        final String name;
        String kind; // "number" or "date", from the first value
        long kindLine;

        TimeColumn(String name) {
            this.name = name;
        }

        long parse(String s, Path f, long line) {
            String t = s.trim();
            String what = "time (column '" + Format.excerpt(name) + "')";
            if (t.isEmpty()) throw DataException.at(f, line, "empty " + what + ": every row needs a time, or choose the file order with --time-col " + Columns.FILE_ORDER);
            boolean numeric = Format.isNumber(t);
            long v;
            if (numeric) v = number(t, f, line, what);
            else {
                Long iso = isoEpochSeconds(t);
                if (iso == null) {
                    throw DataException.at(f, line, what + " is neither a number nor an ISO-8601 date or date-time: '" + Format.excerpt(t) + "'");
                }
                v = iso;
            }
            String k = numeric ? "number" : "date";
            if (kind == null) {
                kind = k;
                kindLine = line;
            } else if (!kind.equals(k)) {
                throw DataException.at(f, line, what + " '" + Format.excerpt(t) + "' is " + (numeric ? "a number" : "a date")
                        + " but line " + kindLine + "'s is " + (numeric ? "a date" : "a number") + ": a time column cannot mix them");
            }
            return v;
        }

    }

    /**
     * An ISO-8601 date ({@code 2026-12-03}, midnight UTC) or date-time ({@code 2026-12-03T10:15:30}, a space for the
     * T, an offset or zone optional: UTC where none) as epoch seconds, or null when {@code t} is neither. The one
     * definition of a date in a time column, also for the Spark module.
     */
    public static Long isoEpochSeconds(String t) {
        if (t.length() < 10 || !Character.isDigit(t.charAt(0))) return null;
        String s = t.length() > 11 && t.charAt(10) == ' ' ? t.substring(0, 10) + 'T' + t.substring(11) : t;
        try {
            if (s.length() == 10) return LocalDate.parse(s).toEpochDay() * 86_400L;
            TemporalAccessor a = DateTimeFormatter.ISO_DATE_TIME.parseBest(s, ZonedDateTime::from, LocalDateTime::from);
            return a instanceof ZonedDateTime z ? z.toEpochSecond() : ((LocalDateTime) a).toEpochSecond(ZoneOffset.UTC);
        } catch (DateTimeException | ArithmeticException e) {
            return null;
        }
    }
}
