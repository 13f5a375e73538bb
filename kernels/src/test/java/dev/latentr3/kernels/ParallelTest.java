package dev.latentr3.kernels;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * forRange returns only when every chunk has ended: callers free the memory a kernel used as soon as it returns
 * (a TensorScope closes, also while an exception unwinds), so a chunk still running then would touch freed memory.
 */
class ParallelTest {
    /** Enough work per index that any n above 1 is split. */
    private static final long HEAVY = 1L << 20;

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[]{1, 2, 3, 7, 64, 1000}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(n);
            Parallel.forRange(n, HEAVY, (from, to) -> {
                for (int i = from; i < to; i++) runs.incrementAndGet(i);
            });
            for (int i = 0; i < n; i++) assertEquals(1, runs.get(i), "index " + i + " of " + n);
        }
    }

    @Test
    void aFailingChunkIsReportedOnlyAfterTheOtherChunksEnded() throws InterruptedException {
        assumeTrue(Parallel.threads() > 1, "one thread: forRange runs everything on the caller");
        int n = Parallel.threads();
        CountDownLatch othersStarted = new CountDownLatch(n - 1);
        AtomicIntegerArray ended = new AtomicIntegerArray(n);
        RuntimeException thrown = assertThrows(RuntimeException.class, () -> Parallel.forRange(n, HEAVY, (from, to) -> {
            if (from == 0) {
                // The first chunk fails once the others are under way (or after a bound, should no worker be free).
                try {
                    othersStarted.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IllegalArgumentException("chunk 0 fails");
            }
            othersStarted.countDown();
            try {
                Thread.sleep(300); // still running when chunk 0 fails
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (int i = from; i < to; i++) ended.set(i, 1);
        }));
        String chain = thrown + (thrown.getCause() == null ? "" : " / " + thrown.getCause());
        assertTrue(chain.contains("chunk 0 fails"), "the chunk's own exception is reported: " + chain);
        for (int i = 1; i < n; i++) assertEquals(1, ended.get(i), "chunk " + i + " had not ended when forRange returned");
    }
}
