package org.re4j.model;

import java.util.ArrayList;
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
