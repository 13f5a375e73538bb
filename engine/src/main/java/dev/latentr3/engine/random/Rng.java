package dev.latentr3.engine.random;

import dev.latentr3.engine.DType;
import dev.latentr3.engine.Device;
import dev.latentr3.engine.Tensor;
import dev.latentr3.engine.memory.Transfers;
import dev.latentr3.kernels.Parallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.random.RandomGenerator;

/**
 * A seeded stream of random numbers built on the counter-based {@link Philox} generator: a 64-bit key (from the seed)
 * and a 64-bit block counter. Every draw consumes whole Philox blocks of four 32-bit words, so the state is just
 * (key, counter), and the numbers are the same on any number of threads: element i of a tensor fill always comes
 * from block {@code counter + i / 4}, word {@code i % 4}, whichever thread computes it.
 *
 * <ul>
 *   <li>{@link #fork(String)} gives an independent named stream whose key is derived from this stream's key and the
 *   name only; the same name gives the same stream however much the parent has drawn (so model init does not
 *   depend on what else was drawn first), and different names give unrelated streams.</li>
 *   <li>{@link #state()} and {@link #restore(State)} capture and resume a stream exactly, for checkpoints.</li>
 * </ul>
 * As a {@link RandomGenerator} it plugs into code written against the JDK's interface (token samplers, shuffles).
 * Not thread-safe: one stream per owner; fork one per thread or per purpose.
 */
public final class Rng implements RandomGenerator {

    /** The whole state of a stream: its key and the index of the next unused block. */
    public record State(long key, long counter) {}

    private static final double TWO_POW_MINUS_32 = 0x1.0p-32;
    private static final double TWO_POW_MINUS_53 = 0x1.0p-53;
    private static final float TWO_POW_MINUS_24 = 0x1.0p-24f;
    private static final int FORK_TAG = 0x6B726F66; // "fork": keeps fork derivations apart from ordinary draws

    private final int k0, k1;
    private long counter;

    private Rng(int k0, int k1, long counter) {
        this.k0 = k0;
        this.k1 = k1;
        this.counter = counter;
    }

    public static Rng seeded(long seed) {
        return new Rng((int) seed, (int) (seed >>> 32), 0);
    }

    public static Rng restore(State state) {
        return new Rng((int) state.key(), (int) (state.key() >>> 32), state.counter());
    }

    public State state() {
        return new State((k0 & 0xFFFFFFFFL) | ((long) k1 << 32), counter);
    }

    /** An independent stream named {@code name}; does not advance this one. */
    public Rng fork(String name) {
        long h = fnv1a64(name.getBytes(StandardCharsets.UTF_8));
        int[] w = new int[4];
        Philox.block((int) h, (int) (h >>> 32), FORK_TAG, 0, k0, k1, w);
        return new Rng(w[0], w[1], 0);
    }

    // ---------------------------------------------------------------- scalars (one block per draw)

    /** A uniformly distributed 64-bit long (words 0 and 1 of one block). */
    @Override
    public long nextLong() {
        int[] w = nextBlock();
        return ((long) w[1] << 32) | (w[0] & 0xFFFFFFFFL);
    }

    /** A uniformly distributed 32-bit int. */
    @Override
    public int nextInt() {
        return nextBlock()[0];
    }

    /** Uniform in [0, bound), without modulo bias (Lemire's multiply-and-reject). */
    @Override
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("Rng.nextInt: bound must be positive, got " + bound);
        long threshold = (0x1_0000_0000L - bound) % bound;
        while (true) {
            long m = (nextInt() & 0xFFFFFFFFL) * bound;
            if ((m & 0xFFFFFFFFL) >= threshold) return (int) (m >>> 32);
        }
    }

    /** Uniform in [0, 1) with 53 random bits. */
    @Override
    public double nextDouble() {
        int[] w = nextBlock();
        long bits = ((long) (w[0] >>> 5) << 26) | (w[1] >>> 6);
        return bits * TWO_POW_MINUS_53;
    }

    /** A standard normal sample (Box-Muller). */
    @Override
    public double nextGaussian() {
        int[] w = nextBlock();
        return boxMullerRadius(w[0]) * Math.cos(2 * Math.PI * unitOpen(w[1]));
    }

    private int[] nextBlock() {
        int[] w = new int[4];
        long c = counter++;
        Philox.block((int) c, (int) (c >>> 32), 0, 0, k0, k1, w);
        return w;
    }

    // ---------------------------------------------------------------- tensor fills (in place)

    /** Fills t with independent uniform values in [lo, hi); returns t. */
    public Tensor uniform(Tensor t, float lo, float hi) {
        if (!(hi > lo)) throw new IllegalArgumentException("Rng.uniform: need lo < hi, got [" + lo + ", " + hi + ")");
        check("uniform", t);
        float width = hi - lo;
        float below = Math.nextDown(hi);
        onHost(t, d -> fillBlocks(t.numel(), (w, first, count) -> {
            for (int j = 0; j < count; j++) {
                float u = (w[j] >>> 8) * TWO_POW_MINUS_24; // 24 bits: every value exactly representable, < 1
                d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, first + j, Math.min(lo + width * u, below));
            }
        }));
        return t;
    }

    /**
     * Fills t with independent normal values N(mean, std^2); returns t. Each block of four words gives four samples:
     * Box-Muller on words (0, 1) and on words (2, 3), both the cosine and the sine branch.
     */
    public Tensor normal(Tensor t, float mean, float std) {
        if (!(std >= 0)) throw new IllegalArgumentException("Rng.normal: std must be >= 0, got " + std);
        check("normal", t);
        onHost(t, d -> fillBlocks(t.numel(), (w, first, count) -> {
            double r0 = boxMullerRadius(w[0]), a0 = 2 * Math.PI * unitOpen(w[1]);
            double r1 = boxMullerRadius(w[2]), a1 = 2 * Math.PI * unitOpen(w[3]);
            double[] z = {r0 * Math.cos(a0), r0 * Math.sin(a0), r1 * Math.cos(a1), r1 * Math.sin(a1)};
            for (int j = 0; j < count; j++) {
                d.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, first + j, (float) (mean + std * z[j]));
            }
        }));
        return t;
    }

    /** sqrt(-2 ln u) for u in (0, 1]: the word is offset by one so that the log stays finite. */
    private static double boxMullerRadius(int word) {
        double u = ((word & 0xFFFFFFFFL) + 1) * TWO_POW_MINUS_32;
        return Math.sqrt(-2 * Math.log(u));
    }

    private static double unitOpen(int word) {
        return (word & 0xFFFFFFFFL) * TWO_POW_MINUS_32;
    }

    @FunctionalInterface
    private interface BlockWriter {
        /** Writes elements first .. first + count - 1 (count <= 4) from one block's words. */
        void write(int[] words, long first, int count);
    }

    /** Runs the writer over ceil(n / 4) consecutive blocks, in parallel, and advances the counter past them. */
    private void fillBlocks(long n, BlockWriter writer) {
        long blocks = (n + 3) / 4;
        if (blocks > Integer.MAX_VALUE) throw new IllegalArgumentException("Rng: " + n + " elements is more than one fill supports");
        long base = counter;
        counter += blocks;
        Parallel.forRange((int) blocks, 64, (from, to) -> {
            int[] w = new int[4];
            for (int b = from; b < to; b++) {
                long c = base + b;
                Philox.block((int) c, (int) (c >>> 32), 0, 0, k0, k1, w);
                long first = 4L * b;
                writer.write(w, first, (int) Math.min(4, n - first));
            }
        });
    }

    private static void check(String op, Tensor t) {
        t.checkAlive("Rng." + op);
        if (t.dtype() != DType.F32 || !t.isContiguous()) {
            throw new IllegalArgumentException("Rng." + op + ": expected a contiguous F32 tensor, got "
                    + t.describe() + (t.isContiguous() ? "" : " (not contiguous)") + " on " + t.device());
        }
    }

    /**
     * Runs {@code fill} on t's memory when it is host memory; a device tensor is filled on the host and copied over
     * (the numbers are then identical to a CPU run's, which is what makes CPU and device runs comparable; fills are
     * for initialisation, not per step).
     */
    private static void onHost(Tensor t, java.util.function.Consumer<MemorySegment> fill) {
        if (t.device().isCpu()) {
            fill.accept(t.data());
            return;
        }
        long bytes = t.numel() * Float.BYTES;
        try (Arena staging = Arena.ofShared()) { // shared: the fill runs on the kernel thread pool
            MemorySegment host = staging.allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
            fill.accept(host);
            Transfers.copy(host, Device.CPU, t.data(), t.device(), bytes);
        }
    }

    private static long fnv1a64(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
