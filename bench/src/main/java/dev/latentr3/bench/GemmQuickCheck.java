package dev.latentr3.bench;

import dev.latentr3.kernels.Parallel;
import dev.latentr3.kernels.Segments;
import dev.latentr3.kernels.cpu.FastGemm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * A quick side-by-side of FastGemm and OpenBLAS on one shape, outside JMH (for iterating on the kernel):
 * {@code GemmQuickCheck [m n k [transA transB [reps]]]}, default 1024^3 no transposes. Prints the best and median
 * GFLOP/s of each, their ratio, and the largest difference between the two results.
 */
public final class GemmQuickCheck {
    private GemmQuickCheck() {}

    public static void main(String[] args) {
        int m = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int n = args.length > 1 ? Integer.parseInt(args[1]) : m;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : m;
        boolean ta = args.length > 3 && Boolean.parseBoolean(args[3]);
        boolean tb = args.length > 4 && Boolean.parseBoolean(args[4]);
        int reps = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        double flops = 2.0 * m * n * k;
        if (reps == 0) reps = (int) Math.max(5, Math.min(200, 2e11 / flops));
        int lda = ta ? m : k, ldb = tb ? k : n;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = random(arena, (long) m * k, 1), b = random(arena, (long) k * n, 2);
            MemorySegment c1 = arena.allocate((long) m * n * Float.BYTES, 64);
            MemorySegment c2 = arena.allocate((long) m * n * Float.BYTES, 64);
            FastGemm ours = new FastGemm();
            System.out.printf("shape %d x %d x %d transA=%b transB=%b, %d threads, %d reps%n", m, n, k, ta, tb,
                    Parallel.threads(), reps);
            Runnable runOurs = () -> ours.sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c1, n);
            if (!OpenBlas.available()) {
                double[] o = time(new Runnable[] {runOurs}, reps, flops)[0];
                System.out.printf("FastGemm  best %7.1f  median %7.1f GFLOP/s%n", o[0], o[1]);
                System.out.println("OpenBLAS: cannot run the reference: " + OpenBlas.problem());
                return;
            }
            OpenBlas.setThreads(Parallel.threads());
            Runnable runBlas = () -> OpenBlas.sgemm(ta, tb, m, n, k, 1f, a, lda, b, ldb, 0f, c2, n);
            double[][] t = time(new Runnable[] {runOurs, runBlas}, reps, flops);
            System.out.printf("FastGemm  best %7.1f  median %7.1f GFLOP/s%n", t[0][0], t[0][1]);
            System.out.printf("OpenBLAS  best %7.1f  median %7.1f GFLOP/s%n", t[1][0], t[1][1]);
            System.out.printf("ratio (best) %.2f  (median) %.2f%n", t[0][0] / t[1][0], t[0][1] / t[1][1]);
            double worst = 0;
            for (long i = 0; i < (long) m * n; i++) {
                worst = Math.max(worst, Math.abs(Segments.getFloat(c1, i) - Segments.getFloat(c2, i)));
            }
            System.out.printf("max |ours - openblas| = %.3g%n", worst);
        }
    }

    /**
     * Best and median GFLOP/s of each runner over reps timed calls, after as many untimed warm-up calls. The runners
     * alternate call by call, so that both see the same background load on a shared machine.
     */
    private static double[][] time(Runnable[] runners, int reps, double flops) {
        for (int i = 0; i < reps; i++) {
            for (Runnable r : runners) r.run();
        }
        double[][] rates = new double[runners.length][reps];
        for (int i = 0; i < reps; i++) {
            for (int j = 0; j < runners.length; j++) {
                long t0 = System.nanoTime();
                runners[j].run();
                rates[j][i] = flops / (System.nanoTime() - t0);
            }
        }
        double[][] out = new double[runners.length][];
        for (int j = 0; j < runners.length; j++) {
            java.util.Arrays.sort(rates[j]);
            out[j] = new double[] {rates[j][reps - 1], rates[j][reps / 2]};
        }
        return out;
    }

    private static MemorySegment random(Arena arena, long n, long seed) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) Segments.setFloat(s, i, (float) (r.nextDouble() * 2 - 1));
        return s;
    }
}
