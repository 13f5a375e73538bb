package dev.latentr3.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CUDA semantics our kernels rely on, checked through native/kernels/selftest.cu: warp shuffles with segment
 * widths, votes, barrier counts and dynamic shared memory. Expectations follow the CUDA programming guide; running the
 * same checks on a GPU holds the emulator to the hardware.
 */
abstract class SemanticsContract {
    static final Kernel WARP = new Kernel("selftest_warp", "p");
    static final Kernel NEIGHBOUR = new Kernel("selftest_neighbour", "ip");

    abstract CudaRuntime runtime();

    @Test
    void warpShufflesVotesAndBarrierCountsFollowCuda() {
        int threads = 96;
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment out = d.bytes(threads * 8L * 4, -1);
            runtime().launch(WARP, Dim3.of(1), Dim3.of(threads), 0, out);
            MemorySegment got = d.download(out, threads * 8L * 4);
            for (int t = 0; t < threads; t++) {
                int lane = t & 31, warpBase = t - lane;
                int[] want = new int[8];
                int seg16 = lane & ~15, up = lane - 3;
                want[0] = 10 * (warpBase + (up < seg16 ? lane : up));
                want[1] = 10 * (warpBase + (lane ^ 5));
                want[2] = 10 * (warpBase + seg16 + (19 & 15));
                want[3] = 10 * (warpBase + (lane + 7 >= 32 ? lane : lane + 7));
                int ballot = 0;
                for (int l = 0; l < 32; l++) if ((warpBase + l) % 3 == 0) ballot |= 1 << l;
                want[4] = ballot;
                want[5] = warpBase + 31 < 64 ? 1 : 0;
                want[6] = warpBase <= 70 && 70 < warpBase + 32 ? 1 : 0;
                want[7] = 20;  // t % 5 == 0 for 20 of 96 threads
                String[] what = {"shfl_up width 16", "shfl_xor width 8", "shfl width 16", "shfl_down", "ballot",
                        "all", "any", "syncthreads_count"};
                for (int k = 0; k < 8; k++) {
                    assertEquals(want[k], got.getAtIndex(ValueLayout.JAVA_INT, t * 8L + k), what[k] + " in thread " + t);
                }
            }
        }
    }

    @Test
    void dynamicSharedMemoryIsSharedByTheBlockAcrossABarrier() {
        int threads = 200;  // not a multiple of 32: a partial last warp
        try (DeviceScope d = new DeviceScope(runtime())) {
            MemorySegment out = d.bytes(threads * 4L, -1);
            runtime().launch(NEIGHBOUR, Dim3.of(1), Dim3.of(threads), threads * 4, 1, out);
            MemorySegment got = d.download(out, threads * 4L);
            for (int t = 0; t < threads; t++) {
                assertEquals(1000 + (t + threads - 1) % threads, got.getAtIndex(ValueLayout.JAVA_INT, t), "thread " + t);
            }
        }
    }
}
