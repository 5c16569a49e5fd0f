package org.re4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleSupplier;

/** Double-precision helpers of the plain reference implementations and their own finite-difference checks. */
public final class ReferenceMath {

    private ReferenceMath() {}

    public static double logSumExp(double[] l) {
        double max = Double.NEGATIVE_INFINITY, s = 0;
        for (double v : l) max = Math.max(max, v);
        for (double v : l) s += Math.exp(v - max);
        return max + Math.log(s);
    }

    public static double[] softmax(double[] l) {
        double lse = logSumExp(l);
        double[] p = new double[l.length];
        for (int i = 0; i < l.length; i++) p[i] = Math.exp(l[i] - lse);
        return p;
    }

    /** Given p = softmax(l) and g = dL/dp: dL/dl_i = p_i (g_i − Σ_j p_j g_j). */
    public static double[] softmaxBackward(double[] p, double[] g) {
        double s = 0;
        for (int i = 0; i < p.length; i++) s += p[i] * g[i];
        double[] out = new double[p.length];
        for (int i = 0; i < p.length; i++) out[i] = p[i] * (g[i] - s);
        return out;
    }

    /** The first n values as doubles. */
    public static double[] toDouble(float[] a, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = a[i];
        return out;
    }

    public static double[] toDouble(float[] a) {
        return toDouble(a, a.length);
    }

    /** Central differences (step 1e-5) of {@code loss} in every entry of w against {@code grad}, in double. */
    public static void finiteDifferences(String what, double[] w, double[] grad, DoubleSupplier loss) {
        final double step = 1e-5;
        for (int i = 0; i < w.length; i++) {
            double w0 = w[i];
            w[i] = w0 + step;
            double lp = loss.getAsDouble();
            w[i] = w0 - step;
            double lm = loss.getAsDouble();
            w[i] = w0;
            double fd = (lp - lm) / (2 * step);
            assertEquals(fd, grad[i], 1e-7 * (1 + Math.abs(fd)), what + "[" + i + "]");
        }
    }

    /**
     * Each fast[i] within rtol·|ref[i]| + floor·max|ref| + abs of ref[i] (the floor covers entries that are small
     * because terms cancel, where float error is absolute); returns the largest error / tolerance seen.
     */
    public static double assertClose(String what, double[] ref, float[] fast, double rtol, double floor, double abs) {
        double max = 0, worst = 0;
        for (double v : ref) max = Math.max(max, Math.abs(v));
        for (int i = 0; i < ref.length; i++) {
            double err = Math.abs(fast[i] - ref[i]), tol = rtol * Math.abs(ref[i]) + floor * max + abs;
            worst = Math.max(worst, err / tol);
            org.junit.jupiter.api.Assertions.assertTrue(err <= tol,
                    what + "[" + i + "]: fast " + fast[i] + " vs reference " + ref[i] + " (max |ref| " + max + ")");
        }
        return worst;
    }
}
