package org.re4j.serve;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.github.jbellis.jvector.graph.GraphIndexBuilder;
import io.github.jbellis.jvector.graph.GraphSearcher;
import io.github.jbellis.jvector.graph.ListRandomAccessVectorValues;
import io.github.jbellis.jvector.graph.OnHeapGraphIndex;
import io.github.jbellis.jvector.graph.SearchResult;
import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.vector.VectorSimilarityFunction;
import io.github.jbellis.jvector.vector.VectorizationProvider;
import io.github.jbellis.jvector.vector.types.VectorFloat;
import io.github.jbellis.jvector.vector.types.VectorTypeSupport;

import org.re4j.eval.Evaluator;

/**
 * Approximate top-N by an HNSW-style graph (jvector) over the item vectors, for catalogues where exact scoring per
 * request is too slow. Inner-product search is turned into nearest-neighbour search by the usual augmentation:
 * x' = [x, √(M² − |x|²)], q' = [q, 0], so |q' − x'|² = |q|² + M² − 2 q·x ranks items exactly as q·x does. Each
 * interest is searched separately, the candidates are re-scored exactly and merged by max over interests (eq. 17),
 * as the exact path does. Item i is graph node i − 1; padding is not indexed.
 */
public final class HnswIndex {

    private static final VectorTypeSupport VTS = VectorizationProvider.getInstance().getVectorTypeSupport();

    private final float[] items;
    private final int numItems, d;
    private final ListRandomAccessVectorValues vectors;
    private final OnHeapGraphIndex graph;
    private final ThreadLocal<GraphSearcher> searchers;

    /**
     * @param itemVectors [(numItems + 1) × d], row 0 padding
     * @param degree      graph degree M (16)
     * @param beamWidth   construction beam (100)
     */
    public HnswIndex(float[] itemVectors, int numItems, int d, int degree, int beamWidth) {
        this.items = itemVectors;
        this.numItems = numItems;
        this.d = d;
        double maxNorm2 = 0;
        for (int i = 1; i <= numItems; i++) maxNorm2 = Math.max(maxNorm2, norm2(itemVectors, i * d, d));
        List<VectorFloat<?>> list = new ArrayList<>(numItems);
        for (int i = 1; i <= numItems; i++) {
            float[] a = new float[d + 1];
            System.arraycopy(itemVectors, i * d, a, 0, d);
            a[d] = (float) Math.sqrt(Math.max(0, maxNorm2 - norm2(itemVectors, i * d, d)));
            list.add(VTS.createFloatVector(a));
        }
        vectors = new ListRandomAccessVectorValues(list, d + 1);
        try (GraphIndexBuilder b = new GraphIndexBuilder(vectors, VectorSimilarityFunction.EUCLIDEAN, degree, beamWidth, 1.2f, 1.2f)) {
            graph = b.build(vectors);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("building the HNSW index failed", e);
        }
        searchers = ThreadLocal.withInitial(() -> new GraphSearcher(graph));
    }

    /**
     * Top-{@code n} for a user's K interests [K × d], each interest searched with a beam of {@code ef} (≥ n).
     *
     * @param exclude item ids never to return, or null
     */
    public List<Evaluator.Recommendation> search(float[] interests, int k, int n, int ef, int[] exclude) {
        java.util.Set<Integer> skip = new java.util.HashSet<>();
        if (exclude != null) for (int x : exclude) skip.add(x);
        java.util.Set<Integer> candidates = new java.util.LinkedHashSet<>();
        int topK = Math.min(numItems, Math.max(n + skip.size(), ef));
        for (int q = 0; q < k; q++) {
            float[] a = new float[d + 1];
            System.arraycopy(interests, q * d, a, 0, d);
            SearchResult r = searchers.get().search(
                    io.github.jbellis.jvector.graph.similarity.SearchScoreProvider.exact(VTS.createFloatVector(a),
                            VectorSimilarityFunction.EUCLIDEAN, vectors), topK, Bits.ALL);
            for (SearchResult.NodeScore ns : r.getNodes()) if (!skip.contains(ns.node + 1)) candidates.add(ns.node + 1);
        }
        // Every candidate scored exactly by max over all interests, as the exact path scores it.
        Map<Integer, Evaluator.Recommendation> best = new HashMap<>();
        for (int item : candidates) {
            float bestScore = Float.NEGATIVE_INFINITY;
            int arg = 0;
            for (int q = 0; q < k; q++) {
                float s = 0;
                for (int j = 0; j < d; j++) s += interests[q * d + j] * items[item * d + j];
                if (s > bestScore) {
                    bestScore = s;
                    arg = q;
                }
            }
            best.put(item, new Evaluator.Recommendation(item, bestScore, arg));
        }
        List<Evaluator.Recommendation> out = new ArrayList<>(best.values());
        out.sort((x, y) -> x.score() != y.score() ? Float.compare(y.score(), x.score()) : Integer.compare(x.item(), y.item()));
        return out.size() > n ? new ArrayList<>(out.subList(0, n)) : out;
    }

    private static double norm2(float[] v, int off, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (double) v[off + j] * v[off + j];
        return s;
    }
}
