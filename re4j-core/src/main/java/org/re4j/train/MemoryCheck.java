package org.re4j.train;

/** Refuses, before any work, a model that cannot fit in the JVM's heap, with the numbers and the way out. */
public final class MemoryCheck {

    private MemoryCheck() {}

    /**
     * The item table dominates: its values, Adam's two moments and the best-parameters snapshot (4 copies), plus a
     * fifth for dense Adam's full-table pass and transient buffers.
     */
    public static void requireModel(int numItems, int dim, boolean lazyAdam) {
        requireModels(1, numItems, dim, lazyAdam);
    }

    /** The same for {@code models} models held at once (a benchmark that interleaves several). */
    public static void requireModels(int models, int numItems, int dim, boolean lazyAdam) {
        long table = (long) (numItems + 1) * dim;
        if (table > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("an item table of " + (numItems + 1) + " × " + dim
                    + " does not fit in one Java array: lower --dim or filter the catalogue");
        }
        long need = models * table * 4L * (lazyAdam ? 4 : 5);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (need > free) {
            throw new IllegalArgumentException(String.format(
                    "%s about %.1f GiB (%,d items × d %d, parameters + Adam state + best copy) but the JVM "
                            + "has %.1f GiB free: raise the heap (RE4J_JAVA_OPTS=-Xmx..G) or lower --dim",
                    models == 1 ? "the model needs" : "the " + models + " models need", need / 1073741824.0, numItems, dim,
                    free / 1073741824.0));
        }
    }
}
