package org.re4j.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import org.re4j.io.AtomicFiles;
import org.re4j.io.ModelDir;
import org.re4j.train.TrainRun;

/** Learning curves: one metric by training step for several runs, from their log.jsonl, as a PNG. */
@Command(name = "plot", mixinStandardHelpOptions = true,
        description = "Plot a metric by training step from the log.jsonl of runs into a PNG.")
final class PlotCommand implements Callable<Integer> {

    @Parameters(paramLabel = "DIR", arity = "1..*", description = "Run directories; each name becomes a series label.")
    List<Path> dirs;

    @Option(names = "--metric", defaultValue = "test.recall@20",
            description = "valid.<key> or test.<key> (test needs --log-test-metrics in training; default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--out", required = true, description = "PNG file to write.") Path out;
    @Option(names = "--title", description = "Chart title.") String title;
    @Option(names = "--width", defaultValue = "900") int width;
    @Option(names = "--height", defaultValue = "560") int height;

    @Override
    public Integer call() throws IOException {
        System.setProperty("java.awt.headless", "true");
        int dot = metric.indexOf('.');
        if (dot < 0) throw new IllegalArgumentException("--metric must be valid.<key> or test.<key>, not '" + metric + "'");
        String split = metric.substring(0, dot), key = metric.substring(dot + 1);
        XYSeriesCollection data = new XYSeriesCollection();
        for (Path d : dirs) {
            Path log = d.resolve(TrainRun.LOG);
            if (!Files.exists(log)) throw new IllegalArgumentException(log + " does not exist");
            XYSeries s = new XYSeries(d.getFileName().toString());
            int lineNo = 0;
            for (String line : Files.readAllLines(log)) {
                lineNo++;
                JsonNode j = ModelDir.JSON.readTree(line);
                JsonNode v = j.path(split).path(key);
                if (v.isMissingNode()) {
                    throw new IllegalArgumentException(log + ":" + lineNo + ": no " + metric
                            + (split.equals("test") ? " (train with --log-test-metrics)" : ""));
                }
                s.add(j.path("step").asDouble(), v.asDouble());
            }
            data.addSeries(s);
        }
        Png.write(data, title != null ? title : metric + " by training step", metric, out, width, height);
        System.out.println("wrote " + out);
        return 0;
    }

    /**
     * The drawing, in a class of its own: AWT's classes are loaded only when a plot is drawn, so that every other
     * command runs on a Java runtime without the java.desktop module (a jlink'd one, say).
     */
    private static final class Png {
        static void write(XYSeriesCollection data, String title, String metric, Path out, int width, int height) throws IOException {
            JFreeChart chart = ChartFactory.createXYLineChart(title, "step", metric, data, PlotOrientation.VERTICAL, true, false, false);
            chart.setBackgroundPaint(Color.WHITE);
            chart.getXYPlot().setBackgroundPaint(Color.WHITE);
            chart.getXYPlot().setRangeGridlinePaint(Color.LIGHT_GRAY);
            chart.getXYPlot().setDomainGridlinePaint(Color.LIGHT_GRAY);
            XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
            for (int i = 0; i < data.getSeriesCount(); i++) r.setSeriesStroke(i, new BasicStroke(2f));
            chart.getXYPlot().setRenderer(r);
            AtomicFiles.write(out, o -> ChartUtils.writeChartAsPNG(o, chart, width, height));
        }
    }
}
