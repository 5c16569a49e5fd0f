package org.re4j.eval;

import java.util.Map;

/** Averaged metrics (keys {@code recall@20} etc.), the number of users averaged over, and the wall time. */
public record EvalResult(Map<String, Double> metrics, int users, double seconds) {}
