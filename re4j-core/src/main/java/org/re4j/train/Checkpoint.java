package org.re4j.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.re4j.data.TrainSampler;
import org.re4j.io.SafeTensors;
import org.re4j.model.MultiInterestEncoder;
import org.re4j.model.Param;

/**
 * Everything a training run needs to continue exactly where it stopped, in one safetensors file written atomically:
 * the parameters, the best parameters so far, Adam's moments, and as metadata the loop's counters (step, best valid
 * recall, patience), Adam's step count, and the random states of the sampler, the negatives and the encoder. A run
 * resumed from it draws the same batches and negatives and ends with the same model as the run that was not
 * interrupted (tested, {@code ResumeTest}).
 */
final class Checkpoint {

    private static final String VERSION = "1";

    /** The training loop's counters at the checkpoint; {@code logBytes} is the length of log.jsonl then. */
    record Loop(long step, double bestRecall, long bestStep, int sinceBest, long trainNanos, double lossSum,
                int lossCount, long logBytes) {}

    private Checkpoint() {}

    static void write(Path file, Loop loop, MultiInterestEncoder model, List<float[]> best, TrainStep step,
                      TrainSampler sampler) throws IOException {
        List<Param> params = model.params().all();
        Adam adam = step.optimiser();
        Map<String, SafeTensors.Tensor> t = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Param p = params.get(i);
            long[] shape = {p.rows, p.cols};
            t.put("value/" + p.name, new SafeTensors.Tensor(shape, p.value));
            t.put("best/" + p.name, new SafeTensors.Tensor(shape, best.get(i)));
            t.put("adam_m/" + p.name, new SafeTensors.Tensor(shape, adam.firstMoments().get(i)));
            t.put("adam_v/" + p.name, new SafeTensors.Tensor(shape, adam.secondMoments().get(i)));
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("re4j_checkpoint", VERSION);
        m.put("step", Long.toString(loop.step()));
        m.put("best_recall", Double.toString(loop.bestRecall()));
        m.put("best_step", Long.toString(loop.bestStep()));
        m.put("since_best", Integer.toString(loop.sinceBest()));
        m.put("train_nanos", Long.toString(loop.trainNanos()));
        m.put("loss_sum", Double.toString(loop.lossSum()));
        m.put("loss_count", Integer.toString(loop.lossCount()));
        m.put("log_bytes", Long.toString(loop.logBytes()));
        m.put("adam_steps", Long.toString(adam.steps()));
        m.put("sampler_state", join(sampler.state()));
        m.put("loss_random_state", Long.toString(step.lossRandomState()));
        m.put("model_state", join(model.trainingState()));
        SafeTensors.write(file, t, m);
    }

    /** Restores the model, the best parameters, Adam, the sampler and the loss from {@code file}; returns the loop's counters. */
    static Loop read(Path file, MultiInterestEncoder model, List<float[]> best, TrainStep step, TrainSampler sampler)
            throws IOException {
        Map<String, String> m = SafeTensors.metadata(file);
        if (!VERSION.equals(m.get("re4j_checkpoint"))) {
            throw new IOException(file + ": not a re4j checkpoint of this version (re4j_checkpoint " + m.get("re4j_checkpoint") + ")");
        }
        Map<String, SafeTensors.Tensor> t = SafeTensors.read(file);
        List<Param> params = model.params().all();
        List<float[]> first = new ArrayList<>(), second = new ArrayList<>();
        try {
            for (int i = 0; i < params.size(); i++) {
                Param p = params.get(i);
                float[] value = tensor(t, "value/", p, file), b = tensor(t, "best/", p, file);
                System.arraycopy(value, 0, p.value, 0, value.length);
                System.arraycopy(b, 0, best.get(i), 0, b.length);
                first.add(tensor(t, "adam_m/", p, file));
                second.add(tensor(t, "adam_v/", p, file));
            }
            step.optimiser().restore(Long.parseLong(field(m, "adam_steps", file)), first, second);
            sampler.restore(longs(field(m, "sampler_state", file)));
            step.restoreLossRandomState(Long.parseLong(field(m, "loss_random_state", file)));
            model.restoreTrainingState(longs(field(m, "model_state", file)));
            return new Loop(Long.parseLong(field(m, "step", file)), Double.parseDouble(field(m, "best_recall", file)),
                    Long.parseLong(field(m, "best_step", file)), Integer.parseInt(field(m, "since_best", file)),
                    Long.parseLong(field(m, "train_nanos", file)), Double.parseDouble(field(m, "loss_sum", file)),
                    Integer.parseInt(field(m, "loss_count", file)), Long.parseLong(field(m, "log_bytes", file)));
        } catch (IllegalArgumentException e) { // NumberFormatException included
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static float[] tensor(Map<String, SafeTensors.Tensor> t, String prefix, Param p, Path file) throws IOException {
        SafeTensors.Tensor x = t.get(prefix + p.name);
        if (x == null) throw new IOException(file + ": no tensor " + prefix + p.name + " (a checkpoint of another model?)");
        if (x.data().length != p.size()) {
            throw new IOException(file + ": tensor " + prefix + p.name + " has " + x.data().length + " values, the model " + p.size());
        }
        return x.data();
    }

    private static String field(Map<String, String> m, String key, Path file) throws IOException {
        String v = m.get(key);
        if (v == null) throw new IOException(file + ": the checkpoint has no " + key);
        return v;
    }

    private static String join(long[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.toString();
    }

    private static long[] longs(String s) {
        return s.isEmpty() ? new long[0] : Arrays.stream(s.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
