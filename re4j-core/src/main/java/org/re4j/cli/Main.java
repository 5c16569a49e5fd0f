package org.re4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

import com.fasterxml.jackson.core.JsonProcessingException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import org.re4j.data.DataException;
import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;

/** The {@code re4j} command line. Each subcommand is one class in this package. */
@Command(name = "re4j", mixinStandardHelpOptions = true, version = "re4j 0.1.0",
        description = "Multi-interest candidate retrieval: ComiRec-SA and Re4 on the JVM.",
        subcommands = {DemoCommand.class, StatsCommand.class, TrainCommand.class, EvaluateCommand.class, CompareCommand.class,
                BenchCommand.class, ReportCommand.class, ExperimentCommand.class, TuneCommand.class, RecommendCommand.class, ServeCommand.class, EmbedUsersCommand.class, PlotCommand.class, AnalyzeCommand.class, CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (tests call this instead of main). */
    public static int run(String... args) {
        return run(false, args);
    }

    /** @param allowOverrides a later occurrence of an option replaces an earlier one (experiments: variant over defaults) */
    static int run(boolean allowOverrides, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOverwrittenOptionsAllowed(allowOverrides);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Bad input is the user's to fix: one clear line, no stack trace (RE4J_DEBUG=1 shows it).
            if (System.getenv("RE4J_DEBUG") != null) e.printStackTrace();
            String message = message(e);
            if (message == null) throw e;
            cmd.getErr().println("re4j: error: " + message);
            return 2;
        });
        return cli.execute(args);
    }

    /**
     * The one-line message of an error that is the user's to fix (bad input, a file that cannot be read or written,
     * too little memory), or null for a bug. A message that would only name a path (the java.nio.file exceptions)
     * gets its cause in words; a JSON parse error names the file, line and column.
     */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) {
            String own = u.getMessage(), inner = message(u.getCause());
            if (own == null || own.equals(u.getCause().toString())) return inner;
            return inner == null ? oneLine(own) : oneLine(own) + ": " + inner;
        }
        if (e instanceof JsonProcessingException j) {
            Object src = j.getLocation() == null ? null : j.getLocation().contentReference().getRawContent();
            String file = src instanceof java.io.File f ? f.getPath() : src instanceof Path p ? p.toString() : "input";
            return ModelDir.jsonError(file, j);
        }
        if (e instanceof FileSystemException f) return AtomicFiles.reason(f);
        if (e instanceof DataException || e instanceof IllegalArgumentException || e instanceof IOException
                || e instanceof IllegalStateException || e instanceof OutOfMemoryError) {
            String m = e.getMessage();
            if (m == null || m.isBlank()) m = e.getClass().getSimpleName();
            // An exception that wraps a file system refusal without saying it: add the cause.
            if (e.getCause() instanceof FileSystemException f && !m.contains(AtomicFiles.reason(f))) m = m + ": " + AtomicFiles.reason(f);
            return oneLine(m);
        }
        return null;
    }

    private static String oneLine(String m) {
        return m.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
