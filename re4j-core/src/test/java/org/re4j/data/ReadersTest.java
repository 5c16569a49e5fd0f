package org.re4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

import org.re4j.cli.DataOptions;
import org.re4j.cli.CliTest;
import org.re4j.cli.CliTest.Run;

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
        // Naming the user and item columns keeps the time column recognised; "-" asks for the file order.
        Path q = write("views2.csv", "uid,iid,timestamp\nu,3,9\nu,1,1\n");
        assertEquals(List.of("1", "3"), seq(load(Format.DELIMITED, new Columns("uid", "iid", null), q), "u"));
        assertEquals(List.of("3", "1"), seq(load(Format.DELIMITED, new Columns("uid", "iid", Columns.FILE_ORDER), q), "u"));
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

    // --- Encoding, compression, detection and column options ---

    Path writeBytes(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(b)) {
            out.write(content);
        }
        return b.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) b.writeBytes(p);
        return b.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    /** A message fit for one terminal line: no line break, no control character, not endless. */
    static void assertOneCleanLine(String message) {
        assertTrue(message.length() < 600, message);
        for (char c : message.toCharArray()) {
            assertTrue(Character.getType(c) != Character.CONTROL, "raw control character " + (int) c + " in: " + Format.excerpt(message, 200));
        }
    }

    /** Reading {@code p} as {@code format} (null: auto) fails with a clean message naming {@code where}. */
    static DataException refused(Path p, Format format, String where) {
        DataException e = assertThrows(DataException.class,
                () -> InteractionLog.read(List.of(p), format == null ? Format.detect(p) : format, null), p + " as " + format);
        assertTrue(e.getMessage().contains(where), e.getMessage());
        assertOneCleanLine(e.getMessage());
        return e;
    }

    @Test
    void idsAreUtf8AndSurviveTheRoundTripToRecommend() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] items = {"café", "naïve", "日本", "x1", "x2", "x3"};
        for (int u = 0; u < 40; u++) {
            sb.append("u").append(u);
            for (int k = 0; k < 6; k++) sb.append(' ').append(items[(u + k * 5) % items.length]);
            sb.append('\n');
        }
        Path p = write("cafe.txt", sb.toString());
        Dataset d = load(Format.detect(p), null, p);
        List<String> ids = java.util.Arrays.asList(d.itemIds);
        assertTrue(ids.containsAll(List.of(items)), ids.toString());
        // Through a model directory: items.txt keeps the id, and recommend finds it.
        Path model = dir.resolve("cafe-model");
        Run train = CliTest.run("train", "--data", p.toString(), "--model", "pop", "--out", model.toString(), "--no-progress");
        assertEquals(0, train.code(), train.err());
        assertTrue(Files.readAllLines(model.resolve("items.txt"), StandardCharsets.UTF_8).contains("café"));
        Run rec = CliTest.run("recommend", "--model", model.toString(), "--history", "café", "-n", "6");
        assertEquals(0, rec.code(), rec.err());
        assertTrue(rec.out().contains("\"unknown_items\" : [ ]"), rec.out());
        assertTrue(rec.out().contains("\"café\""), rec.out());
        // The same id in Latin-1 bytes is not UTF-8: refused, naming the line.
        Path latin = writeBytes("latin1.txt", "u1 x1 x2\nu2 caf\u00e9 x1\n".getBytes(StandardCharsets.ISO_8859_1));
        DataException e = refused(latin, null, "latin1.txt:2");
        assertTrue(e.getMessage().contains("UTF-8") && e.getMessage().contains("column 7"), e.getMessage());
    }

    @Test
    void byteOrderMarkIsSkipped() throws IOException {
        Path u = writeBytes("u.data", concat(BOM, utf8("7\t3\t5\t900\n7\t1\t4\t800\n")));
        assertEquals(Format.UDATA, Format.detect(u));
        assertEquals(List.of("1", "3"), seq(load(Format.UDATA, null, u), "7"), "the first user id is 7, not BOM + 7");
        Path t = writeBytes("r.tsv", concat(BOM, utf8("7\t3\t5\t900\n7\t1\t4\t800\n")));
        assertEquals(Format.UDATA, Format.detect(t), "numeric columns despite the BOM");
        Path c = writeBytes("bom.csv", concat(BOM, utf8("user_id,item_id,timestamp\na,café,2\na,x,1\n")));
        assertEquals(Format.DELIMITED, Format.detect(c));
        assertEquals(List.of("x", "café"), seq(load(Format.DELIMITED, null, c), "a"), "the header's user_id is found");
        Path g = writeBytes("bom.csv.gz", gzip(concat(BOM, utf8("user_id,item_id\na,x\n"))));
        assertEquals(List.of("x"), seq(load(Format.detect(g), null, g), "a"));
        // UTF-16 is refused by its byte-order mark, naming the file.
        Path w = writeBytes("wide.csv", concat(new byte[] {(byte) 0xff, (byte) 0xfe}, "user_id,item_id\n".getBytes(StandardCharsets.UTF_16LE)));
        assertTrue(assertThrows(DataException.class, () -> Format.detect(w)).getMessage().contains("UTF-16"));
    }

    @Test
    void spaceSeparatedUdataIsUdata() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < 200; k++) sb.append(k % 7 + 1).append(' ').append(k * 13 % 50 + 1).append(' ').append(k % 5 + 1).append(' ').append(880_000_000 - k).append('\n');
        Path p = write("space.txt", sb.toString());
        assertEquals(Format.UDATA, Format.detect(p), "user item rating timestamp, separated by spaces");
        Dataset d = load(Format.UDATA, null, p);
        assertEquals(200, d.numInteractions(), "one interaction a line, not three");
        assertEquals(7, d.numUsers());
        assertTrue(d.numItems() <= 50, "ratings and timestamps are not items");
        assertEquals("36", seq(d, "7").get(0), "latest line first: ordered by the timestamp");
        // Three numeric columns, or a third column that is no rating: a coin toss, refused with a hint.
        Path three = write("three.txt", "1 2 3\n4 5 6\n7 8 9\n");
        assertTrue(assertThrows(DataException.class, () -> Format.detect(three)).getMessage().contains("--format udata or --format lines"));
        Path four = write("four.txt", "1 2 300 4\n4 5 600 7\n");
        assertThrows(DataException.class, () -> Format.detect(four));
        // Lines of varying length are LINES, as before.
        assertEquals(Format.LINES, Format.detect(write("vary.txt", "1 2 3 4\n2 5 6\n3 1 2 3 4 5\n")));
        assertThrows(DataException.class, () -> Format.detect(write("single.txt", "a\nb\nc\n")));
    }

    @Test
    void timeColumnAloneOrdersByIt() throws IOException {
        Path p = write("when.csv", "user_id,item_id,when\na,x3,3\na,x1,1\na,x2,2\n");
        assertEquals(List.of("x1", "x2", "x3"), seq(load(Format.DELIMITED, new Columns(null, null, "when"), p), "a"));
        // The same through the command line's options: --time-col alone is not dropped.
        DataOptions opts = CommandLine.populateCommand(new DataOptions(), "--data", p.toString(), "--time-col", "when");
        assertEquals(new Columns(null, null, "when"), opts.columns());
        assertEquals(List.of("x1", "x2", "x3"), seq(load(Format.detect(p), opts.columns(), p), "a"));
        assertNull(CommandLine.populateCommand(new DataOptions(), "--data", p.toString()).columns());
        // ...and a given user column keeps the time column recognised.
        Path q = write("uid.csv", "uid,item_id,timestamp\na,x3,3\na,x1,1\na,x2,2\n");
        assertEquals(List.of("x1", "x2", "x3"), seq(load(Format.DELIMITED, new Columns("uid", null, null), q), "a"));
        assertEquals(List.of("x3", "x1", "x2"), seq(load(Format.DELIMITED, new Columns("uid", null, Columns.FILE_ORDER), q), "a"));
        // Column options on a file that is not delimited are refused, not ignored.
        Path u = write("u.data", "1\t2\t3\t4\n");
        assertTrue(assertThrows(DataException.class, () -> load(Format.UDATA, new Columns(null, null, "when"), u)).getMessage().contains("delimited"));
    }

    @Test
    void unusableTimeColumnIsAnErrorNotTheFileOrder() throws IOException {
        Columns when = new Columns(null, null, "when");
        DataException e = assertThrows(DataException.class, () -> load(Format.DELIMITED, when, write("t1.csv", "user_id,item_id,when\na,x,1\na,y,\n")));
        assertTrue(e.getMessage().contains("t1.csv:3: empty time"), e.getMessage());
        refused(write("t2.csv", "user_id,item_id,timestamp\na,x,1\na,y,\n"), Format.DELIMITED, "t2.csv:3: empty time");
        e = assertThrows(DataException.class, () -> load(Format.DELIMITED, when, write("t3.csv", "user_id,item_id,when\na,x,1\na,y,soon\n")));
        assertTrue(e.getMessage().contains("t3.csv:3") && e.getMessage().contains("'soon'"), e.getMessage());
        e = assertThrows(DataException.class, () -> load(Format.DELIMITED, when, write("t4.csv", "user_id,item_id,when\na,x,1\na,y\n")));
        assertTrue(e.getMessage().contains("t4.csv:3"), e.getMessage());
        e = assertThrows(DataException.class, () -> load(Format.DELIMITED, when, write("t5.csv", "user_id,item_id,time\na,x,1\n")));
        assertTrue(e.getMessage().contains("t5.csv:1") && e.getMessage().contains("'when'"), e.getMessage());
        refused(write("t6.csv", "user_id,item_id,timestamp\na,x,1\na,y,NaN\n"), Format.DELIMITED, "t6.csv:3");
        refused(write("t7.csv", "user_id,item_id,timestamp\na,x,1\na,y,1e400\n"), Format.DELIMITED, "t7.csv:3");
        refused(write("t8.csv", "user_id,item_id,timestamp\na,x,1\na,y,2020-01-01\n"), Format.DELIMITED, "t8.csv:3");
        // ISO-8601 dates and date-times order the rows.
        Path iso = write("iso.csv", "user_id,item_id,datetime\na,x,2021-03-01 10:00:00\na,y,2021-02-28T23:59:59Z\na,z,2021-03-01T09:00:00+02:00\n");
        assertEquals(List.of("y", "z", "x"), seq(load(Format.DELIMITED, null, iso), "a"));
    }

    @Test
    void gzipIsRecognisedByContent() throws IOException {
        Path tsv = writeBytes("ratings.tsv", gzip(utf8("7\t3\t5\t900\n7\t1\t4\t800\n8\t3\t2\t850\n")));
        assertEquals(Format.UDATA, Format.detect(tsv));
        assertEquals(List.of("1", "3"), seq(load(Format.UDATA, null, tsv), "7"));
        Path plain = write("plain.csv.gz", "user_id,item_id\na,x\n");
        assertEquals(List.of("x"), seq(load(Format.detect(plain), null, plain), "a"), "a .gz name on plain text: read as text");
        // Truncated gzip: refused, naming the file; other compressions are named.
        byte[] big = gzip(utf8("0,1,2\n".repeat(20_000) + "x"));
        Path cut = writeBytes("cut.txt", java.util.Arrays.copyOf(big, big.length / 2));
        refused(cut, Format.COMIREC, "cut.txt:");
        Path zst = writeBytes("r.csv", new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0});
        assertTrue(assertThrows(DataException.class, () -> Format.detect(zst)).getMessage().contains("zstd"));
    }

    @Test
    void randomBytesAreRefusedByEveryReader() throws IOException {
        byte[] noise = new byte[100_000];
        new Random(17).nextBytes(noise);
        for (Path p : List.of(writeBytes("noise.bin", noise), writeBytes("noise.txt", gzip(noise)))) {
            refused(p, null, p + ":1: ");
            for (Format f : Format.values()) refused(p, f, p + ":1:");
            Run r = CliTest.run("stats", "--data", p.toString(), "--format", "udata");
            assertEquals(2, r.code());
            assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("re4j:")).count(), r.err());
            assertOneCleanLine(r.err().strip());
        }
        // Valid UTF-8 that is still binary (control characters, NUL): auto refuses, naming the line.
        refused(write("ctl.txt", "1 2 3\n4 \u0001\u0002 5\n"), null, "ctl.txt:2: control character \\x01");
        refused(writeBytes("nul.txt", utf8("1 2 3\n4 \u0000 5\n")), Format.LINES, "nul.txt:2: NUL byte");
    }

    @Test
    void errorMessagesEscapeControlBytesAndStayShort() throws IOException {
        Path p = write("ctl.data", "1\t2\t3\t4\n\u0007\u001b[31m\t" + "y".repeat(500) + "\n");
        DataException e = refused(p, Format.UDATA, "ctl.data:2");
        assertTrue(e.getMessage().contains("\\x07\\x1b[31m"), e.getMessage());
        assertTrue(e.getMessage().contains("..."), "a long line is cut: " + e.getMessage());
    }

    @Test
    void autoRefusesInconsistentColumns() throws IOException {
        refused(write("c.txt", "0,1,2\n0,1,3\n0,1\n"), null, "c.txt:3: 2 comma-separated fields where line 1 has 3");
        refused(write("t.txt", "1\t2\t3\t4\n1\t2\t3\n"), null, "t.txt:2");
        refused(write("d.csv", "user_id,item_id\na,b\na,b,c\n"), null, "d.csv:3");
        refused(write("l.txt", "0 1 2\n1 2,3 4\n"), null, "l.txt:2: a comma");
        // An explicit format still reads what it can: extra columns are allowed in delimited files.
        assertEquals(List.of("b", "b"), seq(load(Format.DELIMITED, null, dir.resolve("d.csv")), "a"));
    }

    @Test
    void quotedCsvFields() throws IOException {
        Path p = write("q.csv", "\"user_id\",\"item_id\",\"timestamp\"\n\"u,1\",\"say \"\"hi\"\"\",2\n\"u,1\",plain,1\n");
        assertEquals(Format.DELIMITED, Format.detect(p));
        assertEquals(List.of("plain", "say \"hi\""), seq(load(Format.DELIMITED, null, p), "u,1"));
        refused(write("q2.csv", "user_id,item_id\n\"u,1,x\n"), Format.DELIMITED, "q2.csv:2: unterminated quote");
    }

    @Test
    void lineEndingsAreCountedAsLines() throws IOException {
        refused(write("crlf.dat", "1::2::3::4\r\n1::3::4::5\r\n1::4::5\r\n"), null, "crlf.dat:3");
        refused(write("cr.dat", "1::2::3::4\r1::3::4::5\r\r1::4::5\r"), null, "cr.dat:4");
    }
}
