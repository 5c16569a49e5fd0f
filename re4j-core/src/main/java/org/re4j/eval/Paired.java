package org.re4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import org.re4j.math.Rng;

/**
 * A paired bootstrap of the difference B − A between two runs' mean of one per-user metric, over the same users:
 * resampling users (not each run's values apart) keeps what the runs share, a user that is hard for both, out of
 * the difference, so the interval is much narrower than two separate intervals would suggest.
 */
public final class Paired {

    public static final int RESAMPLES = 2000;
    public static final long SEED = 1;
    /** The interval's coverage: 95%, the 2.5th and 97.5th percentiles of the resampled differences. */
    public static final double LEVEL = 0.95;

    /**
     * A comparison: the means of A and B, their difference B − A with its percentile interval [lo, hi], the users
     * paired, and how it was drawn; {@code significant} when the interval excludes 0.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // mean_a, ...: as metrics.json spells its keys
    public record Result(double meanA, double meanB, double diff, double lo, double hi, int users, int resamples,
                         long seed, boolean significant) {}

    private Paired() {}

    /** {@link #compare(Map, Map, int, long)} with 2,000 resamples and seed 1. */
    public static Result compare(Map<String, Double> a, Map<String, Double> b) {
        return compare(a, b, RESAMPLES, SEED);
    }

    /**
     * @param a user id → A's value; {@code b} must hold the same users
     * @throws IllegalArgumentException when there are no users or the two user sets differ (saying by how many)
     */
    public static Result compare(Map<String, Double> a, Map<String, Double> b, int resamples, long seed) {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (resamples < 1) throw new IllegalArgumentException("resamples must be ≥ 1, got " + resamples);
        if (a.isEmpty() || b.isEmpty()) throw new IllegalArgumentException("no users to compare (" + (a.isEmpty() ? "A" : "B") + " has none)");
        if (!a.keySet().equals(b.keySet())) {
            long onlyA = a.keySet().stream().filter(u -> !b.containsKey(u)).count();
            long onlyB = b.keySet().stream().filter(u -> !a.containsKey(u)).count();
            throw new IllegalArgumentException("the runs were evaluated on different users: " + onlyA + " of A's " + a.size()
                    + " users are not B's, " + onlyB + " of B's " + b.size() + " are not A's (compare runs on the same data and seed)");
        }
        // A fixed user order (sorted ids), so the same seed draws the same resamples whatever order the files list them in.
        List<String> users = new ArrayList<>(a.keySet());
        users.sort(null);
        int n = users.size();
        double[] d = new double[n];
        double sumA = 0, sumB = 0;
        for (int i = 0; i < n; i++) {
            double x = a.get(users.get(i)), y = b.get(users.get(i));
            sumA += x;
            sumB += y;
            d[i] = y - x;
        }
        Rng rng = new Rng(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) s += d[rng.nextInt(n)];
            means[r] = s / n;
        }
        Arrays.sort(means);
        double alpha = (1 - LEVEL) / 2, lo = quantile(means, alpha), hi = quantile(means, 1 - alpha);
        double meanA = sumA / n, meanB = sumB / n;
        return new Result(meanA, meanB, meanB - meanA, lo, hi, n, resamples, seed, lo > 0 || hi < 0);
    }

    /** The p-quantile of sorted values, linearly interpolated between order statistics (R's type 7). */
    static double quantile(double[] sorted, double p) {
        double h = (sorted.length - 1) * p;
        int i = (int) Math.floor(h);
        if (i + 1 >= sorted.length) return sorted[sorted.length - 1];
        return sorted[i] + (h - i) * (sorted[i + 1] - sorted[i]);
    }
}
