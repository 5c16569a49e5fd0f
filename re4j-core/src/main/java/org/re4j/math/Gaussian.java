package org.re4j.math;

import java.util.SplittableRandom;

/** Standard normal draws from a {@link SplittableRandom}, which has no nextGaussian in Java 17. */
public final class Gaussian {

    private Gaussian() {}

    /** One N(0, 1) draw by Box–Muller (two uniform draws, the cosine branch). */
    public static double next(SplittableRandom rng) {
        double u1 = 1 - rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
