package dev.latentr3.bench.report;

import dev.latentr3.kernels.Parallel;
import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The facts a report is only meaningful with: CPU, physical core count, clock, SIMD width, the fp32 peak computed
 * from them, kernel threads, JDK, OS and commit. The peak assumes {@code fmaUnits} full-width FMAs per core and cycle
 * (see {@link #assumedFmaUnits}; {@code --fma-units} overrides) and that every core runs at the clock
 * {@link PeakClock} chose: read (nominal) or measured.
 */
public record Machine(String cpuModel, int cores, double ghz, String ghzSource, boolean clockMeasured, int lanes,
                      int fmaUnits, String fmaSource, int threads, String jdk, String os, String commit) {

    /** Peak fp32 GFLOP/s: cores x FMA units x lanes x 2 flops per FMA x GHz. */
    public double peakGflops() {
        return peakGflops(cores, fmaUnits, lanes, ghz);
    }

    public static double peakGflops(int cores, int fmaUnits, int lanes, double ghz) {
        return cores * (double) fmaUnits * lanes * 2 * ghz;
    }

    /** "peak (measured)" or "peak (nominal)". */
    public String peakKind() {
        return clockMeasured ? "peak (measured)" : "peak (nominal)";
    }

    /** How the peak was computed, with each factor's source. */
    public String peakFormula() {
        return String.format(Locale.ROOT,
                "%s: %d cores x %d FMA units (%s) x %d fp32 lanes (FloatVector.SPECIES_PREFERRED) x 2 flop/FMA x %.2f GHz (%s) = %.1f GFLOP/s",
                peakKind(), cores, fmaUnits, fmaSource, lanes, ghz, ghzSource, peakGflops());
    }

    public String slug() {
        return slug(cpuModel, cores);
    }

    /**
     * A short file-name-safe name: the CPU model without trademarks, "CPU", "Processor", core counts and clock,
     * at most four words, then the core count, e.g. "AMD EPYC 7B13 64-Core Processor" on 2 CPUs is amd-epyc-7b13-2c.
     */
    public static String slug(String cpuModel, int cpus) {
        String s = cpuModel.toLowerCase(Locale.ROOT)
                .replaceAll("\\((r|tm)\\)", " ")
                .replaceAll("@.*$", " ")
                .replaceAll("\\b\\d+-core\\b", " ")
                .replaceAll("\\b(cpu|processor|with|radeon graphics)\\b", " ")
                .replaceAll("[^a-z0-9]+", " ")
                .trim();
        String[] words = s.isEmpty() ? new String[] {"unknown-cpu"} : s.split(" ");
        String name = String.join("-", java.util.Arrays.copyOf(words, Math.min(4, words.length)));
        return name + "-" + cpus + "c";
    }

    /**
     * Full-width FMAs per core and cycle: 2 (two FMA pipes, as on current x86 server cores), except on AMD Zen 4
     * (family 25 with AVX-512), which runs a 512-bit FMA on both of its 256-bit pipes, so one per cycle at 16 lanes.
     */
    static int assumedFmaUnits(String vendor, String family, int lanes) {
        return "AuthenticAMD".equals(vendor) && "25".equals(family) && lanes == 16 ? 1 : 2;
    }

    /** Physical cores: the CPUs this JVM may use, divided by the hardware threads per core ("siblings" / "cpu cores"). */
    static int physicalCores(int cpus, List<String> cpuinfo) {
        String siblings = field(cpuinfo, "siblings"), cores = field(cpuinfo, "cpu cores");
        if (siblings == null || cores == null) return cpus;
        int smt = Math.max(1, Integer.parseInt(siblings) / Math.max(1, Integer.parseInt(cores)));
        return Math.max(1, cpus / smt);
    }

    /**
     * Detects this machine; the overrides (null when not given) replace what detection would say. Without --ghz and
     * without a cpufreq max clock in sysfs, this runs {@link FmaThroughput} for about a second.
     */
    public static Machine detect(Integer coresOverride, Double ghzOverride, Integer fmaOverride) {
        List<String> cpuinfo = readLines(Path.of("/proc/cpuinfo"));
        String model = field(cpuinfo, "model name");
        if (model == null) model = System.getProperty("os.arch");
        int cores = coresOverride != null ? coresOverride : physicalCores(Runtime.getRuntime().availableProcessors(), cpuinfo);
        int lanes = FloatVector.SPECIES_PREFERRED.length();
        int fma = fmaOverride != null ? fmaOverride
                : assumedFmaUnits(field(cpuinfo, "vendor_id"), field(cpuinfo, "cpu family"), lanes);
        String fmaSource = fmaOverride != null ? "--fma-units"
                : fma == 1 ? "assumed: AMD Zen 4 does one 512-bit FMA per cycle on its two 256-bit pipes; --fma-units N"
                : "assumed: two FMA pipes per core; --fma-units N";
        double cpuinfoMhz = maxMhz(cpuinfo);
        int threadsForProbe = cores;
        PeakClock clock = PeakClock.choose(ghzOverride, PeakClock.sysfsMaxFreqKhz(Path.of("/sys/devices/system/cpu")),
                () -> FmaThroughput.perCoreGflops(threadsForProbe, 5, 0.15) / (fma * lanes * 2.0),
                String.format(Locale.ROOT, "%d threads of 12 independent %d-lane FMA chains, best of 5 rounds, flops over "
                        + "each thread's CPU time, divided by %d FMA units x %d lanes x 2; /proc/cpuinfo says %.0f MHz",
                        cores, lanes, fma, lanes, cpuinfoMhz));
        return new Machine(model.trim(), cores, clock.ghz(), clock.source(), clock.measured(), lanes, fma, fmaSource,
                Parallel.threads(), System.getProperty("java.vm.vendor") + " " + Runtime.version(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                gitCommit());
    }

    static String field(List<String> cpuinfo, String name) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) return line.substring(colon + 1).trim();
        }
        return null;
    }

    /** The highest "cpu MHz" over the listed CPUs (the clock when read; for the record, not for the peak), 0 if none. */
    static double maxMhz(List<String> cpuinfo) {
        double best = 0;
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("cpu MHz")) {
                best = Math.max(best, Double.parseDouble(line.substring(colon + 1).trim()));
            }
        }
        return best;
    }

    private static List<String> readLines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * {@code -Dlatentr3.commit} when set (the GPU bundle passes the commit it was built from: the folder it runs in may
     * be another checkout, or none); else {@code git rev-parse --short HEAD}, with "+uncommitted" when the tree differs
     * from it; "unknown" without git.
     */
    static String gitCommit() {
        String given = System.getProperty("latentr3.commit");
        if (given != null && !given.isBlank()) return given.trim();
        String head = git("rev-parse", "--short", "HEAD");
        if (head == null || head.isBlank()) return "unknown";
        String status = git("status", "--porcelain", "--untracked-files=no");
        return head.trim() + (status != null && !status.isBlank() ? "+uncommitted" : "");
    }

    private static String git(String... args) {
        try {
            String[] cmd = new String[args.length + 1];
            cmd[0] = "git";
            System.arraycopy(args, 0, cmd, 1, args.length);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) return null;
            return out;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
