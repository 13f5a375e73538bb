package dev.latentr3.bench.report;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.CyclicBarrier;

/**
 * Measures the clock a core runs full-width fp32 FMAs at, for machines whose OS does not expose the boost clock
 * (virtual machines often report only the base clock in /proc/cpuinfo, and no cpufreq in sysfs).
 *
 * <p>One thread per core runs twelve independent FMA chains on {@link FloatVector#SPECIES_PREFERRED} vectors (more
 * chains than FMA latency x FMA pipes on any current x86 core, so the loop is throughput-bound, not latency-bound).
 * Each thread divides its flops by its own <em>CPU time</em>, not wall time: on a shared machine a thread that is
 * descheduled for a while does not count that time, so what comes out is the rate of a core while it runs our code,
 * which is what a peak is. The effective clock is that rate over (FMA units x lanes x 2).
 */
public final class FmaThroughput {
    private FmaThroughput() {}

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int CHAINS = 12;

    /** fp32 flops per loop iteration of {@link #chains}: 12 vector FMAs of 2 flops per lane. */
    static long flopsPerIteration() {
        return 2L * CHAINS * SPECIES.length();
    }

    /**
     * The best per-core fp32 GFLOP/s seen over {@code reps} rounds of {@code threads} concurrent threads, each
     * running about {@code seconds} of CPU time (after a warm-up that lets C2 compile the loop).
     */
    public static double perCoreGflops(int threads, int reps, double seconds) {
        for (int i = 0; i < 50; i++) sink(chains(20_000)); // compile before timing
        // Calibrate the iteration count on this thread: about `seconds` of CPU time per round.
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long probe = 2_000_000, c0 = mx.getCurrentThreadCpuTime();
        sink(chains(probe));
        double probeSeconds = Math.max(1e-4, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
        long iterations = Math.max(probe, (long) (probe * seconds / probeSeconds));
        double best = 0;
        for (int r = 0; r < reps; r++) {
            double[] rates = new double[threads];
            CyclicBarrier start = new CyclicBarrier(threads);
            Thread[] ts = new Thread[threads];
            for (int t = 0; t < threads; t++) {
                int index = t;
                ts[t] = Thread.ofPlatform().name("fma-throughput-" + t).start(() -> {
                    try {
                        start.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    long cpu0 = mx.getCurrentThreadCpuTime();
                    sink(chains(iterations));
                    double cpuSeconds = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
                    rates[index] = iterations * (double) flopsPerIteration() / cpuSeconds / 1e9;
                });
            }
            for (Thread t : ts) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("FMA throughput measurement interrupted", e);
                }
            }
            // The slowest thread of the round: every core must sustain the rate for it to count as the peak.
            double slowest = Double.MAX_VALUE;
            for (double x : rates) slowest = Math.min(slowest, x);
            best = Math.max(best, slowest);
        }
        return best;
    }

    private static volatile float blackhole;

    private static void sink(float v) {
        blackhole = v;
    }

    /** a_i = a_i * b + c on twelve independent vectors; b < 1 keeps the values finite and normal. */
    static float chains(long iterations) {
        FloatVector b = FloatVector.broadcast(SPECIES, 0.9999999f), c = FloatVector.broadcast(SPECIES, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(SPECIES, 1f), a1 = a0.add(1f), a2 = a0.add(2f), a3 = a0.add(3f);
        FloatVector a4 = a0.add(4f), a5 = a0.add(5f), a6 = a0.add(6f), a7 = a0.add(7f);
        FloatVector a8 = a0.add(8f), a9 = a0.add(9f), a10 = a0.add(10f), a11 = a0.add(11f);
        for (long i = 0; i < iterations; i++) {
            a0 = a0.fma(b, c);
            a1 = a1.fma(b, c);
            a2 = a2.fma(b, c);
            a3 = a3.fma(b, c);
            a4 = a4.fma(b, c);
            a5 = a5.fma(b, c);
            a6 = a6.fma(b, c);
            a7 = a7.fma(b, c);
            a8 = a8.fma(b, c);
            a9 = a9.fma(b, c);
            a10 = a10.fma(b, c);
            a11 = a11.fma(b, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
