// The fused target log-prob gather over logits [rows, vocab] (RowKernels.logProbGather). The forward reads the logits
// once with an online max and sum ((m, s) = (running max, sum of exp(x - m))); the softmax is never stored.
//
// A row is split across `splits` blocks (the launcher picks splits so that rows * splits fills the device: 256 rows
// of a 151936-wide vocabulary are only 256 blocks on 132 multiprocessors), each writing one (m, s) pair; a second,
// tiny kernel merges a row's pairs in split order, one thread per row, and gathers the target logit. No atomics, and
// the merge order is fixed, so the result is deterministic. The body of each row is read as float4 (rowvec.cuh),
// four loads in flight per thread.
//
// NaN anywhere in a row makes its lse (and logp) NaN; +inf makes it NaN too (inf - inf), as the reference's
// exp(x - max) does; -inf entries (masked logits) add nothing.
#include "common.cuh"
#include "rowvec.cuh"

// Folds one logit into (m, s). m only ever rises (fmaxf skips NaN); a NaN lands in the exp and poisons s.
__device__ __forceinline__ void lp_add1(float& m, float& s, float v) {
    float top = fmaxf(m, v);
    if (top > m) {
        s *= expf(m - top);  // m = -inf gives 0: the empty sum stays 0, a NaN stays NaN
        m = top;
    }
    s += v == -INFINITY ? 0.0f : expf(v - m);
}

// Folds four logits into (m, s), rescaling s at most once.
__device__ __forceinline__ void lp_add4(float& m, float& s, float4 v) {
    float top = fmaxf(fmaxf(m, fmaxf(v.x, v.y)), fmaxf(v.z, v.w));
    if (top > m) {
        s *= expf(m - top);
        m = top;
    }
    s += (v.x == -INFINITY ? 0.0f : expf(v.x - m)) + (v.y == -INFINITY ? 0.0f : expf(v.y - m)) +
         (v.z == -INFINITY ? 0.0f : expf(v.z - m)) + (v.w == -INFINITY ? 0.0f : expf(v.w - m));
}

// Merges another (max, sum) pair into (m, s). An empty pair is (-inf, 0); a NaN sum survives every merge.
__device__ __forceinline__ void merge_max_sum(float& m, float& s, float m2, float s2) {
    float top = fmaxf(m, m2);
    if (top == -INFINITY) {
        s += s2;  // both empty: 0, or NaN if either saw one
        return;
    }
    s = s * expf(m - top) + s2 * expf(m2 - top);
    m = top;
}

__device__ __forceinline__ void warp_merge(float& m, float& s) {
    for (int offset = 16; offset > 0; offset >>= 1) {
        float m2 = __shfl_xor_sync(0xffffffffu, m, offset), s2 = __shfl_xor_sync(0xffffffffu, s, offset);
        merge_max_sum(m, s, m2, s2);
    }
}

// partial[2 * (r * splits + c) + {0, 1}] = (max, sum of exp(x - max)) over split c of row r. A row is a scalar head
// (split 0), float4s cut into `splits` contiguous runs, and a scalar tail (the last split). One task (r, c) per block
// in grid-stride turns, uniform across the block, so every thread reaches the barriers.
extern "C" __global__ void log_prob_partial_f32(int rows, int vocab, int splits, const float* logits, float* partial) {
    __shared__ float maxes[32], sums[32];
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    int bd = blockDim.x;
    long long tasks = static_cast<long long>(rows) * splits;
    for (long long task = blockIdx.x; task < tasks; task += gridDim.x) {
        int r = static_cast<int>(task / splits), c = static_cast<int>(task % splits);
        const float* row = logits + static_cast<long long>(r) * vocab;
        int head = kc_head4(row, vocab), n4 = (vocab - head) >> 2, per = (n4 + splits - 1) / splits;
        int b0 = min(n4, c * per), b1 = min(n4, b0 + per);
        const float* body = row + head;
        float m = -INFINITY, s = 0.0f;
        if (c == 0)
            for (int j = threadIdx.x; j < head; j += bd) lp_add1(m, s, row[j]);
        if (c == splits - 1)
            for (int j = head + 4 * n4 + threadIdx.x; j < vocab; j += bd) lp_add1(m, s, row[j]);
        int i = b0 + threadIdx.x;
        for (; i + 3 * bd < b1; i += 4 * bd) {
            float4 v0 = kc_load4(body + 4LL * i), v1 = kc_load4(body + 4LL * (i + bd));
            float4 v2 = kc_load4(body + 4LL * (i + 2 * bd)), v3 = kc_load4(body + 4LL * (i + 3 * bd));
            lp_add4(m, s, v0);
            lp_add4(m, s, v1);
            lp_add4(m, s, v2);
            lp_add4(m, s, v3);
        }
        for (; i < b1; i += bd) lp_add4(m, s, kc_load4(body + 4LL * i));
        warp_merge(m, s);
        __syncthreads();  // the previous task's warp 0 has read maxes/sums
        if (lane == 0) {
            maxes[warp] = m;
            sums[warp] = s;
        }
        __syncthreads();
        if (warp == 0) {
            m = lane < warps ? maxes[lane] : -INFINITY;
            s = lane < warps ? sums[lane] : 0.0f;
            warp_merge(m, s);
            if (lane == 0) {
                partial[2 * task] = m;
                partial[2 * task + 1] = s;
            }
        }
    }
}
EMU_REGISTER(log_prob_partial_f32);

// One thread per row: lse[r] = the merge of the row's `splits` pairs in split order, logp[r] = logits[r, t] - lse[r]
// with t = targets[r]; 0 for the ignore index; a target outside [0, vocab) is reported through `status` (and gets
// NaN).
extern "C" __global__ void log_prob_merge_f32(int rows, int vocab, int splits, const float* logits,
                                              const float* partial, const int* targets, int ignore_index, float* logp,
                                              float* lse, int* status) {
    for (long long r = kc_global_index(); r < rows; r += kc_grid_stride()) {
        const float* pr = partial + 2 * r * splits;
        float m = -INFINITY, s = 0.0f;
        for (int c = 0; c < splits; c++) merge_max_sum(m, s, pr[2 * c], pr[2 * c + 1]);
        float l = m + logf(s);
        lse[r] = l;
        int t = targets[r];
        if (t == ignore_index) {
            logp[r] = 0.0f;
        } else if (t < 0 || t >= vocab) {
            kc_report(status, r, t);
            logp[r] = NAN;
        } else {
            logp[r] = logits[r * vocab + t] - l;
        }
    }
}
EMU_REGISTER(log_prob_merge_f32);

__device__ __forceinline__ float lp_grad(float x, float l, float d, bool target) {
    return d * ((target ? 1.0f : 0.0f) - expf(x - l));
}

// dLogits[r, j] = dLogp[r] * ([j == t] - exp(logits[r, j] - lse[r])); 0 on ignored rows. Element-wise given lse, but
// laid out by row: blockIdx.y walks rows (grid-stride), blockIdx.x the row's float4 body in spans of 4 * blockDim.x
// float4s (grid-stride), so a row's target, lse and dLogp are read once per thread, not once per element, and each
// thread has four 16-byte loads in flight. The body is float4 where logits and dLogits rows sit at the same offset
// from a 16-byte boundary; otherwise the row is taken one float at a time.
extern "C" __global__ void log_prob_gather_backward_f32(int rows, int vocab, const float* logits, const int* targets,
                                                        int ignore_index, const float* lse, const float* d_logp,
                                                        float* d_logits, int* status) {
    int bd = blockDim.x;
    for (long long r = blockIdx.y; r < rows; r += gridDim.y) {
        const float* x = logits + r * vocab;
        float* dx = d_logits + r * vocab;
        int t = targets[r];
        bool ignored = t == ignore_index;
        if (!ignored && (t < 0 || t >= vocab) && blockIdx.x == 0 && threadIdx.x == 0) kc_report(status, r, t);
        float l = lse[r], d = ignored ? 0.0f : d_logp[r];
        int head = kc_head4(x, vocab);
        bool vec = kc_aligned16(dx + head);
        int n4 = vec ? (vocab - head) >> 2 : 0, rest = vec ? head + 4 * n4 : 0;
        // Scalars: the head, the tail (all of the row when not vectorised), taken by the row's first span.
        if (blockIdx.x == 0) {
            for (int j = threadIdx.x; j < (vec ? head : 0); j += bd) dx[j] = ignored ? 0.0f : lp_grad(x[j], l, d, j == t);
            for (int j = rest + threadIdx.x; j < vocab; j += bd) dx[j] = ignored ? 0.0f : lp_grad(x[j], l, d, j == t);
        }
        const float* xb = x + head;
        float* db = dx + head;
        long long span = 4LL * bd;
        for (long long i0 = blockIdx.x * span; i0 < n4; i0 += gridDim.x * span) {
            long long i = i0 + threadIdx.x;
            if (ignored) {
                for (int k = 0; k < 4; k++, i += bd)
                    if (i < n4) kc_store4_global(db + 4 * i, make_float4(0.0f, 0.0f, 0.0f, 0.0f));
                continue;
            }
            float4 v[4];
            KC_UNROLL
            for (int k = 0; k < 4; k++)
                if (i + k * bd < n4) v[k] = kc_load4(xb + 4 * (i + k * bd));
            KC_UNROLL
            for (int k = 0; k < 4; k++) {
                long long q = i + k * bd;
                if (q >= n4) break;
                int j = head + 4 * static_cast<int>(q);
                float4 g = make_float4(lp_grad(v[k].x, l, d, j == t), lp_grad(v[k].y, l, d, j + 1 == t),
                                       lp_grad(v[k].z, l, d, j + 2 == t), lp_grad(v[k].w, l, d, j + 3 == t));
                kc_store4_global(db + 4 * q, g);
            }
        }
    }
}
EMU_REGISTER(log_prob_gather_backward_f32);
