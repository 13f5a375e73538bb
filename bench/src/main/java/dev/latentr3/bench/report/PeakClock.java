package dev.latentr3.bench.report;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleSupplier;

/**
 * The clock the fp32 peak is computed with, and where it came from. In order: {@code --ghz}; the highest
 * {@code cpuinfo_max_freq} in sysfs (the maximum boost clock, "nominal"); else a clock measured by
 * {@link FmaThroughput} ("measured"). /proc/cpuinfo's "cpu MHz" is not used: it is the clock at the moment it was
 * read, and virtual machines report the base clock there, below what the cores run at (a GEMM then measures above
 * the "peak").
 *
 * @param measured true when the clock was measured rather than read
 */
public record PeakClock(double ghz, String source, boolean measured) {

    /**
     * @param override        --ghz, or null
     * @param maxFreqKhz      every cpuinfo_max_freq value found (kHz), empty when the OS exposes none
     * @param measuredGhz     measures the effective clock; called only when neither of the above gives one
     * @param measureDescription how the measurement is done, for the report
     */
    static PeakClock choose(Double override, List<Long> maxFreqKhz, DoubleSupplier measuredGhz, String measureDescription) {
        if (override != null) {
            if (!(override > 0)) throw new IllegalArgumentException("--ghz must be > 0, got " + override);
            return new PeakClock(override, "--ghz", false);
        }
        long best = 0;
        for (long khz : maxFreqKhz) best = Math.max(best, khz);
        if (best > 0) {
            return new PeakClock(best / 1e6, "max boost clock, /sys/devices/system/cpu/cpu*/cpufreq/cpuinfo_max_freq", false);
        }
        double ghz = measuredGhz.getAsDouble();
        if (!(ghz > 0)) return new PeakClock(0, "unknown (no cpuinfo_max_freq, measurement failed): pass --ghz", false);
        return new PeakClock(ghz, String.format(Locale.ROOT, "effective clock measured: %s", measureDescription), true);
    }

    /** Every readable {@code /sys/devices/system/cpu/cpu*}{@code /cpufreq/cpuinfo_max_freq}, in kHz. */
    static List<Long> sysfsMaxFreqKhz(Path cpuDir) {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(cpuDir)) return out;
        try (DirectoryStream<Path> cpus = Files.newDirectoryStream(cpuDir, "cpu[0-9]*")) {
            for (Path cpu : cpus) {
                Path f = cpu.resolve("cpufreq").resolve("cpuinfo_max_freq");
                if (!Files.isRegularFile(f)) continue;
                try {
                    out.add(Long.parseLong(Files.readString(f).trim()));
                } catch (IOException | NumberFormatException e) {
                    // unreadable or odd: this CPU says nothing about the clock
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }
}
