package org.re4j.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.re4j.data.EvalSet;
import org.re4j.model.Recommender;

/**
 * ComiRec's evaluation protocol: each held-out user's history (its last maxLen items) is encoded, the top-N items of
 * the whole catalogue are retrieved exactly, and recall, hit rate and the three NDCGs are averaged over users.
 * Blocks of users are spread over threads; per-user results are summed in user order, so the numbers do not depend
 * on the thread count.
 */
public final class Evaluator {

    /** One retrieved item, its score max_k y·z_k, and the interest k that attained it. */
    public record Recommendation(int item, float score, int interest) {}

    private Evaluator() {}

    public static EvalResult evaluate(Recommender model, EvalSet set, EvalOptions opts) {
        long start = System.nanoTime();
        int[] cutoffs = opts.cutoffs();
        double[][] perUser = perUser(model, set, opts);
        double[] sums = new double[RankingMetrics.NAMES.size() * cutoffs.length];
        for (double[] p : perUser) for (int i = 0; i < sums.length; i++) sums[i] += p[i];
        return new EvalResult(RankingMetrics.average(sums, set.size(), cutoffs), set.size(), (System.nanoTime() - start) / 1e9, perUser);
    }

    /**
     * Every user's metrics: row u holds user u's values, in the order of {@link RankingMetrics#keys} for the options'
     * cutoffs (their mean over the users is what {@link #evaluate} reports).
     */
    public static double[][] perUser(Recommender model, EvalSet set, EvalOptions opts) {
        int users = set.size(), block = opts.userBlock(), blocks = (users + block - 1) / block;
        int[] cutoffs = opts.cutoffs();
        int keys = RankingMetrics.NAMES.size() * cutoffs.length;
        double[][] perUser = new double[users][keys];
        AtomicInteger next = new AtomicInteger();
        ItemTiles tiles = ItemTiles.of(model);
        Runnable worker = () -> {
            TopN top = new TopN(model, tiles, block, opts.n());
            int maxLen = model.maxLen();
            int[] hist = new int[block * maxLen], len = new int[block], filled = new int[block];
            int[][] items = new int[block][top.depth()], exclude = opts.excludeHistory() ? new int[block][] : null;
            for (int b; (b = next.getAndIncrement()) < blocks; ) {
                int from = b * block, count = Math.min(block, users - from);
                Arrays.fill(hist, 0);
                for (int u = 0; u < count; u++) {
                    int[] h = set.histories()[from + u];
                    len[u] = pack(h, maxLen, hist, u * maxLen);
                    if (exclude != null) exclude[u] = h;
                }
                top.search(hist, len, count, exclude, items, null, null, filled);
                for (int u = 0; u < count; u++) {
                    RankingMetrics.accumulate(items[u], filled[u], set.targets()[from + u], cutoffs, perUser[from + u]);
                }
            }
        };
        run(worker, Math.min(opts.threads(), Math.max(1, blocks)));
        return perUser;
    }

    /**
     * The top-{@code n} items for one history (oldest first; only its last maxLen items are read).
     *
     * @param excludeHistory leave the history's items out
     */
    public static List<Recommendation> recommend(Recommender model, int[] history, int n, boolean excludeHistory) {
        return recommend(model, ItemTiles.of(model), history, n, excludeHistory);
    }

    /** {@link #recommend}, with the model's items already laid out as tiles (a server builds them once). */
    public static List<Recommendation> recommend(Recommender model, ItemTiles tiles, int[] history, int n, boolean excludeHistory) {
        if (history.length == 0) throw new IllegalArgumentException("the history is empty: nothing to encode");
        for (int i : history) {
            if (i < 1 || i > model.numItems()) throw new IllegalArgumentException("item id " + i + " is outside 1.." + model.numItems());
        }
        TopN top = new TopN(model, tiles, 1, n);
        int[] hist = new int[model.maxLen()];
        int[] len = {pack(history, model.maxLen(), hist, 0)};
        int[][] items = {new int[top.depth()]}, interests = {new int[top.depth()]};
        float[][] scores = {new float[top.depth()]};
        int[] filled = new int[1];
        top.search(hist, len, 1, excludeHistory ? new int[][] {history} : null, items, scores, interests, filled);
        List<Recommendation> out = new ArrayList<>(filled[0]);
        for (int r = 0; r < filled[0]; r++) out.add(new Recommendation(items[0][r], scores[0][r], interests[0][r]));
        return out;
    }

    /** Writes the last maxLen items of h at dst[off..], returns how many. */
    static int pack(int[] h, int maxLen, int[] dst, int off) {
        int l = Math.min(maxLen, h.length);
        System.arraycopy(h, h.length - l, dst, off, l);
        return l;
    }

    private static void run(Runnable worker, int threads) {
        if (threads == 1) {
            worker.run();
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "re4j-eval");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++) fs.add(pool.submit(worker));
            for (Future<?> f : fs) f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("evaluation interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new IllegalStateException(c);
        } finally {
            pool.shutdownNow();
        }
    }
}
