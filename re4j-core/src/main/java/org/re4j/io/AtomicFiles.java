package org.re4j.io;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file through a temporary sibling and a rename, so a reader never sees half a file. */
public final class AtomicFiles {

    private AtomicFiles() {}

    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Writes {@code target} whole or not at all. A file system refusal (no permission, a file where a directory should
     * be, a full disk) is an IOException that names {@code target} and says why.
     */
    public static void write(Path target, Body body) throws IOException {
        if (Files.isDirectory(target)) throw new IOException("cannot write " + target + ": it is a directory");
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        try {
            Files.createDirectories(dir);
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        }
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        } catch (FileSystemException e) { // the temporary file's name would only confuse: name its directory
            throw new IOException("cannot write " + target + ": " + reason(e).replace(String.valueOf(e.getFile()), dir.toString()), e);
        }
        try {
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 OutputStream out = new java.io.BufferedOutputStream(fos, 1 << 16)) {
                body.write(out);
                out.flush();
                fos.getFD().sync(); // on disk before the rename makes it the file
            }
            // Temp files are created owner-only; the result should read like any other file (rw-r--r--).
            if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (FileSystemException e) {
            throw new IOException("cannot write " + target + ": " + reason(e), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Why a file operation failed, in words and naming the path it failed on: "permission denied on /data/runs",
     * "/data/x exists and is not a directory", "no such file or directory: /data/y".
     */
    public static String reason(FileSystemException e) {
        String f = e.getFile(), other = e.getOtherFile();
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied" + (f != null ? " on " + f : "");
        if (e instanceof java.nio.file.NoSuchFileException) return "no such file or directory" + (f != null ? ": " + f : "");
        if (e instanceof java.nio.file.NotDirectoryException) return (f != null ? f + " " : "") + "is not a directory";
        if (e instanceof java.nio.file.DirectoryNotEmptyException) return (f != null ? f + " " : "") + "is a directory that is not empty";
        if (e instanceof java.nio.file.FileAlreadyExistsException) {
            if (f != null && Files.exists(Path.of(f)) && !Files.isDirectory(Path.of(f))) return f + " exists and is not a directory";
            return (f != null ? f + " " : "") + "already exists";
        }
        String why = e.getReason() != null ? e.getReason() : e.getClass().getSimpleName();
        if (why.equalsIgnoreCase("Permission denied")) why = "permission denied";
        return why + (f != null ? " (" + f + (other != null ? " -> " + other : "") + ")" : "");
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
