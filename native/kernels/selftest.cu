// Kernels that pin down the CUDA semantics the emulator must reproduce (warp shuffles with widths, votes, barrier
// counts, dynamic shared memory). The same checks run on a GPU, so the emulator is held to the hardware, not only to
// our reading of the documentation. Not used by the engine.
#include "common.cuh"

// Eight results per thread; launch with one block of 96 threads (three warps).
extern "C" __global__ void selftest_warp(int* out) {
    const unsigned int full = 0xffffffffu;
    int t = threadIdx.x, v = t * 10;
    int* o = out + t * 8;
    o[0] = __shfl_up_sync(full, v, 3, 16);
    o[1] = __shfl_xor_sync(full, v, 5, 8);
    o[2] = __shfl_sync(full, v, 19, 16);
    o[3] = __shfl_down_sync(full, v, 7);
    o[4] = static_cast<int>(__ballot_sync(full, t % 3 == 0));
    o[5] = __all_sync(full, t < 64);
    o[6] = __any_sync(full, t == 70);
    o[7] = __syncthreads_count(t % 5 == 0);
}
EMU_REGISTER(selftest_warp);

// out[t] = the value thread t - 1 wrote to dynamic shared memory (thread 0 reads the last thread's), with the barrier
// between the writes and the reads only when `synchronized` is nonzero: the unsynchronised form is a race that the
// emulator exposes when it runs a block's threads in reverse order.
extern "C" __global__ void selftest_neighbour(int synchronized_, int* out) {
    int* cells = kc_dyn_smem<int>();
    int t = threadIdx.x, n = blockDim.x;
    cells[t] = 1000 + t;
    if (synchronized_) __syncthreads();
    out[t] = cells[(t + n - 1) % n];
}
EMU_REGISTER(selftest_neighbour);

// Half of the block waits at the block barrier while the other half waits in a full-warp __syncwarp that needs the
// first half too: neither can complete. A GPU hangs; the emulator reports a deadlock. Never launched on a GPU. (A
// thread that returns counts as arrived at a barrier, so returning early is not enough to deadlock.)
extern "C" __global__ void selftest_divergent_barrier(int* out) {
    if (threadIdx.x < blockDim.x / 2) {
        __syncthreads();
    } else {
        __syncwarp();
    }
    out[threadIdx.x] = 1;
}
EMU_REGISTER(selftest_divergent_barrier);
