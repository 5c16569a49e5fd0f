package org.re4j.math;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * Data-parallel loops for the element-wise and per-user parts of a training step (BLAS already spreads the
 * products over the cores). Work is split into contiguous index ranges that write disjoint outputs, so results are
 * identical whatever the number of threads. Calls from inside a pool task (e.g. evaluation threads) run serially.
 */
public final class Parallel {

    /** Body over the index range [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("re4j.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = THREADS == 1 ? null : new ForkJoinPool(THREADS);

    private Parallel() {}

    public static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) in up to {@link #threads()} contiguous parts of at least {@code minPart}. */
    public static void forRange(int n, int minPart, Range body) {
        int parts = Math.min(THREADS, n / Math.max(1, minPart));
        if (parts <= 1 || !canFork()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Part(body, n, parts, 0, parts));
    }

    /** Whether {@link #forRange} would use several threads from this one (not from a pool task or evaluation thread). */
    public static boolean canFork() {
        return POOL != null && !Thread.currentThread().getName().startsWith("re4j-eval")
                && java.util.concurrent.ForkJoinTask.getPool() != POOL;
    }

    private static final class Part extends RecursiveAction {
        final Range body;
        final int n, parts, lo, hi;

        Part(Range body, int n, int parts, int lo, int hi) {
            this.body = body;
            this.n = n;
            this.parts = parts;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.run((int) ((long) n * lo / parts), (int) ((long) n * hi / parts));
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Part(body, n, parts, lo, mid), new Part(body, n, parts, mid, hi));
        }
    }
}
