package org.re4j.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Users' behaviour sequences over a renumbered catalogue, ready for training and evaluation.
 *
 * <p>Items are numbered 1..N by descending interaction count (ties: first appearance, or a given {@link ItemNumbering}), as ComiRec does: id 0 is
 * padding, and the log-uniform negative sampler relies on popular items having small ids. Users are numbered
 * 0..U-1 in order of first appearance; each sequence is chronological (file order where there is no time).
 */
public final class Dataset {

    public final String name;
    /** Original user ids, by internal user id. */
    public final String[] userIds;
    /** Original item ids, by internal item id; {@code itemIds[0]} is null (padding). */
    public final String[] itemIds;
    /** {@code sequences[u]}: internal item ids of user u, oldest first, never empty. */
    public final int[][] sequences;
    /** {@code itemCounts[i]}: interactions of item i over all users; {@code itemCounts[0] = 0}. */
    public final int[] itemCounts;
    private final long numInteractions;
    private final DataSource source;

    private Dataset(String name, String[] userIds, String[] itemIds, int[][] sequences, int[] itemCounts, DataSource source) {
        this.name = name;
        this.source = source;
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.sequences = sequences;
        this.itemCounts = itemCounts;
        long n = 0;
        for (int[] s : sequences) n += s.length;
        this.numInteractions = n;
    }

    /** The files and reading options it came from, or null when it was not read from files (generated data). */
    public DataSource source() {
        return source;
    }

    public int numUsers() {
        return sequences.length;
    }

    public int numItems() {
        return itemIds.length - 1;
    }

    public long numInteractions() {
        return numInteractions;
    }

    /**
     * Groups a log into chronological per-user sequences, applies the k-core filter (items with fewer than
     * {@code minItemCount} and users with fewer than {@code minUserCount} interactions are dropped, repeatedly, until
     * none is left; 0 turns a side off) and renumbers items by popularity.
     */
    public static Dataset of(String name, InteractionLog log, int minItemCount, int minUserCount) {
        return of(name, log, minItemCount, minUserCount, null);
    }

    /** The same, with the items of equal count in the order {@code numbering} gives (null: first appearance). */
    public static Dataset of(String name, InteractionLog log, int minItemCount, int minUserCount, ItemNumbering numbering) {
        int users = log.userNames.size();
        int[] start = new int[users + 1];
        for (int i = 0; i < log.size; i++) start[log.user[i] + 1]++;
        for (int u = 0; u < users; u++) start[u + 1] += start[u];
        int[] pos = Arrays.copyOf(start, users), byUser = new int[log.size];
        for (int i = 0; i < log.size; i++) byUser[pos[log.user[i]]++] = i; // file order within each user
        int[][] raw = new int[users][];
        for (int u = 0; u < users; u++) {
            int from = start[u], to = start[u + 1];
            if (!sorted(log.order, byUser, from, to)) {
                Integer[] seg = new Integer[to - from];
                for (int j = from; j < to; j++) seg[j - from] = byUser[j];
                Arrays.sort(seg, Comparator.comparingLong(i -> log.order[i])); // stable: ties keep file order
                for (int j = from; j < to; j++) byUser[j] = seg[j - from];
            }
            raw[u] = new int[to - from];
            for (int j = from; j < to; j++) raw[u][j - from] = log.item[byUser[j]];
        }
        DataSource source = log.source == null ? null
                : new DataSource(log.source.paths(), log.source.format(), log.source.columns(), minItemCount, minUserCount, name,
                numbering == null ? null : numbering.file());
        return build(name, log.userNames.toArray(new String[0]), log.itemNames.toArray(new String[0]), raw,
                minItemCount, minUserCount, numbering, source);
    }

    private static boolean sorted(long[] order, int[] idx, int from, int to) {
        for (int j = from + 1; j < to; j++) if (order[idx[j]] < order[idx[j - 1]]) return false;
        return true;
    }

    /**
     * Builds a dataset from chronological sequences over raw item indexes {@code 0..itemNames.length-1}: k-core
     * filter, users left without items dropped, items renumbered 1..N by descending count.
     */
    static Dataset build(String name, String[] userNames, String[] itemNames, int[][] raw, int minItemCount, int minUserCount) {
        return build(name, userNames, itemNames, raw, minItemCount, minUserCount, null, null);
    }

    private static Dataset build(String name, String[] userNames, String[] itemNames, int[][] raw, int minItemCount,
                                 int minUserCount, ItemNumbering numbering, DataSource source) {
        if (minItemCount < 0 || minUserCount < 0) throw new DataException("minimum counts must be ≥ 0");
        boolean[] userKept = new boolean[raw.length], itemKept = new boolean[itemNames.length];
        Arrays.fill(userKept, true);
        Arrays.fill(itemKept, true);
        int[] count = new int[itemNames.length];
        for (boolean changed = true; changed; ) {
            changed = false;
            Arrays.fill(count, 0);
            for (int u = 0; u < raw.length; u++) {
                if (!userKept[u]) continue;
                for (int i : raw[u]) if (itemKept[i]) count[i]++;
            }
            for (int i = 0; i < count.length; i++) {
                if (itemKept[i] && count[i] < Math.max(1, minItemCount)) {
                    itemKept[i] = false;
                    changed |= count[i] > 0;
                }
            }
            for (int u = 0; u < raw.length; u++) {
                if (!userKept[u]) continue;
                int len = 0;
                for (int i : raw[u]) if (itemKept[i]) len++;
                if (len < Math.max(1, minUserCount)) {
                    userKept[u] = false;
                    changed = true;
                }
            }
        }
        Arrays.fill(count, 0);
        for (int u = 0; u < raw.length; u++) if (userKept[u]) for (int i : raw[u]) if (itemKept[i]) count[i]++;

        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < itemNames.length; i++) if (itemKept[i] && count[i] > 0) kept.add(i);
        kept.sort((a, b) -> count[a] != count[b] ? Integer.compare(count[b], count[a]) : Integer.compare(a, b));
        if (numbering != null) {
            int[] rank = numbering.ranks(itemNames, kept, count);
            kept.sort(Comparator.comparingInt(i -> rank[i]));
        }
        int[] newId = new int[itemNames.length];
        String[] itemIds = new String[kept.size() + 1];
        int[] itemCounts = new int[kept.size() + 1];
        for (int r = 0; r < kept.size(); r++) {
            int i = kept.get(r);
            newId[i] = r + 1;
            itemIds[r + 1] = itemNames[i];
            itemCounts[r + 1] = count[i];
        }
        List<String> userIds = new ArrayList<>();
        List<int[]> seqs = new ArrayList<>();
        for (int u = 0; u < raw.length; u++) {
            if (!userKept[u]) continue;
            int len = 0;
            for (int i : raw[u]) if (itemKept[i]) len++;
            if (len == 0) continue;
            int[] s = new int[len];
            int j = 0;
            for (int i : raw[u]) if (itemKept[i]) s[j++] = newId[i];
            userIds.add(userNames[u]);
            seqs.add(s);
        }
        if (seqs.isEmpty() || kept.isEmpty()) {
            throw new DataException("dataset " + name + " is empty after filtering (min item count " + minItemCount
                    + ", min user count " + minUserCount + ")");
        }
        return new Dataset(name, userIds.toArray(new String[0]), itemIds, seqs.toArray(new int[0][]), itemCounts, source);
    }

    /**
     * The held-out users of the ComiRec protocol: each user's first {@code ⌊fraction · len⌋} behaviours are the
     * history, the rest the targets. Users left with an empty history or no target are skipped.
     */
    public EvalSet evalSet(int[] users, double fraction) {
        if (!(fraction > 0 && fraction < 1)) throw new IllegalArgumentException("history fraction must be in (0, 1), got " + fraction);
        int[] ids = new int[users.length];
        int[][] hist = new int[users.length][], targets = new int[users.length][];
        int n = 0;
        for (int u : users) {
            int[] s = sequences[u];
            int cut = (int) (s.length * fraction);
            if (cut == 0 || cut == s.length) continue;
            ids[n] = u;
            hist[n] = Arrays.copyOfRange(s, 0, cut);
            targets[n] = Arrays.copyOfRange(s, cut, s.length);
            n++;
        }
        return new EvalSet(Arrays.copyOf(ids, n), Arrays.copyOf(hist, n), Arrays.copyOf(targets, n));
    }

    @Override
    public String toString() {
        return String.format("%s: %,d users, %,d items, %,d interactions", name, numUsers(), numItems(), numInteractions);
    }
}
