package org.re4j.data;

import java.util.Objects;

/**
 * Held-out users under the ComiRec protocol: for each user, the history the model reads (first 80% of the
 * behaviours, chronological, full length: models cut it to their own maxLen) and the targets to retrieve (the
 * rest, in order; the order matters for ComiRec's original NDCG).
 *
 * @param users     internal user ids
 * @param histories histories[u], internal item ids, oldest first, never empty
 * @param targets   targets[u], internal item ids in behaviour order, never empty
 */
public record EvalSet(int[] users, int[][] histories, int[][] targets) {

    public EvalSet {
        Objects.requireNonNull(users, "users");
        Objects.requireNonNull(histories, "histories");
        Objects.requireNonNull(targets, "targets");
        if (users.length != histories.length || users.length != targets.length) {
            throw new IllegalArgumentException("users, histories and targets differ in length: "
                    + users.length + ", " + histories.length + ", " + targets.length);
        }
        for (int u = 0; u < users.length; u++) {
            if (histories[u].length == 0 || targets[u].length == 0) {
                throw new IllegalArgumentException("user " + users[u] + " has an empty history or no targets");
            }
        }
    }

    public int size() {
        return users.length;
    }
}
