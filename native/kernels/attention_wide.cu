// Scaled-dot-product attention for head dimensions above attention.cu's widest class (D > 256), with the same
// contract (AttentionKernels): layouts q, out, dOut [B, Lq, Hq, D]; k, v [B, Lk, Hkv, D]; lse [B, Hq, Lq]; query head h
// reads key/value head h / (Hq / Hkv); key j is visible to query i when keyMask (nullable, [B, Lk]) is nonzero there
// and, if causal, j <= i + (Lk - Lq); a query that sees no key gets out = 0, lse = -inf and no gradient.
//
// Why a second family rather than more width classes or a GEMM composition: the tile kernels keep a 4-row slice of
// the output per thread in registers, which needs D known at compile time and shared-memory tiles of 64 rows of D,
// so D is bounded (256 needs 213 KiB). The caller that needs more is LatentRATT (one head of the model's hidden size,
// 896 / 1536 / 3584 for Qwen2.5-0.5B / 1.5B / 7B) with ONE query per row over a few hundred keys: that is a
// matrix-vector problem, memory-bound, whose floor is reading K and V once. These kernels do exactly that, one block
// per output row: the row's scores over a chunk of 32 keys are dot products, one warp per key with the lanes across D
// (coalesced, reduced by shuffles); then the block's threads, each owning columns c = threadIdx.x + 256 t, add the
// chunk's probability-weighted rows into the output row, which lives in global memory (read-modify-write by its one
// owner thread; no register or shared-memory array scales with D, so any D works). A composition of batched GEMMs
// (S = Q K^T, softmax, P V) would need per-(batch, head) strided batches over [B, L, H, D], extra launches and an
// O(B Hq Lq Lk) score matrix for the same memory traffic. With Lq > 1 these kernels re-read K and V per query row
// (L2-cached): correct at any size, but the tile kernels' FLOP rate is not the goal here.
//
// Forward: block per (query i, head h, batch b), online softmax over the chunks (as attention.cu). Backward: delta and
// the group sum are attention.cu's; dq per query row (scores recomputed from lse); dk/dv per (key j, query head h) over
// the query rows in chunks, written to [B, Lk, Hq, D] partials that attention_backward_group_sum_f32 adds per group
// (or straight into dk/dv when Hq = Hkv). Every output element is written by one thread in a fixed order, no atomics:
// deterministic. A probability of exactly 0 (a masked key, or an underflow) skips its row, as the CPU reference does.
#include "common.cuh"

namespace {
constexpr int kThreads = 256;                // 8 warps; launchers use exactly this (CudaAttention.WIDE_THREADS)
constexpr int kWarps = kThreads / 32;
constexpr int kChunk = 32;                   // keys (queries in dk/dv) whose scores a block holds at a time

__device__ __forceinline__ long long wide_row(int b, int t, int h, int len, int heads, int d) {
    return ((static_cast<long long>(b) * len + t) * heads + h) * d;
}

__device__ __forceinline__ bool wide_visible(const int* key_mask, int b, int lq, int lk, int causal, int i, int j) {
    if (key_mask != nullptr && key_mask[static_cast<long long>(b) * lk + j] == 0) return false;
    return !causal || j <= i + (lk - lq);
}

// x . y over d floats by the 32 lanes of a warp (lane-strided, so each step is one coalesced 128-byte read), summed
// into every lane. All lanes must call.
__device__ __forceinline__ float warp_dot(const float* x, const float* y, int d) {
    float s = 0.0f;
    for (int c = threadIdx.x & 31; c < d; c += 32) s = fmaf(x[c], y[c], s);
    return kc_warp_sum(s);
}

// The same with two pairs at once (the backward's score and dOut . v share the loop).
__device__ __forceinline__ void warp_dot2(const float* x0, const float* y0, const float* x1, const float* y1, int d,
                                          float& s0, float& s1) {
    float a = 0.0f, b = 0.0f;
    for (int c = threadIdx.x & 31; c < d; c += 32) {
        a = fmaf(x0[c], y0[c], a);
        b = fmaf(x1[c], y1[c], b);
    }
    s0 = kc_warp_sum(a);
    s1 = kc_warp_sum(b);
}

// The last key query i may see, plus one (0 when it sees none of the causal range).
__device__ __forceinline__ int key_end(int lq, int lk, int causal, int i) {
    return causal ? max(0, min(lk, i + (lk - lq) + 1)) : lk;
}
}  // namespace

// out[b, i, h, :] and lse[b, h, i]. Grid (Lq, Hq, B), kThreads threads.
extern "C" __global__ void __launch_bounds__(kThreads)
    attention_forward_wide_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q,
                               const float* k, const float* v, const int* key_mask, float* out, float* lse) {
    __shared__ float scores[kChunk], probs[kChunk];
    int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z, g = h / (hq / hkv);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    const float* qi = q + wide_row(b, i, h, lq, hq, d);
    float* oi = out + wide_row(b, i, h, lq, hq, d);
    for (int c = threadIdx.x; c < d; c += kThreads) oi[c] = 0.0f;
    // m and l are block-uniform: every thread computes them from the same shared values in the same order.
    float m = -INFINITY, l = 0.0f;
    int end = key_end(lq, lk, causal, i);
    for (int k0 = 0; k0 < end; k0 += kChunk) {
        __syncthreads();  // the previous chunk's readers of scores and probs are done
        for (int jj = warp; jj < kChunk; jj += kWarps) {
            int j = k0 + jj;
            float s = -INFINITY;
            if (j < end && wide_visible(key_mask, b, lq, lk, causal, i, j)) {  // warp-uniform
                s = scale * warp_dot(qi, k + wide_row(b, j, g, lk, hkv, d), d);
            }
            if (lane == 0) scores[jj] = s;
        }
        __syncthreads();
        float top = m;
        for (int jj = 0; jj < kChunk; jj++) top = fmaxf(top, scores[jj]);
        if (threadIdx.x < kChunk) {
            float s = scores[threadIdx.x];
            probs[threadIdx.x] = top == -INFINITY || s == -INFINITY ? 0.0f : expf(s - top);
        }
        __syncthreads();
        float sum = 0.0f;
        for (int jj = 0; jj < kChunk; jj++) sum += probs[jj];
        // The row so far is rescaled to the new maximum; while no key was visible it is 0 and stays 0.
        float rescale = top == -INFINITY || m == -INFINITY ? 0.0f : expf(m - top);
        l = l * rescale + sum;
        m = top;
        int n = min(kChunk, end - k0);
        for (int c = threadIdx.x; c < d; c += kThreads) {
            float a = oi[c] * rescale;
            for (int jj = 0; jj < n; jj++) {
                float p = probs[jj];
                if (p != 0.0f) a = fmaf(p, v[wide_row(b, k0 + jj, g, lk, hkv, d) + c], a);
            }
            oi[c] = a;
        }
    }
    float inv = l > 0.0f ? 1.0f / l : 0.0f;
    for (int c = threadIdx.x; c < d; c += kThreads) oi[c] *= inv;
    if (threadIdx.x == 0) lse[(static_cast<long long>(b) * hq + h) * lq + i] = l > 0.0f ? m + logf(l) : -INFINITY;
}
EMU_REGISTER(attention_forward_wide_f32);

// dq_i = scale * sum_j dS_ij k_j, dS_ij = P_ij (dOut_i . v_j - delta_i), P_ij = exp(scale q_i . k_j - lse_i).
// Grid (Lq, Hq, B), kThreads threads. delta [B, Hq, Lq] from attention_backward_delta_f32.
extern "C" __global__ void __launch_bounds__(kThreads)
    attention_backward_dq_wide_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q,
                                   const float* k, const float* v, const int* key_mask, const float* lse,
                                   const float* delta, const float* d_out, float* dq) {
    __shared__ float ds[kChunk];
    int i = blockIdx.x, h = blockIdx.y, b = blockIdx.z, g = h / (hq / hkv);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    long long row = wide_row(b, i, h, lq, hq, d);
    float* dqi = dq + row;
    for (int c = threadIdx.x; c < d; c += kThreads) dqi[c] = 0.0f;
    long long at = (static_cast<long long>(b) * hq + h) * lq + i;
    float row_lse = lse[at], row_delta = delta[at];
    if (row_lse == -INFINITY) return;  // the row saw no key: no gradient (block-uniform)
    int end = key_end(lq, lk, causal, i);
    for (int k0 = 0; k0 < end; k0 += kChunk) {
        __syncthreads();
        for (int jj = warp; jj < kChunk; jj += kWarps) {
            int j = k0 + jj;
            float t = 0.0f;
            if (j < end && wide_visible(key_mask, b, lq, lk, causal, i, j)) {
                long long kv = wide_row(b, j, g, lk, hkv, d);
                float s, dp;
                warp_dot2(q + row, k + kv, d_out + row, v + kv, d, s, dp);
                float p = expf(scale * s - row_lse);
                t = p == 0.0f ? 0.0f : p * (dp - row_delta);
            }
            if (lane == 0) ds[jj] = t;
        }
        __syncthreads();
        int n = min(kChunk, end - k0);
        for (int c = threadIdx.x; c < d; c += kThreads) {
            float a = dqi[c];
            for (int jj = 0; jj < n; jj++) {
                float t = ds[jj];
                if (t != 0.0f) a = fmaf(t, k[wide_row(b, k0 + jj, g, lk, hkv, d) + c], a);
            }
            dqi[c] = a;
        }
    }
    for (int c = threadIdx.x; c < d; c += kThreads) dqi[c] *= scale;
}
EMU_REGISTER(attention_backward_dq_wide_f32);

// For key j and query head h: dv_j(h) = sum_i P_ij dOut_i and dk_j(h) = scale * sum_i dS_ij q_i, written at
// [b, j, h, :] of dk and dv laid out [B, Lk, Hq, D] (the gradients themselves when Hq = Hkv, else partials for
// attention_backward_group_sum_f32). Grid (Lk, Hq, B), kThreads threads.
extern "C" __global__ void __launch_bounds__(kThreads)
    attention_backward_dkv_wide_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q,
                                    const float* k, const float* v, const int* key_mask, const float* lse,
                                    const float* delta, const float* d_out, float* dk, float* dv) {
    __shared__ float ps[kChunk], ds[kChunk];
    int j = blockIdx.x, h = blockIdx.y, b = blockIdx.z, g = h / (hq / hkv);
    int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
    long long kv = wide_row(b, j, g, lk, hkv, d), dst = wide_row(b, j, h, lk, hq, d);
    float* dkj = dk + dst;
    float* dvj = dv + dst;
    for (int c = threadIdx.x; c < d; c += kThreads) {
        dkj[c] = 0.0f;
        dvj[c] = 0.0f;
    }
    if (key_mask != nullptr && key_mask[static_cast<long long>(b) * lk + j] == 0) return;  // no query sees this key
    // Query i sees key j only when i >= j - (Lk - Lq): earlier queries are skipped.
    int first = causal ? max(0, j - (lk - lq)) : 0;
    for (int i0 = first; i0 < lq; i0 += kChunk) {
        __syncthreads();
        for (int ii = warp; ii < kChunk; ii += kWarps) {
            int i = i0 + ii;
            float p = 0.0f, t = 0.0f;
            if (i < lq) {
                long long at = (static_cast<long long>(b) * hq + h) * lq + i;
                float row_lse = lse[at];
                if (row_lse != -INFINITY) {  // warp-uniform: every lane reads the same entry
                    long long row = wide_row(b, i, h, lq, hq, d);
                    float s, dp;
                    warp_dot2(q + row, k + kv, d_out + row, v + kv, d, s, dp);
                    p = expf(scale * s - row_lse);
                    t = p == 0.0f ? 0.0f : p * (dp - delta[at]);
                }
            }
            if (lane == 0) {
                ps[ii] = p;
                ds[ii] = t;
            }
        }
        __syncthreads();
        int n = min(kChunk, lq - i0);
        for (int c = threadIdx.x; c < d; c += kThreads) {
            float ak = dkj[c], av = dvj[c];
            for (int ii = 0; ii < n; ii++) {
                float p = ps[ii];
                if (p == 0.0f) continue;
                long long row = wide_row(b, i0 + ii, h, lq, hq, d);
                av = fmaf(p, d_out[row + c], av);
                ak = fmaf(ds[ii], q[row + c], ak);
            }
            dkj[c] = ak;
            dvj[c] = av;
        }
    }
    for (int c = threadIdx.x; c < d; c += kThreads) dkj[c] *= scale;
}
EMU_REGISTER(attention_backward_dkv_wide_f32);
