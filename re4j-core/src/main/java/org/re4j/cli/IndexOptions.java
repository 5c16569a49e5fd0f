package org.re4j.cli;

import java.io.IOException;
import java.nio.file.Path;

import picocli.CommandLine.Option;

import org.re4j.serve.RecommendService;

/** A saved model and how to retrieve from it; shared by recommend, serve and bench ann. */
public final class IndexOptions {

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "A directory written by 're4j train'.")
    Path modelDir;

    @Option(names = "--index", defaultValue = "exact",
            description = "exact (BLAS over the whole catalogue) or hnsw (approximate graph search, built at load; default: ${DEFAULT-VALUE}).")
    String index;

    @Option(names = "--ef", defaultValue = "200", description = "hnsw: search beam per interest (default: ${DEFAULT-VALUE}).")
    int ef;

    RecommendService service() throws IOException {
        if (!index.equals("exact") && !index.equals("hnsw")) throw new IllegalArgumentException("--index must be exact or hnsw, not '" + index + "'");
        if (ef < 1) throw new IllegalArgumentException("--ef must be ≥ 1, got " + ef);
        return new RecommendService(modelDir, index.equals("hnsw"), ef);
    }
}
