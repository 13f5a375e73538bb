package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SpreadTest {

    @Test
    void oddCountUnsortedInput() {
        double[] samples = {5, 1, 4, 2, 3};
        Spread s = Spread.of(samples);
        assertEquals(new Spread(3, 2, 4, 1, 5, 5), s);
        assertArrayEquals(new double[] {5, 1, 4, 2, 3}, samples, "the caller's samples are left as they were");
    }

    @Test
    void evenCountInterpolatesBetweenClosestRanks() {
        // Positions q*(n-1) in sorted {10, 20, 30, 40}: 0.75 -> 17.5, 1.5 -> 25, 2.25 -> 32.5.
        Spread s = Spread.of(new double[] {40, 10, 30, 20});
        assertEquals(25, s.median(), 1e-12);
        assertEquals(17.5, s.p25(), 1e-12);
        assertEquals(32.5, s.p75(), 1e-12);
        assertEquals(10, s.min());
        assertEquals(40, s.max());
        assertEquals(4, s.samples());
    }

    @Test
    void fifteenSamplesAsThreeForksOfFive() {
        double[] samples = new double[15];
        for (int i = 0; i < 15; i++) samples[i] = (i * 7) % 15; // 0..14 shuffled
        Spread s = Spread.of(samples);
        assertEquals(7, s.median(), 1e-12);
        assertEquals(3.5, s.p25(), 1e-12);
        assertEquals(10.5, s.p75(), 1e-12);
    }

    @Test
    void oneSampleIsItsOwnSpread() {
        assertEquals(new Spread(2, 2, 2, 2, 2, 1), Spread.of(new double[] {2}));
    }

    @Test
    void noSamplesIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> Spread.of(new double[0]));
    }
}
