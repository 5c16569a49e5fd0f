package org.re4j.cli;

import picocli.CommandLine.Option;

/** {@code --threads N}: the threads of the evaluations a command runs (default: every core). */
final class ThreadsOption {

    @Option(names = "--threads", paramLabel = "N", description = "Evaluation threads (default: all cores).")
    Integer threads;

    int count() {
        if (threads != null && threads < 1) throw new IllegalArgumentException("--threads must be ≥ 1, got " + threads);
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
