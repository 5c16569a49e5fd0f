package org.re4j.analysis;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

import org.re4j.data.EvalSet;
import org.re4j.model.Recommender;

/**
 * The paper's RQ3 lens (Table 7): are a model's interests distinct from each other and close to their items?
 *
 * <ul>
 *   <li><b>INTER</b>: the interests and history items of many users are clustered together (one cluster per
 *       interest); the score is the share of items that land in the cluster of their own interest, the user's
 *       interest with the largest dot product with the item.</li>
 *   <li><b>INTRA</b>: each user's interests and items are clustered alone into K clusters; the score is the share
 *       of the user's interests that land in different clusters (1 = every interest is its own cluster), averaged
 *       over users.</li>
 * </ul>
 * Items are the distinct items of the part of the history the model reads (its last maxLen behaviours).
 */
public final class InterestAnalysis {

    /** One user's interest vectors and items, and the interest each item belongs to. */
    public record UserPoints(int user, double[][] interests, double[][] items, int[] owner) {
        int numInterests() {
            return interests.length;
        }
    }

    /** One cell pair of Table 7. */
    public record Scores(Clustering.Method method, Clustering.Init init, double inter, double intra) {
    }

    private InterestAnalysis() {
    }

    /**
     * Encodes the users of {@code set} and collects their points. Each item's interest is always the one with the
     * largest dot product; {@code unitLength} then scales every vector to length 1 for the clustering, which turns
     * the negative dot product into cosine distance (long vectors no longer attract every point).
     */
    public static List<UserPoints> collect(Recommender model, EvalSet set, boolean unitLength) {
        int k = model.numInterests(), d = model.dim(), L = model.maxLen(), n = set.size();
        if (k < 2) throw new IllegalArgumentException(model.name() + " has " + k + " interest per user: nothing to analyse");
        int[] hist = new int[n * L], len = new int[n];
        for (int u = 0; u < n; u++) {
            int[] h = set.histories()[u];
            int l = Math.min(L, h.length);
            System.arraycopy(h, h.length - l, hist, u * L, l);
            len[u] = l;
        }
        float[] z = new float[n * k * d];
        model.interests(hist, len, n, z);
        float[] items = model.itemVectors();
        List<UserPoints> out = new ArrayList<>(n);
        for (int u = 0; u < n; u++) {
            double[][] zi = new double[k][d];
            for (int j = 0; j < k; j++) for (int t = 0; t < d; t++) zi[j][t] = z[(u * k + j) * d + t];
            Set<Integer> distinct = new LinkedHashSet<>();
            for (int i = 0; i < len[u]; i++) distinct.add(hist[u * L + i]);
            double[][] x = new double[distinct.size()][d];
            int[] owner = new int[x.length];
            int i = 0;
            for (int item : distinct) {
                for (int t = 0; t < d; t++) x[i][t] = items[item * d + t];
                int best = 0;
                double bestDot = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    double s = Clustering.dot(zi[j], x[i]);
                    if (s > bestDot) {
                        bestDot = s;
                        best = j;
                    }
                }
                owner[i++] = best;
            }
            if (unitLength) {
                for (double[] v : zi) normalise(v);
                for (double[] v : x) normalise(v);
            }
            out.add(new UserPoints(set.users()[u], zi, x, owner));
        }
        return out;
    }

    private static void normalise(double[] v) {
        double n = Math.sqrt(Clustering.dot(v, v));
        if (n > 0) for (int t = 0; t < v.length; t++) v[t] /= n;
    }

    /** INTER: all users' interests and items clustered together, one cluster per interest. */
    public static double inter(List<UserPoints> users, Clustering.Method method, Clustering.Init init, double fuzziness, long seed) {
        List<double[]> pts = new ArrayList<>();
        List<double[]> seeds = new ArrayList<>();
        List<int[]> itemAndInterest = new ArrayList<>(); // point index of each item, point index of its interest
        for (UserPoints u : users) {
            int first = pts.size();
            for (double[] z : u.interests()) {
                pts.add(z);
                seeds.add(z);
            }
            for (int i = 0; i < u.items().length; i++) {
                itemAndInterest.add(new int[] {pts.size(), first + u.owner()[i]});
                pts.add(u.items()[i]);
            }
        }
        int[] cluster = new Clustering(pts.toArray(new double[0][]), fuzziness)
                .cluster(method, init, seeds.size(), seeds.toArray(new double[0][]), new Random(seed));
        long same = itemAndInterest.stream().filter(p -> cluster[p[0]] == cluster[p[1]]).count();
        return (double) same / itemAndInterest.size();
    }

    /** INTRA: each user's interests and items clustered alone into K clusters; mean share of distinct interests. */
    public static double intra(List<UserPoints> users, Clustering.Method method, Clustering.Init init, double fuzziness, long seed) {
        return IntStream.range(0, users.size()).parallel().mapToDouble(i -> {
            UserPoints u = users.get(i);
            int k = u.numInterests();
            double[][] pts = new double[k + u.items().length][];
            System.arraycopy(u.interests(), 0, pts, 0, k);
            System.arraycopy(u.items(), 0, pts, k, u.items().length);
            int[] cluster = new Clustering(pts, fuzziness).cluster(method, init, k, u.interests(), new Random(seed * 1_000_003L + i));
            return IntStream.range(0, k).map(j -> cluster[j]).distinct().count() / (double) k;
        }).average().orElseThrow();
    }

    /** Every Table 7 cell pair for one model. */
    public static List<Scores> table7(List<UserPoints> users, double fuzziness, long seed) {
        List<Scores> out = new ArrayList<>();
        for (Clustering.Method m : Clustering.Method.values()) {
            for (Clustering.Init init : Clustering.Init.values()) {
                out.add(new Scores(m, init, inter(users, m, init, fuzziness, seed), intra(users, m, init, fuzziness, seed)));
            }
        }
        return out;
    }

    /** Figure 4 panel of one user: t-SNE of interests (stars) and items (dots in their interest's colour). */
    public static ScatterFigure.Panel tsnePanel(String title, UserPoints u, long seed) {
        int k = u.numInterests(), n = k + u.items().length;
        double[][] x = new double[n][];
        int[] group = new int[n];
        boolean[] star = new boolean[n];
        for (int j = 0; j < k; j++) {
            x[j] = u.interests()[j];
            group[j] = j;
            star[j] = true;
        }
        for (int i = 0; i < u.items().length; i++) {
            x[k + i] = u.items()[i];
            group[k + i] = u.owner()[i];
        }
        return new ScatterFigure.Panel(title, Tsne.embed(x, 30, seed), group, star);
    }
}
