package org.re4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@link Format} read from small files, format detection, and the errors a bad file gives. */
class ReadersTest {

    @TempDir Path dir;

    Path write(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content, StandardCharsets.UTF_8);
        return p;
    }

    Path writeGz(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content.getBytes(StandardCharsets.UTF_8));
        }
        return p;
    }

    static Dataset load(Format format, Columns columns, Path... files) {
        return Dataset.of("t", InteractionLog.read(List.of(files), format, columns), 0, 0);
    }

    /** User {@code user}'s sequence as original item ids. */
    static List<String> seq(Dataset d, String user) {
        for (int u = 0; u < d.numUsers(); u++) {
            if (d.userIds[u].equals(user)) {
                List<String> out = new ArrayList<>();
                for (int i : d.sequences[u]) out.add(d.itemIds[i]);
                return out;
            }
        }
        throw new AssertionError("no user " + user + " in " + List.of(d.userIds));
    }

    // GroupLens: timestamps out of file order, one tie (a user's items 20 and 30 share time 100: file order kept).
    static final String GROUPLENS = String.join("\n",
            "1::10::5::300",
            "1::20::3::100",
            "2::10::4::50",
            "1::30::4::100",
            "2::40::1::10",
            "1::50::2::200",
            "");

    void checkGroupLens(Dataset d) {
        assertEquals(2, d.numUsers());
        assertEquals(5, d.numItems());
        assertEquals(6, d.numInteractions());
        assertArrayEquals(new String[] {"1", "2"}, d.userIds, "users in order of first appearance");
        assertEquals(List.of("20", "30", "50", "10"), seq(d, "1"), "sorted by time; equal times keep file order");
        assertEquals(List.of("40", "10"), seq(d, "2"));
    }

    @Test
    void grouplens() throws IOException {
        Path p = write("ratings.dat", GROUPLENS);
        assertEquals(Format.GROUPLENS, Format.detect(p));
        checkGroupLens(load(Format.GROUPLENS, null, p));
    }

    @Test
    void grouplensGzip() throws IOException {
        Path p = writeGz("ratings.dat.gz", GROUPLENS);
        assertEquals(Format.GROUPLENS, Format.detect(p));
        checkGroupLens(load(Format.GROUPLENS, null, p));
    }

    @Test
    void udata() throws IOException {
        Path p = write("u.data", "7\t3\t5\t900\n7\t1\t4\t800\n8\t3\t2\t850\n7\t2\t3\t900\n\n8\t9\t1\t700\n");
        assertEquals(Format.UDATA, Format.detect(p));
        Dataset d = load(Format.UDATA, null, p);
        assertEquals(2, d.numUsers());
        assertEquals(4, d.numItems());
        assertEquals(5, d.numInteractions());
        assertEquals(List.of("1", "3", "2"), seq(d, "7"));
        assertEquals(List.of("9", "3"), seq(d, "8"));
        // Another name, same content: the four numeric tab-separated columns give UDATA too.
        assertEquals(Format.UDATA, Format.detect(write("ratings.tsv", "7\t3\t5\t900\n")));
    }

    @Test
    void comirecOrdersByPositionNotFileOrder() throws IOException {
        Path p = write("book_train.txt", "0,5,2\n0,6,0\n1,5,0\n0,7,1\n1,8,3\n1,9,1\n");
        assertEquals(Format.COMIREC, Format.detect(p));
        Dataset d = load(Format.COMIREC, null, p);
        assertEquals(List.of("6", "7", "5"), seq(d, "0"));
        assertEquals(List.of("5", "9", "8"), seq(d, "1"));
        assertEquals(6, d.numInteractions());
    }

    @Test
    void linesTrainThenTest() throws IOException {
        Path train = write("train.txt", "0 3 1 2\n1 2 4\n2\n3 5\n");
        Path test = write("test.txt", "1 1\n0 9 8\n2 7\n");
        assertEquals(Format.LINES, Format.detect(train));
        assertEquals(Format.LINES, Format.detect(test));
        Dataset d = load(Format.LINES, null, train, test);
        assertEquals(List.of("3", "1", "2", "9", "8"), seq(d, "0"), "train items first, then test items, each in file order");
        assertEquals(List.of("2", "4", "1"), seq(d, "1"));
        assertEquals(List.of("7"), seq(d, "2"), "user 2 has no train items: only its test item");
        assertEquals(List.of("5"), seq(d, "3"));
        assertEquals(10, d.numInteractions());
    }

    @Test
    void linesUserWithoutItemsYieldsNothing() throws IOException {
        Path p = write("train.txt", "0 1 2\n5\n1 2\n");
        InteractionLog log = InteractionLog.read(List.of(p), Format.LINES, null);
        assertEquals(3, log.size(), "the id-only line adds no interaction");
        Dataset d = Dataset.of("t", log, 0, 0);
        assertArrayEquals(new String[] {"0", "1"}, d.userIds, "user 5 has no items: dropped");
        // A first line with only an id is still LINES.
        assertEquals(Format.LINES, Format.detect(write("only.txt", "5\n0 1 2\n")));
    }

    @Test
    void delimitedCsvWithHeader() throws IOException {
        Path p = write("events.csv", "user_id,item_id,timestamp,extra\na,x,30,q\nb,y,5,q\na,y,10,q\na,z,30,q\nb,x,1,q\n");
        assertEquals(Format.DELIMITED, Format.detect(p));
        Dataset d = load(Format.DELIMITED, null, p);
        assertEquals(List.of("y", "x", "z"), seq(d, "a"), "by time; x and z tie at 30 and keep file order");
        assertEquals(List.of("x", "y"), seq(d, "b"));
        assertEquals(5, d.numInteractions());
    }

    @Test
    void delimitedTsvWithCustomColumns() throws IOException {
        Path p = write("events.tsv", "ts\tiid\tother\tuid\n3\tp\t-\tu1\n1\tq\t-\tu1\n2\tr\t-\tu2\n2\tq\t-\tu1\n");
        assertEquals(Format.DELIMITED, Format.detect(p));
        Dataset d = load(Format.DELIMITED, new Columns("uid", "iid", "ts"), p);
        assertEquals(List.of("q", "q", "p"), seq(d, "u1"));
        assertEquals(List.of("r"), seq(d, "u2"));
        assertEquals(3, d.numItems());
        assertEquals(4, d.numInteractions());
    }

    @Test
    void delimitedWithoutTimeKeepsFileOrder() throws IOException {
        Path p = write("views.csv", "user,item\nu,3\nv,1\nu,1\nu,2\n");
        Dataset d = load(Format.DELIMITED, null, p);
        assertEquals(List.of("3", "1", "2"), seq(d, "u"));
        assertEquals(List.of("1"), seq(d, "v"));
        // Columns given but no time column: file order too, even though the file has a time-like column.
        Path q = write("views2.csv", "uid,iid,timestamp\nu,3,9\nu,1,1\n");
        assertEquals(List.of("3", "1"), seq(load(Format.DELIMITED, new Columns("uid", "iid", null), q), "u"));
    }

    @Test
    void delimitedMissingColumnNamed() throws IOException {
        Path p = write("bad.csv", "who,what\nu,1\n");
        DataException e = assertThrows(DataException.class, () -> InteractionLog.read(List.of(p), Format.DELIMITED, null));
        assertTrue(e.getMessage().contains("bad.csv:1"), e.getMessage());
        assertTrue(e.getMessage().contains("--user-col"), e.getMessage());
        Path q = write("bad2.csv", "user,item\nu,1\n");
        DataException e2 = assertThrows(DataException.class,
                () -> InteractionLog.read(List.of(q), Format.DELIMITED, new Columns("user", "item", "when")));
        assertTrue(e2.getMessage().contains("'when'"), e2.getMessage());
        // The header is the first non-blank line: the error names its line, not line 1.
        Path r = write("late.csv", "\n\nwho,item_id\nu,1\n");
        DataException e3 = assertThrows(DataException.class, () -> InteractionLog.read(List.of(r), Format.DELIMITED, null));
        assertTrue(e3.getMessage().contains("late.csv:3"), e3.getMessage());
        // ...and data lines after a late header are numbered as in the file.
        Path s = write("late2.csv", "\nuser_id,item_id\nu,1\nu\n");
        DataException e4 = assertThrows(DataException.class, () -> InteractionLog.read(List.of(s), Format.DELIMITED, null));
        assertTrue(e4.getMessage().contains("late2.csv:4"), e4.getMessage());
    }

    @Test
    void detectRefusesAmbiguousFiles() throws IOException {
        for (String first : new String[] {"1,2,3,4\n", "1\t2\t3\n", "1,2\n"}) {
            Path p = write("x.txt", first);
            DataException e = assertThrows(DataException.class, () -> Format.detect(p), first);
            assertTrue(e.getMessage().contains("--format"), e.getMessage());
        }
        Path empty = write("empty.txt", "\n\n");
        assertThrows(DataException.class, () -> Format.detect(empty));
        assertThrows(DataException.class, () -> Format.detect(dir.resolve("missing.txt")));
    }

    @Test
    void detectSkipsLeadingBlankLines() throws IOException {
        assertEquals(Format.COMIREC, Format.detect(write("c.txt", "\n  \n0,1,2\n")));
    }

    @Test
    void malformedLinesNameFileAndLine() throws IOException {
        record Case(String file, Format format, String content, String where) {}
        List<Case> cases = List.of(
                new Case("bad.dat", Format.GROUPLENS, "1::2::3::4\n1::3::4::5\n1::4::5\n", "bad.dat:3"),
                new Case("bad2.dat", Format.GROUPLENS, "1::2::3::4\n\n1::3::4::later\n", "bad2.dat:3"),
                new Case("u.bad", Format.UDATA, "1\t2\t3\t4\n1\t2\n", "u.bad:2"),
                new Case("c.bad", Format.COMIREC, "0,1,0\n0,2,1,7\n", "c.bad:2"),
                new Case("c2.bad", Format.COMIREC, "0,1,0\n0,2,x\n", "c2.bad:2"),
                new Case("c3.bad", Format.COMIREC, "0,1,0\n,2,1\n", "c3.bad:2"),
                new Case("d.csv", Format.DELIMITED, "user_id,item_id,timestamp\nu,i,1\nu,i\n", "d.csv:3"),
                new Case("d2.csv", Format.DELIMITED, "user_id,item_id,timestamp\nu,i,1\nu,i,soon\n", "d2.csv:3"));
        for (Case c : cases) {
            Path p = write(c.file, c.content);
            DataException e = assertThrows(DataException.class, () -> InteractionLog.read(List.of(p), c.format, null), c.file);
            assertTrue(e.getMessage().contains(c.where), c.file + ": " + e.getMessage());
        }
    }

    @Test
    void fractionalTimesAreAccepted() throws IOException {
        Path p = write("f.csv", "user_id,item_id,timestamp\nu,a,2.5\nu,b,1.25\nu,c,2.0\n");
        assertEquals(List.of("b", "a", "c"), seq(load(Format.DELIMITED, null, p), "u"),
                "fractions are floored: a and c both at second 2, file order");
    }

    @Test
    void emptyLogRefused() throws IOException {
        Path p = write("ids.txt", "1\n2\n");
        assertThrows(DataException.class, () -> InteractionLog.read(List.of(p), Format.LINES, null));
        assertThrows(DataException.class, () -> InteractionLog.read(List.of(dir.resolve("nope.txt")), Format.LINES, null));
    }

    @Test
    void parseFormatNames() {
        assertEquals(Format.GROUPLENS, Format.parse("grouplens"));
        assertEquals(Format.DELIMITED, Format.parse(" Delimited "));
        for (Format f : Format.values()) assertEquals(f, Format.parse(f.cliName()));
        DataException e = assertThrows(DataException.class, () -> Format.parse("parquet"));
        assertTrue(e.getMessage().contains("parquet"), e.getMessage());
        for (Format f : Format.values()) assertTrue(e.getMessage().contains(f.cliName()), e.getMessage());
    }

    @Test
    void itemZeroIsPadding() throws IOException {
        Dataset d = load(Format.LINES, null, write("t.txt", "0 1 2\n"));
        assertNull(d.itemIds[0]);
        assertEquals(0, d.itemCounts[0]);
    }
}
