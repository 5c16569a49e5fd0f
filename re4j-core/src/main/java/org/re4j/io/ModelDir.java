package org.re4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.re4j.config.ConfigTree;

import org.re4j.model.Param;
import org.re4j.model.ParamSet;

/**
 * A saved model is a directory:
 * <ul>
 *   <li>{@code model.safetensors}: the parameters (opens in PyTorch);</li>
 *   <li>{@code config.json}: format version, model id, model config, training config, data spec and provenance;</li>
 *   <li>{@code items.txt}: original item ids, line i = internal item i (line 0 is the padding marker);</li>
 *   <li>{@code metrics.json} and {@code log.jsonl} when a training run wrote it;</li>
 *   <li>{@code test_users.jsonl}: the test metrics per user, when the run evaluated the test users.</li>
 * </ul>
 * A training run writes the directory whole: every file goes into a hidden sibling ({@link Staging}), which replaces
 * the target in one rename at the end. The files of one model carry one model id (a fingerprint of its parameters and
 * item ids) in config.json, in the safetensors header and in metrics.json; {@link #readConfig} refuses a directory
 * whose files disagree, and checks the format version and items.txt against the SHA-256 that config.json records.
 */
public final class ModelDir {

    /** 2: typed model and training configs (enums, grouped flows, history fraction inside train_config). */
    public static final int FORMAT_VERSION = 2;
    public static final String PARAMS = "model.safetensors", CONFIG = "config.json", ITEMS = "items.txt",
            METRICS = "metrics.json", LOG = "log.jsonl", TEST_USERS = "test_users.jsonl";
    /** Where config.json and metrics.json keep the model id, and the items.txt checksum. */
    public static final String MODEL_ID = "model_id", ITEMS_SHA256 = "items_sha256";
    /** The model id's key in the safetensors metadata. */
    public static final String HEADER_MODEL_ID = "re4j_model_id";
    /** The files re4j writes into a model directory. */
    public static final Set<String> FILES = Set.of(PARAMS, CONFIG, ITEMS, METRICS, LOG, TEST_USERS);
    /**
     * What a run started with checkpoints keeps in its hidden directory while it trains (removed before the commit):
     * the training state, and the run's settings in config.json's form, from which {@code train --resume} continues it.
     */
    public static final String CHECKPOINT = "checkpoint.safetensors", RESUME = "resume.json";
    private static final String PADDING = "<pad>";
    private static final String STAGING = ".training-", REPLACED = ".replaced-", LOCK = ".lock";

    public static final ObjectMapper JSON = ConfigTree.JSON;

    private ModelDir() {}

    /**
     * Writes the parameters, the item ids and {@code config} (a JSON object; "format_version", "model_id" and
     * "items_sha256" are added in front). Write into a {@link Staging} directory to replace a model whole.
     *
     * @return the model id, for metrics.json
     */
    public static String save(Path dir, ParamSet params, String[] itemIds, Map<String, Object> config) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + dir + ": " + AtomicFiles.reason(e), e);
        }
        String id = modelId(params, itemIds);
        Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
        for (Param p : params.all()) tensors.put(p.name, new SafeTensors.Tensor(new long[] {p.rows, p.cols}, p.value));
        SafeTensors.write(dir.resolve(PARAMS), tensors, metadata(id));
        MessageDigest items = sha256();
        AtomicFiles.write(dir.resolve(ITEMS), raw -> {
            OutputStream out = new DigestOutputStream(raw, items);
            out.write((PADDING + "\n").getBytes(StandardCharsets.UTF_8));
            for (int i = 1; i < itemIds.length; i++) out.write((itemIds[i] + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        });
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format_version", FORMAT_VERSION);
        c.put(MODEL_ID, id);
        c.put(ITEMS_SHA256, HexFormat.of().formatHex(items.digest()));
        c.putAll(config);
        AtomicFiles.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(c));
        return id;
    }

    /** The file's metadata in a fixed order, so that the same model always gives the same bytes. */
    private static Map<String, String> metadata(String modelId) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "pt");
        m.put("re4j_format_version", "" + FORMAT_VERSION);
        m.put(HEADER_MODEL_ID, modelId);
        return m;
    }

    /**
     * A fingerprint of a model: the first 128 bits (hex) of the SHA-256 of every tensor (name, shape, float bits)
     * and every item id. The same parameters and catalogue always give the same id.
     */
    public static String modelId(ParamSet params, String[] itemIds) {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Param p : params.all()) {
            md.update(p.name.getBytes(StandardCharsets.UTF_8));
            buf.clear();
            buf.put((byte) 0).putLong(p.rows).putLong(p.cols);
            md.update(buf.array(), 0, buf.position());
            buf.clear();
            for (int i = 0; i < p.size(); i++) {
                if (buf.remaining() < 4) {
                    md.update(buf.array(), 0, buf.position());
                    buf.clear();
                }
                buf.putFloat(p.value[i]);
            }
            md.update(buf.array(), 0, buf.position());
        }
        for (int i = 1; i < itemIds.length; i++) md.update((itemIds[i] + "\n").getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest(), 0, 16);
    }

    /**
     * Reads and checks a model directory's config.json: the directory exists and has every model file, config.json is
     * valid JSON of this format version with a catalogue size, and config.json, model.safetensors, metrics.json (when
     * there) and items.txt belong to the same model. Every refusal is an IOException of one line naming the file.
     */
    public static JsonNode readConfig(Path dir) throws IOException {
        requireDirectory(dir);
        Path f = dir.resolve(CONFIG);
        if (!Files.exists(f)) {
            List<String> present = present(dir);
            throw new IOException(present.isEmpty()
                    ? dir + " is not a re4j model directory: " + CONFIG + " is missing"
                    : dir + " is an incomplete re4j model directory: " + CONFIG + " is missing (it has " + String.join(", ", present) + ")");
        }
        JsonNode c = readJson(f);
        int v = c.path("format_version").asInt(-1);
        if (v != FORMAT_VERSION) {
            throw new IOException(f + ": model format version " + (c.has("format_version") ? v : "missing") + ", this re4j reads version " + FORMAT_VERSION
                    + (v >= 0 && v < FORMAT_VERSION ? " (written by an earlier re4j: train the model again)" : ""));
        }
        JsonNode n = c.path("num_items");
        if (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 1) {
            throw new IOException(f + ": num_items must be a whole number ≥ 1, " + (n.isMissingNode() ? "it is missing" : "not " + n));
        }
        verify(dir, c);
        return c;
    }

    /** Refuses a directory whose files are missing or come from different models. */
    private static void verify(Path dir, JsonNode config) throws IOException {
        for (String name : new String[] {PARAMS, ITEMS}) {
            if (!Files.isRegularFile(dir.resolve(name))) {
                throw new IOException(dir + " is an incomplete re4j model directory: " + name + " is missing");
            }
        }
        String configId = text(config.get(MODEL_ID));
        String paramsId = SafeTensors.metadata(dir.resolve(PARAMS)).get(HEADER_MODEL_ID);
        Path metricsFile = dir.resolve(METRICS);
        boolean hasMetrics = Files.exists(metricsFile);
        String metricsId = hasMetrics ? text(readJson(metricsFile).get(MODEL_ID)) : null;
        boolean legacy = configId == null && paramsId == null && metricsId == null; // written before model ids
        if (!legacy && (!same(configId, paramsId) || (hasMetrics && !same(configId, metricsId)))) {
            throw new IOException(dir + ": its files belong to different models (" + CONFIG + ": " + show(configId) + ", " + PARAMS
                    + ": " + show(paramsId) + (hasMetrics ? ", " + METRICS + ": " + show(metricsId) : "")
                    + "): train again with --overwrite");
        }
        String itemsSum = text(config.get(ITEMS_SHA256));
        if (itemsSum != null && !itemsSum.equals(sha256(dir.resolve(ITEMS)))) {
            throw new IOException(dir.resolve(ITEMS) + " does not belong to " + CONFIG + " (its SHA-256 is not the one "
                    + CONFIG + " records): train again with --overwrite");
        }
    }

    private static boolean same(String a, String b) {
        return a != null && a.equals(b);
    }

    private static String show(String id) {
        return id == null ? "no model id" : "model " + id;
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    private static void requireDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        if (Files.exists(dir)) throw new IOException(dir + " is not a model directory: it is a file");
        String note = "";
        Path abs = dir.toAbsolutePath().normalize(), parent = abs.getParent();
        if (parent != null && abs.getFileName() != null && Files.isDirectory(parent)) {
            String name = abs.getFileName().toString();
            for (Path p : siblings(parent, name)) {
                String s = p.getFileName().toString();
                if (s.startsWith("." + name + REPLACED) && Files.isDirectory(p)) {
                    note = " (an interrupted 're4j train' left the previous model in " + p + "; train again, or rename it back)";
                    break;
                }
                if (s.startsWith("." + name + STAGING) && Files.isDirectory(p)) {
                    note = " (a 're4j train' into it has not finished; its files so far are in " + p + ")";
                }
            }
        }
        throw new IOException(dir + ": no such model directory" + note);
    }

    private static List<String> present(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        for (String f : new String[] {PARAMS, ITEMS, METRICS, LOG, TEST_USERS}) if (Files.exists(dir.resolve(f))) out.add(f);
        return out;
    }

    /** A JSON file as a tree; invalid JSON is one line with the file, line and column. */
    public static JsonNode readJson(Path f) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (FileSystemException e) {
            throw new IOException("cannot read " + f + ": " + AtomicFiles.reason(e), e);
        }
        JsonNode n;
        try {
            n = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IOException(jsonError(f.toString(), e), e);
        }
        if (n == null || n.isMissingNode()) throw new IOException(f + ": invalid JSON: the file is empty");
        if (!n.isObject()) throw new IOException(f + ": invalid JSON: expected an object ({...}) at the top, found " + n.getNodeType().name().toLowerCase());
        return n;
    }

    /** "FILE: invalid JSON at line:column: what the parser says" (its first line). */
    public static String jsonError(String file, JsonProcessingException e) {
        JsonLocation l = e.getLocation();
        String where = l == null || l.getLineNr() < 0 ? "" : " at " + l.getLineNr() + ":" + l.getColumnNr();
        String m = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        int nl = m.indexOf('\n');
        return file + ": invalid JSON" + where + ": " + (nl >= 0 ? m.substring(0, nl) : m).trim();
    }

    /** Item ids (index = internal id; index 0 = null), checked against the expected catalogue size. */
    public static String[] readItems(Path dir, int numItems) throws IOException {
        Path f = dir.resolve(ITEMS);
        List<String> lines;
        try {
            lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(dir + " is an incomplete re4j model directory: " + ITEMS + " is missing");
        } catch (FileSystemException e) {
            throw new IOException("cannot read " + f + ": " + AtomicFiles.reason(e), e);
        }
        if (lines.size() != numItems + 1 || !PADDING.equals(lines.get(0))) {
            throw new IOException(f + ": expected " + (numItems + 1) + " lines starting with " + PADDING
                    + ", found " + lines.size() + ": truncated or from another model");
        }
        String[] ids = lines.toArray(new String[0]);
        ids[0] = null;
        return ids;
    }

    /** Copies saved tensors into {@code params}, refusing any missing, extra or misshapen tensor. */
    public static void loadParams(Path dir, ParamSet params) throws IOException {
        Path f = dir.resolve(PARAMS);
        if (!Files.exists(f)) throw new IOException(dir + " is an incomplete re4j model directory: " + PARAMS + " is missing");
        Map<String, SafeTensors.Tensor> t = SafeTensors.read(f);
        for (Param p : params.all()) {
            SafeTensors.Tensor x = t.remove(p.name);
            if (x == null) throw new IOException(f + ": tensor " + p.name + " is missing");
            long[] want = {p.rows, p.cols};
            if (!Arrays.equals(want, x.shape())) {
                throw new IOException(f + ": tensor " + p.name + " has shape " + Arrays.toString(x.shape())
                        + ", the config says " + Arrays.toString(want));
            }
            System.arraycopy(x.data(), 0, p.value, 0, p.size());
        }
        if (!t.isEmpty()) throw new IOException(f + ": unexpected tensors " + t.keySet() + " for this model");
    }

    /**
     * Whether a model directory may be written at {@code out}: it does not exist, is an empty directory, or (with
     * {@code overwrite}) is a directory holding only files re4j writes into model directories.
     *
     * @param overwriteHint how to ask for overwriting, for the refusal ("pass --overwrite to replace it")
     */
    public static void checkTarget(Path out, boolean overwrite, String overwriteHint) throws IOException {
        Path t = out.toAbsolutePath().normalize();
        if (!Files.exists(t)) {
            Path p = t.getParent();
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p != null && !Files.isDirectory(p)) throw new IOException("cannot write " + out + ": " + p + " exists and is not a directory");
            if (p != null && !Files.isWritable(p)) throw new IOException("cannot write " + out + ": permission denied on " + p);
            return;
        }
        if (!Files.isDirectory(t)) throw new IOException("cannot write a model into " + out + ": it exists and is not a directory");
        List<String> ours = new ArrayList<>(), other = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(t)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (FILES.contains(n) && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) ours.add(n);
                else if (!(n.startsWith(".") && n.endsWith(".tmp"))) other.add(n); // .x.tmp: an earlier re4j's half-written file
            }
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + out + ": " + AtomicFiles.reason(e), e);
        }
        other.sort(null);
        String others = String.join(", ", other.subList(0, Math.min(3, other.size()))) + (other.size() > 3 ? ", ..." : "");
        if (!ours.isEmpty() && !overwrite) throw new IOException(out + " already holds a re4j model: " + overwriteHint);
        if (!other.isEmpty()) {
            throw new IOException(ours.isEmpty()
                    ? "cannot write a model into " + out + ": it is a directory that is not empty and holds no re4j model (" + others
                        + "): choose a new or empty directory"
                    : "cannot replace the model in " + out + ": it also holds files that re4j does not write (" + others
                        + "): move them out first");
        }
        Path parent = t.getParent();
        if (parent != null && !Files.isWritable(parent)) throw new IOException("cannot write " + out + ": permission denied on " + parent);
    }

    /**
     * A model directory being written. Its files go into a hidden sibling of the target ({@code .NAME.training-ID}),
     * which replaces the target in one rename at {@link #commit}; until then the target keeps what it held, and a
     * run that dies leaves only the hidden sibling, which the next run into the same target removes. A run holds a
     * lock on {@code .NAME.training-ID.lock} while it lives, so a live run's directory is never taken for a dead one's.
     *
     * <p>Replacing a model takes two renames (the old directory aside to {@code .NAME.replaced-ID}, the new one into
     * place); a run that dies between them leaves no target, and the next run into it puts the old model back first.
     *
     * <p>The system property {@code re4j.crashAt} (commit, aside or renamed) halts the JVM at that point of the commit,
     * as a kill would: the crash test uses it.
     */
    public static final class Staging implements AutoCloseable {
        private final Path out, target, dir, lockFile;
        private final FileChannel lockChannel;
        private final boolean overwrite;
        private final String overwriteHint;
        private final String id;
        private boolean committed, keep, paused;

        private Staging(Path out, Path target, Path dir, Path lockFile, FileChannel lockChannel, boolean overwrite,
                        String overwriteHint, String id) {
            this.out = out;
            this.target = target;
            this.dir = dir;
            this.lockFile = lockFile;
            this.lockChannel = lockChannel;
            this.overwrite = overwrite;
            this.overwriteHint = overwriteHint;
            this.id = id;
        }

        /**
         * Checks the target ({@link #checkTarget}), clears what dead runs into it left, and creates the hidden
         * directory the run writes into.
         */
        public static Staging begin(Path out, boolean overwrite, String overwriteHint) throws IOException {
            Path target = out.toAbsolutePath().normalize();
            if (Files.isSymbolicLink(target)) target = target.toRealPath(); // replace what the link points to, keep the link
            Path parent = target.getParent();
            if (parent == null || target.getFileName() == null) throw new IOException("cannot write a model into " + out + ": it is the file system's root");
            checkTarget(out, overwrite, overwriteHint);
            try {
                Files.createDirectories(parent);
            } catch (FileSystemException e) {
                throw new IOException("cannot write " + out + ": " + AtomicFiles.reason(e), e);
            }
            clearDeadRuns(target, out, overwrite);
            checkTarget(out, overwrite, overwriteHint); // a restored model needs --overwrite as before
            String name = target.getFileName().toString();
            String id = Long.toHexString(System.currentTimeMillis()) + String.format("%08x", ThreadLocalRandom.current().nextInt());
            Path lockFile = parent.resolve("." + name + STAGING + id + LOCK), dir = parent.resolve("." + name + STAGING + id);
            FileChannel ch = null;
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                if (ch.tryLock() == null) throw new IOException("cannot lock " + lockFile);
                Files.createDirectory(dir);
            } catch (FileSystemException e) {
                if (ch != null) ch.close();
                Files.deleteIfExists(lockFile);
                throw new IOException("cannot write " + out + ": " + AtomicFiles.reason(e), e);
            }
            return new Staging(out, target, dir, lockFile, ch, overwrite, overwriteHint, id);
        }

        /**
         * Takes over the hidden directory of a run into {@code out} that was killed while it trained with checkpoints
         * (the newest such run): the resumed run writes on into it and commits it as the run would have.
         *
         * @throws IOException when no killed run into {@code out} left its settings, or one is still training
         */
        public static Staging resume(Path out, String overwriteHint) throws IOException {
            Path dir = resumable(out);
            if (dir == null) {
                throw new IOException("no interrupted run into " + out + " to resume (a run can be resumed when it was started"
                        + " with --checkpoint-every and stopped before it ended)");
            }
            Path target = dir.resolveSibling(dir.getFileName().toString().substring(1, dir.getFileName().toString().indexOf(STAGING)));
            String id = dir.getFileName().toString().substring(dir.getFileName().toString().indexOf(STAGING) + STAGING.length());
            Path lockFile = dir.resolveSibling(dir.getFileName() + LOCK);
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                ch.close();
                throw new IOException("a run is still training into " + out + " (" + dir + " is locked)");
            }
            boolean overwrite = JSON.readTree(dir.resolve(RESUME).toFile()).path("overwrite").asBoolean(false);
            Staging s = new Staging(out, target, dir, lockFile, ch, overwrite, overwriteHint, id);
            s.paused = true; // a resumed run that fails (or is refused) leaves its checkpoint for the next --resume
            return s;
        }

        /**
         * The hidden directory of the newest run into {@code out} that died and left its settings ({@link #RESUME}),
         * or null.
         */
        public static Path resumable(Path out) throws IOException {
            Path target = out.toAbsolutePath().normalize();
            if (Files.isSymbolicLink(target)) target = target.toRealPath();
            Path parent = target.getParent();
            if (parent == null || target.getFileName() == null) return null;
            String name = target.getFileName().toString();
            Path newest = null;
            FileTime newestTime = null;
            for (Path p : siblings(parent, name)) {
                String s = p.getFileName().toString();
                if (!s.startsWith("." + name + STAGING) || s.endsWith(LOCK) || !Files.isRegularFile(p.resolve(RESUME))) continue;
                Path lock = parent.resolve(s + LOCK);
                if (Files.exists(lock) && !isDead(lock)) continue;
                Path state = Files.exists(p.resolve(CHECKPOINT)) ? p.resolve(CHECKPOINT) : p.resolve(RESUME);
                FileTime t = Files.getLastModifiedTime(state);
                if (newestTime == null || t.compareTo(newestTime) > 0) {
                    newest = p;
                    newestTime = t;
                }
            }
            return newest;
        }

        /** Where the run writes its files (log.jsonl while it trains, the model at the end). */
        public Path dir() {
            return dir;
        }

        /** Whether the commit may replace a model in the target. */
        public boolean overwrites() {
            return overwrite;
        }

        /** The model directory this becomes. */
        public Path target() {
            return target;
        }

        /** Puts the written directory in the target's place, replacing a model there (checked again now). */
        public void commit() throws IOException {
            if (committed) return;
            crashPoint("commit");
            try {
                checkTarget(out, overwrite, overwriteHint);
            } catch (IOException e) {
                // The target changed while training: keep the new model beside it, where no later run removes it.
                Path kept = target.resolveSibling(target.getFileName() + "-" + id);
                try {
                    move(dir, kept);
                } catch (IOException moved) {
                    kept = dir;
                    keep = true;
                }
                throw new IOException(e.getMessage() + " (it changed while training; the new model is in " + kept + ")");
            }
            try {
                if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                    boolean empty;
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(target)) {
                        empty = !ds.iterator().hasNext();
                    }
                    if (empty) {
                        Files.delete(target);
                        move(dir, target);
                        committed = true;
                    } else {
                        Path aside = target.resolveSibling("." + target.getFileName() + REPLACED + id);
                        move(target, aside);
                        crashPoint("aside");
                        try {
                            move(dir, target);
                        } catch (IOException e) {
                            move(aside, target);
                            throw e;
                        }
                        committed = true;
                        crashPoint("renamed");
                        deleteTree(aside);
                    }
                } else {
                    move(dir, target);
                    committed = true;
                }
            } catch (FileSystemException e) {
                keep = !committed;
                throw new IOException("cannot write " + out + ": " + AtomicFiles.reason(e)
                        + (committed ? "" : " (the new model is in " + dir + ")"), e);
            }
            unlock();
        }

        /**
         * Leaves the written files where they are, uncommitted, for a later {@link #resume}: a run that paused
         * with a checkpoint.
         */
        public void pause() {
            paused = true;
        }

        /**
         * Removes the written files unless they were committed or the run paused (a run that failed leaves the target
         * as it was; a resumed run that failed leaves what it resumed from).
         */
        @Override
        public void close() throws IOException {
            if (!committed && !keep && !paused) deleteTree(dir);
            unlock();
        }

        private void unlock() throws IOException {
            if (lockChannel.isOpen()) lockChannel.close();
            if (!keep) Files.deleteIfExists(lockFile);
        }
    }

    private static void crashPoint(String point) {
        if (point.equals(System.getProperty("re4j.crashAt"))) Runtime.getRuntime().halt(86);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /**
     * What runs into {@code target} that died left: their hidden directories (no live lock) are removed; a model set
     * aside by a run that died while replacing it goes back into place when the target is missing.
     */
    private static void clearDeadRuns(Path target, Path out, boolean overwrite) throws IOException {
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        Path resumable = overwrite ? null : Staging.resumable(out);
        if (resumable != null) { // hours of training are not thrown away without being asked to
            throw new IOException(out + ": a run into it was stopped before it ended and can be resumed (its checkpoint is in "
                    + resumable + "): continue it with `re4j train --resume " + out + "`, or start over with --overwrite");
        }
        List<Path> replaced = new ArrayList<>();
        for (Path p : siblings(parent, name)) {
            String s = p.getFileName().toString();
            if (s.startsWith("." + name + REPLACED)) {
                replaced.add(p);
            } else if (s.startsWith("." + name + STAGING) && s.endsWith(LOCK)) {
                if (isDead(p)) {
                    deleteTree(parent.resolve(s.substring(0, s.length() - LOCK.length())));
                    Files.deleteIfExists(p);
                }
            } else if (s.startsWith("." + name + STAGING) && !Files.exists(parent.resolve(s + LOCK))) {
                deleteTree(p); // a lock file is made before its directory and removed after it: no lock, no run
            }
        }
        if (!replaced.isEmpty() && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            replaced.sort((a, b) -> {
                try {
                    return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
                } catch (IOException e) {
                    return 0;
                }
            });
            Path newest = replaced.remove(0);
            move(newest, target);
            System.err.println("re4j: " + target + ": put back the model an interrupted run had set aside in " + newest);
        }
        for (Path p : replaced) deleteTree(p);
    }

    private static boolean isDead(Path lockFile) {
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) return false;
            l.release();
            return true;
        } catch (OverlappingFileLockException e) {
            return false; // held by this JVM
        } catch (IOException e) {
            return false;
        }
    }

    private static List<Path> siblings(Path parent, String name) throws IOException {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent, "." + glob(name) + ".*")) {
            for (Path p : ds) out.add(p);
        } catch (NoSuchFileException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    private static String glob(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) b.append('\\');
            b.append(c);
        }
        return b.toString();
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.deleteIfExists(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; ) md.update(buf, 0, r);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
