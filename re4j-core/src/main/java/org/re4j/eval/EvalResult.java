package org.re4j.eval;

import java.util.Map;

/**
 * Averaged metrics (keys {@code recall@20} etc.), the number of users averaged over, and the wall time; and the
 * per-user values they average: row u is the set's user u, in the metrics' key order (for {@link UserRows}).
 */
public record EvalResult(Map<String, Double> metrics, int users, double seconds, double[][] perUser) {}
