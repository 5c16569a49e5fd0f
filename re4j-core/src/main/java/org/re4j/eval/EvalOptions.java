package org.re4j.eval;

/**
 * How to evaluate.
 *
 * @param n              retrieval depth; metrics are reported at 20 and 50 where ≤ n, and at n
 * @param excludeHistory drop the user's history items from the ranking (ComiRec does not)
 * @param threads        worker threads over user blocks
 * @param userBlock      users scored together: one [userBlock·K × itemTile] score tile per thread
 */
public record EvalOptions(int n, boolean excludeHistory, int threads, int userBlock) {

    public EvalOptions {
        if (n < 1) throw new IllegalArgumentException("top-N must be ≥ 1, got " + n);
        if (threads < 1) throw new IllegalArgumentException("threads must be ≥ 1, got " + threads);
        if (userBlock < 1) throw new IllegalArgumentException("userBlock must be ≥ 1, got " + userBlock);
    }

    /** ComiRec's setting: top-50, history not filtered, all cores. */
    public static EvalOptions defaults() {
        return new EvalOptions(50, false, Runtime.getRuntime().availableProcessors(), 256);
    }

    public int[] cutoffs() {
        if (n == 20 || n == 50) return n == 20 ? new int[] {20} : new int[] {20, 50};
        if (n < 20) return new int[] {n};
        return n < 50 ? new int[] {20, n} : new int[] {20, 50, n};
    }
}
