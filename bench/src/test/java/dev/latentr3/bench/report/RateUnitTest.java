package dev.latentr3.bench.report;

import dev.latentr3.bench.GemmShape;
import dev.latentr3.bench.RowBenchData;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RateUnitTest {

    @Test
    void gemmThroughputBecomesGflopsFromTheShape() {
        GemmShape s = GemmShape.parse("256x256x256");
        // 2 * 256^3 = 33,554,432 flops per call; 1000 calls per second = 33.554432 GFLOP/s.
        double seconds = RateUnit.secondsPerCall(1000, "ops/s");
        assertEquals(1e-3, seconds, 1e-15);
        assertEquals(33.554432, RateUnit.GFLOP_S.rate(s.flops(), seconds), 1e-9);
        // The same rate expressed per millisecond.
        assertEquals(33.554432, RateUnit.GFLOP_S.rate(s.flops(), RateUnit.secondsPerCall(1, "ops/ms")), 1e-9);
    }

    @Test
    void averageTimeBecomesGigabytesPerSecond() {
        // RMSNorm 256 x 896 moves 4 * (2*256*896 + 896 + 256) = 1,839,616 bytes; in 10 us that is 183.9616 GB/s.
        long bytes = RowBenchData.rmsNormBytes(256, 896);
        assertEquals(1_839_616L, bytes);
        assertEquals(183.9616, RateUnit.GB_S.rate(bytes, RateUnit.secondsPerCall(10, "us/op")), 1e-9);
        assertEquals(183.9616, RateUnit.GB_S.rate(bytes, RateUnit.secondsPerCall(0.01, "ms/op")), 1e-9);
        assertEquals(183.9616, RateUnit.GB_S.rate(bytes, RateUnit.secondsPerCall(10_000, "ns/op")), 1e-9);
    }

    @Test
    void tokenizerBytesBecomeMegabytesPerSecond() {
        assertEquals(2.0, RateUnit.MB_S.rate(1e6, RateUnit.secondsPerCall(0.5, "s/op")), 1e-12);
    }

    @Test
    void unknownUnitsAreRejectedByName() {
        var e = assertThrows(IllegalArgumentException.class, () -> RateUnit.secondsPerCall(1, "ops/min"));
        assertEquals("JMH score unit 'ops/min': unknown time unit 'min'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RateUnit.secondsPerCall(1, "GFLOP/s"));
        assertThrows(IllegalArgumentException.class, () -> RateUnit.GB_S.rate(1, 0));
    }
}
