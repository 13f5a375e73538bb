// Fused scaled-dot-product attention with grouped-query heads (AttentionKernels), FlashAttention-2 style: tiles of
// queries and keys in shared memory, an online softmax per query row, and a backward that recomputes the
// probabilities from q, k and the saved log-sum-exp, so no Lq x Lk matrix is ever stored.
//
// Layouts are token-major: q, out, dOut [B, Lq, Hq, D]; k, v [B, Lk, Hkv, D]; lse [B, Hq, Lq]. Query head h reads
// key/value head h / (Hq / Hkv). Key j is visible to query i when keyMask (nullable, [B, Lk]) is nonzero there and, if
// causal, j <= i + (Lk - Lq). A query that sees no key gets out = 0, lse = -inf and no gradient.
//
// Work split: 4 warps per block (the loops over a warp's rows and a lane's D slices are unrolled so that the
// accumulators stay in registers). In the forward and the dq kernel a warp owns 4 query rows and a lane owns one key of
// the current 32-key tile (its score), then one slice of D (lane, lane + 32, ...) for the output accumulation. The
// dk/dv kernel is the mirror: a warp owns 4 keys, a lane one query of the current 32-query tile. No atomics: every
// output element is written by one thread, so results are deterministic.
#include "common.cuh"

namespace {
constexpr int kWarps = 4, kPerWarp = 4, kRows = kWarps * kPerWarp, kTile = 32;
constexpr int kMaxSlices = 8;  // D <= 256: a lane holds D / 32 accumulators per row

__device__ __forceinline__ bool key_visible(const int* key_mask, int b, int lq, int lk, int causal, int i, int j) {
    if (j >= lk || i >= lq) return false;
    if (key_mask != nullptr && key_mask[static_cast<long long>(b) * lk + j] == 0) return false;
    return !causal || j <= i + (lk - lq);
}

__device__ __forceinline__ long long q_index(int b, int i, int h, int lq, int hq, int d) {
    return ((static_cast<long long>(b) * lq + i) * hq + h) * d;
}

__device__ __forceinline__ long long kv_index(int b, int j, int g, int lk, int hkv, int d) {
    return ((static_cast<long long>(b) * lk + j) * hkv + g) * d;
}

// rows x d values of a [B, L, H, D] tensor, rows first..first+rows-1 of head h, into shared memory (zeros past len).
__device__ __forceinline__ void load_rows(float* dst, const float* src, int b, int first, int rows, int len, int h,
                                          int heads, int d) {
    for (int e = threadIdx.x; e < rows * d; e += blockDim.x) {
        int r = e / d, c = e % d, t = first + r;
        dst[e] = t < len ? src[((static_cast<long long>(b) * len + t) * heads + h) * d + c] : 0.0f;
    }
}

__device__ __forceinline__ float dot_rows(const float* x, const float* y, int d) {
    float s = 0.0f;
    for (int c = 0; c < d; c++) s += x[c] * y[c];
    return s;
}
}  // namespace

// Grid (ceil(Lq / 16), Hq, B), block 128, dynamic shared memory (16 d + 64 d + 16 * 32) floats.
extern "C" __global__ void attention_forward_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal,
                                                 const float* q, const float* k, const float* v, const int* key_mask,
                                                 float* out, float* lse) {
    float* sq = kc_dyn_smem<float>();
    float* sk = sq + kRows * d;
    float* sv = sk + kTile * d;
    float* sp = sv + kTile * d;
    int b = blockIdx.z, h = blockIdx.y, g = h / (hq / hkv), q0 = blockIdx.x * kRows;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, slices = (d + 31) / 32;
    load_rows(sq, q, b, q0, kRows, lq, h, hq, d);
    float m[kPerWarp], l[kPerWarp], acc[kPerWarp][kMaxSlices];
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        m[rr] = -INFINITY;
        l[rr] = 0.0f;
        KC_UNROLL
        for (int s = 0; s < kMaxSlices; s++) acc[rr][s] = 0.0f;
    }
    int last_row = min(lq, q0 + kRows) - 1;
    int key_end = causal ? min(lk, last_row + (lk - lq) + 1) : lk;  // later keys are hidden from every row here
    for (int k0 = 0; k0 < key_end; k0 += kTile) {
        __syncthreads();  // the previous tile's readers are done
        load_rows(sk, k, b, k0, kTile, lk, g, hkv, d);
        load_rows(sv, v, b, k0, kTile, lk, g, hkv, d);
        __syncthreads();
        KC_UNROLL
        KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
            int r = warp * kPerWarp + rr, i = q0 + r, j = k0 + lane;
            float s = key_visible(key_mask, b, lq, lk, causal, i, j) ? scale * dot_rows(sq + r * d, sk + lane * d, d)
                                                                     : -INFINITY;
            float top = fmaxf(m[rr], kc_warp_max(s));
            float p = 0.0f, rescale = 1.0f;
            if (top != -INFINITY) {  // something visible so far: the usual online-softmax update
                p = s == -INFINITY ? 0.0f : expf(s - top);
                rescale = m[rr] == -INFINITY ? 0.0f : expf(m[rr] - top);
            }
            l[rr] = l[rr] * rescale + kc_warp_sum(p);
            m[rr] = top;
            sp[r * kTile + lane] = p;
            __syncwarp();
            KC_UNROLL
            for (int sl = 0; sl < kMaxSlices; sl++) {
                int c = lane + 32 * sl;
                if (sl >= slices || c >= d) continue;
                float o = acc[rr][sl] * rescale;
                for (int jj = 0; jj < kTile; jj++) o += sp[r * kTile + jj] * sv[jj * d + c];
                acc[rr][sl] = o;
            }
            __syncwarp();
        }
    }
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        int i = q0 + warp * kPerWarp + rr;
        if (i >= lq) continue;
        long long at = q_index(b, i, h, lq, hq, d);
        KC_UNROLL
        for (int sl = 0; sl < kMaxSlices; sl++) {
            int c = lane + 32 * sl;
            if (sl < slices && c < d) out[at + c] = l[rr] > 0.0f ? acc[rr][sl] / l[rr] : 0.0f;
        }
        if (lane == 0) lse[(static_cast<long long>(b) * hq + h) * lq + i] = l[rr] > 0.0f ? m[rr] + logf(l[rr]) : -INFINITY;
    }
}
EMU_REGISTER(attention_forward_f32);

// delta[b, h, i] = dOut[b, i, h, :] . out[b, i, h, :], the row term of the softmax backward. One thread per row.
extern "C" __global__ void attention_backward_delta_f32(int batch, int lq, int hq, int d, const float* out,
                                                        const float* d_out, float* delta) {
    long long rows = static_cast<long long>(batch) * hq * lq;
    for (long long t = kc_global_index(); t < rows; t += kc_grid_stride()) {
        int i = static_cast<int>(t % lq), h = static_cast<int>((t / lq) % hq), b = static_cast<int>(t / (static_cast<long long>(lq) * hq));
        long long at = q_index(b, i, h, lq, hq, d);
        delta[t] = dot_rows(d_out + at, out + at, d);
    }
}
EMU_REGISTER(attention_backward_delta_f32);

// P_ij = exp(scale q_i.k_j - lse_i) for a visible key of a row that saw some key, else 0.
__device__ __forceinline__ float probability(float score, float row_lse, bool visible) {
    return visible && row_lse != -INFINITY ? expf(score - row_lse) : 0.0f;
}

// dq_i = scale * sum_j dS_ij k_j with dS_ij = P_ij (dOut_i . v_j - delta_i). Same grid and block as the forward;
// dynamic shared memory (2 * 16 d + 64 d + 16 * 32) floats.
extern "C" __global__ void attention_backward_dq_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal,
                                                     const float* q, const float* k, const float* v,
                                                     const int* key_mask, const float* lse, const float* delta,
                                                     const float* d_out, float* dq) {
    float* sq = kc_dyn_smem<float>();
    float* sdo = sq + kRows * d;
    float* sk = sdo + kRows * d;
    float* sv = sk + kTile * d;
    float* sds = sv + kTile * d;
    int b = blockIdx.z, h = blockIdx.y, g = h / (hq / hkv), q0 = blockIdx.x * kRows;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, slices = (d + 31) / 32;
    load_rows(sq, q, b, q0, kRows, lq, h, hq, d);
    load_rows(sdo, d_out, b, q0, kRows, lq, h, hq, d);
    float row_lse[kPerWarp], row_delta[kPerWarp], acc[kPerWarp][kMaxSlices];
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        int i = q0 + warp * kPerWarp + rr;
        long long at = (static_cast<long long>(b) * hq + h) * lq + i;
        row_lse[rr] = i < lq ? lse[at] : -INFINITY;
        row_delta[rr] = i < lq ? delta[at] : 0.0f;
        KC_UNROLL
        for (int s = 0; s < kMaxSlices; s++) acc[rr][s] = 0.0f;
    }
    int last_row = min(lq, q0 + kRows) - 1;
    int key_end = causal ? min(lk, last_row + (lk - lq) + 1) : lk;
    for (int k0 = 0; k0 < key_end; k0 += kTile) {
        __syncthreads();
        load_rows(sk, k, b, k0, kTile, lk, g, hkv, d);
        load_rows(sv, v, b, k0, kTile, lk, g, hkv, d);
        __syncthreads();
        KC_UNROLL
        KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
            int r = warp * kPerWarp + rr, i = q0 + r, j = k0 + lane;
            bool visible = key_visible(key_mask, b, lq, lk, causal, i, j);
            float ds = 0.0f;
            if (visible && row_lse[rr] != -INFINITY) {
                float p = probability(scale * dot_rows(sq + r * d, sk + lane * d, d), row_lse[rr], true);
                ds = p * (dot_rows(sdo + r * d, sv + lane * d, d) - row_delta[rr]);
            }
            sds[r * kTile + lane] = ds;
            __syncwarp();
            KC_UNROLL
            for (int sl = 0; sl < kMaxSlices; sl++) {
                int c = lane + 32 * sl;
                if (sl >= slices || c >= d) continue;
                float o = acc[rr][sl];
                for (int jj = 0; jj < kTile; jj++) o += sds[r * kTile + jj] * sk[jj * d + c];
                acc[rr][sl] = o;
            }
            __syncwarp();
        }
    }
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        int i = q0 + warp * kPerWarp + rr;
        if (i >= lq) continue;
        long long at = q_index(b, i, h, lq, hq, d);
        KC_UNROLL
        for (int sl = 0; sl < kMaxSlices; sl++) {
            int c = lane + 32 * sl;
            if (sl < slices && c < d) dq[at + c] = scale * acc[rr][sl];
        }
    }
}
EMU_REGISTER(attention_backward_dq_f32);

// dv_j = sum over the query heads of j's group and their rows i of P_ij dOut_i; dk_j = scale * sum of dS_ij q_i.
// Grid (ceil(Lk / 16), Hkv, B), block 128, dynamic shared memory (2 * 16 d + 2 * 32 d + 2 * 32 + 2 * 16 * 32) floats.
extern "C" __global__ void attention_backward_dkv_f32(int lq, int lk, int hq, int hkv, int d, float scale, int causal,
                                                      const float* q, const float* k, const float* v,
                                                      const int* key_mask, const float* lse, const float* delta,
                                                      const float* d_out, float* dk, float* dv) {
    float* sk = kc_dyn_smem<float>();
    float* sv = sk + kRows * d;
    float* sq = sv + kRows * d;
    float* sdo = sq + kTile * d;
    float* slse = sdo + kTile * d;
    float* sdelta = slse + kTile;
    float* sp = sdelta + kTile;
    float* sds = sp + kRows * kTile;
    int b = blockIdx.z, g = blockIdx.y, k0 = blockIdx.x * kRows, group = hq / hkv;
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, slices = (d + 31) / 32;
    load_rows(sk, k, b, k0, kRows, lk, g, hkv, d);
    load_rows(sv, v, b, k0, kRows, lk, g, hkv, d);
    float dk_acc[kPerWarp][kMaxSlices], dv_acc[kPerWarp][kMaxSlices];
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        KC_UNROLL
        for (int s = 0; s < kMaxSlices; s++) dk_acc[rr][s] = dv_acc[rr][s] = 0.0f;
    }
    // With causal masking, query i sees key j only when i >= j - (Lk - Lq): earlier query tiles are skipped.
    int first_query = causal ? max(0, k0 - (lk - lq)) : 0;
    for (int h = g * group; h < (g + 1) * group; h++) {
        for (int i0 = first_query - first_query % kTile; i0 < lq; i0 += kTile) {
            __syncthreads();
            load_rows(sq, q, b, i0, kTile, lq, h, hq, d);
            load_rows(sdo, d_out, b, i0, kTile, lq, h, hq, d);
            if (threadIdx.x < kTile) {
                int i = i0 + threadIdx.x;
                long long at = (static_cast<long long>(b) * hq + h) * lq + i;
                slse[threadIdx.x] = i < lq ? lse[at] : -INFINITY;
                sdelta[threadIdx.x] = i < lq ? delta[at] : 0.0f;
            }
            __syncthreads();
            KC_UNROLL
        KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
                int r = warp * kPerWarp + rr, j = k0 + r, i = i0 + lane;
                float p = 0.0f, ds = 0.0f;
                if (key_visible(key_mask, b, lq, lk, causal, i, j) && slse[lane] != -INFINITY) {
                    p = probability(scale * dot_rows(sq + lane * d, sk + r * d, d), slse[lane], true);
                    ds = p * (dot_rows(sdo + lane * d, sv + r * d, d) - sdelta[lane]);
                }
                sp[r * kTile + lane] = p;
                sds[r * kTile + lane] = ds;
                __syncwarp();
                KC_UNROLL
                for (int sl = 0; sl < kMaxSlices; sl++) {
                    int c = lane + 32 * sl;
                    if (sl >= slices || c >= d) continue;
                    float pv = dv_acc[rr][sl], pk = dk_acc[rr][sl];
                    for (int ii = 0; ii < kTile; ii++) {
                        pv += sp[r * kTile + ii] * sdo[ii * d + c];
                        pk += sds[r * kTile + ii] * sq[ii * d + c];
                    }
                    dv_acc[rr][sl] = pv;
                    dk_acc[rr][sl] = pk;
                }
                __syncwarp();
            }
        }
    }
    KC_UNROLL
    for (int rr = 0; rr < kPerWarp; rr++) {
        int j = k0 + warp * kPerWarp + rr;
        if (j >= lk) continue;
        long long at = kv_index(b, j, g, lk, hkv, d);
        KC_UNROLL
        for (int sl = 0; sl < kMaxSlices; sl++) {
            int c = lane + 32 * sl;
            if (sl < slices && c < d) {
                dk[at + c] = scale * dk_acc[rr][sl];
                dv[at + c] = dv_acc[rr][sl];
            }
        }
    }
}
EMU_REGISTER(attention_backward_dkv_f32);
