package org.re4j.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.re4j.analysis.InterestAnalysis.UserPoints;

/** Clustering, t-SNE and the Table 7 scores on data whose clusters are known. */
class ClusteringTest {

    static final int D = 8;

    /** {@code blobs} groups of {@code size} points around orthogonal directions of length 3. */
    static double[][] blobs(int blobs, int size, double noise, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[blobs * size][D];
        for (int b = 0; b < blobs; b++) {
            for (int i = 0; i < size; i++) {
                for (int t = 0; t < D; t++) x[b * size + i][t] = (t == b ? 3 : 0) + noise * r.nextGaussian();
            }
        }
        return x;
    }

    static double[][] trueCentres(int blobs) {
        double[][] c = new double[blobs][D];
        for (int b = 0; b < blobs; b++) c[b][b] = 2.5; // near, not on, the truth
        return c;
    }

    /** The clustering equals the planted partition up to renaming of the clusters. */
    static void assertRecovers(int[] assign, int blobs, int size) {
        int[] label = new int[blobs];
        for (int b = 0; b < blobs; b++) {
            label[b] = assign[b * size];
            for (int i = 0; i < size; i++) assertEquals(label[b], assign[b * size + i], "blob " + b + " point " + i);
        }
        assertEquals(blobs, Arrays.stream(label).distinct().count(), "every blob its own cluster");
    }

    @Test
    void everyMethodAndInitialisationRecoversPlantedClusters() {
        double[][] x = blobs(4, 25, 0.3, 1);
        Clustering c = new Clustering(x, 2);
        for (Clustering.Method m : Clustering.Method.values()) {
            for (Clustering.Init init : Clustering.Init.values()) {
                // K-means++ can put two seeds in one blob; Lloyd does not always recover from that, so try seeds.
                boolean ok = false;
                for (long s = 0; s < 5 && !ok; s++) {
                    try {
                        int[] a = c.cluster(m, init, 4, trueCentres(4), new Random(s));
                        assertRecovers(a, 4, 25);
                        ok = true;
                    } catch (AssertionError e) {
                        if (init == Clustering.Init.SEEDS) throw e; // seeded starts must always succeed
                    }
                }
                assertTrue(ok, m + " with " + init);
            }
        }
    }

    @Test
    void assignmentFollowsTheLargestDotProductNotEuclideanDistance() {
        // A short point close to a short centre in Euclidean terms, but with a larger dot product with a long one.
        double[][] x = {{1, 0}, {0.2, 0.1}};
        Clustering c = new Clustering(x, 2);
        double[][] centres = {{0.2, 0.1}, {5, 0}};
        assertTrue(c.distance(x[1], centres[1]) < c.distance(x[1], centres[0]));
        assertEquals(1, c.nearest(x[1], centres));
        assertTrue(c.distance(x[0], x[0]) >= 0);
    }

    @Test
    void xMeansSplitsToTheTrueNumberAndDoesNotSplitOneBlob() {
        double[][] x = blobs(4, 30, 0.2, 2);
        Clustering c = new Clustering(x, 2);
        double[][] two = {{2, 2, 0, 0, 0, 0, 0, 0}, {0, 0, 2, 2, 0, 0, 0, 0}};
        int[] a = c.xMeans(two, 4, new Random(3));
        assertRecovers(a, 4, 30);

        double[][] one = blobs(1, 60, 0.2, 4);
        int[] b = new Clustering(one, 2).xMeans(new double[][] {{3, 0, 0, 0, 0, 0, 0, 0}}, 2, new Random(5));
        assertEquals(1, Arrays.stream(b).distinct().count());
    }

    @Test
    void kMeansPlusPlusSeedsAreDataPointsAndSeededRunsAreDeterministic() {
        double[][] x = blobs(3, 10, 0.3, 6);
        Clustering c = new Clustering(x, 2);
        double[][] seeds = c.kMeansPlusPlus(3, 7);
        for (double[] s : seeds) assertTrue(Arrays.stream(x).anyMatch(p -> Arrays.equals(p, s)));
        assertEquals(Arrays.toString(c.cluster(Clustering.Method.FUZZY_CMEANS, Clustering.Init.KMEANS_PLUS_PLUS, 3, null, new Random(1))),
                Arrays.toString(c.cluster(Clustering.Method.FUZZY_CMEANS, Clustering.Init.KMEANS_PLUS_PLUS, 3, null, new Random(1))));
        assertThrows(IllegalArgumentException.class, () -> c.cluster(Clustering.Method.KMEANS, Clustering.Init.SEEDS, 3, null, new Random(1)));
        assertThrows(IllegalArgumentException.class, () -> c.cluster(Clustering.Method.KMEANS, Clustering.Init.SEEDS, 31, null, new Random(1)));
        assertThrows(IllegalArgumentException.class, () -> new Clustering(x, 1));
    }

    @Test
    void tsneKeepsPlantedBlobsApart() {
        double[][] x = blobs(3, 10, 0.3, 8);
        double[][] y = Tsne.embed(x, 30, 1);
        for (int i = 0; i < x.length; i++) { // each point's nearest neighbour in the plane is from its own blob
            int best = -1;
            double bestD = Double.POSITIVE_INFINITY;
            for (int j = 0; j < x.length; j++) {
                if (j == i) continue;
                double d = Math.hypot(y[i][0] - y[j][0], y[i][1] - y[j][1]);
                if (d < bestD) {
                    bestD = d;
                    best = j;
                }
            }
            assertEquals(i / 10, best / 10, "point " + i);
        }
        assertEquals(Arrays.deepToString(y), Arrays.deepToString(Tsne.embed(x, 30, 1)));
        double[][] p = Tsne.affinities(x, 5);
        double sum = 0;
        for (double[] row : p) for (double v : row) sum += v;
        assertEquals(1, sum, 1e-6);
    }

    @Test
    void interAndIntraOnHandMadeUsers() {
        // Two users; interests on orthogonal axes, items close to the interest they belong to.
        double[][] blob = blobs(4, 3, 0.1, 9);
        UserPoints a = new UserPoints(0, new double[][] {unit(0), unit(1)},
                Arrays.copyOfRange(blob, 0, 6), new int[] {0, 0, 0, 1, 1, 1});
        UserPoints b = new UserPoints(1, new double[][] {unit(2), unit(3)},
                Arrays.copyOfRange(blob, 6, 12), new int[] {0, 0, 0, 1, 1, 1});
        List<UserPoints> users = List.of(a, b);
        for (Clustering.Method m : Clustering.Method.values()) {
            assertEquals(1, InterestAnalysis.inter(users, m, Clustering.Init.SEEDS, 2, 1), 1e-12, m.label);
            assertEquals(1, InterestAnalysis.intra(users, m, Clustering.Init.SEEDS, 2, 1), 1e-12, m.label);
        }
        // A user whose two interests coincide cannot have them in two clusters.
        UserPoints same = new UserPoints(2, new double[][] {unit(0), unit(0)}, Arrays.copyOfRange(blob, 0, 3), new int[3]);
        assertEquals(0.5, InterestAnalysis.intra(List.of(same), Clustering.Method.KMEANS, Clustering.Init.SEEDS, 2, 1), 1e-12);
        assertNotEquals(1.0, InterestAnalysis.intra(List.of(a, same), Clustering.Method.KMEANS, Clustering.Init.SEEDS, 2, 1));
    }

    static double[] unit(int axis) {
        double[] v = new double[D];
        v[axis] = 3;
        return v;
    }
}
