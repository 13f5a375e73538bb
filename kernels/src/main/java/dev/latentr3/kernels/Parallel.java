package dev.latentr3.kernels;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The one way CPU kernels use several cores: split an index range into contiguous chunks, run them on a shared
 * fork-join pool sized to the machine (or {@code -Dlatentr3.threads=N}), the calling thread taking part.
 *
 * <p>Kernels pass a rough cost so that small problems stay on the calling thread, where a hand-off would cost more
 * than the work.
 */
public final class Parallel {
    private Parallel() {}

    /** Work (in rough scalar operations) below which a range runs on the caller alone. */
    private static final long MIN_PARALLEL_WORK = 1L << 15;

    private static final int THREADS = Integer.getInteger("latentr3.threads", Runtime.getRuntime().availableProcessors());

    private static final ForkJoinPool POOL = THREADS <= 1 ? null : new ForkJoinPool(THREADS,
            pool -> {
                var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("latentr3-cpu-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            }, null, false);

    /** The body of a parallel loop: handles indices [from, to). */
    @FunctionalInterface
    public interface Range {
        void run(int from, int to);
    }

    public static int threads() {
        return THREADS;
    }

    /**
     * Runs body over [0, n) in chunks. {@code workPerIndex} is the rough cost of one index; it decides whether to go
     * parallel and how finely to split (at least one chunk per thread, more when there is enough work, so that uneven
     * chunks balance).
     */
    public static void forRange(int n, long workPerIndex, Range body) {
        if (n <= 0) return;
        long total = n * Math.max(1, workPerIndex);
        if (POOL == null || n == 1 || total < MIN_PARALLEL_WORK || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        int chunks = (int) Math.min(n, Math.max(THREADS, Math.min(THREADS * 4L, total / MIN_PARALLEL_WORK)));
        POOL.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    private static final class Chunk extends RecursiveAction {
        private final Range body;
        private final int n, chunks, lo, hi;

        Chunk(Range body, int n, int chunks, int lo, int hi) {
            this.body = body; this.n = n; this.chunks = chunks; this.lo = lo; this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int from = (int) ((long) n * lo / chunks), to = (int) ((long) n * hi / chunks);
                if (from < to) body.run(from, to);
                return;
            }
            int mid = (lo + hi) >>> 1;
            // Not invokeAll: when its first task throws it returns at once, leaving the second running, and the
            // caller, unwinding, may close the scope whose memory that task still uses. Every chunk ends first.
            Chunk right = new Chunk(body, n, chunks, mid, hi);
            right.fork();
            Throwable failure = null;
            try {
                new Chunk(body, n, chunks, lo, mid).compute();
            } catch (Throwable t) {
                failure = t;
            }
            try {
                right.join();
            } catch (Throwable t) {
                if (failure == null) failure = t;
                else failure.addSuppressed(t);
            }
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new IllegalStateException("a parallel chunk failed", failure);
        }
    }
}
