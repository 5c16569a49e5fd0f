package org.re4j.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.re4j.GradCheck;

/** Replicas of parameters for a data-parallel step, and the reduction of their gradients. */
class ParamSetTest {

    private static ParamSet set(Param dense, Param table) {
        ParamSet s = new ParamSet();
        s.add(dense);
        s.add(table);
        return s;
    }

    @Test
    void aReplicaSharesTheValuesAndOwnsItsGradient() {
        Param w = Param.dense("w", 2, 3), e = Param.rowSparse("e", 5, 2);
        Param rw = w.replica(), re = e.replica();
        assertSame(w.value, rw.value);
        assertSame(e.value, re.value);
        rw.grad[1] = 3f;
        re.rowGrads.values()[re.rowGrads.offset(4)] = 1f;
        assertEquals(0f, w.grad[1]);
        assertEquals(0, e.rowGrads.count());
    }

    @Test
    void replicasGradientsAreAddedInOrderAndCleared() {
        Param w = Param.dense("w", 1, 2), e = Param.rowSparse("e", 5, 2);
        ParamSet master = set(w, e);
        Param w1 = w.replica(), e1 = e.replica(), w2 = w.replica(), e2 = e.replica();
        ParamSet r1 = set(w1, e1), r2 = set(w2, e2);
        w.grad[0] = 1f;
        e.rowGrads.values()[e.rowGrads.offset(3)] = 1f;
        w1.grad[0] = 2f;
        w1.grad[1] = 5f;
        e1.rowGrads.values()[e1.rowGrads.offset(1) + 1] = 4f;
        e1.rowGrads.values()[e1.rowGrads.offset(3)] = 2f;
        w2.grad[1] = -1f;
        e2.rowGrads.values()[e2.rowGrads.offset(2)] = 7f;
        master.addGradients(List.of(r1, r2));
        assertArrayEquals(new float[] {3f, 4f}, w.grad);
        assertArrayEquals(new float[] {0, 0, 0, 4, 7, 0, 3, 0, 0, 0}, GradCheck.denseGrad(e));
        assertEquals(List.of(3, 1, 2), List.of(e.rowGrads.row(0), e.rowGrads.row(1), e.rowGrads.row(2)), "rows in order of first touch");
        assertArrayEquals(new float[2], w1.grad);
        assertEquals(0, e1.rowGrads.count());
        assertEquals(0, e2.rowGrads.count());
    }

    @Test
    void aSetOfOtherParametersIsRefused() {
        ParamSet master = set(Param.dense("w", 1, 2), Param.rowSparse("e", 5, 2));
        ParamSet other = set(Param.dense("v", 1, 2), Param.rowSparse("e", 5, 2));
        assertThrows(IllegalArgumentException.class, () -> master.addGradients(List.of(other)));
    }
}
