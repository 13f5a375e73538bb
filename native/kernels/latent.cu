// Latent-token injection (RlKernels.injectLatents): latent vectors [n, dim] replace rows of the input-embedding
// tensor, optionally with sigma * N(0, 1) noise from Philox, so that noisy rollout copies are reproducible from
// (seed, offset) alone. The backward is a row gather plus a row fill (row_indexing.cu).
#include "common.cuh"
#include "philox.cuh"

// owner[rows[i]] = i; a row outside [0, tokens) is reported through range_status, a row named twice through
// repeat_status (injection into one row twice has no defined result).
extern "C" __global__ void claim_rows_unique(int n, const int* rows, int tokens, int* owner, int* range_status,
                                             int* repeat_status) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        int r = rows[i];
        if (r < 0 || r >= tokens) {
            kc_report(range_status, i, r);
        } else if (atomicCAS(&owner[r], -1, static_cast<int>(i)) != -1) {
            kc_report(repeat_status, i, r);
        }
    }
}
EMU_REGISTER(claim_rows_unique);

// embeds[rows[i], j] = latents[i, j] + sigma * gaussian(seed, offset, i * dim + j)
extern "C" __global__ void inject_latents_f32(int n, int dim, const float* latents, const int* rows, int tokens,
                                              float sigma, unsigned long long seed, unsigned long long offset,
                                              float* embeds) {
    long long total = static_cast<long long>(n) * dim;
    for (long long t = kc_global_index(); t < total; t += kc_grid_stride()) {
        long long i = t / dim, j = t % dim;
        int r = rows[i];
        if (r < 0 || r >= tokens) continue;  // reported by claim_rows_unique
        double v = latents[t];
        if (sigma != 0.0f) v += static_cast<double>(sigma) * kc_gaussian(seed, offset, static_cast<unsigned long long>(t));
        embeds[static_cast<long long>(r) * dim + j] = static_cast<float>(v);
    }
}
EMU_REGISTER(inject_latents_f32);

// out[i] = gaussian(seed, offset, i): the raw noise stream, so the host can check the generator itself.
extern "C" __global__ void philox_gaussian_f32(long long n, unsigned long long seed, unsigned long long offset,
                                               float* out) {
    for (long long i = kc_global_index(); i < n; i += kc_grid_stride()) {
        out[i] = static_cast<float>(kc_gaussian(seed, offset, static_cast<unsigned long long>(i)));
    }
}
EMU_REGISTER(philox_gaussian_f32);
