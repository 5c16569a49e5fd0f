package org.re4j.math;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class RngTest {

    @Test
    void drawsWhatSplittableRandomDraws() {
        for (long seed : new long[] {0, 1, 1230, -7, Long.MAX_VALUE}) {
            SplittableRandom ref = new SplittableRandom(seed);
            Rng rng = new Rng(seed);
            for (int i = 0; i < 20_000; i++) {
                switch (i % 6) {
                    case 0 -> assertEquals(ref.nextLong(), rng.nextLong());
                    case 1 -> assertEquals(ref.nextInt(), rng.nextInt());
                    case 2 -> assertEquals(ref.nextInt(12_101), rng.nextInt(12_101)); // not a power of two: rejection
                    case 3 -> assertEquals(ref.nextInt(1024), rng.nextInt(1024));
                    case 4 -> assertEquals(ref.nextDouble(), rng.nextDouble());
                    default -> assertEquals(ref.nextInt(3, 1 << 30), rng.nextInt(3, 1 << 30));
                }
            }
        }
    }

    @Test
    void aRestoredStateContinuesTheStream() {
        Rng a = new Rng(42);
        for (int i = 0; i < 1000; i++) a.nextInt(77);
        Rng b = new Rng(0);
        b.restore(a.state());
        for (int i = 0; i < 1000; i++) assertEquals(a.nextInt(1_000_003), b.nextInt(1_000_003));
    }
}
