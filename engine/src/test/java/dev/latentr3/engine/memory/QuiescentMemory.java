package dev.latentr3.engine.memory;

/**
 * Host live bytes once earlier tests' garbage is gone: owned tensors are freed by a Cleaner once collected, at a time
 * of the GC's choosing, so a memory test collects until the live count stops moving before taking its baseline, and
 * is not disturbed by them later.
 */
public final class QuiescentMemory {
    private QuiescentMemory() {}

    public static long hostLiveBytes() throws InterruptedException {
        long last = -1;
        for (int stable = 0, tries = 0; stable < 3 && tries < 50; tries++) {
            System.gc();
            Thread.sleep(20);
            long now = NativeMemory.liveBytes();
            stable = now == last ? stable + 1 : 0;
            last = now;
        }
        return last;
    }
}
