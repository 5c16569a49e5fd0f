package org.re4j.data;

import java.nio.file.Path;

/** Input that cannot be used as it is: a malformed line, an unknown format, a dataset too small to train on. */
public final class DataException extends RuntimeException {

    public DataException(String message) {
        super(message);
    }

    /** A message that names the file and the 1-based line, the way compilers do: {@code file:line: message}. */
    public static DataException at(Path file, long line, String message) {
        return new DataException(file + ":" + line + ": " + message);
    }
}
