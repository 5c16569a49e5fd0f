package org.re4j.model;

/** The pieces of dynamic routing that ComiRec-DR and MIND share: coupling softmax and the squash, with its gradient. */
final class Capsules {

    private static final double EPS = 1e-9;

    private Capsules() {}

    /**
     * Coupling coefficients of one user: c_{q,l} = softmax over the first {@code k} interests of b_{q,l}, for the
     * real positions l &lt; len; b and c are [K × L] (c at {@code cOff}).
     */
    static void couplings(double[] b, int k, int L, int len, float[] c, int cOff) {
        for (int l = 0; l < len; l++) {
            double max = Double.NEGATIVE_INFINITY, tot = 0;
            for (int q = 0; q < k; q++) max = Math.max(max, b[q * L + l]);
            for (int q = 0; q < k; q++) tot += Math.exp(b[q * L + l] - max);
            for (int q = 0; q < k; q++) c[cOff + q * L + l] = (float) (Math.exp(b[q * L + l] - max) / tot);
        }
    }

    /** squash(s) = f(|s|²) s with f(n) = n / (1 + n) / √n; returns f for the given s. */
    static double squashScale(double[] s, int d) {
        double n2 = 0;
        for (int j = 0; j < d; j++) n2 += s[j] * s[j];
        return n2 / (1 + n2) / Math.sqrt(n2 + EPS);
    }

    /** Gradient through v = f(|s|²) s: ds = f dv + 2 f'(|s|²) (s·dv) s, written to {@code ds}. */
    static void squashBackward(float[] s, int so, float[] dv, int dvo, int d, double[] ds) {
        double n2 = 0, sdv = 0;
        for (int j = 0; j < d; j++) {
            n2 += (double) s[so + j] * s[so + j];
            sdv += (double) s[so + j] * dv[dvo + j];
        }
        double f = n2 / (1 + n2) / Math.sqrt(n2 + EPS);
        double fp = n2 > 0 ? f * (1 / n2 - 1 / (1 + n2) - 0.5 / (n2 + EPS)) : 0;
        for (int j = 0; j < d; j++) ds[j] = f * dv[dvo + j] + 2 * fp * sdv * s[so + j];
    }
}
