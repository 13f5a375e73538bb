package dev.latentr3.bench.report;

/**
 * How long each benchmark runs. {@code warmupTime}/{@code measureTime} are JMH durations ("300ms"), or null to keep
 * each benchmark's own iteration time.
 */
public record RunMode(String name, int forks, int warmups, int iterations, String warmupTime, String measureTime) {

    /** Figures worth reporting: >= 5 warm-ups, >= 3 forks, each benchmark's own iteration time. */
    public static final RunMode REPORTED = new RunMode("reported", 3, 5, 5, null, null);
    /**
     * Figures worth reporting for the device rows (the CUDA benchmarks and their PyTorch references): >= 3 forks and
     * >= 5 warm-ups as in {@link #REPORTED}, with iterations of 100 ms. Short iterations suffice there because a device
     * row is timed per call by CUDA events (the L2 flush and the host's synchronisation are outside the figure), and a
     * 100 ms iteration still holds tens (the 4096 x 151936 GEMM) to thousands (the row kernels) of calls; they let all
     * the kernel rows meet the issue's >= 5 warm-ups and >= 3 forks within a 15-minute device lease.
     */
    public static final RunMode DEVICE = new RunMode("device", 3, 5, 5, "100ms", "100ms");
    /**
     * {@link #DEVICE} with one fork: what fits all the GPU rows, kernels and training steps, into one short device
     * lease. It keeps the >= 5 warm-ups and the 100 ms iterations but not the >= 3 forks, so fork-to-fork spread (JIT,
     * allocator and clock state of a fresh process) is not sampled; the report says so above its tables.
     */
    public static final RunMode DEVICE_ONE_FORK = new RunMode("device, one fork", 1, 5, 5, "100ms", "100ms");
    /** A smoke run: checks that everything runs and the report is written; its numbers are not for comparison. */
    public static final RunMode QUICK = new RunMode("quick", 1, 2, 3, "300ms", "300ms");

    /** The same settings as JMH command-line flags. */
    public String jmhFlags() {
        return "-f " + forks + " -wi " + warmups + " -i " + iterations
                + (warmupTime == null ? "" : " -w " + warmupTime) + (measureTime == null ? "" : " -r " + measureTime);
    }
}
