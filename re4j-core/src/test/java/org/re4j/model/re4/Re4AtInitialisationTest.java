package org.re4j.model.re4;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.re4j.model.ComiRecSA;
import org.re4j.model.Init;

/**
 * What Re-contrast meets at the start of training, on a Beauty-sized catalogue (12,101 items), K 8, 128 random
 * histories of 4–20 items: with ComiRec's Glorot initialisation the attention is near uniform, so the K interests
 * start as nearly the same short vector and Re-contrast's other-interest negatives sit at cosine ≈ 1; with the
 * authors' N(0, 1) they start apart. docs/results.md (section 3) cites the printed numbers.
 */
class Re4AtInitialisationTest {

    record Stats(double zNorm, double xNorm, double interestCosine, double itemCosine) {}

    static Stats measure(Init init) {
        int n = 12101, b = 128, len = 20, k = 8, d = 64;
        ComiRecSA m = new ComiRecSA(Re4.Config.paper(n).encoder().withInit(init), 1230);
        SplittableRandom r = new SplittableRandom(1);
        int[] h = new int[b * len], lengths = new int[b];
        for (int u = 0; u < b; u++) {
            lengths[u] = 4 + r.nextInt(17);
            for (int i = 0; i < lengths[u]; i++) h[u * len + i] = 1 + r.nextInt(n);
        }
        float[] z = m.forward(h, lengths, b), x = m.itemVectors();
        double zn = 0, zz = 0, zx = 0;
        int cz = 0, cx = 0;
        for (int u = 0; u < b; u++) {
            for (int q = 0; q < k; q++) {
                int zo = (u * k + q) * d;
                zn += norm(z, zo, d);
                for (int q2 = q + 1; q2 < k; q2++, cz++) zz += cos(z, zo, z, (u * k + q2) * d, d);
                for (int i = 0; i < lengths[u]; i++, cx++) zx += cos(z, zo, x, h[u * len + i] * d, d);
            }
        }
        double xn = 0;
        for (int i = 1; i <= n; i++) xn += norm(x, i * d, d);
        return new Stats(zn / (b * k), xn / n, zz / cz, zx / cx);
    }

    @Test
    void atComiRecsInitialisationTheInterestsStartAsOneShortVector() {
        Stats glorot = measure(Init.GLOROT_UNIFORM), normal = measure(Init.STANDARD_NORMAL);
        System.out.printf("glorot-uniform: |z| %.3f, |x| %.3f, cos(z_k, z_k') %.3f, cos(z_k, x_i) %.3f%n",
                glorot.zNorm(), glorot.xNorm(), glorot.interestCosine(), glorot.itemCosine());
        System.out.printf("standard-normal: |z| %.3f, |x| %.3f, cos(z_k, z_k') %.3f, cos(z_k, x_i) %.3f%n",
                normal.zNorm(), normal.xNorm(), normal.interestCosine(), normal.itemCosine());
        assertTrue(glorot.interestCosine() > 0.9, "near-identical interests: " + glorot);
        assertTrue(glorot.zNorm() < 0.1, "short interests: " + glorot);
        assertTrue(normal.interestCosine() < 0.5, "interests apart: " + normal);
    }

    @Test
    void unitItemsStartTheItemsAtUnitLengthWithGlorotsAttention() {
        Stats unit = measure(Init.UNIT_ITEMS);
        System.out.printf("unit-items: |z| %.3f, |x| %.3f, cos(z_k, z_k') %.3f, cos(z_k, x_i) %.3f%n",
                unit.zNorm(), unit.xNorm(), unit.interestCosine(), unit.itemCosine());
        assertTrue(Math.abs(unit.xNorm() - 1) < 0.05, "unit-length items: " + unit);
        assertTrue(unit.interestCosine() > 0.9, "the attention is still near uniform: " + unit);
    }

    @Test
    void theAuthorsAttentionStartsTheInterestsApartWithComiRecsItemTable() {
        Stats glorot = measure(Init.GLOROT_UNIFORM), apart = measure(Init.AUTHORS_ATTENTION);
        System.out.printf("authors-attention: |z| %.3f, |x| %.3f, cos(z_k, z_k') %.3f, cos(z_k, x_i) %.3f%n",
                apart.zNorm(), apart.xNorm(), apart.interestCosine(), apart.itemCosine());
        assertTrue(apart.xNorm() == glorot.xNorm(), "the item table starts as ComiRec's: " + apart);
        assertTrue(apart.interestCosine() < 0.5, "interests apart: " + apart);
    }

    static double norm(float[] v, int o, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (double) v[o + j] * v[o + j];
        return Math.sqrt(s);
    }

    static double cos(float[] a, int ao, float[] b, int bo, int d) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (double) a[ao + j] * b[bo + j];
        return s / norm(a, ao, d) / norm(b, bo, d);
    }
}
