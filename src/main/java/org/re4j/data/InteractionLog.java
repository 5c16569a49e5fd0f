package org.re4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
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
     * @param columns delimited files only: the column names, or null to recognise common names in the header
     */
    public static InteractionLog read(List<Path> files, Format format, Columns columns) {
        InteractionLog log = new InteractionLog();
        long seq = 0; // file order across all files: the order of LINES, and of files without a time column
        for (Path f : files) {
            try (BufferedReader r = Format.open(f)) {
                seq = readOne(log, f, r, format, columns, seq);
            } catch (IOException e) {
                throw new DataException("cannot read " + f + ": " + e.getMessage());
            }
        }
        if (log.size == 0) throw new DataException("no interactions in " + files);
        return log;
    }

    private static long readOne(InteractionLog log, Path f, BufferedReader r, Format format, Columns columns, long seq)
            throws IOException {
        String line;
        long no = 0;
        int[] cols = null; // DELIMITED: user, item, time (-1) column indexes
        String sep = null;
        while ((line = r.readLine()) != null) {
            no++;
            if (line.isBlank()) continue;
            switch (format) {
                case GROUPLENS: {
                    String[] p = line.split("::", -1);
                    if (p.length < 4) throw DataException.at(f, no, "expected UserID::MovieID::Rating::Timestamp, got '" + Format.abbreviate(line) + "'");
                    log.add(id(p[0], f, no, "user"), id(p[1], f, no, "item"), number(p[3], f, no, "timestamp"));
                    break;
                }
                case UDATA: {
                    String[] p = line.trim().split("\\s+");
                    if (p.length < 4) throw DataException.at(f, no, "expected user, item, rating, timestamp (tab-separated), got '" + Format.abbreviate(line) + "'");
                    log.add(id(p[0], f, no, "user"), id(p[1], f, no, "item"), number(p[3], f, no, "timestamp"));
                    break;
                }
                case COMIREC: {
                    String[] p = line.split(",", -1);
                    if (p.length != 3) throw DataException.at(f, no, "expected user_id,item_id,position, got '" + Format.abbreviate(line) + "'");
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
                        sep = line.indexOf('\t') >= 0 ? "\t" : ",";
                        cols = header(line.split(sep, -1), columns, f, no);
                        continue;
                    }
                    String[] p = line.split(sep, -1);
                    int need = Math.max(cols[0], Math.max(cols[1], cols[2]));
                    if (p.length <= need) throw DataException.at(f, no, "expected at least " + (need + 1) + " columns, got " + p.length);
                    long key = cols[2] < 0 ? seq : number(p[cols[2]], f, no, "time");
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
        int u = find(names, columns == null ? null : columns.user(), Columns.USER_NAMES, "user", f, line);
        int i = find(names, columns == null ? null : columns.item(), Columns.ITEM_NAMES, "item", f, line);
        int t;
        if (columns != null && columns.time() != null) t = find(names, columns.time(), null, "time", f, line);
        else if (columns == null) t = indexOf(names, Columns.TIME_NAMES);
        else t = -1;
        return new int[] {u, i, t};
    }

    private static int find(String[] names, String given, String[] defaults, String what, Path f, long line) {
        int c = given != null ? indexOf(names, new String[] {given}) : indexOf(names, defaults);
        if (c < 0) {
            throw DataException.at(f, line, given != null
                    ? "no column named '" + given + "' in the header " + Arrays.toString(names)
                    : "cannot find the " + what + " column in the header " + Arrays.toString(names) + ": name it with --" + what + "-col");
        }
        return c;
    }

    private static int indexOf(String[] names, String[] wanted) {
        for (String w : wanted) {
            for (int c = 0; c < names.length; c++) {
                String n = names[c].trim().replace("\"", "").toLowerCase(Locale.ROOT);
                if (n.equals(w.toLowerCase(Locale.ROOT))) return c;
            }
        }
        return -1;
    }

    private static String id(String s, Path f, long line, String what) {
        String t = s.trim();
        if (t.isEmpty()) throw DataException.at(f, line, "empty " + what + " id");
        return t;
    }

    private static long number(String s, Path f, long line, String what) {
        String t = s.trim();
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            try {
                double v = Double.parseDouble(t); // a fractional time: ties within a second keep file order
                if (Double.isFinite(v)) return (long) Math.floor(v);
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw DataException.at(f, line, what + " is not a number: '" + Format.abbreviate(t) + "'");
        }
    }
}
