// Fused scaled-dot-product attention with grouped-query heads (AttentionKernels), FlashAttention-2 style: tiles of
// queries and keys in shared memory, an online softmax per query row, and a backward that recomputes the
// probabilities from q, k and the saved log-sum-exp, so no Lq x Lk matrix is ever stored.
//
// Layouts are token-major: q, out, dOut [B, Lq, Hq, D]; k, v [B, Lk, Hkv, D]; lse [B, Hq, Lq]. Query head h reads
// key/value head h / (Hq / Hkv). Key j is visible to query i when keyMask (nullable, [B, Lk]) is nonzero there and, if
// causal, j <= i + (Lk - Lq). A query that sees no key gets out = 0, lse = -inf and no gradient.
//
// Work split (attention-notes.md beside this file gives the reasoning and the resource usage): a block owns BR rows
// (queries in the forward and dq kernels, keys in the dk/dv kernel) and walks the other side in tiles of 64. Its
// BR/4 x 16 threads each compute a 4 x 4 register tile of the BR x 64 score matrix: rows ty + (BR/4) i and columns
// tx + 16 j, reading both operands as float4 from shared-memory rows padded to D' + 4 floats (D' = D rounded up to 4),
// so that 8 consecutive threads hit 8 different 16-byte bank groups. A row's 64 scores live in the 16 lanes of one
// half-warp, so the row max and sum are 4 shuffles, and the probability tile that the next product reads goes through
// shared memory within the warp only (__syncwarp). The products P V (and dS K, P^T dO, dS^T Q) give each thread
// 4 rows x 4 consecutive columns per 64 columns of D. Kernels are instantiated per D' / 64 rounded up (suffix _d64 ..
// _d256) so that accumulators stay in registers. No atomics: every output element is written by one thread, so
// results are deterministic.
#include "common.cuh"

namespace {
constexpr int kCols = 64;           // the tile the other side is walked in (keys, or queries in dk/dv)
constexpr int kLdP = kCols + 4;     // row stride of the probability tile in shared memory
constexpr int kTx = 16;             // threads across a tile of kCols columns, 4 columns each (strided by 16)

__device__ __forceinline__ int padded_dim(int d) { return (d + 3) & ~3; }

__device__ __forceinline__ bool key_visible(const int* key_mask, int b, int lq, int lk, int causal, int i, int j) {
    if (j >= lk || i >= lq) return false;
    if (key_mask != nullptr && key_mask[static_cast<long long>(b) * lk + j] == 0) return false;
    return !causal || j <= i + (lk - lq);
}

__device__ __forceinline__ long long row_index(int b, int t, int h, int len, int heads, int d) {
    return ((static_cast<long long>(b) * len + t) * heads + h) * d;
}

__device__ __forceinline__ float lane_of(float4 v, int k) { return k == 0 ? v.x : k == 1 ? v.y : k == 2 ? v.z : v.w; }

// Row max and sum over the 16 lanes of a half-warp (one row of a score tile); every lane of the warp must call.
__device__ __forceinline__ float half_warp_max(float v) {
    for (int offset = 8; offset > 0; offset >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, offset));
    return v;
}

__device__ __forceinline__ float half_warp_sum(float v) {
    for (int offset = 8; offset > 0; offset >>= 1) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

// rows x D' values of a [B, L, H, D] tensor (rows first.. of head h) into shared memory with row stride ld; zeros past
// len and in the columns D..D'-1, so that padded rows and columns add nothing to a dot product. 16-byte global loads
// when every row starts 16-byte aligned (D a multiple of 4 and an aligned base), else four scalar loads.
__device__ __forceinline__ void load_tile(float* dst, int ld, const float* src, int b, int first, int rows, int len,
                                          int h, int heads, int d) {
    int quads = padded_dim(d) / 4;
    bool vector = (d & 3) == 0 && (reinterpret_cast<unsigned long long>(src) & 15) == 0;
    for (int e = threadIdx.x; e < rows * quads; e += blockDim.x) {
        int r = e / quads, c = (e - r * quads) * 4, t = first + r;
        float4 x = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        if (t < len) {
            const float* row = src + row_index(b, t, h, len, heads, d);
            if (vector) {
                x = kc_load4(row + c);
            } else {
                x.x = row[c];
                x.y = c + 1 < d ? row[c + 1] : 0.0f;
                x.z = c + 2 < d ? row[c + 2] : 0.0f;
                x.w = c + 3 < d ? row[c + 3] : 0.0f;
            }
        }
        kc_store4(dst + r * ld + c, x);
    }
}

// acc[i][j] += a[ty + TY i] . b[tx + 16 j] over D' columns: the thread's 4 x 4 block of a BR x 64 score tile.
// Per 4 columns: 8 float4 loads (the a rows are broadcast across the half-warp) for 64 FMAs. U is the unroll of the
// column loop, picked per kernel from ptxas -v: the smallest register count without spills (attention-notes.md).
template <int TY, int U>
__device__ __forceinline__ void tile_dots(const float* a, const float* b, int ld, int dp, float (&acc)[4][4]) {
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    const float* ar = a + ty * ld;
    const float* br = b + tx * ld;
#pragma unroll U
    for (int c = 0; c < dp; c += 4) {
        float4 x[4], y[4];
        KC_UNROLL
        for (int i = 0; i < 4; i++) x[i] = kc_load4(ar + TY * i * ld + c);
        KC_UNROLL
        for (int j = 0; j < 4; j++) y[j] = kc_load4(br + kTx * j * ld + c);
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            KC_UNROLL
            for (int j = 0; j < 4; j++) {
                float s = acc[i][j];
                s = fmaf(x[i].x, y[j].x, s);
                s = fmaf(x[i].y, y[j].y, s);
                s = fmaf(x[i].z, y[j].z, s);
                s = fmaf(x[i].w, y[j].w, s);
                acc[i][j] = s;
            }
        }
    }
}

// acc[i][s][e] += sum over the tile's 64 columns j of p[ty + TY i][j] * b[j][4 (tx + 16 s) + e]: the thread's 4 rows x
// 4 columns in each 64-column slice s of D'. p has row stride kLdP, b row stride ld.
template <int S, int TY>
__device__ __forceinline__ void tile_accumulate(const float* p, const float* b, int ld, int dp, float (&acc)[4][S][4]) {
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    const float* pr = p + ty * kLdP;
    for (int j = 0; j < kCols; j += 4) {
        float4 w[4];
        KC_UNROLL
        for (int i = 0; i < 4; i++) w[i] = kc_load4(pr + TY * i * kLdP + j);
        KC_UNROLL
        for (int jj = 0; jj < 4; jj++) {
            KC_UNROLL
            for (int s = 0; s < S; s++) {
                int c = 4 * (tx + kTx * s);
                if (c >= dp) continue;
                float4 y = kc_load4(b + (j + jj) * ld + c);
                KC_UNROLL
                for (int i = 0; i < 4; i++) {
                    float wi = lane_of(w[i], jj);
                    acc[i][s][0] = fmaf(wi, y.x, acc[i][s][0]);
                    acc[i][s][1] = fmaf(wi, y.y, acc[i][s][1]);
                    acc[i][s][2] = fmaf(wi, y.z, acc[i][s][2]);
                    acc[i][s][3] = fmaf(wi, y.w, acc[i][s][3]);
                }
            }
        }
    }
}

// Writes factor * acc (the thread's rows ty + TY i that exist, columns below D) into a [B, L, H, D] tensor.
template <int S, int TY>
__device__ __forceinline__ void store_rows(float* dst, int b, int first, int len, int h, int heads, int d,
                                           const float (&acc)[4][S][4], const float (&factor)[4]) {
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    bool vector = (d & 3) == 0 && (reinterpret_cast<unsigned long long>(dst) & 15) == 0;
    KC_UNROLL
    for (int i = 0; i < 4; i++) {
        int t = first + ty + TY * i;
        if (t >= len) continue;
        float* row = dst + row_index(b, t, h, len, heads, d);
        KC_UNROLL
        for (int s = 0; s < S; s++) {
            int c = 4 * (tx + kTx * s);
            if (c >= d) continue;
            float4 x = make_float4(factor[i] * acc[i][s][0], factor[i] * acc[i][s][1], factor[i] * acc[i][s][2],
                                   factor[i] * acc[i][s][3]);
            if (vector) {
                kc_store4(row + c, x);
            } else {
                KC_UNROLL
                for (int e = 0; e < 4; e++) {
                    if (c + e < d) row[c + e] = lane_of(x, e);
                }
            }
        }
    }
}

template <int S>
__device__ __forceinline__ void zero(float (&acc)[4][S][4]) {
    KC_UNROLL
    for (int i = 0; i < 4; i++) {
        KC_UNROLL
        for (int s = 0; s < S; s++) {
            KC_UNROLL
            for (int e = 0; e < 4; e++) acc[i][s][e] = 0.0f;
        }
    }
}

// Block (BR/4 x 16 threads) per BR queries of one head; dynamic shared memory (BR + 2 * 64) (D' + 4) + BR * 68 floats.
template <int S, int BR>
__device__ __forceinline__ void forward_body(int lq, int lk, int hq, int hkv, int d, float scale, int causal,
                                             const float* q, const float* k, const float* v, const int* key_mask,
                                             float* out, float* lse) {
    constexpr int TY = BR / 4;
    int dp = padded_dim(d), ld = dp + 4;
    float* sq = kc_dyn_smem<float>();
    float* sk = sq + BR * ld;
    float* sv = sk + kCols * ld;
    float* sp = sv + kCols * ld;
    int b = blockIdx.z, h = blockIdx.y, g = h / (hq / hkv), q0 = blockIdx.x * BR;
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    load_tile(sq, ld, q, b, q0, BR, lq, h, hq, d);
    float m[4], l[4], acc[4][S][4];
    KC_UNROLL
    for (int i = 0; i < 4; i++) {
        m[i] = -INFINITY;
        l[i] = 0.0f;
    }
    zero(acc);
    int last_row = min(lq, q0 + BR) - 1;
    int key_end = causal ? min(lk, last_row + (lk - lq) + 1) : lk;  // later keys are hidden from every row here
    for (int k0 = 0; k0 < key_end; k0 += kCols) {
        __syncthreads();  // the previous tile's readers are done
        load_tile(sk, ld, k, b, k0, kCols, lk, g, hkv, d);
        load_tile(sv, ld, v, b, k0, kCols, lk, g, hkv, d);
        __syncthreads();
        float s[4][4] = {};
        tile_dots<TY, 2>(sq, sk, ld, dp, s);
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            int r = ty + TY * i, row = q0 + r;
            float top = -INFINITY;
            KC_UNROLL
            for (int j = 0; j < 4; j++) {
                s[i][j] = key_visible(key_mask, b, lq, lk, causal, row, k0 + tx + kTx * j) ? scale * s[i][j] : -INFINITY;
                top = fmaxf(top, s[i][j]);
            }
            top = fmaxf(m[i], half_warp_max(top));
            float rescale = 1.0f, sum = 0.0f;
            KC_UNROLL
            for (int j = 0; j < 4; j++) {
                float p = 0.0f;
                if (top != -INFINITY && s[i][j] != -INFINITY) p = expf(s[i][j] - top);
                sum += p;
                sp[r * kLdP + tx + kTx * j] = p;
            }
            if (top != -INFINITY) rescale = m[i] == -INFINITY ? 0.0f : expf(m[i] - top);
            l[i] = l[i] * rescale + half_warp_sum(sum);
            m[i] = top;
            KC_UNROLL
            for (int t = 0; t < S; t++) {
                KC_UNROLL
                for (int e = 0; e < 4; e++) acc[i][t][e] *= rescale;
            }
        }
        __syncwarp();  // a row's probabilities are written and read by the 16 lanes of one half-warp
        tile_accumulate<S, TY>(sp, sv, ld, dp, acc);
    }
    float inv[4];
    KC_UNROLL
    for (int i = 0; i < 4; i++) inv[i] = l[i] > 0.0f ? 1.0f / l[i] : 0.0f;
    store_rows<S, TY>(out, b, q0, lq, h, hq, d, acc, inv);
    if (tx == 0) {
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            int row = q0 + ty + TY * i;
            if (row < lq) lse[(static_cast<long long>(b) * hq + h) * lq + row] = l[i] > 0.0f ? m[i] + logf(l[i]) : -INFINITY;
        }
    }
}

// P_ij = exp(scale q_i.k_j - lse_i) for a visible key of a row that saw some key, else 0.
__device__ __forceinline__ float probability(float score, float row_lse, bool visible) {
    return visible && row_lse != -INFINITY ? expf(score - row_lse) : 0.0f;
}

// dq_i = scale * sum_j dS_ij k_j with dS_ij = P_ij (dOut_i . v_j - delta_i). Same grid and block as the forward;
// dynamic shared memory (2 BR + 2 * 64) (D' + 4) + BR * 68 floats.
template <int S, int BR>
__device__ __forceinline__ void dq_body(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q,
                                        const float* k, const float* v, const int* key_mask, const float* lse,
                                        const float* delta, const float* d_out, float* dq) {
    constexpr int TY = BR / 4;
    int dp = padded_dim(d), ld = dp + 4;
    float* sq = kc_dyn_smem<float>();
    float* sdo = sq + BR * ld;
    float* sk = sdo + BR * ld;
    float* sv = sk + kCols * ld;
    float* sds = sv + kCols * ld;
    int b = blockIdx.z, h = blockIdx.y, g = h / (hq / hkv), q0 = blockIdx.x * BR;
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    load_tile(sq, ld, q, b, q0, BR, lq, h, hq, d);
    load_tile(sdo, ld, d_out, b, q0, BR, lq, h, hq, d);
    float row_lse[4], row_delta[4], acc[4][S][4];
    KC_UNROLL
    for (int i = 0; i < 4; i++) {
        int row = q0 + ty + TY * i;
        long long at = (static_cast<long long>(b) * hq + h) * lq + row;
        row_lse[i] = row < lq ? lse[at] : -INFINITY;
        row_delta[i] = row < lq ? delta[at] : 0.0f;
    }
    zero(acc);
    int last_row = min(lq, q0 + BR) - 1;
    int key_end = causal ? min(lk, last_row + (lk - lq) + 1) : lk;
    for (int k0 = 0; k0 < key_end; k0 += kCols) {
        __syncthreads();
        load_tile(sk, ld, k, b, k0, kCols, lk, g, hkv, d);
        load_tile(sv, ld, v, b, k0, kCols, lk, g, hkv, d);
        __syncthreads();
        float s[4][4] = {}, dp_[4][4] = {};
        constexpr int U = S == 3 ? 2 : 1;
        tile_dots<TY, U>(sq, sk, ld, dp, s);
        tile_dots<TY, U>(sdo, sv, ld, dp, dp_);
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            int r = ty + TY * i, row = q0 + r;
            KC_UNROLL
            for (int j = 0; j < 4; j++) {
                bool visible = key_visible(key_mask, b, lq, lk, causal, row, k0 + tx + kTx * j);
                float p = probability(scale * s[i][j], row_lse[i], visible);
                sds[r * kLdP + tx + kTx * j] = p == 0.0f ? 0.0f : p * (dp_[i][j] - row_delta[i]);
            }
        }
        __syncwarp();
        tile_accumulate<S, TY>(sds, sk, ld, dp, acc);
    }
    const float factor[4] = {scale, scale, scale, scale};
    store_rows<S, TY>(dq, b, q0, lq, h, hq, d, acc, factor);
}

// For query head h: dv_j(h) = sum over rows i of P_ij dOut_i, dk_j(h) = scale * sum of dS_ij q_i, into dk, dv laid out
// [B, Lk, Hq, D]. With Hq = Hkv those are the gradients; else attention_backward_group_sum_f32 adds the heads of each
// group (a block per query head, not per key/value head, gives Hq / Hkv times more blocks to fill the GPU).
// Block per BR keys and one query head; dynamic shared memory (2 BR + 2 * 64) (D' + 4) + 2 * 64 + BR * 68 floats.
template <int S, int BR>
__device__ __forceinline__ void dkv_body(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q,
                                         const float* k, const float* v, const int* key_mask, const float* lse,
                                         const float* delta, const float* d_out, float* dk, float* dv) {
    constexpr int TY = BR / 4;
    int dp = padded_dim(d), ld = dp + 4;
    float* sk = kc_dyn_smem<float>();
    float* sv = sk + BR * ld;
    float* sq = sv + BR * ld;
    float* sdo = sq + kCols * ld;
    float* slse = sdo + kCols * ld;
    float* sdelta = slse + kCols;
    float* sp = sdelta + kCols;  // P^T, then dS^T, of the current tile: BR keys x 64 queries
    int b = blockIdx.z, h = blockIdx.y, g = h / (hq / hkv), k0 = blockIdx.x * BR;
    int tx = threadIdx.x % kTx, ty = threadIdx.x / kTx;
    load_tile(sk, ld, k, b, k0, BR, lk, g, hkv, d);
    load_tile(sv, ld, v, b, k0, BR, lk, g, hkv, d);
    float dk_acc[4][S][4], dv_acc[4][S][4];
    zero(dk_acc);
    zero(dv_acc);
    // With causal masking, query i sees key j only when i >= j - (Lk - Lq): earlier query tiles are skipped.
    int first_query = causal ? max(0, k0 - (lk - lq)) : 0;
    for (int i0 = first_query - first_query % kCols; i0 < lq; i0 += kCols) {
        __syncthreads();
        load_tile(sq, ld, q, b, i0, kCols, lq, h, hq, d);
        load_tile(sdo, ld, d_out, b, i0, kCols, lq, h, hq, d);
        if (threadIdx.x < kCols) {
            int i = i0 + threadIdx.x;
            long long at = (static_cast<long long>(b) * hq + h) * lq + i;
            slse[threadIdx.x] = i < lq ? lse[at] : -INFINITY;
            sdelta[threadIdx.x] = i < lq ? delta[at] : 0.0f;
        }
        __syncthreads();
        float s[4][4] = {}, dp_[4][4] = {};
        tile_dots<TY, 1>(sk, sq, ld, dp, s);     // s[i][j] = k_(ty + TY i) . q_(tx + 16 j)
        tile_dots<TY, 1>(sv, sdo, ld, dp, dp_);  // dp_[i][j] = v_(ty + TY i) . dOut_(tx + 16 j)
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            int r = ty + TY * i, key = k0 + r;
            KC_UNROLL
            for (int j = 0; j < 4; j++) {
                int c = tx + kTx * j;
                bool visible = key_visible(key_mask, b, lq, lk, causal, i0 + c, key);
                float p = probability(scale * s[i][j], slse[c], visible);
                s[i][j] = p == 0.0f ? 0.0f : p * (dp_[i][j] - sdelta[c]);  // the score becomes dS^T
                sp[r * kLdP + c] = p;
            }
        }
        __syncwarp();  // a key's row of P^T is written and read by the 16 lanes of one half-warp
        tile_accumulate<S, TY>(sp, sdo, ld, dp, dv_acc);
        __syncwarp();  // ... and read completely before dS^T replaces it
        KC_UNROLL
        for (int i = 0; i < 4; i++) {
            KC_UNROLL
            for (int j = 0; j < 4; j++) sp[(ty + TY * i) * kLdP + tx + kTx * j] = s[i][j];
        }
        __syncwarp();
        tile_accumulate<S, TY>(sp, sq, ld, dp, dk_acc);
    }
    const float one[4] = {1.0f, 1.0f, 1.0f, 1.0f}, factor[4] = {scale, scale, scale, scale};
    store_rows<S, TY>(dk, b, k0, lk, h, hq, d, dk_acc, factor);
    store_rows<S, TY>(dv, b, k0, lk, h, hq, d, dv_acc, one);
}
}  // namespace

// One forward, dq and dk/dv kernel per width class of D' (SUFFIX = the largest D it takes): S 64-column slices of
// accumulators per thread row, BR rows per block (32 above D' = 128, so that shared memory stays within sm_90's
// 227 KiB), BR * 4 threads. Grids: forward, dq and dk/dv (ceil(L / BR), Hq, B), L = Lq or Lk.
#define ATTENTION_KERNELS(SUFFIX, S, BR)                                                                                \
    extern "C" __global__ void __launch_bounds__(BR * 4)                                                              \
        attention_forward_f32_##SUFFIX(int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q, \
                                       const float* k, const float* v, const int* key_mask, float* out, float* lse) { \
        forward_body<S, BR>(lq, lk, hq, hkv, d, scale, causal, q, k, v, key_mask, out, lse);                          \
    }                                                                                                                 \
    EMU_REGISTER(attention_forward_f32_##SUFFIX);                                                                     \
    extern "C" __global__ void __launch_bounds__(BR * 4) attention_backward_dq_f32_##SUFFIX(                           \
        int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q, const float* k,              \
        const float* v, const int* key_mask, const float* lse, const float* delta, const float* d_out, float* dq) {  \
        dq_body<S, BR>(lq, lk, hq, hkv, d, scale, causal, q, k, v, key_mask, lse, delta, d_out, dq);                  \
    }                                                                                                                 \
    EMU_REGISTER(attention_backward_dq_f32_##SUFFIX);                                                                 \
    extern "C" __global__ void __launch_bounds__(BR * 4) attention_backward_dkv_f32_##SUFFIX(                          \
        int lq, int lk, int hq, int hkv, int d, float scale, int causal, const float* q, const float* k,              \
        const float* v, const int* key_mask, const float* lse, const float* delta, const float* d_out, float* dk,     \
        float* dv) {                                                                                                  \
        dkv_body<S, BR>(lq, lk, hq, hkv, d, scale, causal, q, k, v, key_mask, lse, delta, d_out, dk, dv);             \
    }                                                                                                                 \
    EMU_REGISTER(attention_backward_dkv_f32_##SUFFIX)

ATTENTION_KERNELS(d64, 1, 64);
ATTENTION_KERNELS(d128, 2, 64);
ATTENTION_KERNELS(d192, 3, 32);
ATTENTION_KERNELS(d256, 4, 32);

// delta[b, h, i] = dOut[b, i, h, :] . out[b, i, h, :], the row term of the softmax backward. One thread per row.
extern "C" __global__ void attention_backward_delta_f32(int batch, int lq, int hq, int d, const float* out,
                                                        const float* d_out, float* delta) {
    long long rows = static_cast<long long>(batch) * hq * lq;
    for (long long t = kc_global_index(); t < rows; t += kc_grid_stride()) {
        long long at = t / lq / hq * (static_cast<long long>(lq) * hq) + (t % lq) * hq + (t / lq) % hq;
        float sum = 0.0f;
        for (int c = 0; c < d; c++) sum += d_out[at * d + c] * out[at * d + c];
        delta[t] = sum;
    }
}
EMU_REGISTER(attention_backward_delta_f32);

// dk[b, j, g, :] = sum of part_k[b, j, h, :] over the query heads h of group g, in head order (so deterministic); the
// same for dv. part_* [B, Lk, Hq, D] from attention_backward_dkv_f32_*, dk and dv [B, Lk, Hkv, D]. Grid-stride.
extern "C" __global__ void attention_backward_group_sum_f32(int batch, int lk, int hq, int hkv, int d,
                                                            const float* part_k, const float* part_v, float* dk,
                                                            float* dv) {
    int group = hq / hkv;
    long long n = static_cast<long long>(batch) * lk * hkv * d;
    for (long long e = kc_global_index(); e < n; e += kc_grid_stride()) {
        long long row = e / d;  // (b Lk + j) Hkv + g
        int c = static_cast<int>(e - row * d);
        long long at = row * group * d + c;  // part[b, j, g * group, c]: (b Lk + j) Hq + g group = row * group
        float sk = 0.0f, sv = 0.0f;
        for (int t = 0; t < group; t++) {
            sk += part_k[at + static_cast<long long>(t) * d];
            sv += part_v[at + static_cast<long long>(t) * d];
        }
        dk[e] = sk;
        dv[e] = sv;
    }
}
EMU_REGISTER(attention_backward_group_sum_f32);
