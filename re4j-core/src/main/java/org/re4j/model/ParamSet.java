package org.re4j.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The ordered, named parameters of a model: what the optimiser updates and what a model file stores. */
public final class ParamSet {

    private final Map<String, Param> byName = new LinkedHashMap<>();

    public Param add(Param p) {
        if (byName.putIfAbsent(p.name, p) != null) throw new IllegalArgumentException("duplicate parameter " + p.name);
        return p;
    }

    public Param get(String name) {
        Param p = byName.get(name);
        if (p == null) throw new IllegalArgumentException("no parameter named " + name);
        return p;
    }

    public List<Param> all() {
        return Collections.unmodifiableList(new ArrayList<>(byName.values()));
    }

    public void zeroGrad() {
        for (Param p : byName.values()) p.zeroGrad();
    }

    /**
     * Adds the gradients of {@code replicas}' parameters (a data-parallel step's workers: the same names in the same
     * order, see {@link Param#replica()}) into this set's, one replica after the other in the order given, and clears
     * theirs. Dense gradients are added element by element; a replica's embedding rows are added in the order it
     * touched them. The order is fixed, so the sums do not depend on which worker finished first.
     */
    public void addGradients(List<ParamSet> replicas) {
        List<Param> mine = all();
        for (ParamSet other : replicas) {
            List<Param> theirs = other.all();
            if (theirs.size() != mine.size()) throw new IllegalArgumentException("replica has " + theirs.size() + " parameters, not " + mine.size());
            for (int i = 0; i < mine.size(); i++) {
                Param p = mine.get(i), q = theirs.get(i);
                if (!p.name.equals(q.name) || p.size() != q.size() || p.isRowSparse() != q.isRowSparse()) {
                    throw new IllegalArgumentException("replica's parameter " + i + " is " + q.name + ", not " + p.name);
                }
                if (!p.isRowSparse()) {
                    float[] g = p.grad, h = q.grad;
                    for (int j = 0; j < g.length; j++) g[j] += h[j];
                    Arrays.fill(h, 0f);
                } else {
                    RowGrads g = p.rowGrads, h = q.rowGrads;
                    int c = p.cols;
                    for (int r = 0; r < h.count(); r++) {
                        int off = g.offset(h.row(r));
                        float[] gv = g.values(), hv = h.values(); // after offset(): it may grow the storage
                        for (int j = 0, ho = r * c; j < c; j++) gv[off + j] += hv[ho + j];
                    }
                    h.clear();
                }
            }
        }
    }

    public long totalSize() {
        long n = 0;
        for (Param p : byName.values()) n += p.size();
        return n;
    }

    /** A copy of every value array, to restore the best parameters after early stopping. */
    public List<float[]> snapshot() {
        List<float[]> copy = new ArrayList<>();
        for (Param p : byName.values()) copy.add(p.value.clone());
        return copy;
    }

    /** Copies a snapshot into the snapshot's arrays' places; {@code into} may be reused to avoid allocation. */
    public void snapshotInto(List<float[]> into) {
        int i = 0;
        for (Param p : byName.values()) System.arraycopy(p.value, 0, into.get(i++), 0, p.size());
    }

    public void restore(List<float[]> snapshot) {
        int i = 0;
        for (Param p : byName.values()) {
            float[] s = snapshot.get(i++);
            if (s.length != p.size()) throw new IllegalArgumentException("snapshot does not match " + p.name);
            System.arraycopy(s, 0, p.value, 0, s.length);
        }
    }
}
