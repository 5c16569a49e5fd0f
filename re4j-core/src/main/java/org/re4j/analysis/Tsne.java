package org.re4j.analysis;

import java.util.Random;

/**
 * Exact t-SNE (van der Maaten &amp; Hinton 2008) to two dimensions, for the few dozen points of one user's
 * interests and items (Figure 4). Exact O(n²) gradients are right at that size; no Apache-compatible Java library
 * offers t-SNE (Smile's is GPL), so it is written here, following the reference implementation's schedule: early
 * exaggeration 12 for the first 250 of 1,000 iterations, momentum 0.5 then 0.8, per-coordinate gains.
 */
public final class Tsne {

    private Tsne() {
    }

    /**
     * Embeds {@code x} (n points of any dimension, Euclidean) into the plane.
     *
     * @param perplexity effective number of neighbours; capped at (n - 1) / 3 as small inputs need
     * @return n × 2 coordinates
     */
    public static double[][] embed(double[][] x, double perplexity, long seed) {
        int n = x.length;
        if (n < 3) throw new IllegalArgumentException("t-SNE needs at least 3 points, got " + n);
        double perp = Math.max(1.5, Math.min(perplexity, (n - 1) / 3.0));
        double[][] p = affinities(x, perp);
        Random random = new Random(seed);
        double[][] y = new double[n][2], vel = new double[n][2], gains = new double[n][2];
        for (int i = 0; i < n; i++) {
            y[i][0] = 1e-4 * random.nextGaussian();
            y[i][1] = 1e-4 * random.nextGaussian();
            gains[i][0] = gains[i][1] = 1;
        }
        double rate = Math.max(n / 12.0, 50);
        double[][] grad = new double[n][2], q = new double[n][n];
        for (int it = 0; it < 1000; it++) {
            double exaggeration = it < 250 ? 12 : 1, momentum = it < 250 ? 0.5 : 0.8;
            double qSum = 0;
            for (int i = 0; i < n; i++) {
                for (int j = i + 1; j < n; j++) {
                    double dx = y[i][0] - y[j][0], dy = y[i][1] - y[j][1];
                    double w = 1 / (1 + dx * dx + dy * dy);
                    q[i][j] = q[j][i] = w;
                    qSum += 2 * w;
                }
            }
            for (int i = 0; i < n; i++) {
                double gx = 0, gy = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double m = (exaggeration * p[i][j] - q[i][j] / qSum) * q[i][j];
                    gx += m * (y[i][0] - y[j][0]);
                    gy += m * (y[i][1] - y[j][1]);
                }
                grad[i][0] = 4 * gx;
                grad[i][1] = 4 * gy;
            }
            double mx = 0, my = 0;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < 2; c++) {
                    boolean sameSign = Math.signum(grad[i][c]) == Math.signum(vel[i][c]);
                    gains[i][c] = Math.max(0.01, sameSign ? gains[i][c] * 0.8 : gains[i][c] + 0.2);
                    vel[i][c] = momentum * vel[i][c] - rate * gains[i][c] * grad[i][c];
                    y[i][c] += vel[i][c];
                }
                mx += y[i][0];
                my += y[i][1];
            }
            for (int i = 0; i < n; i++) { // keep the embedding centred
                y[i][0] -= mx / n;
                y[i][1] -= my / n;
            }
        }
        return y;
    }

    /** Symmetric input affinities P: each row's Gaussian bandwidth found by bisection to match the perplexity. */
    static double[][] affinities(double[][] x, double perplexity) {
        int n = x.length;
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int t = 0; t < x[i].length; t++) s += (x[i][t] - x[j][t]) * (x[i][t] - x[j][t]);
                d[i][j] = d[j][i] = s;
            }
        }
        double target = Math.log(perplexity);
        double[][] p = new double[n][n];
        for (int i = 0; i < n; i++) {
            double lo = 0, hi = Double.POSITIVE_INFINITY, beta = 1;
            double minD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) if (j != i) minD = Math.min(minD, d[i][j]);
            for (int step = 0; step < 100; step++) {
                double sum = 0, weighted = 0;
                for (int j = 0; j < n; j++) {
                    if (j == i) continue;
                    double w = Math.exp(-beta * (d[i][j] - minD)); // shifted: no underflow of every weight
                    p[i][j] = w;
                    sum += w;
                    weighted += w * (d[i][j] - minD);
                }
                double entropy = Math.log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) p[i][j] /= sum;
                if (Math.abs(entropy - target) < 1e-5) break;
                if (entropy > target) { // too flat: narrower Gaussian
                    lo = beta;
                    beta = Double.isInfinite(hi) ? beta * 2 : (beta + hi) / 2;
                } else {
                    hi = beta;
                    beta = (beta + lo) / 2;
                }
            }
        }
        double[][] sym = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) sym[i][j] = Math.max((p[i][j] + p[j][i]) / (2.0 * n), 1e-12);
            sym[i][i] = 0;
        }
        return sym;
    }
}
