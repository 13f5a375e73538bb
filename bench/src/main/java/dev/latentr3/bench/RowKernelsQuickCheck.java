package dev.latentr3.bench;

import dev.latentr3.kernels.Parallel;
import dev.latentr3.kernels.RowKernels;
import dev.latentr3.kernels.cpu.FastRows;
import dev.latentr3.kernels.cpu.ReferenceRows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A quick, JMH-free look at the row kernels' bandwidth: best-of-N wall time per op and GB/s from the bytes each op
 * must move (see {@link RowBenchData}). Noisy on a shared machine; use JMH (RmsNormBenchmark,
 * LogProbGatherBenchmark) for numbers to quote.
 *
 * <p>Run: java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar
 * dev.latentr3.bench.RowKernelsQuickCheck
 */
public final class RowKernelsQuickCheck {
    private RowKernelsQuickCheck() {}

    private interface Op {
        void run();
    }

    public static void main(String[] args) {
        int rows = 256, vocab = 151936;
        RowKernels[] impls = {new FastRows(), new ReferenceRows()};
        System.out.printf("threads=%d%n", Parallel.threads());
        try (Arena arena = Arena.ofShared()) {
            for (int dim : new int[]{896, 1536}) {
                MemorySegment x = RowBenchData.floats(arena, (long) rows * dim, 1, -2, 2);
                MemorySegment w = RowBenchData.floats(arena, dim, 2, 0.5f, 1.5f);
                MemorySegment y = arena.allocate((long) rows * dim * Float.BYTES, 64);
                MemorySegment rstd = arena.allocate((long) rows * Float.BYTES, 64);
                for (RowKernels k : impls) {
                    report("rmsNorm fwd rows=" + rows + " dim=" + dim, k, RowBenchData.rmsNormBytes(rows, dim), 200,
                            () -> k.rmsNorm(rows, dim, x, w, 1e-6f, y, rstd));
                }
            }
            MemorySegment logits = RowBenchData.floats(arena, (long) rows * vocab, 3, -8, 8);
            MemorySegment targets = RowBenchData.ints(arena, rows, 4, vocab);
            MemorySegment logp = arena.allocate((long) rows * Float.BYTES, 64);
            MemorySegment lse = arena.allocate((long) rows * Float.BYTES, 64);
            MemorySegment dLogp = RowBenchData.floats(arena, rows, 5, -1, 1);
            MemorySegment dLogits = arena.allocate((long) rows * vocab * Float.BYTES, 64);
            for (RowKernels k : impls) {
                int reps = k instanceof FastRows ? 20 : 3;
                report("logProbGather fwd rows=" + rows + " vocab=" + vocab, k,
                        RowBenchData.logProbForwardBytes(rows, vocab), reps,
                        () -> k.logProbGather(rows, vocab, logits, targets, -100, logp, lse));
                report("logProbGather bwd rows=" + rows + " vocab=" + vocab, k,
                        RowBenchData.logProbBackwardBytes(rows, vocab), reps,
                        () -> k.logProbGatherBackward(rows, vocab, logits, targets, -100, lse, dLogp, dLogits));
            }
        }
    }

    private static void report(String what, RowKernels k, long bytes, int reps, Op op) {
        for (int i = 0; i < Math.max(2, reps / 4); i++) op.run(); // warm-up (JIT)
        long best = Long.MAX_VALUE;
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            op.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        System.out.printf("%-45s %-14s %10.3f ms  %7.2f GB/s%n", what, k.getClass().getSimpleName(), best / 1e6,
                bytes / (double) best);
    }
}
