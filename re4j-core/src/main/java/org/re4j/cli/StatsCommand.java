package org.re4j.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import org.re4j.data.Dataset;
import org.re4j.data.DatasetStats;

@Command(name = "stats", mixinStandardHelpOptions = true, description = "Read a dataset and print its statistics.")
final class StatsCommand implements Callable<Integer> {

    @Mixin DataOptions data;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Dataset ds = data.load();
        DatasetStats s = DatasetStats.of(ds);
        System.out.println(json ? s.toJson() : s.toString());
        return 0;
    }
}
