package dev.latentr3.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Philox-4x32-10 against Random123's published known answers, and its Gaussian draws' first two moments. */
class PhiloxTest {

    /** tests/kat_vectors of github.com/DEShawResearch/random123: counter (4 words), key (2 words), output (4 words). */
    @Test
    void matchesTheRandom123KnownAnswerVectors() {
        int[][][] vectors = {
                {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
                {{-1, -1, -1, -1}, {-1, -1}, {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
                {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0},
                        {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
        };
        for (int[][] v : vectors) {
            int[] c = v[0].clone();
            Philox.block(c, v[1][0], v[1][1]);
            assertArrayEquals(v[2], c);
        }
    }

    /** 200,000 draws: mean within 4 standard errors of 0 (0.009), variance within 4 of 1 (0.013). */
    @Test
    void gaussianDrawsHaveUnitVarianceAndZeroMean() {
        int n = 200_000;
        double sum = 0, squares = 0;
        for (int i = 0; i < n; i++) {
            double z = Philox.gaussian(42, 7, i);
            sum += z;
            squares += z * z;
        }
        double mean = sum / n, variance = squares / n - mean * mean;
        assertEquals(0, mean, 4 / Math.sqrt(n));
        assertEquals(1, variance, 4 * Math.sqrt(2.0 / n));
    }

    @Test
    void streamsDifferBySeedAndOffset() {
        double base = Philox.gaussian(1, 0, 5);
        assertEquals(base, Philox.gaussian(1, 0, 5));
        org.junit.jupiter.api.Assertions.assertNotEquals(base, Philox.gaussian(2, 0, 5));
        org.junit.jupiter.api.Assertions.assertNotEquals(base, Philox.gaussian(1, 1, 5));
    }
}
