package org.re4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import org.re4j.data.Dataset;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a model under the ComiRec protocol and write it with its metrics into --out.")
final class TrainCommand implements Callable<Integer> {

    @Mixin DataOptions data;
    @Mixin ModelOptions model;
    @Mixin TrainOptions train;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (model, config, log, metrics).")
    Path out;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Option(names = "--preset", description = "re4-authors: behave like the Re4 authors' public code (see README); "
            + "flags given explicitly still win. Model selection stays on the valid users.")
    String preset;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (preset != null) applyPreset();
        var cfg = train.toConfig();
        Dataset ds = data.load();
        System.err.printf("re4j: %s: %,d users, %,d items, %,d interactions%n",
                ds.name, ds.numUsers(), ds.numItems(), ds.numInteractions());
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("data", data.describe());
        extra.put("command", List.of(spec.commandLine().getParseResult().originalArgs().toArray()));
        if (preset != null) extra.put("preset", preset);
        TrainRun.Spec runSpec = new TrainRun.Spec(model.model, model.config(ds.numItems()), cfg, train.historyFraction);
        TrainRun.Outcome o = TrainRun.run(runSpec, ds, out, extra, !noProgress && System.console() != null);
        System.out.println(ModelDir.JSON.writeValueAsString(o.metrics()));
        return 0;
    }

    /**
     * The Re4 authors' code as a preset: batch 1024, 5,000 uniform negatives without logQ, Adam lr 0.003 with weight
     * decay 1e-6, every prefix a sample, and the model of {@link org.re4j.model.re4.Re4.Config#authors}. Their
     * history reversal has no effect here: without a position embedding the attention ignores order. Their best
     * epoch is picked on the test set; re4j never does that.
     */
    private void applyPreset() {
        if (!preset.equals("re4-authors")) throw new IllegalArgumentException("--preset must be re4-authors, not '" + preset + "'");
        if (given("--model") && !model.model.equals("re4")) throw new IllegalArgumentException("--preset re4-authors is for --model re4");
        model.model = "re4";
        model.authors = true;
        if (!given("--batch-size")) train.batchSize = 1024;
        if (!given("--negatives")) train.negatives = 5000;
        if (!given("--sampler")) train.sampler = "uniform";
        if (!given("--logq") && !given("--no-logq")) train.logQ = false;
        if (!given("--lr")) train.lr = 0.003;
        if (!given("--weight-decay")) train.weightDecay = 1e-6;
        if (!given("--samples")) train.samples = "prefixes";
        if (!given("--position-embedding") && !given("--no-position-embedding")) model.positionEmbedding = false;
        if (!given("--attention-bias") && !given("--no-attention-bias")) model.attentionBias = false;
        if (!given("--lambda-att")) model.lambdaAttend = 0.01;
        if (!given("--re-attend-detach") && !given("--no-re-attend-detach")) model.detachAttend = false;
        if (!given("--contrast-negatives")) model.contrastNegatives = 0;
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
