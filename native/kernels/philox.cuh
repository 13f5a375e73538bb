// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a counter-based generator,
// so every element draws its own numbers from (key, counter) with no state, on any thread, in any order.
// dev.latentr3.kernels.Philox is the same generator in Java; a test checks both against Random123's known answers.
#pragma once

#include "kcompat.cuh"

__device__ __forceinline__ void kc_philox4x32_10(uint32_t c[4], uint32_t k0, uint32_t k1) {
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;  // Weyl key schedule
            k1 += 0xBB67AE85u;
        }
        unsigned long long p0 = 0xD2511F53ull * c[0], p1 = 0xCD9E8D57ull * c[2];
        uint32_t hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
        uint32_t hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
        uint32_t n0 = hi1 ^ c[1] ^ k0, n2 = hi0 ^ c[3] ^ k1;
        c[0] = n0;
        c[1] = lo1;
        c[2] = n2;
        c[3] = lo0;
    }
}

// A standard normal draw for element `index` of stream (seed, offset): Box-Muller on the first two words of
// Philox(counter = (index, offset) as four 32-bit words low first, key = seed), in double.
__device__ __forceinline__ double kc_gaussian(unsigned long long seed, unsigned long long offset,
                                              unsigned long long index) {
    uint32_t c[4] = {static_cast<uint32_t>(index), static_cast<uint32_t>(index >> 32), static_cast<uint32_t>(offset),
                     static_cast<uint32_t>(offset >> 32)};
    kc_philox4x32_10(c, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32));
    double u1 = (c[0] + 0.5) * 0x1p-32, u2 = (c[1] + 0.5) * 0x1p-32;  // both in (0, 1): log(u1) is finite
    return sqrt(-2.0 * log(u1)) * cospi(2.0 * u2);
}
