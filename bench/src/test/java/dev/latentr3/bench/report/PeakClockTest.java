package dev.latentr3.bench.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PeakClockTest {

    @Test
    void ghzFlagWinsAndNothingIsMeasured() {
        AtomicInteger calls = new AtomicInteger();
        PeakClock c = PeakClock.choose(3.1, List.of(3_700_000L), () -> calls.incrementAndGet(), "probe");
        assertEquals(3.1, c.ghz(), 1e-12);
        assertEquals("--ghz", c.source());
        assertFalse(c.measured());
        assertEquals(0, calls.get());
        assertThrows(IllegalArgumentException.class, () -> PeakClock.choose(0.0, List.of(), () -> 1, "probe"));
    }

    @Test
    void theHighestSysfsMaxFrequencyIsTheNominalClock() {
        AtomicInteger calls = new AtomicInteger();
        PeakClock c = PeakClock.choose(null, List.of(2_450_000L, 3_700_000L, 3_500_000L), () -> calls.incrementAndGet(), "probe");
        assertEquals(3.7, c.ghz(), 1e-12);
        assertTrue(c.source().contains("cpuinfo_max_freq"), c.source());
        assertFalse(c.measured());
        assertEquals(0, calls.get(), "no measurement when the OS exposes the clock");
    }

    @Test
    void withoutSysfsTheClockIsMeasuredAndSaysSo() {
        PeakClock c = PeakClock.choose(null, List.of(), () -> 3.55, "2 threads of FMA chains");
        assertEquals(3.55, c.ghz(), 1e-12);
        assertTrue(c.measured());
        assertTrue(c.source().contains("measured: 2 threads of FMA chains"), c.source());
        PeakClock failed = PeakClock.choose(null, List.of(0L), () -> Double.NaN, "probe");
        assertEquals(0, failed.ghz());
        assertTrue(failed.source().contains("pass --ghz"), failed.source());
    }

    @Test
    void machineNamesThePeakKindInItsFormula() {
        Machine nominal = new Machine("AMD EPYC", 2, 3.7, "sysfs", false, 16, 1, "assumed", 2, "jdk", "os", "abc");
        Machine measured = new Machine("AMD EPYC", 2, 3.5, "measured", true, 16, 1, "assumed", 2, "jdk", "os", "abc");
        // Zen 4: 1 x 16 lanes x 2 = 32 flop/cycle/core.
        assertEquals(2 * 32 * 3.7, nominal.peakGflops(), 1e-9);
        assertTrue(nominal.peakFormula().startsWith("peak (nominal): "), nominal.peakFormula());
        assertTrue(measured.peakFormula().startsWith("peak (measured): "), measured.peakFormula());
    }

    @Test
    void readsEveryCpusMaxFrequencyAndSkipsOddFiles(@TempDir Path dir) throws IOException {
        write(dir.resolve("cpu0/cpufreq/cpuinfo_max_freq"), "3700000\n");
        write(dir.resolve("cpu1/cpufreq/cpuinfo_max_freq"), "3500000");
        write(dir.resolve("cpu2/cpufreq/cpuinfo_max_freq"), "n/a");
        Files.createDirectories(dir.resolve("cpu3"));
        Files.createDirectories(dir.resolve("cpufreq"));
        List<Long> khz = PeakClock.sysfsMaxFreqKhz(dir);
        assertEquals(List.of(3_500_000L, 3_700_000L), khz.stream().sorted().toList());
        assertEquals(List.of(), PeakClock.sysfsMaxFreqKhz(dir.resolve("absent")));
    }

    @Test
    void fmaProbeMeasuresAPositiveFiniteRate() {
        double gflops = FmaThroughput.perCoreGflops(1, 1, 0.02);
        assertTrue(gflops > 0 && Double.isFinite(gflops), "per-core GFLOP/s " + gflops);
    }

    private static void write(Path p, String s) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, s);
    }
}
