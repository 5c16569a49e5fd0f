package org.re4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import org.re4j.data.DataException;

/** The {@code re4j} command line. Each subcommand is one class in this package. */
@Command(name = "re4j", mixinStandardHelpOptions = true, version = "re4j 0.1.0",
        description = "Multi-interest candidate retrieval: ComiRec-SA and Re4 on the JVM.",
        subcommands = {DemoCommand.class, StatsCommand.class, TrainCommand.class, EvaluateCommand.class,
                BenchCommand.class, ReportCommand.class, ExperimentCommand.class, RecommendCommand.class, ServeCommand.class, EmbedUsersCommand.class, PlotCommand.class, AnalyzeCommand.class, CommandLine.HelpCommand.class})
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
            Throwable t = e instanceof UncheckedIOException ? e.getCause() : e;
            if (t instanceof DataException || t instanceof IllegalArgumentException || t instanceof IOException
                    || t instanceof IllegalStateException || t instanceof OutOfMemoryError) {
                cmd.getErr().println("re4j: error: " + t.getMessage());
                return 2;
            }
            throw e;
        });
        return cli.execute(args);
    }
}
