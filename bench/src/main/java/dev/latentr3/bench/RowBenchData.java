package dev.latentr3.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Random inputs for the row-kernel benchmarks, filled once per trial (off-heap, shared so all threads may read). */
public final class RowBenchData {
    private RowBenchData() {}

    static MemorySegment floats(Arena arena, long n, long seed, float lo, float hi) {
        MemorySegment s = arena.allocate(n * Float.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (lo + (hi - lo) * r.nextDouble()));
        return s;
    }

    static MemorySegment ints(Arena arena, long n, long seed, int bound) {
        MemorySegment s = arena.allocate(n * Integer.BYTES, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_INT, i, r.nextInt(bound));
        return s;
    }

    /** Bytes an RMSNorm forward must move: read x and weight, write y and rstd. */
    public static long rmsNormBytes(int rows, int dim) {
        return Float.BYTES * (2L * rows * dim + dim + rows);
    }

    /** Bytes a log-prob gather forward must move: read the logits once (targets, logp, lse are negligible). */
    public static long logProbForwardBytes(int rows, int vocab) {
        return (long) Float.BYTES * rows * vocab;
    }

    /** Bytes a log-prob gather backward must move: read the logits, write dLogits. */
    public static long logProbBackwardBytes(int rows, int vocab) {
        return 2L * Float.BYTES * rows * vocab;
    }

    /** Bytes a SwiGLU forward over n elements must move: read gate and up, write out. */
    public static long swigluForwardBytes(long n) {
        return 3L * Float.BYTES * n;
    }

    /** Bytes a SwiGLU backward over n elements must move: read gate, up and dOut, write dGate and dUp. */
    public static long swigluBackwardBytes(long n) {
        return 5L * Float.BYTES * n;
    }

    /** Bytes a RoPE over [tokens, heads, headDim] must move: read x and the int32 positions, write y. */
    public static long ropeBytes(int tokens, int heads, int headDim) {
        return 2L * Float.BYTES * tokens * heads * headDim + (long) Integer.BYTES * tokens;
    }

    /** Bytes a device copy of {@code bytes} bytes moves: each is read and written. */
    public static long copyBytesMoved(long bytes) {
        return 2 * bytes;
    }

    /**
     * The copy that moves as many bytes as a kernel that must move {@code moved}: half of them, rounded up to whole
     * floats (CudaCopyBenchmark copies floats), so at most 6 bytes more than the kernel's.
     */
    public static long copyBytesFor(long moved) {
        long half = (moved + 1) / 2;
        return (half + Float.BYTES - 1) / Float.BYTES * Float.BYTES;
    }
}
