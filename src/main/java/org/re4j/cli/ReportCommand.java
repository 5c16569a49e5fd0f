package org.re4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

/** Collects the metrics.json of several runs into one Markdown table (test users). */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Print a Markdown table of the test metrics of the given run directories.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Directories written by 're4j train'.")
    List<Path> dirs;

    static final String[] COLUMNS = {"recall@20", "recall@50", "ndcg@20", "ndcg@50", "ndcg_comirec_orig@20",
            "ndcg_comirec_orig@50", "hitrate@20", "hitrate@50"};

    @Override
    public Integer call() throws Exception {
        StringBuilder sb = new StringBuilder("| run | dataset | model |");
        for (String c : COLUMNS) sb.append(' ').append(c).append(" |");
        sb.append(" steps | best step | train s | ms/step | Adam |\n|---|---|---|");
        sb.append("---:|".repeat(COLUMNS.length + 4)).append("---|\n");
        for (Path d : dirs) {
            Path f = d.resolve(TrainRun.METRICS);
            if (!Files.exists(f)) throw new IllegalArgumentException(f + " does not exist: not a finished run");
            JsonNode m = ModelDir.JSON.readTree(f.toFile());
            JsonNode t = m.path("test"), tr = m.path("train");
            sb.append("| ").append(d.getFileName()).append(" | ").append(m.path("dataset").asText()).append(" | ").append(m.path("model").asText()).append(" |");
            for (String c : COLUMNS) sb.append(String.format(" %.4f |", t.path(c).asDouble()));
            sb.append(String.format(" %d | %s | %.0f | %.2f | %s |%n", tr.path("steps").asLong(),
                    tr.has("best_step") ? tr.path("best_step").asText() : "–", tr.path("seconds").asDouble(),
                    tr.path("ms_per_step").asDouble(), tr.path("adam").asText("–")));
        }
        System.out.print(sb);
        return 0;
    }
}
