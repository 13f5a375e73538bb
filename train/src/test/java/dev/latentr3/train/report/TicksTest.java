package dev.latentr3.train.report;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicksTest {

    @Test
    void unitRangeGetsTenthsInStepsOfTwo() {
        Ticks t = Ticks.linear(0, 1, 5, false);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, t.values(), 0);
        assertArrayEquals(new String[] {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, t.labels());
        assertEquals(0, t.min());
        assertEquals(1, t.max());
    }

    @Test
    void narrowRangeOfSmallNumbersKeepsPlainDecimals() {
        Ticks t = Ticks.linear(0.0013, 0.0021, 5, false);
        assertArrayEquals(new String[] {"0.0012", "0.0014", "0.0016", "0.0018", "0.0020", "0.0022"}, t.labels());
        assertEquals(0.0012, t.min(), 1e-18);
        assertEquals(0.0022, t.max(), 1e-18);
        // Exact decimals: 7 × 0.0002 is 0.0014, not 0.0014000000000000002.
        assertEquals(0.0014, t.values()[1]);
    }

    @Test
    void wideRangeSwitchesTheWholeAxisToScientific() {
        Ticks t = Ticks.linear(-5, 1e6, 5, false);
        assertArrayEquals(new String[] {"-2e5", "0", "2e5", "4e5", "6e5", "8e5", "1e6"}, t.labels());
        assertEquals(-2e5, t.min());
        assertEquals(1e6, t.max());
    }

    @Test
    void learningRatesAreScientific() {
        Ticks t = Ticks.linear(0, 3e-5, 5, false);
        assertArrayEquals(new String[] {"0", "5e-6", "1e-5", "1.5e-5", "2e-5", "2.5e-5", "3e-5"}, t.labels());
    }

    @Test
    void aConstantGetsARangeAroundIt() {
        Ticks t = Ticks.linear(3.7, 3.7, 5, false);
        assertTrue(t.min() < 3.7 && t.max() > 3.7, t.min() + ".." + t.max());
        assertTrue(t.values().length >= 2);
        Ticks zero = Ticks.linear(0, 0, 5, false);
        assertEquals(-1, zero.min());
        assertEquals(1, zero.max());
        Ticks step = Ticks.linear(5, 5, 5, true);
        assertArrayEquals(new String[] {"4", "5", "6"}, step.labels());
    }

    @Test
    void integralAxesNeverStepBelowOne() {
        Ticks t = Ticks.linear(1, 3, 6, true);
        assertArrayEquals(new String[] {"1", "2", "3"}, t.labels());
        Ticks steps = Ticks.linear(1, 1000, 5, true);
        assertArrayEquals(new String[] {"0", "200", "400", "600", "800", "1000"}, steps.labels());
    }

    /** Over many random ranges: nice steps, the range covered, a sane tick count, distinct labels. */
    @Test
    void randomRangesGetNiceCoveringTicks() {
        Random random = new Random(7);
        for (int trial = 0; trial < 2000; trial++) {
            double scale = Math.pow(10, random.nextInt(25) - 12);
            double a = (random.nextDouble() * 2 - 1) * scale, b = a + random.nextDouble() * scale * random.nextDouble();
            int intervals = 2 + random.nextInt(7);
            Ticks t = Ticks.linear(a, b, intervals, false);
            double[] v = t.values();
            String where = "[" + a + ", " + b + "] -> " + Arrays.toString(t.labels());
            assertTrue(t.min() <= a && t.max() >= b, where);
            assertEquals(t.min(), v[0], where);
            assertEquals(t.max(), v[v.length - 1], where);
            assertTrue(v.length >= 2 && v.length <= 3 * intervals + 2, where);
            BigDecimal step = new BigDecimal(t.labels()[1].replace("e", "E")).subtract(new BigDecimal(t.labels()[0].replace("e", "E")));
            int mantissa = step.stripTrailingZeros().unscaledValue().intValueExact();
            assertTrue(List.of(1, 2, 5).contains(mantissa), "step " + step + " for " + where);
            assertEquals(v.length, new HashSet<>(Arrays.asList(t.labels())).size(), "distinct labels " + where);
        }
    }

    @Test
    void logTicksFallOnPowersOfTen() {
        Ticks t = Ticks.log10(0.003, 2);
        assertArrayEquals(new String[] {"0.001", "0.01", "0.1", "1", "10"}, t.labels());
        assertEquals(0.001, t.min());
        assertEquals(10, t.max());
        Ticks narrow = Ticks.log10(1.5e-6, 8e-6);
        assertArrayEquals(new String[] {"1e-6", "2e-6", "5e-6", "1e-5"}, narrow.labels());
        Ticks exact = Ticks.log10(100, 100);
        assertEquals(100, exact.min());
        assertEquals(1000, exact.max());
    }

    @Test
    void clippingKeepsTheFixedEnds() {
        Ticks t = Ticks.linear(0, 1.7, 5, false).clippedTo(0, 1.2);
        assertEquals(0, t.min());
        assertEquals(1.2, t.max());
        assertArrayEquals(new String[] {"0.0", "0.5", "1.0"}, t.labels());
    }

    @Test
    void badRangesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Ticks.linear(2, 1, 5, false));
        assertThrows(IllegalArgumentException.class, () -> Ticks.linear(Double.NaN, 1, 5, false));
        assertThrows(IllegalArgumentException.class, () -> Ticks.linear(0, Double.POSITIVE_INFINITY, 5, false));
        assertThrows(IllegalArgumentException.class, () -> Ticks.log10(0, 1));
    }
}
