package org.re4j.analysis;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.DistanceMeasure;
import org.apache.commons.math3.random.JDKRandomGenerator;

/**
 * The three clustering methods of the paper's Table 7 (K-means, fuzzy C-means, X-means) with its two
 * initialisations (K-means++, given seeds such as a user's interests), all under the paper's distance: the
 * negative dot product, the recommendation criterion, so that a point joins the centre it would be recommended by.
 *
 * <p>The distance used is {@code M - p·c}, with M the largest squared norm among the points: the same order as
 * {@code -p·c} (so K-means and X-means assign exactly as with the negative dot product), but never negative, which
 * K-means++ (weights ∝ d²) and fuzzy C-means (memberships ∝ d^(-1/(m-1))) need. Centres are means of points, so
 * their norm stays below √M and the bound holds for them too.
 *
 * <p>K-means++ seeding is Apache Commons Math's {@link KMeansPlusPlusClusterer} (run for zero Lloyd iterations, so
 * it returns its seeds). The iterations themselves are written here because Commons Math cannot start from given
 * centres, which the "interests as seeds" initialisation needs, and has no X-means.
 */
public final class Clustering {

    public enum Method {
        KMEANS("K-means"), FUZZY_CMEANS("Fuzzy C-means"), XMEANS("X-means");

        public final String label;

        Method(String label) {
            this.label = label;
        }
    }

    public enum Init {
        KMEANS_PLUS_PLUS("K-means++"), SEEDS("interests as seeds");

        public final String label;

        Init(String label) {
            this.label = label;
        }
    }

    /** Iteration cap of each Lloyd or fuzzy run; runs stop earlier when assignments no longer change. */
    static final int MAX_ITERATIONS = 100;

    private final double[][] points;
    private final double offset;
    private final double fuzziness;

    /**
     * @param points    the points (not copied; not modified)
     * @param fuzziness fuzzy C-means exponent m &gt; 1 (2 is the usual choice)
     */
    public Clustering(double[][] points, double fuzziness) {
        if (points.length == 0) throw new IllegalArgumentException("nothing to cluster");
        if (!(fuzziness > 1)) throw new IllegalArgumentException("fuzziness must be > 1, got " + fuzziness);
        this.points = points;
        this.fuzziness = fuzziness;
        double m = 0;
        for (double[] p : points) m = Math.max(m, dot(p, p));
        this.offset = m * (1 + 1e-9) + 1e-12; // strictly positive distances
    }

    /** The distance between a point and a centre: M - p·c (≥ 0; ordered like -p·c). */
    public double distance(double[] p, double[] c) {
        return offset - dot(p, c);
    }

    /**
     * Clusters the points and returns each point's (hard) cluster; fuzzy C-means gives each point the cluster of its
     * largest membership.
     *
     * @param k     number of clusters (X-means: the starting number; it may split up to {@code 2k})
     * @param seeds the starting centres for {@link Init#SEEDS} (k of them); ignored for K-means++
     */
    public int[] cluster(Method method, Init init, int k, double[][] seeds, Random random) {
        if (k < 1 || k > points.length) {
            throw new IllegalArgumentException("k = " + k + " clusters for " + points.length + " points");
        }
        double[][] centres = init == Init.SEEDS ? copy(seeds, k) : kMeansPlusPlus(k, random.nextLong());
        return switch (method) {
            case KMEANS -> lloyd(centres, allIndices());
            case FUZZY_CMEANS -> fuzzy(centres);
            case XMEANS -> xMeans(centres, 2 * k, random);
        };
    }

    /** K-means++ seeds (Arthur &amp; Vassilvitskii 2007) from Commons Math under this distance. */
    double[][] kMeansPlusPlus(int k, long seed) {
        List<DoublePoint> pts = new ArrayList<>(points.length);
        for (double[] p : points) pts.add(new DoublePoint(p));
        DistanceMeasure d = (a, b) -> offset - dot(a, b);
        List<CentroidCluster<DoublePoint>> seeds = new KMeansPlusPlusClusterer<DoublePoint>(k, 0, d,
                new JDKRandomGenerator((int) (seed ^ (seed >>> 32)))).cluster(pts);
        double[][] c = new double[k][];
        for (int j = 0; j < k; j++) c[j] = seeds.get(j).getCenter().getPoint().clone();
        return c;
    }

    /** Lloyd iterations over the points {@code idx}, starting from (and updating) {@code centres}. */
    int[] lloyd(double[][] centres, int[] idx) {
        int[] assign = new int[idx.length];
        Arrays.fill(assign, -1);
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            boolean changed = false;
            for (int i = 0; i < idx.length; i++) {
                int best = nearest(points[idx[i]], centres);
                if (best != assign[i]) {
                    assign[i] = best;
                    changed = true;
                }
            }
            if (!changed) break;
            recentre(centres, idx, assign);
        }
        return assign;
    }

    /** Fuzzy C-means (Bezdek) from the given centres; returns the hard assignment. */
    int[] fuzzy(double[][] centres) {
        int n = points.length, k = centres.length, d = points[0].length;
        double e = 1 / (fuzziness - 1);
        double[][] u = new double[n][k];
        int[] assign = new int[n];
        for (int it = 0; it < MAX_ITERATIONS; it++) {
            double change = 0;
            for (int i = 0; i < n; i++) {
                double sum = 0;
                double[] ui = new double[k];
                for (int j = 0; j < k; j++) sum += ui[j] = Math.pow(distance(points[i], centres[j]), -e);
                for (int j = 0; j < k; j++) {
                    ui[j] /= sum;
                    change = Math.max(change, Math.abs(ui[j] - u[i][j]));
                }
                u[i] = ui;
            }
            for (int j = 0; j < k; j++) {
                double[] c = new double[d];
                double w = 0;
                for (int i = 0; i < n; i++) {
                    double wi = Math.pow(u[i][j], fuzziness);
                    w += wi;
                    for (int t = 0; t < d; t++) c[t] += wi * points[i][t];
                }
                for (int t = 0; t < d; t++) c[t] /= w;
                centres[j] = c;
            }
            if (change < 1e-5) break;
        }
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) if (u[i][j] > u[i][best]) best = j;
            assign[i] = best;
        }
        return assign;
    }

    /**
     * X-means (Pelleg &amp; Moore 2000): K-means from the given centres, then each cluster is split in two where the
     * Bayesian information criterion of the split (a spherical Gaussian per cluster) beats the parent's, then
     * K-means again, until no split helps or {@code maxK} clusters exist. The BIC uses Euclidean residuals, the
     * model X-means is defined with; assignments use this class's distance like the other methods.
     */
    int[] xMeans(double[][] start, int maxK, Random random) {
        List<double[]> centres = new ArrayList<>(List.of(start));
        int[] all = allIndices();
        while (true) {
            double[][] c = centres.toArray(new double[0][]);
            int[] assign = lloyd(c, all);
            centres = new ArrayList<>(List.of(c));
            if (centres.size() >= maxK) return assign;
            List<double[]> next = new ArrayList<>();
            boolean split = false;
            for (int j = 0; j < c.length; j++) {
                int[] members = members(assign, j);
                if (members.length < 4 || centres.size() + (next.size() - j) >= maxK) {
                    next.add(c[j]);
                    continue;
                }
                double[][] kids = splitCentres(c[j], members, random);
                int[] kidAssign = lloyd(kids, members);
                if (bic(members, new int[members.length], new double[][] {c[j]})
                        < bic(members, kidAssign, kids) && members(kidAssign, 0).length > 0 && members(kidAssign, 1).length > 0) {
                    next.add(kids[0]);
                    next.add(kids[1]);
                    split = true;
                } else {
                    next.add(c[j]);
                }
            }
            if (!split) return assign;
            centres = next.size() > maxK ? next.subList(0, maxK) : next;
        }
    }

    /** Two children moved from the parent in opposite directions along a random direction, by the cluster's spread. */
    private double[][] splitCentres(double[] parent, int[] members, Random random) {
        int d = parent.length;
        double spread = 0;
        for (int i : members) spread += squaredEuclidean(points[i], parent);
        spread = Math.sqrt(spread / members.length);
        double[] dir = new double[d];
        double norm = 0;
        for (int t = 0; t < d; t++) norm += (dir[t] = random.nextGaussian()) * dir[t];
        norm = Math.sqrt(norm);
        double[][] kids = new double[2][d];
        for (int t = 0; t < d; t++) {
            double step = 0.5 * spread * dir[t] / norm;
            kids[0][t] = parent[t] + step;
            kids[1][t] = parent[t] - step;
        }
        return kids;
    }

    /** BIC of a clustering of the points {@code idx} (larger is better), as in Pelleg &amp; Moore's paper. */
    double bic(int[] idx, int[] assign, double[][] centres) {
        int n = idx.length, k = centres.length, d = points[0].length;
        if (n <= k) return Double.NEGATIVE_INFINITY;
        double sse = 0;
        int[] size = new int[k];
        for (int i = 0; i < n; i++) {
            sse += squaredEuclidean(points[idx[i]], centres[assign[i]]);
            size[assign[i]]++;
        }
        double variance = Math.max(sse / (d * (double) (n - k)), 1e-12);
        double logLik = 0;
        for (int j = 0; j < k; j++) {
            if (size[j] == 0) continue;
            double r = size[j];
            logLik += r * Math.log(r / n) - r * d / 2.0 * Math.log(2 * Math.PI * variance) - (r - k) / 2.0;
        }
        double params = (k - 1) + (double) k * d + 1;
        return logLik - params / 2 * Math.log(n);
    }

    int nearest(double[] p, double[][] centres) {
        int best = 0;
        double bestDot = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < centres.length; j++) {
            double s = dot(p, centres[j]);
            if (s > bestDot) { // ties go to the lower index
                bestDot = s;
                best = j;
            }
        }
        return best;
    }

    /** Centres become their members' means; a centre that lost all its members stays where it was. */
    private void recentre(double[][] centres, int[] idx, int[] assign) {
        int k = centres.length, d = points[0].length;
        double[][] sum = new double[k][d];
        int[] count = new int[k];
        for (int i = 0; i < idx.length; i++) {
            double[] p = points[idx[i]], s = sum[assign[i]];
            for (int t = 0; t < d; t++) s[t] += p[t];
            count[assign[i]]++;
        }
        for (int j = 0; j < k; j++) {
            if (count[j] == 0) continue;
            for (int t = 0; t < d; t++) sum[j][t] /= count[j];
            centres[j] = sum[j];
        }
    }

    private int[] members(int[] assign, int cluster) {
        return java.util.stream.IntStream.range(0, assign.length).filter(i -> assign[i] == cluster).toArray();
    }

    private int[] allIndices() {
        return java.util.stream.IntStream.range(0, points.length).toArray();
    }

    private static double[][] copy(double[][] seeds, int k) {
        if (seeds == null || seeds.length != k) {
            throw new IllegalArgumentException("seeded initialisation needs " + k + " seeds, got "
                    + (seeds == null ? "none" : seeds.length));
        }
        double[][] c = new double[k][];
        for (int j = 0; j < k; j++) c[j] = seeds[j].clone();
        return c;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) s += a[t] * b[t];
        return s;
    }

    private static double squaredEuclidean(double[] a, double[] b) {
        double s = 0;
        for (int t = 0; t < a.length; t++) s += (a[t] - b[t]) * (a[t] - b[t]);
        return s;
    }
}
